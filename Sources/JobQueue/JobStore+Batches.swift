import SQLite

extension JobStore {
    // MARK: Settings

    /// The random id that names this database in its batches' metadata (made by the migration).
    public func batchDatabaseID() throws -> String {
        try batchSetting("database_id") ?? "unknown"
    }

    /// A value of `batch_settings`.
    public func batchSetting(_ key: String) throws -> String? {
        guard let row = try db.rows("SELECT value FROM batch_settings WHERE key = ?1", .text(key)).first,
              case .text(let value) = row[0] else { return nil }
        return value
    }

    /// Sets (or with nil removes) a value of `batch_settings`.
    public func setBatchSetting(_ key: String, _ value: String?) throws {
        if let value {
            try db.run("INSERT OR REPLACE INTO batch_settings (key, value) VALUES (?1, ?2)", .text(key), .text(value))
        } else {
            try db.run("DELETE FROM batch_settings WHERE key = ?1", .text(key))
        }
    }

    // MARK: Packing

    /// The groups of runnable pending jobs, the group of the oldest job first.
    public func pendingBatchGroups() throws -> [BatchGroup] {
        try db.rows("""
            SELECT kind, model, dimensions, count(*), min(id) FROM jobs
            WHERE status = 'pending' AND available_at <= ?1
            GROUP BY kind, model, dimensions ORDER BY min(id)
            """, .double(now())).compactMap { row in
            guard case .text(let kindText) = row[0], let kind = JobKind(rawValue: kindText), case .text(let model) = row[1],
                  case .integer(let count) = row[3] else { return nil }
            var dimensions: Int?
            if case .integer(let d) = row[2] { dimensions = Int(d) }
            return BatchGroup(kind: kind, model: model, dimensions: dimensions, pending: Int(count))
        }
    }

    /// Records a new submission for `group` and, in the same transaction, takes up to
    /// `limit` of its runnable pending jobs (the longest runnable first, then by id, as a
    /// synchronous claim takes them, in the order of the pending index: no sort of the
    /// queue): they become `running`, owned by the submission, with no lease expiry.
    /// Returns the submission and its jobs' ids in id order, which
    /// ``batchClaimedJobs(_:submission:)`` reads a page at a time.
    public func beginSubmission(_ group: BatchGroup, endpoint: String, limit: Int) throws -> (BatchSubmission, [Int64]) {
        try db.transaction {
            let timestamp = now()
            try db.run("""
                INSERT INTO batch_submissions (state, kind, endpoint, model, dimensions, created_at, updated_at)
                VALUES ('packing', ?1, ?2, ?3, ?4, ?5, ?5)
                """, .text(group.kind.rawValue), .text(endpoint), .text(group.model),
                group.dimensions.map { SQLiteValue.integer(Int64($0)) } ?? SQLiteValue.null, .double(timestamp))
            let id = db.lastInsertRowID
            let claim = try db.cachedStatement("""
                UPDATE jobs SET status = 'running', lease_owner = ?1, lease_expires_at = NULL, updated_at = ?2
                WHERE id IN (SELECT id FROM jobs
                             WHERE status = 'pending' AND kind = ?3 AND available_at <= ?2 AND model = ?4 AND dimensions IS ?5
                             ORDER BY available_at, id LIMIT ?6)
                RETURNING id
                """)
            defer { claim.reset() }
            try claim.bind(BatchSubmission.owner(id), at: 1)
            try claim.bind(timestamp, at: 2)
            try claim.bind(group.kind.rawValue, at: 3)
            try claim.bind(group.model, at: 4)
            try claim.bind(group.dimensions, at: 5)
            try claim.bind(limit, at: 6)
            var jobs: [Int64] = []
            while try claim.step() { jobs.append(claim.int64(at: 0)) }
            let submission = BatchSubmission(
                id: id, state: .packing, kind: group.kind, endpoint: endpoint, model: group.model, dimensions: group.dimensions,
                lines: 0, inputs: 0, tokens: 0, inputFileID: nil, batchID: nil, collectAttempts: 0, createdAt: timestamp)
            return (submission, jobs.sorted())
        }
    }

