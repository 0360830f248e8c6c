import Foundation
import JobQueue
import LLM

/// An input file written for a submission.
struct PackedFile {
    var path: String
    var lines: Int
    /// Jobs held back (an identical input is in another batch in flight).
    var heldBack: Int
    /// Claimed jobs handed back with nothing packed (held back, or over a limit of the batch).
    var released: Int
}

extension BatchRunner {
    /// Jobs read from the database and packed at a time: packing holds one page of jobs
    /// and the open line, whatever the batch size.
    static let packingPage = 1_000

    /// Builds the input file of `submission` from its claimed jobs, a page at a time
    /// (split jobs first, so each gets lines of its own size): vectors stored before are
    /// copied at once (never pay twice, per chunk for a chunked job), identical inputs
    /// share one slot, inputs over the per-input limit fail; the rest are packed under the
    /// line, byte, input and token limits, the lines recorded, and the jobs with nothing
    /// packed handed back. Returns nil when no job was claimed.
    func pack(_ submission: BatchSubmission, jobIDs: [Int64], tokenRoom: Int?) throws -> PackedFile? {
        guard !jobIDs.isEmpty else { return nil }
        let path = workPath("input-\(submission.id).jsonl")
        guard FileManager.default.createFile(atPath: path, contents: nil), let handle = FileHandle(forWritingAtPath: path) else {
            throw JobQueueError(.database, "cannot write the batch input file \(path)")
        }
        defer { try? handle.close() }
        let alone = try store.enqueuedBatchTokens(model: submission.model) == 0
        var file = PackingFile(writer: LineFileWriter(handle: handle), options: options, tokenRoom: tokenRoom, alone: alone)
        let splitLimits = submission.kind == .embed ? try store.batchSplitLimits(jobIDs) : [:]
        let split = jobIDs.filter { splitLimits[$0] != nil }.sorted { (splitLimits[$0]!, $0) < (splitLimits[$1]!, $1) }
        let ordered = split + jobIDs.filter { splitLimits[$0] == nil }
        var copied = 0
        var start = 0
        while start < ordered.count, !file.closed {
            let page = ordered[start..<min(start + Self.packingPage, ordered.count)]
            start += page.count
            let jobs = try store.batchClaimedJobs(page, submission: submission.id)
            switch submission.kind {
            case .embed:
                try packEmbeddings(jobs, submission: submission, splitLimits: splitLimits, copied: &copied, into: &file)
                // Chunking stops once the batch's input limit is reached: the remaining jobs are not chunked now.
                if copied >= options.maxInputs { start = ordered.count }
            case .generate:
                try packChats(jobs, submission: submission, into: &file)
            }
            if start >= ordered.count, !file.closed { try file.closeLine(submission: submission.id, makeLine: embeddingsLine(submission)) }
        }
        try file.writer.flush()
        // A job with nothing packed goes back (finished ones are no longer running, so
        // releasing them does nothing); a chunked job with some chunks packed stays, and
        // its other chunks go back with it once this batch is collected.
        let unpacked = jobIDs.filter { !file.packed.contains($0) }
        let released = try store.recordPacking(submission.id, entries: file.entries, release: unpacked, lineCount: file.lines,
                                               inputs: file.inputs, tokens: file.tokens)
        return PackedFile(path: path, lines: file.lines, heldBack: file.heldBack.count, released: released)
    }

    /// Makes the embeddings input line of `submission` for these inputs.
    private func embeddingsLine(_ submission: BatchSubmission) -> (String, [String]) throws -> [UInt8] {
        let sentDimensions = submission.dimensions == ModelCatalog.nativeDimensions(of: submission.model) ? nil : submission.dimensions
        return { customID, inputs in
            BatchInputLine.embeddings(customID: customID, inputs: inputs, model: submission.model, dimensions: sentDimensions)
        }
    }

