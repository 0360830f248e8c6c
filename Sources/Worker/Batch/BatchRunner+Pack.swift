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

/// One embeddings input slot of a line: identical inputs (or chunks) of a batch share it.
private struct InputSlot {
    var input: String
    var tokens: Int
    /// The jobs sending it; a chunked job's copy carries the chunk (`part`).
    var jobs: [ClaimedJob]
    var maxInputs: Int
}
extension BatchRunner {
    /// Builds the input file of `submission` from its claimed `jobs`: vectors stored before
    /// are copied at once (never pay twice, per chunk for a chunked job), identical inputs
    /// share one slot, inputs over the per-input limit fail; the rest are packed under the
    /// line, byte, input and token limits, the lines recorded, and the jobs with nothing
    /// packed handed back. Returns nil when no job was claimed.
    func pack(_ submission: BatchSubmission, jobs: [ClaimedJob], tokenRoom: Int?) throws -> PackedFile? {
        guard !jobs.isEmpty else { return nil }
        let path = workPath("input-\(submission.id).jsonl")
        guard FileManager.default.createFile(atPath: path, contents: nil), let handle = FileHandle(forWritingAtPath: path) else {
            throw JobQueueError(.database, "cannot write the batch input file \(path)")
        }
        defer { try? handle.close() }
        var writer = LineFileWriter(handle: handle)
        var entries: [BatchEntry] = []
        var lines = 0
        var inputs = 0
        var tokens = 0
        var heldBack = 0
        let room = tokenRoom ?? Int.max
        let alone = try store.enqueuedBatchTokens(model: submission.model) == 0
        func fits(_ lineTokens: Int, _ lineBytes: Int, _ lineInputs: Int) -> Bool {
            lines < options.maxLines && writer.bytes + lineBytes <= options.maxFileBytes && inputs + lineInputs <= options.maxInputs
                && (tokens + lineTokens <= room || (alone && lines == 0))
        }
        switch submission.kind {
        case .embed:
            let slots: [InputSlot]
            (slots, heldBack) = try embedSlots(jobs, submission: submission)
            var index = 0
            var closed = false
            while index < slots.count, !closed {
                // One line: consecutive slots under the per-request limits (a split job's own lower cap included).
                var count = 0
                var lineTokens = 0
                var cap = min(slots[index].maxInputs, options.maxInputs - inputs)
                guard cap > 0 else { break }
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
                let line = BatchInputLine.embeddings(customID: customID, inputs: lineSlots.map(\.input), model: submission.model,
                                                     dimensions: sentDimensions)
                guard fits(lineTokens, line.count, count) else {
                    closed = true
                    continue
                }
                try writer.write(line)
                for (position, slot) in lineSlots.enumerated() {
                    entries += slot.jobs.map {
                        BatchEntry(jobID: $0.id, line: customID, position: position, inputHash: $0.inputHash, tokens: slot.tokens, part: $0.part)
                    }
                }
                lines += 1
                inputs += count
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
                let line = BatchInputLine.chat(customID: customID, request: request, defaultModel: submission.model)
                let promptTokens = (request.estimatedTokens ?? 0) - request.maxTokens
                if closed || !fits(promptTokens, line.count, 1) {
                    closed = true
                    continue
                }
                try writer.write(line)
                entries.append(BatchEntry(jobID: job.id, line: customID, position: 0, inputHash: job.requestHash, tokens: promptTokens,
                                          part: nil))
                lines += 1
                inputs += 1
                tokens += promptTokens
            }
        }
        try writer.flush()
        // A job with nothing packed goes back (finished ones are no longer running, so
        // releasing them does nothing); a chunked job with some chunks packed stays, and
        // its other chunks go back with it once this batch is collected.
        let packed = Set(entries.map(\.jobID))
        try store.recordPacking(submission.id, entries: entries, release: jobs.map(\.id).filter { !packed.contains($0) },
                                lineCount: lines, inputs: inputs, tokens: tokens)
        return PackedFile(path: path, lines: lines, heldBack: heldBack)
    }

    /// The embed jobs as input slots (identical inputs once, a chunked job as its chunks),
    /// after copying stored vectors and failing over-long inputs; also how many jobs were
    /// held back because what they send is in another batch in flight. Chunking stops once
    /// the batch's input limit is reached: the remaining jobs are not chunked now.
    private func embedSlots(_ jobs: [ClaimedJob], submission: BatchSubmission) throws -> ([InputSlot], Int) {
        var copies: [ClaimedJob] = []
        for job in jobs {
            guard case .embed(_, let model, _)? = job.request else {
                try store.fail(jobID: job.id, error: Worker.unreadableEmbedRequest, requestHash: job.requestHash)
                report.failed += 1
                continue
            }
            if copies.count >= options.maxInputs { break }
            if let limits = job.chunking {
                copies += Worker.chunkCopies(of: job, limits: limits, encoding: estimator.encoding(forModel: model))
            } else {
                copies.append(job)
            }
        }
        let stored = try store.storedVectors(forRequestHashes: copies.map(\.inputHash))
        let inFlight = try store.batchOwnedRequestHashes(excluding: submission.id)
        let splitLimits = try store.batchSplitLimits(jobs.map(\.id))
        var reused: [EmbeddingResult] = []
        var held: Set<Int64> = []
        var slots: [InputSlot] = []
        var slotIndex: [[UInt8]: Int] = [:]
        var counted: [(jobID: Int64, tokens: Int)] = []
        for var job in copies {
            guard case .embed(let input, let model, _)? = job.request else { continue }
            if let vector = stored[job.inputHash] {
                reused.append(job.reusedResult(vector))
                continue
            }
            if inFlight.contains(job.inputHash) {
                held.insert(job.id)
                continue
            }
            if let index = slotIndex[job.inputHash] {
                slots[index].jobs.append(job)
                continue
            }
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
            slotIndex[job.inputHash] = slots.count
            slots.append(InputSlot(input: input, tokens: count.tokens, jobs: [job],
                                   maxInputs: min(worker.batchSize, splitLimits[job.id] ?? worker.batchSize)))
        }
        try store.recordTokenCounts(counted)
        if !reused.isEmpty {
            let written = try store.complete(embeddings: reused)
            report.succeeded += written
            report.reusedVectors += reused.count
        }
        // Split jobs first, so each gets lines of its own size.
        let ordered = slots.enumerated().sorted { ($0.element.maxInputs, $0.offset) < ($1.element.maxInputs, $1.offset) }.map(\.element)
        return (ordered, held.count)
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
