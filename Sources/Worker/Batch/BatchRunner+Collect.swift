import Foundation
import JobQueue
import LLM

#if canImport(Glibc)
import Glibc
#endif

extension BatchRunner {
    /// Polls every batch whose results are not stored yet and collects those that are final.
    func collect() async throws {
        let submissions = Dictionary(uniqueKeysWithValues: try store.openSubmissions().map { ($0.id, $0) })
        for row in try store.batchRows(uncollected: true) where !stopRequested {
            guard let submission = submissions[row.submissionID] else { continue }
            let batch = try await api.retrieveBatch(id: row.id)
            var updated = self.row(for: batch, submission: submission)
            updated.model = row.model
            try store.saveBatch(updated)
            guard batch.isFinal else { continue }
            if batch.status == "failed" {
                try await collectFailed(batch, submission: submission)
            } else {
                try await collectFinished(batch, submission: submission)
            }
        }
    }

    /// A batch the API failed as a whole (validation, the enqueued-token limit): its jobs
    /// go back to pending without an attempt; a token limit teaches the budget.
    private func collectFailed(_ batch: RemoteBatch, submission: BatchSubmission) async throws {
        if batch.errors.contains(where: { $0.code == "token_limit_exceeded" }) {
            // What was in flight besides this batch was accepted: keep under that from now on.
            let others = try store.enqueuedBatchTokens(model: submission.model) - submission.tokens
            let learned = max(others, submission.tokens / 2, 1)
            let known = try store.batchSetting("token_limit:\(submission.model)").flatMap(Int.init)
            try store.setBatchSetting("token_limit:\(submission.model)", String(min(known ?? learned, learned)))
            log("batch \(batch.id) failed: the enqueued-token limit for \(submission.model) was reached; its jobs are back to pending and llmq now keeps at most \(learned) tokens enqueued for it")
        } else {
            let reasons = batch.errors.prefix(10).map { error in
                (error.line.map { "line \($0): " } ?? "") + [error.code, error.message].compactMap { $0 }.joined(separator: ": ")
            }
            log("batch \(batch.id) failed validation: \(reasons.joined(separator: "; ")); its jobs are back to pending")
        }
        report.requeued += try store.finishSubmission(submission.id, batchID: batch.id)
        report.collected += 1
        await deleteRemoteFiles([submission.inputFileID ?? batch.inputFileID, batch.outputFileID, batch.errorFileID])
    }

    /// A completed, expired or cancelled batch: stores every finished line's results,
    /// applies the per-line policy, and hands the jobs of lines that never ran back.
    private func collectFinished(_ batch: RemoteBatch, submission: BatchSubmission) async throws {
        var lines = try store.batchLineJobs(submission.id)
        var collector = LineCollector(
            submission: submission, backoff: JobBackoff(base: worker.retryBackoffBase, cap: worker.retryBackoffCap), now: clock.now(),
            random: random)
        let apply: (BatchResultChunk) throws -> BatchChunkOutcome = { chunk in try self.apply(chunk, submission: submission.id) }
        for fileID in [batch.outputFileID, batch.errorFileID].compactMap({ $0 }) {
            let path = workPath("download-\(submission.id)-\(fileID).jsonl")
            defer { unlink(path) }
            _ = try await api.downloadFile(id: fileID, to: path)
            try collector.read(path, lines: &lines, apply: apply)
        }
        try collector.flush(apply)
        report.unknownLines += collector.unknown
        report.duplicateLines += collector.duplicates
        if collector.unknown + collector.duplicates > 0 {
            log("batch \(batch.id): ignored \(collector.unknown) output lines for unknown custom_ids and \(collector.duplicates) repeated ones")
        }
        if collector.unreadable > 0 {
            report.unreadableLines += collector.unreadable
            let attempts = try store.noteCollectAttempt(submission.id)
            if attempts < options.maxCollectAttempts {
                log("batch \(batch.id): \(collector.unreadable) output lines could not be read (\(collector.firstProblem ?? "")); nothing was stored from them and the next run collects the batch again")
                return
            }
            log("batch \(batch.id): \(collector.unreadable) output lines could not be read after \(attempts) collections; their jobs go back to pending")
        }
        let released = try store.finishSubmission(submission.id, batchID: batch.id)
        report.requeued += released
        report.collected += 1
        log("collected batch \(batch.id) (\(batch.status)): \(collector.outcome.succeeded) succeeded, \(collector.outcome.failed) failed, \(collector.outcome.retried + collector.outcome.released + released) back to pending")
        await deleteRemoteFiles([submission.inputFileID ?? batch.inputFileID, batch.outputFileID, batch.errorFileID])
        // Vectors of another length are about the request (the model or `dimensions` the
        // server serves), as synchronously: every later batch would get them too.
        if let error = collector.configurationError {
            log("batch \(batch.id): \(collector.configurationLines) output lines had vectors of another length; their jobs are back to pending")
            throw error
        }
    }

    /// Writes one chunk of results (one transaction) and counts it.
    func apply(_ chunk: BatchResultChunk, submission: Int64) throws -> BatchChunkOutcome {
        let outcome = try store.applyBatchResults(chunk, submission: submission, maxAttempts: worker.maxAttempts)
        report.succeeded += outcome.succeeded
        report.failed += outcome.failed
        report.requeued += outcome.retried + outcome.released
        report.reusedVectors += chunk.embeddings.filter(\.reused).count
        return outcome
    }

}