    /// The jobs of `ids` that `submission` still owns, with their requests, in the order
    /// given (a page of what ``beginSubmission(_:endpoint:limit:)`` claimed).
    public func batchClaimedJobs(_ ids: some Sequence<Int64>, submission: Int64) throws -> [ClaimedJob] {
        let query = try db.cachedStatement("SELECT \(Self.claimColumns) FROM jobs WHERE id = ?1 AND status = 'running' AND lease_owner = ?2")
        let owner = BatchSubmission.owner(submission)
        return try db.transaction {  // one lock for the page, not one per job
            var jobs: [ClaimedJob] = []
            for id in ids {
                try query.bind(id, at: 1)
                try query.bind(owner, at: 2)
                if try query.step() { jobs.append(try Self.readClaimed(query)) }
                query.reset()
            }
            return jobs
        }
    }

    /// The line limits of split embed jobs (see `batch_split`), for the given jobs.
    public func batchSplitLimits(_ jobIDs: [Int64]) throws -> [Int64: Int] {
        let query = try db.cachedStatement("SELECT max_inputs FROM batch_split WHERE job_id = ?1")
        var limits: [Int64: Int] = [:]
        for id in jobIDs {
            try query.bind(id, at: 1)
            if try query.step() { limits[id] = query.int(at: 0) }
            query.reset()
        }
        return limits
    }

    /// Records where each packed job (or chunk) went, hands `release`d jobs (not packed
    /// now) back to pending, and marks the submission packed, in one transaction. Returns
    /// how many jobs went back (finished ones among `release` are no longer running and
    /// stay as they are). The entries are written in input-hash order, so each page of the
    /// `batch_jobs_input_hash` index is written once, however many inputs are in flight.
    @discardableResult
    public func recordPacking(_ submission: Int64, entries: [BatchEntry], release: [Int64],
                              lineCount: Int, inputs: Int, tokens: Int) throws -> Int {
        try db.transaction {
            let insert = try db.cachedStatement("""
                INSERT INTO batch_jobs (job_id, chunk, submission_id, line, position, input_hash, tokens, chunk_start, chunk_end,
                                        chunk_count)
                VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
                """)
            func bind(_ entry: BatchEntry) throws {
                try insert.bind(entry.jobID, at: 1)
                try insert.bind(entry.part?.index ?? 0, at: 2)
                try insert.bind(submission, at: 3)
                try insert.bind(entry.line, at: 4)
                try insert.bind(entry.position, at: 5)
                try insert.bind(entry.inputHash, at: 6)
                try insert.bind(entry.tokens, at: 7)
                try insert.bind(entry.part?.start, at: 8)
                try insert.bind(entry.part?.end, at: 9)
                try insert.bind(entry.part?.chunkCount, at: 10)
            }
            for entry in entries.sorted(by: { $0.inputHash.lexicographicallyPrecedes($1.inputHash) }) {
                try bind(entry)
                do {
                    try insert.run()
                } catch let error as SQLiteError where error.code.primary == .constraint {
                    // A row left for this job's chunk by a batch still in flight that a
                    // re-enqueue took the job back from: this entry replaces it. (A plain
                    // INSERT, not INSERT OR REPLACE: with foreign keys on, a conflict clause
                    // makes every row write a statement journal of the pages it touches.)
                    insert.reset()
                    try db.run("DELETE FROM batch_jobs WHERE job_id = ?1 AND chunk = ?2", .integer(entry.jobID),
                               .integer(Int64(entry.part?.index ?? 0)))
                    try bind(entry)
                    try insert.run()
                }
                insert.reset()
            }
            let released = try releaseJobs(owner: BatchSubmission.owner(submission), ids: release)
            try db.run("""
                UPDATE batch_submissions SET state = 'packed', lines = ?2, inputs = ?3, tokens = ?4, updated_at = ?5 WHERE id = ?1
                """, .integer(submission), .integer(Int64(lineCount)), .integer(Int64(inputs)), .integer(Int64(tokens)),
                .double(now()))
            return released
        }
    }