    /// Packs a page of embed jobs: each as its input or its chunks (`copied` counts them
    /// across pages), after copying stored vectors, holding back what another batch in
    /// flight sends and failing over-long inputs.
    private func packEmbeddings(_ jobs: [ClaimedJob], submission: BatchSubmission, splitLimits: [Int64: Int], copied: inout Int,
                                into file: inout PackingFile) throws {
        var copies: [ClaimedJob] = []
        for job in jobs {
            guard case .embed(_, let model, _)? = job.request else {
                try store.fail(jobID: job.id, error: Worker.unreadableEmbedRequest, requestHash: job.requestHash)
                report.failed += 1
                continue
            }
            if copied + copies.count >= options.maxInputs { break }
            if let limits = job.chunking {
                copies += Worker.chunkCopies(of: job, limits: limits, encoding: estimator.encoding(forModel: model))
            } else {
                copies.append(job)
            }
        }
        copied += copies.count
        let stored = try store.storedVectors(forRequestHashes: copies.map(\.inputHash))
        let inFlight = try store.batchSentInputs(copies.map(\.inputHash), excluding: submission.id)
        var reused: [EmbeddingResult] = []
        var counted: [(jobID: Int64, tokens: Int)] = []
        let makeLine = embeddingsLine(submission)
        for var job in copies where !file.closed {
            guard case .embed(let input, let model, _)? = job.request else { continue }
            if let vector = stored[job.inputHash] {
                reused.append(job.reusedResult(vector))
                continue
            }
            if inFlight.contains(job.inputHash) {
                file.heldBack.insert(job.id)
                continue
            }
            if file.share(job) { continue }
            var count = (tokens: job.inputTokens ?? 0, exact: job.tokensExact)
            if job.part == nil, job.inputTokens == nil || !job.tokensExact {
                count = estimator.count(input, model: model)
                if count.exact { counted.append((job.id, count.tokens)) }
                job.inputTokens = count.tokens
                job.tokensExact = count.exact
            }
            if job.part == nil, count.exact, count.tokens > worker.maxInputTokens {
                try store.fail(jobID: job.id, error: Worker.tooLongMessage(tokens: count.tokens, limit: worker.maxInputTokens, model: model),
                               requestHash: job.requestHash)
                report.failed += 1
                continue
            }
            let slot = PackingFile.Slot(input: input, inputHash: job.inputHash, tokens: count.tokens, jobs: [job],
                                        maxInputs: min(worker.batchSize, splitLimits[job.id] ?? worker.batchSize))
            try file.add(slot, maxLineTokens: worker.maxBatchTokens, submission: submission.id, makeLine: makeLine)
        }
        try store.recordTokenCounts(counted)
        if !reused.isEmpty {
            let written = try store.complete(embeddings: reused)
            report.succeeded += written
            report.reusedVectors += reused.count
        }
    }

    /// Packs a page of generate jobs, one chat request per line.
    private func packChats(_ jobs: [ClaimedJob], submission: BatchSubmission, into file: inout PackingFile) throws {
        for job in jobs where !file.closed {
            guard let request = Worker.chatRequest(for: job, systemPrompt: worker.systemPrompt, estimator: estimator) else {
                try store.fail(jobID: job.id, error: Worker.unreadableGenerateRequest, requestHash: job.requestHash)
                report.failed += 1
                continue
            }
            let customID = file.nextCustomID(submission: submission.id)
            let line = BatchInputLine.chat(customID: customID, request: request, defaultModel: submission.model)
            let promptTokens = (request.estimatedTokens ?? 0) - request.maxTokens
            guard file.fits(tokens: promptTokens, bytes: line.count, inputs: 1) else {
                file.closed = true
                break
            }
            try file.write(line, tokens: promptTokens, inputs: 1, entries: [
                BatchEntry(jobID: job.id, line: customID, position: 0, inputHash: job.requestHash, tokens: promptTokens, part: nil),
            ])
        }
    }
}

/// Writes Batch API input lines to a file through a buffer.
struct LineFileWriter {
    let handle: FileHandle
    private var buffer = Data()
    /// Bytes written (or buffered) so far.
    private(set) var bytes = 0

    init(handle: FileHandle) { self.handle = handle }

    mutating func write(_ line: [UInt8]) throws {
        buffer.append(contentsOf: line)
        bytes += line.count
        if buffer.count >= 1 << 20 { try flush() }
    }

    mutating func flush() throws {
        guard !buffer.isEmpty else { return }
        try handle.write(contentsOf: buffer)
        buffer.removeAll(keepingCapacity: true)
    }
}
