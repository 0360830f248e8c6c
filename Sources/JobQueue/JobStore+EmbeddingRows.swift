import SQLite

/// One `embeddings` row waiting for `JobStore.insertEmbeddingRows`: the result it stores
/// and where its text came from.
struct PendingEmbeddingRow {
    /// Index of the row's result in the batch being stored.
    var result: Int
    var chunk: Int
    var start: Int
    var end: Int
    /// The chunk's text, or the job's whole input.
    var text: String
    var inputHash: [UInt8]
    /// `jobs.request_hash` of the request the row answers.
    var jobHash: [UInt8]
}

/// The multi-row statements of the vector write path.
///
/// Why several rows per statement: the search change-log triggers on `embeddings` make
/// every insert a statement that SQLite can roll back on its own, so it copies each
/// existing page the statement changes to a statement journal first. With one row per
/// statement that was three 32 KiB pages per vector (about 2 GB of temporary-file writes
/// for 20,000 vectors); a 64-row statement copies those pages once for all its rows.
/// Rows are inserted in order, so a later row for the same (job, chunk) replaces an
/// earlier one as single-row statements would.
final class EmbeddingWriteStatements {
    /// Rows per statement (the embeddings insert has 14 parameters a row).
    static let rowsPerStatement = 64

    let embeddings: MultiRowStatements
    let vectorIndexPending: MultiRowStatements
    /// Marks jobs succeeded, each row (id, request hash, exact token count or NULL) only
    /// while that job still has that request and is not finished; returns the ids marked.
    /// ?1 is the timestamp. One statement for many jobs also evaluates the `status` CHECK
    /// once, not once per job (its four-value IN list builds a temporary index each time).
    let succeeded: MultiRowStatements
    /// Deletes the rows above chunk 0 of the jobs in a JSON array of ids (rows left from
    /// an earlier, chunked version of a job whose whole input now has one row).
    let dropChunksOfJobs: Statement
    /// The texts and vectors of the embeddings insert being bound.
    var arena = BindArena()

    init(_ db: Connection) throws {
        embeddings = MultiRowStatements(db, head: """
            INSERT OR REPLACE INTO embeddings (job_id, chunk, start, end, text, model, dimensions, vector, input_hash,
                                               input_tokens, reused, created_at, truncated, job_hash)
            """, columns: 14)
        vectorIndexPending = MultiRowStatements(db, head: "INSERT INTO vector_index_pending (input_hash, job_id, chunk)", columns: 3)
        succeeded = MultiRowStatements(db, head: """
            UPDATE jobs SET status = 'succeeded', last_error = NULL, lease_owner = NULL, lease_expires_at = NULL,
                            finished_at = ?1, updated_at = ?1,
                            input_tokens = coalesce(v.column3, input_tokens), tokens_exact = (v.column3 IS NOT NULL OR tokens_exact)
            FROM (
            """, tail: """
            ) AS v
            WHERE jobs.id = v.column1 AND jobs.request_hash = v.column2 AND jobs.status IN ('running', 'pending')
            RETURNING jobs.id
            """) { row in "(?\(row * 3 + 2), ?\(row * 3 + 3), ?\(row * 3 + 4))" }
        dropChunksOfJobs = try db.prepare("DELETE FROM embeddings WHERE job_id IN (SELECT value FROM json_each(?1)) AND chunk >= 1")
    }
}