    /// Moves a submission on: its new state, and the input file or batch id once known.
    public func updateSubmission(_ id: Int64, state: SubmissionState, inputFileID: String? = nil, batchID: String? = nil) throws {
        try db.run("""
            UPDATE batch_submissions SET state = ?2, input_file_id = coalesce(?3, input_file_id), batch_id = coalesce(?4, batch_id),
                                         updated_at = ?5
            WHERE id = ?1
            """, .integer(id), .text(state.rawValue), inputFileID.map { .text($0) } ?? .null, batchID.map { .text($0) } ?? .null,
            .double(now()))
    }

    /// Counts one more collection of the submission that met unreadable output; returns the count.
    public func noteCollectAttempt(_ id: Int64) throws -> Int {
        try db.run("UPDATE batch_submissions SET collect_attempts = collect_attempts + 1 WHERE id = ?1", .integer(id))
        return try db.scalarInt("SELECT collect_attempts FROM batch_submissions WHERE id = ?1", .integer(id)) ?? 0
    }

    /// Gives up a submission that has no batch: its jobs go back to pending without an
    /// attempt and it is marked abandoned, in one transaction. Returns how many jobs.
    @discardableResult
    public func abandonSubmission(_ id: Int64) throws -> Int {
        try db.transaction {
            let released = try releaseSubmissionJobs(id)
            try db.run("UPDATE batch_submissions SET state = 'abandoned', updated_at = ?2 WHERE id = ?1", .integer(id), .double(now()))
            return released
        }
    }

    /// Hands every job submission `id` still owns back to pending (no attempt) and drops
    /// its line records, in the caller's transaction. Returns how many jobs.
    private func releaseSubmissionJobs(_ id: Int64) throws -> Int {
        try db.run("""
            UPDATE jobs SET status = 'pending', lease_owner = NULL, lease_expires_at = NULL, updated_at = ?2
            WHERE lease_owner = ?1 AND status = 'running'
            """, .text(BatchSubmission.owner(id)), .double(now()))
        let released = db.changes
        try db.run("DELETE FROM batch_jobs WHERE submission_id = ?1", .integer(id))
        return released
    }

    /// Submissions not collected or abandoned yet, oldest first.
    public func openSubmissions() throws -> [BatchSubmission] {
        let query = try db.prepare("""
            SELECT id, state, kind, endpoint, model, dimensions, lines, inputs, tokens, input_file_id, batch_id, collect_attempts,
                   created_at
            FROM batch_submissions WHERE state NOT IN ('collected', 'abandoned') ORDER BY id
            """)
        var result: [BatchSubmission] = []
        while try query.step() {
            guard let state = query.string(at: 1).flatMap(SubmissionState.init(rawValue:)),
                  let kind = query.string(at: 2).flatMap(JobKind.init(rawValue:)), let endpoint = query.string(at: 3),
                  let model = query.string(at: 4) else {
                throw JobQueueError(.corruptRow, "batch submission \(query.int64(at: 0)) has a missing or malformed column")
            }
            result.append(BatchSubmission(
                id: query.int64(at: 0), state: state, kind: kind, endpoint: endpoint, model: model, dimensions: query.optionalInt(at: 5),
                lines: query.int(at: 6), inputs: query.int(at: 7), tokens: query.int(at: 8), inputFileID: query.string(at: 9),
                batchID: query.string(at: 10), collectAttempts: query.int(at: 11), createdAt: query.double(at: 12)))
        }
        return result
    }

    /// Prompt tokens of `model` in submissions that are packed or in flight.
    public func enqueuedBatchTokens(model: String) throws -> Int {
        try db.scalarInt("""
            SELECT coalesce(sum(tokens), 0) FROM batch_submissions
            WHERE model = ?1 AND state IN ('packed', 'uploaded', 'creating', 'submitted')
            """, .text(model)) ?? 0
    }

    // MARK: Batches