/// Reads a batch's output and error files line by line and turns each line into results
/// by the per-line policy, written in chunks.
struct LineCollector {
    let submission: BatchSubmission
    let backoff: JobBackoff
    let now: Double
    let random: @Sendable () -> Double
    var chunk = BatchResultChunk()
    var outcome = BatchChunkOutcome()
    var seen: Set<String> = []
    var unknown = 0
    var duplicates = 0
    var unreadable = 0
    var firstProblem: String?
    /// The first line whose answer is about the request, not its inputs (vectors of another
    /// length): its jobs and those of every such line go back to pending, and the run stops.
    var configurationError: LLMError?
    var configurationLines = 0

    init(submission: BatchSubmission, backoff: JobBackoff, now: Double, random: @escaping @Sendable () -> Double) {
        self.submission = submission
        self.backoff = backoff
        self.now = now
        self.random = random
    }

    /// The time a job whose line failed with a retryable error may run again.
    func retryAt(attempts: Int) -> Double { now + backoff.delay(afterAttempts: attempts, random: random()) }

    /// Reads the file at `path`, handing each full chunk to `apply`; `lines` loses each line it settles.
    mutating func read(_ path: String, lines: inout [String: [BatchLineJob]],
                       apply: (BatchResultChunk) throws -> BatchChunkOutcome) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw JobQueueError(.database, "cannot read the downloaded batch file \(path)") }
        defer { close(fd) }
        let reader = LineReader(fd: fd, maxLineBytes: 256 << 20)
        let dimensions = submission.dimensions ?? ModelCatalog.nativeDimensions(of: submission.model)
        while let next = try reader.next() {
            guard case .line(_, let bytes) = next else {
                note("an output line over 256 MB")
                continue
            }
            if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { continue }
            let read: (customID: String, outcome: BatchLineOutcome?)
            do {
                read = try BatchOutputLine.read(bytes, endpoint: submission.endpoint) { customID in
                    guard let jobs = lines[customID] else { return nil }
                    return (Set(jobs.map(\.position)).count, dimensions)
                }
            } catch {
                note(error.description)
                continue
            }
            guard let outcome = read.outcome, let jobs = lines.removeValue(forKey: read.customID) else {
                if seen.contains(read.customID) { duplicates += 1 } else { unknown += 1 }
                continue
            }
            seen.insert(read.customID)
            settle(jobs, outcome)
            if chunk.count >= 2_048 { try flush(apply) }
        }
    }

    private mutating func note(_ problem: String) {
        unreadable += 1
        if firstProblem == nil { firstProblem = problem }
    }

    /// Applies the per-line policy to one line's jobs.
    private mutating func settle(_ jobs: [BatchLineJob], _ line: BatchLineOutcome) {
        switch line {
        case .embeddings(let response):
            // Positions are 0..<inputs (one per distinct input of the line).
            var estimates = [Int](repeating: 1, count: response.packedVectors.count)
            for job in jobs where job.position < estimates.count { estimates[job.position] = max(1, job.sentTokens ?? job.inputTokens ?? 1) }
            let shares = Worker.apportion(response.inputTokens, by: estimates)
            var first: Set<Int> = []
            for job in jobs where job.position < estimates.count {
                let slot = job.position
                let isFirst = first.insert(job.position).inserted
                chunk.embeddings.append(job.embeddingResult(
                    model: response.model, vector: response.packedVectors.bytes(at: slot),
                    dimensions: response.packedVectors.dimensions(at: slot), inputTokens: isFirst ? shares[slot] : 0, reused: !isFirst))
            }
        case .chat(let response):
            for job in jobs { chunk.generations.append(GenerationResult(response, jobID: job.jobID, requestHash: job.requestHash)) }
        case .failed(let error):
            switch error.kind {
            case .wrongDimensions:
                chunk.releases += jobs.map(\.jobID)
                configurationLines += 1
                if configurationError == nil { configurationError = error }
            case .invalidRequest:
                let inputs = Set(jobs.map(\.position)).count
                if submission.kind == .embed, inputs > 1 {
                    // Like a 400 on a synchronous batch: split, so only the offending input fails.
                    chunk.splits += jobs.map { ($0.jobID, max(1, inputs / 2)) }
                    chunk.releases += jobs.map(\.jobID)
                } else {
                    chunk.failures += jobs.map { ($0.jobID, error.description, $0.requestHash) }
                }
            case .authentication, .permission, .quotaExhausted:
                chunk.releases += jobs.map(\.jobID)
            default:
                chunk.retries += jobs.map { job in
                    (job.jobID, error.description, retryAt(attempts: job.attempts), job.requestHash)
                }
            }
        case .notRun(let code, let message):
            if code == "batch_expired" || code == "batch_cancelled" {
                chunk.releases += jobs.map(\.jobID)
            } else {
                let text = "the batch did not run the request: \(code): \(message)"
                chunk.retries += jobs.map { job in (job.jobID, text, retryAt(attempts: job.attempts), job.requestHash) }
            }
        }
    }

    /// Writes the chunk gathered so far.
    mutating func flush(_ apply: (BatchResultChunk) throws -> BatchChunkOutcome) throws {
        guard !chunk.isEmpty else { return }
        let applied = try apply(chunk)
        outcome.succeeded += applied.succeeded
        outcome.failed += applied.failed
        outcome.retried += applied.retried
        outcome.released += applied.released
        chunk = BatchResultChunk()
    }
}
