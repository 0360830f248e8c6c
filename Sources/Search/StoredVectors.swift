import JobQueue
import SQLite

/// Where the scan file stands against the database: the database's identity and the
/// last change to `embeddings` (its `search_changes` seq and nonce; 0 and 0 before any).
public struct ChangeState: Equatable, Sendable {
    /// `search_state.database_id`: 16 random bytes drawn when the schema was made.
    public var databaseID: [UInt8]
    /// The seq of the newest `search_changes` row, 0 when there is none.
    public var seq: Int64
    /// That row's nonce, 0 when there is none.
    public var nonce: Int64
}

/// The text a hit shows: its job's id and the chunk's span and text.
public struct HitText: Sendable, Equatable {
    /// `jobs.custom_id`.
    public var customID: String
    /// The chunk index.
    public var chunk: Int
    /// The chunk's span in the job's input, Unicode code points, end exclusive.
    public var start: Int
    public var end: Int
    /// The chunk's text.
    public var text: String
}

/// Every SQL statement `llmq search` runs, in one place: reading stored vectors with
/// their chunk, span and text, the change log the scan file is checked against, and the
/// query vectors it keeps. Use from one task (like its connection).
public struct StoredVectors {
    /// The store whose connection is read (and whose never-pay-twice index is asked).
    public let store: JobStore
    /// The store's connection.
    public var db: Connection { store.db }

    /// Reads and writes through `store`'s connection.
    public init(_ store: JobStore) { self.store = store }

    // The chunk, span and text of a row of `embeddings e` joined to `jobs j` (schema 5:
    // one row per chunk, with its span and text).
    static let chunkColumn = "e.chunk"
    static let spanAndText = "e.start, e.end, e.text"

    /// Runs `body` in one read transaction, so everything it reads is one snapshot of the
    /// database (a `run` may commit meanwhile; its rows are not seen).
    public func snapshot<T>(_ body: () throws -> T) throws -> T {
        try db.execute("BEGIN DEFERRED")
        do {
            _ = try db.scalarInt("SELECT count(*) FROM search_state")  // starts the snapshot
            let result = try body()
            try db.execute("COMMIT")
            return result
        } catch {
            try? db.execute("ROLLBACK")
            throw error
        }
    }

    /// The database's identity and its newest change to `embeddings`.
    public func changeState() throws -> ChangeState {
        let identity = try db.cachedStatement("SELECT database_id FROM search_state WHERE id = 1")
        defer { identity.reset() }
        guard try identity.step(), let id = identity.blob(at: 0) else {
            throw SearchError(.database, "\(db.path) has no search_state row (was it made by llmq?)")
        }
        let last = try db.cachedStatement("SELECT seq, nonce FROM search_changes ORDER BY seq DESC LIMIT 1")
        defer { last.reset() }
        guard try last.step() else { return ChangeState(databaseID: id, seq: 0, nonce: 0) }
        return ChangeState(databaseID: id, seq: last.int64(at: 0), nonce: last.int64(at: 1))
    }

    /// The triggers that fill `search_changes` (migrations/0004_search.sql).
    static let changeLogTriggers = ["search_embedding_added", "search_embedding_deleted", "search_embedding_replaced",
                                    "search_embedding_updated"]

    /// Whether every trigger of the change log is in place. A migration that rebuilds
    /// `embeddings` drops them; without them the log cannot be trusted to be complete.
    public func changeLogIsComplete() throws -> Bool {
        let names = Self.changeLogTriggers.map { "'\($0)'" }.joined(separator: ", ")
        return try db.scalarInt("""
            SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'embeddings' AND name IN (\(names))
            """) == Self.changeLogTriggers.count
    }

    /// The nonce of change `seq` (0 for seq 0), nil when the log has no such row.
    public func nonce(at seq: Int64) throws -> Int64? {
        if seq == 0 { return 0 }
        let statement = try db.cachedStatement("SELECT nonce FROM search_changes WHERE seq = ?1")
        defer { statement.reset() }
        try statement.bind(seq, at: 1)
        return try statement.step() ? statement.int64(at: 0) : nil
    }