    /// Inserts or updates the `batches` row of an API batch (and marks its submission submitted).
    public func saveBatch(_ row: BatchRow) throws {
        try db.transaction {
            try db.run("""
                INSERT INTO batches (id, submission_id, status, endpoint, model, input_file_id, output_file_id, error_file_id,
                                     request_total, request_completed, request_failed, created_at, expires_at, errors, polled_at)
                VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)
                ON CONFLICT (id) DO UPDATE SET status = excluded.status, output_file_id = excluded.output_file_id,
                    error_file_id = excluded.error_file_id, request_total = excluded.request_total,
                    request_completed = excluded.request_completed, request_failed = excluded.request_failed,
                    expires_at = excluded.expires_at, errors = excluded.errors, polled_at = excluded.polled_at
                """, .text(row.id), .integer(row.submissionID), .text(row.status), .text(row.endpoint), .text(row.model),
                .text(row.inputFileID), row.outputFileID.map { .text($0) } ?? .null, row.errorFileID.map { .text($0) } ?? .null,
                .integer(Int64(row.total)), .integer(Int64(row.completed)), .integer(Int64(row.failed)), .double(row.createdAt),
                row.expiresAt.map { .double($0) } ?? .null, row.errors.map { .text($0) } ?? .null, .double(now()))
            try db.run("""
                UPDATE batch_submissions SET state = 'submitted', batch_id = ?2, updated_at = ?3
                WHERE id = ?1 AND state IN ('packed', 'uploaded', 'creating')
                """, .integer(row.submissionID), .text(row.id), .double(now()))
        }
    }

    /// The `batches` rows, newest first; with `uncollected`, only those whose results are not stored yet.
    public func batchRows(uncollected: Bool = false) throws -> [BatchRow] {
        let query = try db.prepare("""
            SELECT id, submission_id, status, endpoint, model, input_file_id, output_file_id, error_file_id, request_total,
                   request_completed, request_failed, created_at, expires_at, errors, collected_at
            FROM batches \(uncollected ? "WHERE collected_at IS NULL" : "") ORDER BY created_at DESC, submission_id DESC
            """)
        var rows: [BatchRow] = []
        while try query.step() {
            rows.append(BatchRow(
                id: query.string(at: 0) ?? "", submissionID: query.int64(at: 1), status: query.string(at: 2) ?? "",
                endpoint: query.string(at: 3) ?? "", model: query.string(at: 4) ?? "", inputFileID: query.string(at: 5) ?? "",
                outputFileID: query.string(at: 6), errorFileID: query.string(at: 7), total: query.int(at: 8),
                completed: query.int(at: 9), failed: query.int(at: 10), createdAt: query.double(at: 11),
                expiresAt: query.optionalDouble(at: 12), errors: query.string(at: 13), collectedAt: query.optionalDouble(at: 14)))
        }
        return rows
    }

    // MARK: Collecting

    /// The jobs the submission still owns, by input line (`custom_id`), each with its
    /// index in the line; a chunked job once per chunk sent, with the chunk's span and
    /// its text read from the job's input (code points, as the span counts them). Jobs a
    /// re-enqueue took back are not included.
    public func batchLineJobs(_ submission: Int64) throws -> [String: [BatchLineJob]] {
        let query = try db.prepare("""
            SELECT b.line, b.position, j.id, j.request_hash, j.attempts, j.input_tokens, j.tokens_exact, b.tokens,
                   b.chunk, b.chunk_start, b.chunk_end, b.chunk_count, b.input_hash,
                   CASE WHEN b.chunk_count IS NOT NULL
                        THEN substr(json_extract(j.request, '$.input'), b.chunk_start + 1, b.chunk_end - b.chunk_start) END
            FROM batch_jobs b JOIN jobs j ON j.id = b.job_id
            WHERE b.submission_id = ?1 AND j.status = 'running' AND j.lease_owner = ?2
            """)
        try query.bind(submission, at: 1)
        try query.bind(BatchSubmission.owner(submission), at: 2)
        var lines: [String: [BatchLineJob]] = [:]
        while try query.step() {
            guard let line = query.string(at: 0), let hash = query.blob(at: 3) else { continue }
            var part: EmbeddedChunk?
            if let count = query.optionalInt(at: 11), let start = query.optionalInt(at: 9), let end = query.optionalInt(at: 10),
               let text = query.string(at: 13), let inputHash = query.blob(at: 12) {
                part = EmbeddedChunk(index: query.int(at: 8), start: start, end: end, text: text, inputHash: inputHash, chunkCount: count)
            }
            lines[line, default: []].append(BatchLineJob(
                jobID: query.int64(at: 2), position: query.int(at: 1), requestHash: hash, attempts: query.int(at: 4),
                inputTokens: query.optionalInt(at: 5), tokensExact: query.int(at: 6) != 0, sentTokens: query.optionalInt(at: 7),
                part: part))
        }
        return lines
    }

