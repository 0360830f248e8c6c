import Chunker
import JobQueue
import LLM
import Tokenizer

/// How one embeddings request for a part of a batch ended (see ``Worker/sendEmbeddings(_:returning:)``).
enum SendResult {
    /// The vectors are stored.
    case succeeded
    /// It failed and the failure was handled (jobs rescheduled, handed back or failed).
    case handled
    /// It failed with an error the caller asked to handle itself.
    case failed(LLMError, sentAt: Double)
}

extension Worker {
    /// Claims a batch of embed jobs of one (model, dimensions) and trims it to the
    /// request's token budget by `BatchPlanner`'s rule; inputs over the per-input limit
    /// (exact counts only) are failed before anything is sent, or cut with `--truncate`.
    /// A chunked job is cut into its chunks here, one copy of the job per chunk; its
    /// chunks stay together, so the batch may need more than one request for the last
    /// chunked job that joined it. Returns nil when no embed job is runnable.
    func claimEmbedBatch() async throws -> [ClaimedJob]? {
        // Under a token limit, requests stay a small part of a window's budget
        // (Pacer.requestTokenBudget); the claim is sized by the inputs' average so far.
        let tokenBudget = await pacer.requestTokenBudget()
        let maxTokens = min(options.maxBatchTokens, tokenBudget ?? .max)
        let batchSize = gate.inputsPerRequest(options.batchSize)
        let claimSize = await state.claimSize(batchSize: batchSize, tokenBudget: tokenBudget)
        while true {
            let claimed = try await queue.claim(kind: .embed, limit: claimSize, owner: owner, leaseSeconds: options.leaseSeconds)
            if claimed.isEmpty { return nil }
            var batch: [ClaimedJob] = []
            var tooLong: [(ClaimedJob, Int)] = []
            // The same packing rule as `llmq tokens` (BatchPlanner): the first batch is
            // sent, everything after it is handed back for the next claim.
            var packer = BatchPlanner.Packer(BatchPlanner(maxInputs: batchSize, maxTokens: maxTokens))
            var batchClosed = false
            var overflow: [Int64] = []
            var batchTokens = 0
            var newCounts: [(jobID: Int64, tokens: Int)] = []
            // When even the UTF-8 byte counts (a token is at least one byte) fit every limit
            // (each input under the per-input limit, the claim under the request's budget,
            // which under a rate limit is the pacer's small one), exact counts would pack the
            // same batch: the inputs are not tokenized. Pacing then books the byte bound,
            // scaled by its calibration against the usage the API reports; the stored
            // per-job count is the job's share of that usage (`llmq tokens` counts exactly).
            // The probe, sent before any limit is known, is counted exactly.
            let bounds = claimed.map { job -> Int in
                if case .embed(let input, _, _)? = job.request { return max(1, input.utf8.count) } else { return 0 }
            }
            let boundsFit = tokenBudget != nil && claimed.count <= batchSize
                && bounds.allSatisfy { $0 <= options.maxInputTokens } && bounds.reduce(0, +) <= maxTokens
            for (position, var job) in claimed.enumerated() {
                guard case .embed(let input, let model, let dimensions)? = job.request else {
                    batch.append(job)  // failed with a clear message when performed
                    continue
                }
                if let limits = job.chunking {
                    if batchClosed {
                        overflow.append(job.id)
                        continue
                    }
                    let parts = Self.chunkCopies(of: job, limits: limits, encoding: estimator.encoding(forModel: model))
                    if let first = parts.first, packer.add(first.inputTokens ?? 0) != nil, !batch.isEmpty {
                        batchClosed = true
                        overflow.append(job.id)
                        continue
                    }
                    // The job's other chunks stay with it, in further requests if need be.
                    for part in parts.dropFirst() {
                        if packer.add(part.inputTokens ?? 0) != nil { batchClosed = true }
                    }
                    batch.append(contentsOf: parts)
                    batchTokens += parts.reduce(0) { $0 + ($1.inputTokens ?? 0) }
                    continue
                }
                var count = (tokens: job.inputTokens ?? 0, exact: job.tokensExact)
                if job.inputTokens == nil || !job.tokensExact {
                    count = boundsFit ? (bounds[position], false) : estimator.count(input, model: model)
                    job.inputTokens = count.tokens
                    job.tokensExact = count.exact
                    // Stored with the job's result, or below when it is not sent now.
                    if count.exact { newCounts.append((job.id, count.tokens)) }
                }
                if count.exact, count.tokens > options.maxInputTokens {
                    if options.truncateLongInputs,
                       let cut = estimator.truncate(input, model: model, toTokens: options.maxInputTokens) {
                        job.request = .embed(input: cut, model: model, dimensions: dimensions)
                        job.inputTruncated = true
                        count.tokens = options.maxInputTokens
                    } else {
                        tooLong.append((job, count.tokens))
                        continue
                    }
                }
                if batchClosed || packer.add(count.tokens) != nil {
                    batchClosed = true
                    overflow.append(job.id)
                    continue
                }
                batch.append(job)
                batchTokens += count.tokens
            }
            await state.noteInputTokens(batchTokens, inputs: batch.count)
            let sentNow = Set(batch.map(\.id))
            try await queue.recordTokenCounts(newCounts.filter { !sentNow.contains($0.jobID) })
            if !overflow.isEmpty { try await queue.release(owner: owner, ids: overflow) }
            for (job, tokens) in tooLong {
                await failPermanently([job], message: Self.tooLongMessage(tokens: tokens, limit: options.maxInputTokens, model: job.model))
            }
            if !batch.isEmpty { return batch }
        }
    }