    /// Whether a vector was replaced or deleted after change `seq` (then a scan file that
    /// covers `seq` cannot be appended to).
    public func hasRemovals(after seq: Int64) throws -> Bool {
        try db.scalarInt("SELECT EXISTS (SELECT 1 FROM search_changes WHERE seq > ?1 AND removed = 1)", .integer(seq)) == 1
    }

    /// Calls `body` with every stored vector (key, kind, raw little-endian float32 bytes;
    /// valid only inside `body`), or with those added after change `seq`.
    public func forEachVector(addedAfter seq: Int64? = nil,
                              _ body: (VectorKey, VectorKind, UnsafeRawBufferPointer) throws -> Void) throws {
        let sql = seq == nil
            ? "SELECT e.job_id, \(Self.chunkColumn), e.model, e.dimensions, e.vector FROM embeddings e"
            : """
              SELECT e.job_id, \(Self.chunkColumn), e.model, e.dimensions, e.vector
              FROM search_changes c JOIN embeddings e ON e.job_id = c.job_id AND e.chunk = c.chunk
              WHERE c.seq > ?1 AND c.removed = 0 ORDER BY c.seq
              """
        let statement = try db.prepare(sql)
        if let seq { try statement.bind(seq, at: 1) }
        var kind = VectorKind(model: "", dimensions: 0)
        while try statement.step() {
            let key = VectorKey(jobID: statement.int64(at: 0), chunk: Int32(truncatingIfNeeded: statement.int64(at: 1)))
            let dimensions = statement.int(at: 3)
            let model = statement.string(at: 2) ?? ""
            if model != kind.model || dimensions != kind.dimensions { kind = VectorKind(model: model, dimensions: dimensions) }
            try statement.withBlob(at: 4) { bytes in
                guard bytes.count == dimensions * 4, dimensions > 0 else {
                    throw SearchError(.database, "the vector of job \(key.jobID) chunk \(key.chunk) in \(db.path) has \(bytes.count) bytes, not \(dimensions) float32 values")
                }
                try body(key, kind, bytes)
            }
        }
    }

    /// The id, span and text of each of `keys` that is still stored.
    public func texts(of keys: [VectorKey]) throws -> [VectorKey: HitText] {
        let statement = try db.cachedStatement("""
            SELECT j.custom_id, \(Self.chunkColumn), \(Self.spanAndText)
            FROM embeddings e JOIN jobs j ON j.id = e.job_id WHERE e.job_id = ?1 AND \(Self.chunkColumn) = ?2
            """)
        var found: [VectorKey: HitText] = [:]
        for key in keys {
            defer { statement.reset() }
            try statement.bind(key.jobID, at: 1)
            try statement.bind(Int64(key.chunk), at: 2)
            guard try statement.step() else { continue }
            found[key] = HitText(customID: statement.string(at: 0) ?? "", chunk: statement.int(at: 1), start: statement.int(at: 2),
                                 end: statement.int(at: 3), text: statement.string(at: 4) ?? "")
        }
        return found
    }

    /// The ids (`jobs.id`) of the jobs whose `custom_id` starts with `prefix`, found
    /// through the unique index on `custom_id` (a range, not a scan).
    public func jobIDs(withCustomIDPrefix prefix: String) throws -> Set<Int64> {
        let statement = try db.prepare("SELECT id FROM jobs WHERE custom_id >= ?1 AND custom_id < ?2")
        try statement.bind(prefix, at: 1)
        // No UTF-8 text holds the byte 0xFF, so every id starting with `prefix` sorts
        // (bytewise, SQLite's BINARY collation) below prefix + 0xFF.
        let upper = Array(prefix.utf8) + [0xFF]
        try upper.withUnsafeBytes { try statement.bindText(utf8: $0, at: 2) }
        var ids = Set<Int64>()
        while try statement.step() { ids.insert(statement.int64(at: 0)) }
        return ids
    }

    /// A job by its `custom_id`: its `jobs.id` and status, nil when there is none.
    public func job(customID: String) throws -> (id: Int64, status: String)? {
        let statement = try db.cachedStatement("SELECT id, status FROM jobs WHERE custom_id = ?1")
        defer { statement.reset() }
        try statement.bind(customID, at: 1)
        guard try statement.step() else { return nil }
        return (statement.int64(at: 0), statement.string(at: 1) ?? "")
    }