extension JobStore {
    /// Inserts (or replaces) the rows and records them for the vector index, in the
    /// caller's transaction, `EmbeddingWriteStatements.rowsPerStatement` rows a statement.
    /// Each row's text and vector are bound from the statements' ``BindArena``.
    func insertEmbeddingRows(_ rows: [PendingEmbeddingRow], of results: [EmbeddingResult], at timestamp: Double) throws {
        let statements = try embeddingWriteStatements()
        var first = 0
        while first < rows.count {
            let batch = rows[first..<min(first + EmbeddingWriteStatements.rowsPerStatement, rows.count)]
            let insert = try statements.embeddings.statement(rows: batch.count)
            let note = try statements.vectorIndexPending.statement(rows: batch.count)
            defer {
                insert.reset()
                note.reset()
            }
            statements.arena.removeAll()
            var lent: [(text: Range<Int>, vector: Range<Int>)] = []
            lent.reserveCapacity(batch.count)
            for row in batch {
                lent.append((statements.arena.append(row.text.utf8), statements.arena.append(results[row.result].vector)))
            }
            try statements.arena.withBytes { bytes in
                for (offset, row) in batch.enumerated() {
                    let result = results[row.result]
                    let base = Int32(offset * 14)
                    try insert.bind(result.jobID, at: base + 1)
                    try insert.bind(row.chunk, at: base + 2)
                    try insert.bind(row.start, at: base + 3)
                    try insert.bind(row.end, at: base + 4)
                    try bytes.bindText(lent[offset].text, to: insert, at: base + 5)
                    try insert.bind(result.model, at: base + 6)
                    try insert.bind(result.dimensions, at: base + 7)
                    try bytes.bindBlob(lent[offset].vector, to: insert, at: base + 8)
                    try insert.bind(row.inputHash, at: base + 9)
                    try insert.bind(result.inputTokens, at: base + 10)
                    try insert.bind(result.reused ? 1 : 0, at: base + 11)
                    try insert.bind(timestamp, at: base + 12)
                    try insert.bind(result.truncated ? 1 : 0, at: base + 13)
                    try insert.bind(row.jobHash, at: base + 14)
                    let noteBase = Int32(offset * 3)
                    try note.bind(row.inputHash, at: noteBase + 1)
                    try note.bind(result.jobID, at: noteBase + 2)
                    try note.bind(row.chunk, at: noteBase + 3)
                }
                try insert.run()
                try note.run()
            }
            for row in batch { recentVectors[row.inputHash] = (results[row.result].jobID, row.chunk) }
            first = batch.endIndex
        }
    }

    /// Marks the jobs succeeded (in the caller's transaction), each only while it still has
    /// the request it was claimed with and is not finished: a result for a request that a
    /// re-enqueue changed meanwhile is dropped (the new request will be sent). A job's
    /// `countedTokens`, when given, is stored as its exact token count. Returns the ids
    /// marked; give each job once.
    func markSucceeded(_ jobs: [(id: Int64, requestHash: [UInt8], countedTokens: Int?)], at timestamp: Double) throws -> Set<Int64> {
        let statements = try embeddingWriteStatements()
        var marked = Set<Int64>()
        var first = 0
        while first < jobs.count {
            let batch = jobs[first..<min(first + EmbeddingWriteStatements.rowsPerStatement, jobs.count)]
            let update = try statements.succeeded.statement(rows: batch.count)
            defer { update.reset() }
            try update.bind(timestamp, at: 1)
            for (offset, job) in batch.enumerated() {
                let base = Int32(offset * 3)
                try update.bind(job.id, at: base + 2)
                try update.bind(job.requestHash, at: base + 3)
                try update.bind(job.countedTokens, at: base + 4)
            }
            while try update.step() { marked.insert(update.int64(at: 0)) }
            first = batch.endIndex
        }
        return marked
    }

    /// Deletes the rows above chunk 0 of `jobIDs` (in the caller's transaction): what an
    /// earlier, chunked version of each job left, now that its whole input has one row.
    func dropChunkRows(ofJobs jobIDs: [Int64]) throws {
        guard !jobIDs.isEmpty else { return }
        let drop = try embeddingWriteStatements().dropChunksOfJobs
        defer { drop.reset() }
        try drop.bind("[" + jobIDs.map(String.init).joined(separator: ",") + "]", at: 1)
        try drop.run()
    }

    /// The job's input as stored in its request: the text of an unchunked job's one row.
    func storedInput(of jobID: Int64) throws -> String {
        let query = try db.cachedStatement("SELECT coalesce(json_extract(request, '$.input'), '') FROM jobs WHERE id = ?1")
        defer { query.reset() }
        try query.bind(jobID, at: 1)
        guard try query.step() else { return "" }
        return query.string(at: 0) ?? ""
    }
}