    /// The error of a stored embed request llmq cannot read.
    static let unreadableEmbedRequest = "the stored request is not an embed request llmq can read; re-enqueue the job"

    /// The error of an embed input over the model's per-input token limit.
    static func tooLongMessage(tokens: Int, limit: Int, model: String) -> String {
        "input is \(tokens) tokens, over the \(limit)-token limit of \(model): shorten or split it, run with --truncate, or enqueue it with --chunk-tokens N to embed it in chunks of at most N tokens"
    }

    /// One copy of a chunked job per chunk of its input: each sends the chunk's text and
    /// carries its index, span, hash and token count (exact with `encoding`, else the
    /// chunker's UTF-8 byte upper bound).
    static func chunkCopies(of job: ClaimedJob, limits: ChunkLimits, encoding: Encoding?) -> [ClaimedJob] {
        guard case .embed(let input, let model, let dimensions)? = job.request else { return [] }
        let chunks = Chunker(encoding: encoding).chunks(of: input, limits: limits)
        return chunks.enumerated().map { index, chunk in
            let text = chunk.text(in: input)
            var copy = job
            copy.request = .embed(input: text, model: model, dimensions: dimensions)
            copy.inputTokens = chunk.tokens
            copy.tokensExact = encoding != nil
            copy.part = EmbeddedChunk(index: index, start: chunk.start, end: chunk.end, text: text,
                                      inputHash: JobSpec.embedHash(input: text, model: model, dimensions: dimensions),
                                      chunkCount: chunks.count)
            return copy
        }
    }

    /// Copies vectors of inputs (and chunks) embedded before, then sends the rest, in as
    /// many requests as `BatchPlanner` packs them into (one, unless a chunked job's chunks
    /// need more).
    func performEmbed(_ jobs: [ClaimedJob]) async {
        var toSend: [ClaimedJob] = []
        var reused: [EmbeddingResult] = []
        var unusable: [ClaimedJob] = []
        let stored = (try? await queue.storedVectors(forRequestHashes: jobs.map(\.inputHash))) ?? [:]
        for job in jobs {
            guard case .embed? = job.request else {
                unusable.append(job)
                continue
            }
            if let stored = stored[job.inputHash] {
                reused.append(job.reusedResult(stored))
            } else {
                toSend.append(job)
            }
        }
        if !unusable.isEmpty {
            await failPermanently(unusable, message: Self.unreadableEmbedRequest)
        }
        if !reused.isEmpty {
            do {
                let written = try await queue.complete(embeddings: reused)
                await state.update {
                    $0.succeeded += written
                    $0.reusedVectors += reused.count
                }
                await state.progressed(now: clock.now())
            } catch {
                await handleFailure(error, jobs: jobs.filter { job in reused.contains { $0.jobID == job.id } }, sentAt: clock.now())
            }
        }
        // An input that another request of this run is sending right now is not paid for
        // twice either: its jobs wait a moment and then find the stored vector.
        let busy = await state.startSending(toSend.map(\.inputHash))
        let marked = Set(toSend.map(\.inputHash)).subtracting(busy)
        let waiting = toSend.filter { busy.contains($0.inputHash) }
        if !waiting.isEmpty {
            _ = try? await queue.release(owner: owner, ids: waiting.map(\.id), availableAt: clock.now() + 0.5)
        }
        let sending = toSend.filter { !busy.contains($0.inputHash) }
        let tokenBudget = await pacer.requestTokenBudget()
        let planner = BatchPlanner(maxInputs: gate.inputsPerRequest(options.batchSize),
                                   maxTokens: min(options.maxBatchTokens, tokenBudget ?? .max))
        var start = 0
        for size in planner.batchSizes(sending.map { $0.inputTruncated ? options.maxInputTokens : ($0.inputTokens ?? 0) }) {
            let part = Array(sending[start..<(start + size)])
            start += size
            if Task.isCancelled {
                _ = try? await queue.release(owner: owner, ids: part.map(\.id))
                continue
            }
            await sendEmbeddings(part)
        }
        await state.finishSending(marked)
    }

