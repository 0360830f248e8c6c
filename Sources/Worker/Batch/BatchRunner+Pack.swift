import Foundation
import JobQueue
import LLM

/// An input file written for a submission.
struct PackedFile {
    var path: String
    var lines: Int
    /// Jobs held back (an identical input is in another batch in flight).
    var heldBack: Int
}

/// One embeddings input slot of a line: identical inputs of a batch share it.
private struct InputSlot {
    var input: String
    var tokens: Int
    var jobs: [ClaimedJob]
    var maxInputs: Int
}

extension BatchRunner {
    /// Builds the input file of `submission` from its claimed `jobs`: vectors stored before
    /// are copied at once (never pay twice), identical inputs share one slot, inputs over
    /// the per-input limit fail; the rest are packed under the line, byte and token limits,
    /// the lines recorded, and the jobs that do not fit handed back. Returns nil when no job was claimed.
    func pack(_ submission: BatchSubmission, jobs: [ClaimedJob], tokenRoom: Int?) throws -> PackedFile? {
        guard !jobs.isEmpty else { return nil }
        let path = workPath("input-\(submission.id).jsonl")
        guard FileManager.default.createFile(atPath: path, contents: nil), let handle = FileHandle(forWritingAtPath: path) else {
            throw JobQueueError(.database, "cannot write the batch input file \(path)")
        }
        defer { try? handle.close() }
        var writer = LineFileWriter(handle: handle)
        var entries: [(jobID: Int64, line: String, position: Int)] = []
        var release: [Int64] = []
        var lines = 0
        var tokens = 0
        var heldBack = 0
        let room = tokenRoom ?? Int.max
        let alone = try store.enqueuedBatchTokens(model: submission.model) == 0
        func fits(_ lineTokens: Int, _ lineBytes: Int) -> Bool {
            lines < options.maxLines && writer.bytes + lineBytes <= options.maxFileBytes
                && (tokens + lineTokens <= room || (alone && lines == 0))
        }
        switch submission.kind {
        case .embed:
            let (slots, held) = try embedSlots(jobs, submission: submission)
            heldBack = held.count
            release += held
            var index = 0
            var closed = false
            while index < slots.count {
                // One line: consecutive slots under the per-request limits (a split job's own lower cap included).
                var count = 0
                var lineTokens = 0
                var cap = slots[index].maxInputs
                while index + count < slots.count {
                    let slot = slots[index + count]
                    let nextCap = min(cap, slot.maxInputs)
                    if count > 0, count + 1 > nextCap || lineTokens + slot.tokens > worker.maxBatchTokens { break }
                    cap = nextCap
                    lineTokens += slot.tokens
                    count += 1
                }
                let lineSlots = slots[index..<(index + count)]
                index += count
                let customID = "llmq-\(submission.id)-\(lines)"
                let sentDimensions = submission.dimensions == ModelCatalog.nativeDimensions(of: submission.model) ? nil : submission.dimensions
                let line = try BatchInputLine.embeddings(customID: customID, inputs: lineSlots.map(\.input), model: submission.model,
                                                         dimensions: sentDimensions)
                if closed || !fits(lineTokens, line.count) {
                    closed = true
                    release += lineSlots.flatMap { $0.jobs.map(\.id) }
                    continue
                }
                try writer.write(line)
                for (position, slot) in lineSlots.enumerated() {
                    entries += slot.jobs.map { ($0.id, customID, position) }
                }
                lines += 1
                tokens += lineTokens
            }
        case .generate:
            var closed = false
            for job in jobs {
                guard let request = Worker.chatRequest(for: job, systemPrompt: worker.systemPrompt, estimator: estimator) else {
                    try store.fail(jobID: job.id, error: Worker.unreadableGenerateRequest, requestHash: job.requestHash)
                    report.failed += 1
                    continue
                }
                let customID = "llmq-\(submission.id)-\(lines)"
                let line = try BatchInputLine.chat(customID: customID, request: request, defaultModel: submission.model)
                let promptTokens = (request.estimatedTokens ?? 0) - request.maxTokens
                if closed || !fits(promptTokens, line.count) {
                    closed = true
                    release.append(job.id)
                    continue
                }
                try writer.write(line)
                entries.append((job.id, customID, 0))
                lines += 1
                tokens += promptTokens
            }
        }
        try writer.flush()
        try store.recordPacking(submission.id, lines: entries, release: release, lineCount: lines, inputs: entries.count, tokens: tokens)
        return PackedFile(path: path, lines: lines, heldBack: heldBack)
    }

    /// The embed jobs as input slots (identical inputs once), after copying stored vectors
    /// and failing over-long inputs; also the jobs held back because an identical input is
    /// in another batch in flight.
    private func embedSlots(_ jobs: [ClaimedJob], submission: BatchSubmission) throws -> ([InputSlot], [Int64]) {
        let stored = try store.storedVectors(forRequestHashes: jobs.map(\.requestHash))
        let inFlight = try store.batchOwnedRequestHashes(excluding: submission.id)
        let splitLimits = try store.batchSplitLimits(jobs.map(\.id))
        var reused: [EmbeddingResult] = []
        var held: [Int64] = []
        var slots: [InputSlot] = []
        var slotIndex: [[UInt8]: Int] = [:]
        var counted: [(jobID: Int64, tokens: Int)] = []
        for job in jobs {
            guard case .embed(let input, let model, _)? = job.request else {
                try store.fail(jobID: job.id, error: "the stored request is not an embed request llmq can read; re-enqueue the job",
                               requestHash: job.requestHash)
                report.failed += 1
                continue
            }
            if let vector = stored[job.requestHash] {
                reused.append(EmbeddingResult(jobID: job.id, requestHash: job.requestHash, model: vector.model, vector: vector.vector[...],
                                              dimensions: vector.dimensions, inputTokens: 0, reused: true,
                                              countedTokens: job.tokensExact ? job.inputTokens : nil))
                continue
            }
            if inFlight.contains(job.requestHash) {
                held.append(job.id)
                continue
            }
            if let index = slotIndex[job.requestHash] {
                slots[index].jobs.append(job)
                continue
            }
            var count = (tokens: job.inputTokens ?? 0, exact: job.tokensExact)
            if job.inputTokens == nil || !job.tokensExact {
                count = estimator.count(input, model: model)
                if count.exact { counted.append((job.id, count.tokens)) }
            }
            if count.exact, count.tokens > worker.maxInputTokens {
                try store.fail(jobID: job.id, error: Worker.tooLongMessage(tokens: count.tokens, limit: worker.maxInputTokens, model: model),
                               requestHash: job.requestHash)
                report.failed += 1
                continue
            }
            slotIndex[job.requestHash] = slots.count
            slots.append(InputSlot(input: input, tokens: count.tokens, jobs: [job],
                                   maxInputs: min(worker.batchSize, splitLimits[job.id] ?? worker.batchSize)))
        }
        try store.recordTokenCounts(counted)
        if !reused.isEmpty {
            let written = try store.complete(embeddings: reused)
            report.succeeded += written
            report.reusedVectors += written
        }
        // Split jobs first, so each gets lines of its own size.
        let ordered = slots.enumerated().sorted { ($0.element.maxInputs, $0.offset) < ($1.element.maxInputs, $1.offset) }.map(\.element)
        return (ordered, held)
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
