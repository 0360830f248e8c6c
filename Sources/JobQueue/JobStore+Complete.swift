import SQLite

extension JobStore {
    /// Whether the job still has the request it was claimed with and is not finished, so a
    /// chunk's vector may be stored before the job's last one (in the caller's transaction).
    private func holdsRequest(_ jobID: Int64, requestHash: [UInt8]) throws -> Bool {
        let check = try db.cachedStatement("SELECT 1 FROM jobs WHERE id = ?1 AND request_hash = ?2 AND status IN ('running', 'pending')")
        defer { check.reset() }
        try check.bind(jobID, at: 1)
        try check.bind(requestHash, at: 2)
        return try check.step()
    }

    /// Stores vectors and marks their jobs succeeded, all in one transaction (a kill at any
    /// instant leaves either both or neither). A result without `chunk` is the whole input
    /// (chunk 0) and completes its job. A chunk's vector is stored while the job keeps
    /// running (so a resumed run finds it); the job succeeds in the transaction that gives
    /// each of its chunks a row for its current request, and then keeps no rows beyond its
    /// chunk count (left from an earlier input). Results for a job whose request changed
    /// meanwhile, or that finished, are dropped. Returns how many jobs were completed.
    @discardableResult
    public func complete(embeddings results: [EmbeddingResult]) throws -> Int {
        guard !results.isEmpty else { return 0 }
        return try db.transaction { try storeEmbeddings(results) }
    }

    /// Stores vectors and marks their jobs succeeded inside the caller's transaction.
    func storeEmbeddings(_ results: [EmbeddingResult]) throws -> Int {
        let timestamp = now()
        var rows: [PendingEmbeddingRow] = []
        rows.reserveCapacity(results.count)
        var completed = 0
        // Chunked jobs written to, in first-seen order, to check for completion.
        var chunked: [(jobID: Int64, requestHash: [UInt8], chunks: Int, countedTokens: Int?)] = []
        var held: [Int64: Bool] = [:]
        // Jobs whose whole input gets one row: rows above chunk 0 (from an earlier input) go.
        var wholeJobs: [Int64] = []
        var firstWhole = Set<Int64>()
        var marked = try markSucceeded(results.compactMap { result in
            guard result.chunk == nil, firstWhole.insert(result.jobID).inserted else { return nil }
            return (result.jobID, result.requestHash, result.countedTokens)
        }, at: timestamp)
        for (index, result) in results.enumerated() {
            if let chunk = result.chunk {
                if held[result.jobID] == nil {
                    let holds = try holdsRequest(result.jobID, requestHash: result.requestHash)
                    held[result.jobID] = holds
                    if holds { chunked.append((result.jobID, result.requestHash, chunk.chunkCount, result.countedTokens)) }
                }
                guard held[result.jobID] == true else { continue }
                rows.append(PendingEmbeddingRow(result: index, chunk: chunk.index, start: chunk.start, end: chunk.end,
                                                text: chunk.text, inputHash: chunk.inputHash, jobHash: result.requestHash))
            } else {
                // The first result of each job marked succeeded (a later one for it is dropped).
                guard marked.remove(result.jobID) != nil else { continue }
                let input = try result.input ?? storedInput(of: result.jobID)
                rows.append(PendingEmbeddingRow(result: index, chunk: 0, start: 0, end: input.unicodeScalars.count, text: input,
                                                inputHash: result.requestHash, jobHash: result.requestHash))
                wholeJobs.append(result.jobID)
                completed += 1
            }
        }
        try dropChunkRows(ofJobs: wholeJobs)
        try insertEmbeddingRows(rows, of: results, at: timestamp)
        let allChunksStored = try chunked.filter { try chunkRows(of: $0.jobID, for: $0.requestHash, below: $0.chunks) == $0.chunks }
        let markedChunked = try markSucceeded(allChunksStored.map { ($0.jobID, $0.requestHash, $0.countedTokens) }, at: timestamp)
        for job in allChunksStored where markedChunked.contains(job.jobID) {
            try dropRows(of: job.jobID, from: job.chunks)
            completed += 1
        }
        if recentVectors.count >= vectorIndexMergeRows { try mergePendingVectorIndex() }
        return completed
    }

    /// How many of the job's chunks below `count` have a row for the request `requestHash`.
    private func chunkRows(of jobID: Int64, for requestHash: [UInt8], below count: Int) throws -> Int {
        let query = try db.cachedStatement("SELECT count(*) FROM embeddings WHERE job_id = ?1 AND chunk < ?3 AND job_hash = ?2")
        defer { query.reset() }
        try query.bind(jobID, at: 1)
        try query.bind(requestHash, at: 2)
        try query.bind(count, at: 3)
        _ = try query.step()
        return query.int(at: 0)
    }

    /// Deletes the job's rows of chunk `first` and above (left from an earlier input).
    private func dropRows(of jobID: Int64, from first: Int) throws {
        let delete = try db.cachedStatement("DELETE FROM embeddings WHERE job_id = ?1 AND chunk >= ?2")
        defer { delete.reset() }
        try delete.bind(jobID, at: 1)
        try delete.bind(first, at: 2)
        try delete.run()
    }

    /// Stores a chat completion and marks its job succeeded in one transaction.
    /// Returns false when the job's request changed meanwhile (nothing written).
    @discardableResult
    public func complete(generation result: GenerationResult) throws -> Bool {
        try db.transaction { try storeGeneration(result) }
    }