    /// Sends one embeddings request for `jobs` (identical inputs once) and stores the
    /// vectors; failures go to ``handleFailure(_:jobs:sentAt:shape:)`` (a 400/413/422 is
    /// bisected so only the offending inputs fail), except those `returning` picks, which
    /// are returned unhandled (for ``bisect(_:shape:)``).
    @discardableResult
    func sendEmbeddings(_ jobs: [ClaimedJob], returning: ((LLMError) -> Bool)? = nil) async -> SendResult {
        guard let first = jobs.first, case .embed(_, let model, let dimensions)? = first.request else { return .handled }
        let shape = "\(model)|\(dimensions.map(String.init) ?? "native")"
        let sentAt = clock.now()
        var groups: [(hash: [UInt8], input: String, jobs: [ClaimedJob])] = []
        var groupIndex: [[UInt8]: Int] = [:]
        for job in jobs {
            guard case .embed(let input, _, _)? = job.request else { continue }
            if let index = groupIndex[job.inputHash] {
                groups[index].jobs.append(job)
            } else {
                groupIndex[job.inputHash] = groups.count
                groups.append((job.inputHash, input, [job]))
            }
        }
        // The claim counted (or bounded) each input; a cut input (--truncate) is counted as sent.
        let estimates = groups.map { group in
            guard let job = group.jobs.first, !job.inputTruncated, let tokens = job.inputTokens else {
                return estimator.count(group.input, model: model).tokens
            }
            return tokens
        }
        let estimate = estimates.reduce(0, +)
        let sentDimensions = dimensions == ModelCatalog.nativeDimensions(of: model) ? nil : dimensions
        do {
            let response = try await provider.embed(EmbeddingRequest(
                inputs: groups.map(\.input), model: model, dimensions: sentDimensions, estimatedTokens: estimate,
                encoding: gate.encoding))
            let exact = groups.allSatisfy { group in group.jobs.first.map { $0.tokensExact && !$0.inputTruncated } ?? false }
            let usage = Self.plausibleUsage(reported: response.inputTokens, estimate: estimate, exact: exact)
            if usage == response.inputTokens { await pacer.observeUsage(estimated: estimate, actual: usage) }
            await requestSucceeded(jobs, shape: shape)
            let vectors = response.packedVectors
            guard vectors.count == groups.count else {
                throw LLMError(kind: .unparseableResponse,
                               detail: "\(vectors.count) vectors for \(groups.count) inputs")
            }
            let shares = Self.apportion(usage, by: estimates)
            var results: [EmbeddingResult] = []
            for (index, group) in groups.enumerated() {
                let bytes = vectors.bytes(at: index)
                for (position, job) in group.jobs.enumerated() {
                    results.append(job.embeddingResult(
                        model: response.model, vector: bytes, dimensions: vectors.dimensions(at: index),
                        inputTokens: position == 0 ? shares[index] : 0, reused: position > 0, truncated: job.inputTruncated,
                        wholeRow: job.inputTruncated ? Self.truncatedPart(group.input, of: job) : nil))
                }
            }
            let written = try await queue.complete(embeddings: results)
            let duplicates = jobs.count - groups.count
            // What the summary can stand behind: for a model llmq has no tokenizer for, a
            // `usage` may be characters (infinity), unless the server counts tokens (OpenAI,
            // Azure); then the figure is llmq's upper bound, marked as one. A model it has a
            // tokenizer for keeps the server's figure also when the claim only bounded the
            // counts (every input fit the limits by its bytes).
            let counted = exact || estimator.encoding(forModel: model) != nil
                || (provider.countsUsageInTokens && response.inputTokens > 0)
            await state.update {
                $0.succeeded += written
                $0.reusedVectors += duplicates
                $0.embedTokens += counted ? usage : estimate
                if !counted { $0.estimatedEmbedTokens += estimate }
            }
            await state.progressed(now: clock.now())
            return .succeeded
        } catch {
            if let returning, let failure = error as? LLMError, returning(failure), !Task.isCancelled {
                return .failed(failure, sentAt: sentAt)
            }
            await handleFailure(error, jobs: jobs, sentAt: sentAt, shape: shape)
            return .handled
        }
    }

    /// The row of an input cut to the token limit: chunk 0, spanning (and holding) the cut
    /// text, still found again by the whole input's request hash.
    static func truncatedPart(_ cut: String, of job: ClaimedJob) -> EmbeddedChunk {
        EmbeddedChunk(index: 0, start: 0, end: cut.unicodeScalars.count, text: cut, inputHash: job.requestHash, chunkCount: 1)
    }

    /// The tokens a response's `usage` reports, or llmq's `estimate` when the report is not
    /// plausible: missing or zero (LM Studio), or, against exact counts, off by more than
    /// half or double (infinity counts characters). Such a report neither paces nor is stored.
    static func plausibleUsage(reported: Int, estimate: Int, exact: Bool) -> Int {
        guard reported > 0 else { return estimate }
        if exact, reported * 2 < estimate || reported > estimate * 2 { return estimate }
        return reported
    }

    /// Splits `total` in proportion to `weights` (largest remainders), so the parts add up.
    static func apportion(_ total: Int, by weights: [Int]) -> [Int] {
        let sum = weights.reduce(0, +)
        guard sum > 0, total > 0 else { return weights.map { _ in 0 } }
        var parts = weights.map { total * $0 / sum }
        let left = total - parts.reduce(0, +)
        let byRemainder = weights.indices.sorted { (total * weights[$0] % sum, $1) > (total * weights[$1] % sum, $0) }
        for index in byRemainder.prefix(left) { parts[index] += 1 }
        return parts
    }
}