    /// The stored vector of `key` with its kind, nil when there is none.
    public func vector(of key: VectorKey) throws -> (kind: VectorKind, vector: [Float])? {
        let statement = try db.cachedStatement("""
            SELECT e.model, e.dimensions, e.vector FROM embeddings e WHERE e.job_id = ?1 AND \(Self.chunkColumn) = ?2
            """)
        defer { statement.reset() }
        try statement.bind(key.jobID, at: 1)
        try statement.bind(Int64(key.chunk), at: 2)
        guard try statement.step(), let model = statement.string(at: 0), let bytes = statement.blob(at: 2) else { return nil }
        return (VectorKind(model: model, dimensions: statement.int(at: 1)), decodeFloats(bytes))
    }

    /// How many vectors (chunks) job `jobID` has.
    public func vectorCount(ofJob jobID: Int64) throws -> Int {
        try db.scalarInt("SELECT count(*) FROM embeddings WHERE job_id = ?1", .integer(jobID)) ?? 0
    }

    /// A vector stored for `text` under `kind` before, by a job or by an earlier search,
    /// found by the key "never pay twice" uses (the embed request's hash).
    public func storedQueryVector(text: String, kind: VectorKind, sentDimensions: Int?) throws -> [Float]? {
        for hash in Self.requestHashes(text: text, kind: kind, sentDimensions: sentDimensions) {
            if let stored = try store.storedVector(forRequestHash: hash),
               stored.model == kind.model, stored.dimensions == kind.dimensions {
                return decodeFloats(stored.vector)
            }
            let statement = try db.cachedStatement("SELECT vector FROM search_queries WHERE input_hash = ?1 AND model = ?2 AND dimensions = ?3")
            defer { statement.reset() }
            try statement.bind(hash, at: 1)
            try statement.bind(kind.model, at: 2)
            try statement.bind(kind.dimensions, at: 3)
            if try statement.step(), let bytes = statement.blob(at: 0) { return decodeFloats(bytes) }
        }
        return nil
    }

    /// Keeps a query vector the API returned, so the same query is free next time.
    public func storeQueryVector(_ vector: [Float], text: String, kind: VectorKind, sentDimensions: Int?, now: Double) throws {
        guard let hash = Self.requestHashes(text: text, kind: kind, sentDimensions: sentDimensions).first else { return }
        var bytes = [UInt8]()
        bytes.reserveCapacity(vector.count * 4)
        for value in vector { withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes.append(contentsOf: $0) } }
        try db.run("""
            INSERT OR REPLACE INTO search_queries (input_hash, model, dimensions, vector, created_at) VALUES (?1, ?2, ?3, ?4, ?5)
            """, .blob(hash), .text(kind.model), .integer(Int64(kind.dimensions)), .blob(bytes), .double(now))
    }

    /// The `dimensions` the jobs of `kind` sent with their requests (nil: they sent none,
    /// and the server answered with its native size), so a query is embedded as they were.
    public func sentDimensions(for kind: VectorKind) throws -> Int? {
        let statement = try db.cachedStatement("""
            SELECT json_extract(j.request, '$.dimensions') FROM embeddings e JOIN jobs j ON j.id = e.job_id
            WHERE e.model = ?1 AND e.dimensions = ?2 LIMIT 1
            """)
        defer { statement.reset() }
        try statement.bind(kind.model, at: 1)
        try statement.bind(kind.dimensions, at: 2)
        guard try statement.step() else { return kind.dimensions }
        return statement.optionalInt(at: 0)
    }

    /// The request hashes a job embedding `text` as `kind` could have: with the
    /// dimensions it sent first.
    static func requestHashes(text: String, kind: VectorKind, sentDimensions: Int?) -> [[UInt8]] {
        var hashes = [JobRequest.embed(input: text, model: kind.model, dimensions: sentDimensions).hash]
        let other = sentDimensions == nil ? kind.dimensions : nil
        hashes.append(JobRequest.embed(input: text, model: kind.model, dimensions: other).hash)
        return hashes
    }
}

/// Little-endian float32 bytes as floats.
func decodeFloats(_ bytes: [UInt8]) -> [Float] {
    let count = bytes.count / 4
    return [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
        bytes.withUnsafeBytes { raw in
            for index in 0..<count {
                buffer[index] = Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: index * 4, as: UInt32.self)))
            }
        }
        initialized = count
    }
}