    /// Stores a chat completion and marks its job succeeded inside the caller's transaction.
    func storeGeneration(_ result: GenerationResult) throws -> Bool {
        do {
            let timestamp = now()
            guard try !markSucceeded([(result.jobID, result.requestHash, nil)], at: timestamp).isEmpty else {
                return false
            }
            let insert = try db.cachedStatement("""
                INSERT OR REPLACE INTO generations (job_id, model, content, refusal, finish_reason, input_tokens, output_tokens, created_at)
                VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
                """)
            defer { insert.reset() }
            try insert.bind(result.jobID, at: 1)
            try insert.bind(result.model, at: 2)
            try insert.bind(result.content, at: 3)
            try insert.bind(result.refusal, at: 4)
            try insert.bind(result.finishReason, at: 5)
            try insert.bind(result.inputTokens, at: 6)
            try insert.bind(result.outputTokens, at: 7)
            try insert.bind(timestamp, at: 8)
            try insert.run()
            return true
        }
    }

    /// Stores exact token counts computed for jobs' inputs, so later runs need not count
    /// them again.
    public func recordTokenCounts(_ counts: [(jobID: Int64, tokens: Int)]) throws {
        guard !counts.isEmpty else { return }
        try db.transaction {
            for count in counts {
                try db.run("UPDATE jobs SET input_tokens = ?2, tokens_exact = 1 WHERE id = ?1", .integer(count.jobID), .integer(Int64(count.tokens)))
            }
        }
    }

    /// The models of jobs not finished yet, so their tokenizers can be loaded up front.
    public func unfinishedModels() throws -> Set<String> {
        Set(try db.rows("SELECT DISTINCT model FROM jobs WHERE status IN ('pending', 'running')").compactMap {
            if case .text(let model) = $0[0] { return model } else { return nil }
        })
    }

    /// Fails a job for good (a 400, an unusable request) with the error text. With
    /// `requestHash` (the one the job was claimed with), only while the job still has that
    /// request: an error about a request a re-enqueue replaced meanwhile is dropped.
    public func fail(jobID: Int64, error: String, requestHash: [UInt8]? = nil) throws {
        try db.run("""
            UPDATE jobs SET status = 'failed', last_error = ?2, attempts = attempts + 1, retry_next_run = 0, lease_owner = NULL,
                            lease_expires_at = NULL, finished_at = ?3, updated_at = ?3
            WHERE id = ?1 AND status IN ('running', 'pending') AND (?4 IS NULL OR request_hash = ?4)
            """, .integer(jobID), .text(error), .double(now()), requestHash.map { .blob($0) } ?? .null)
    }

    /// Records a retryable failure: counts an attempt and puts the job back to pending,
    /// available at `availableAt` (the backoff lives in the database, so it survives a
    /// restart), or fails it when `maxAttempts` is reached, marked to be tried again by the
    /// next run (``requeueTransientFailures()``). With `requestHash`, only while
    /// the job still has the request it was claimed with (else `.gone`).
    public func retryLater(jobID: Int64, error: String, availableAt: Double, maxAttempts: Int,
                           requestHash: [UInt8]? = nil) throws -> RetryOutcome {
        let statement = try db.cachedStatement("""
            UPDATE jobs SET attempts = attempts + 1, last_error = ?2,
                            status = CASE WHEN attempts + 1 >= ?3 THEN 'failed' ELSE 'pending' END,
                            available_at = ?4, lease_owner = NULL, lease_expires_at = NULL, updated_at = ?5,
                            finished_at = CASE WHEN attempts + 1 >= ?3 THEN ?5 ELSE NULL END,
                            retry_next_run = CASE WHEN attempts + 1 >= ?3 THEN 1 ELSE 0 END
            WHERE id = ?1 AND status = 'running' AND (?6 IS NULL OR request_hash = ?6)
            RETURNING status
            """)
        defer { statement.reset() }
        try statement.bind(jobID, at: 1)
        try statement.bind(error, at: 2)
        try statement.bind(maxAttempts, at: 3)
        try statement.bind(availableAt, at: 4)
        try statement.bind(now(), at: 5)
        try statement.bind(requestHash, at: 6)
        guard try statement.step() else { return .gone }
        let status = statement.string(at: 0)
        while try statement.step() {}
        return status == "failed" ? .failed : .rescheduled
    }

    /// Counts of runnable work: pending jobs available now, and the earliest time a
    /// pending job becomes available (nil when none is pending).
    public func pendingSummary() throws -> (runnable: Int, pending: Int, nextAvailableAt: Double?) {
        let row = try db.rows("""
            SELECT count(*), coalesce(sum(available_at <= ?1), 0), min(available_at) FROM jobs WHERE status = 'pending'
            """, .double(now()))[0]
        var pending = 0
        var runnable = 0
        var next: Double?
        if case .integer(let p) = row[0] { pending = Int(p) }
        if case .integer(let r) = row[1] { runnable = Int(r) }
        if case .double(let n) = row[2] { next = n } else if case .integer(let n) = row[2] { next = Double(n) }
        return (runnable, pending, next)
    }

    /// Puts the jobs that used up their attempts on transient errors in an earlier run back
    /// to pending with fresh attempts (`llmq run` calls it when it starts); jobs failed for
    /// good stay failed. Returns how many were put back.
    public func requeueTransientFailures() throws -> Int {
        try db.run("""
            UPDATE jobs SET status = 'pending', attempts = 0, retry_next_run = 0, available_at = 0, finished_at = NULL,
                            updated_at = ?1
            WHERE status = 'failed' AND retry_next_run = 1
            """, .double(now()))
        return db.changes
    }
}