    /// Writes one chunk of a batch's results in one transaction, through the same
    /// completion statements as a synchronous run, touching only jobs the submission owns.
    public func applyBatchResults(_ chunk: BatchResultChunk, submission: Int64, maxAttempts: Int) throws -> BatchChunkOutcome {
        guard !chunk.isEmpty else { return BatchChunkOutcome() }
        return try db.transaction {
            var outcome = BatchChunkOutcome()
            outcome.succeeded += try storeEmbeddings(chunk.embeddings)
            for generation in chunk.generations {
                if try storeGeneration(generation) { outcome.succeeded += 1 }
            }
            for failure in chunk.failures {
                try fail(jobID: failure.jobID, error: failure.message, requestHash: failure.requestHash)
                outcome.failed += db.changes
            }
            for retry in chunk.retries {
                switch try retryLater(jobID: retry.jobID, error: retry.message, availableAt: retry.availableAt,
                                      maxAttempts: maxAttempts, requestHash: retry.requestHash) {
                case .failed: outcome.failed += 1
                case .rescheduled: outcome.retried += 1
                case .gone: break
                }
            }
            outcome.released += try releaseJobs(owner: BatchSubmission.owner(submission), ids: chunk.releases)
            let split = try db.cachedStatement("""
                INSERT INTO batch_split (job_id, max_inputs) VALUES (?1, ?2)
                ON CONFLICT (job_id) DO UPDATE SET max_inputs = min(max_inputs, excluded.max_inputs)
                """)
            for entry in chunk.splits {
                try split.bind(entry.jobID, at: 1)
                try split.bind(entry.maxInputs, at: 2)
                try split.run()
                split.reset()
            }
            return outcome
        }
    }

    /// Ends a collected submission: any job it still owns (a line in neither file) goes
    /// back to pending without an attempt, its line records are dropped and its batch is
    /// marked collected, in one transaction. Returns how many jobs went back.
    @discardableResult
    public func finishSubmission(_ id: Int64, batchID: String) throws -> Int {
        try db.transaction {
            let released = try releaseSubmissionJobs(id)
            try db.run("UPDATE batch_submissions SET state = 'collected', updated_at = ?2 WHERE id = ?1", .integer(id), .double(now()))
            try db.run("UPDATE batches SET collected_at = ?2 WHERE id = ?1", .text(batchID), .double(now()))
            return released
        }
    }

    /// Running jobs that belong to a batch (for `llmq status`).
    public func jobsInBatches() throws -> Int {
        try db.scalarInt("SELECT count(*) FROM jobs WHERE status = 'running' AND lease_owner LIKE 'batch:%'") ?? 0
    }
}

extension JobStore {
    /// Which of `inputHashes` a batch other than `submission` is sending now (the hash of
    /// an input or a chunk that one of its jobs still waits for): such an input is not sent
    /// again. One probe of the `batch_jobs_input_hash` index per hash, whatever is in
    /// flight, in one transaction.
    public func batchSentInputs(_ inputHashes: [[UInt8]], excluding submission: Int64) throws -> Set<[UInt8]> {
        let query = try db.cachedStatement("""
            SELECT 1 FROM batch_jobs b JOIN jobs j ON j.id = b.job_id
            WHERE b.input_hash = ?1 AND b.submission_id != ?2 AND j.status = 'running' AND j.lease_owner = 'batch:' || b.submission_id
            LIMIT 1
            """)
        return try db.transaction {
            var sent: Set<[UInt8]> = []
            for hash in inputHashes {
                try query.bind(hash, at: 1)
                try query.bind(submission, at: 2)
                if try query.step() { sent.insert(hash) }
                query.reset()
            }
            return sent
        }
    }
}
