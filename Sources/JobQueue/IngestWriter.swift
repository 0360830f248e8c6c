import SQLite

/// Writes the job specs of one ingest, `rowsPerStatement` lines per multi-row INSERT that
/// does nothing on a known id (one statement per 64 lines instead of one per line: a
/// fresh million-line ingest is mostly statement overhead otherwise). When a statement
/// skipped some ids, each of its lines is looked at to decide between added, unchanged
/// and updated, as a single-row insert would have.
final class IngestWriter {
    enum Outcome { case added, updated, metadataUpdated, unchanged }

    /// What happened to one line.
    struct Written {
        var outcome: Outcome
        var line: Int
        var customID: String
        /// The earlier line of this file with the same id (the later one wins), if any.
        var repeatedLine: Int?
        /// The earlier file and line of this ingest with the same id, when it was another file.
        var repeatedIn: (file: String, line: Int)?
    }

    /// Lines per INSERT statement.
    static let rowsPerStatement = 64
    private static let columns = 11

    private let store: JobStore
    private let ingestID: Int64
    private let sourceName: String
    private var buffered: [(spec: JobSpec, line: Int)] = []
    /// The buffered rows' texts and hashes, bound from here without copies.
    private var rowBytes = BindArena()
    /// `INSERT … VALUES (…), (…) … ON CONFLICT (custom_id) DO NOTHING`, compiled once per
    /// row count (building their SQL text is not free). Row r binds ?(11r+1) … ?(11r+11);
    /// created_at and updated_at are both the last.
    private let inserts: MultiRowStatements

    init(store: JobStore, ingestID: Int64, sourceName: String) throws {
        self.store = store
        self.ingestID = ingestID
        self.sourceName = sourceName
        buffered.reserveCapacity(Self.rowsPerStatement)
        let columns = Self.columns
        inserts = MultiRowStatements(store.db, head: """
            INSERT INTO jobs (custom_id, kind, model, dimensions, request, request_hash, metadata,
                              source_file, source_line, ingest_id, created_at, updated_at)
            """, tail: "ON CONFLICT (custom_id) DO NOTHING") { row in
            let first = row * columns
            return "(" + (1...columns).map { "?\(first + $0)" }.joined(separator: ", ") + ", ?\(first + columns))"
        }
    }

    /// Buffered request bytes past which `flush()` is due before `rowsPerStatement` lines:
    /// a folder of large files then holds a few of them at a time, not 64.
    static let bufferedBytesLimit = 4 << 20
    private var bufferedBytes = 0

    /// Buffers a line; true when the buffer is full (`rowsPerStatement` lines or
    /// `bufferedBytesLimit` request bytes) and `flush()` is due.
    func buffer(_ spec: JobSpec, line: Int) -> Bool {
        buffered.append((spec, line))
        bufferedBytes += spec.request.utf8.count
        return buffered.count >= Self.rowsPerStatement || bufferedBytes >= Self.bufferedBytesLimit
    }

    /// Writes the buffered lines (in the caller's transaction); their outcomes in order.
    func flush() throws -> [Written] {
        guard !buffered.isEmpty else { return [] }
        defer {
            buffered.removeAll(keepingCapacity: true)
            bufferedBytes = 0
        }
        let db = store.db
        let timestamp = store.now()
        try run(try inserts.statement(rows: buffered.count), rows: buffered, timestamp: timestamp)
        let added = db.changes
        if added == buffered.count {
            return buffered.map { Written(outcome: .added, line: $0.line, customID: $0.spec.customID) }
        }
        // Rows this statement inserted have the newest ids; any other line met a known id.
        let firstNewID = db.lastInsertRowID - Int64(added) + 1
        return try buffered.map { try resolve($0.spec, line: $0.line, firstNewID: added > 0 ? firstNewID : .max, timestamp: timestamp) }
    }

    /// A line whose row may have existed before the statement.
    private func resolve(_ spec: JobSpec, line: Int, firstNewID: Int64, timestamp: Double) throws -> Written {
        let db = store.db
        let lookup = try db.cachedStatement(
            "SELECT id, request_hash, ingest_id, source_file, source_line, metadata FROM jobs WHERE custom_id = ?1")
        try lookup.bind(spec.customID, at: 1)
        guard try lookup.step() else {
            lookup.reset()
            throw JobQueueError(.database, "job \"\(spec.customID)\" vanished during ingest")
        }
        let id = lookup.int64(at: 0)
        let storedHash = lookup.blob(at: 1)
        let storedIngest = lookup.optionalInt(at: 2)
        let storedFile = lookup.string(at: 3)
        let storedLine = lookup.optionalInt(at: 4)
        let storedMetadata = lookup.string(at: 5)
        lookup.reset()
        var written = Written(outcome: .added, line: line, customID: spec.customID)
        if id >= firstNewID, storedLine == line, storedIngest == Int(ingestID) { return written }
        if storedIngest == Int(ingestID), storedFile == sourceName {
            written.repeatedLine = storedLine
        } else if storedIngest == Int(ingestID), let storedFile {
            written.repeatedIn = (storedFile, storedLine ?? 0)
        }
        if storedHash == spec.requestHash {
            let touch = try db.cachedStatement("""
                UPDATE jobs SET metadata = ?2, source_file = ?3, source_line = ?4, ingest_id = ?5,
                                updated_at = CASE WHEN metadata IS ?2 THEN updated_at ELSE ?6 END
                WHERE custom_id = ?1
                """)
            defer { touch.reset() }
            try touch.bind(spec.customID, at: 1)
            try touch.bind(spec.metadata, at: 2)
            try touch.bind(sourceName, at: 3)
            try touch.bind(line, at: 4)
            try touch.bind(ingestID, at: 5)
            try touch.bind(timestamp, at: 6)
            try touch.run()
            written.outcome = storedMetadata == spec.metadata ? .unchanged : .metadataUpdated
            return written
        }
        let requeue = try db.cachedStatement("""
            UPDATE jobs SET kind = ?2, model = ?3, dimensions = ?4, request = ?5, request_hash = ?6, metadata = ?7,
                            source_file = ?8, source_line = ?9, ingest_id = ?10, updated_at = ?11,
                            status = 'pending', attempts = 0, last_error = NULL, available_at = 0,
                            lease_owner = NULL, lease_expires_at = NULL, finished_at = NULL,
                            input_tokens = NULL, tokens_exact = 0
            WHERE custom_id = ?1
            """)
        try run(requeue, rows: [(spec, line)], timestamp: timestamp)
        written.outcome = .updated
        return written
    }

    /// Binds each row's eleven values (`?` after `?`, row after row) and runs `statement`,
    /// then resets it. The texts and hashes are copied once into `rowBytes` and bound from
    /// there without SQLite copying them again.
    private func run(_ statement: Statement, rows: [(spec: JobSpec, line: Int)], timestamp: Double) throws {
        rowBytes.removeAll()
        var ranges: [Range<Int>?] = []
        ranges.reserveCapacity(rows.count * 7)
        for (spec, _) in rows {
            ranges.append(rowBytes.append(spec.customID.utf8))
            ranges.append(rowBytes.append(spec.kind.rawValue.utf8))
            ranges.append(rowBytes.append(spec.model.utf8))
            ranges.append(rowBytes.append(spec.request.utf8))
            ranges.append(rowBytes.append(spec.requestHash))
            ranges.append(spec.metadata.map { rowBytes.append($0.utf8) })
            ranges.append(rowBytes.append(sourceName.utf8))
        }
        defer { statement.reset() }
        try rowBytes.withBytes { bytes in
            for (row, (spec, line)) in rows.enumerated() {
                let slot = row * 7
                let first = Int32(row * Self.columns)
                try bytes.bindText(ranges[slot], to: statement, at: first + 1)
                try bytes.bindText(ranges[slot + 1], to: statement, at: first + 2)
                try bytes.bindText(ranges[slot + 2], to: statement, at: first + 3)
                try statement.bind(spec.dimensions, at: first + 4)
                try bytes.bindText(ranges[slot + 3], to: statement, at: first + 5)
                try bytes.bindBlob(ranges[slot + 4], to: statement, at: first + 6)
                try bytes.bindText(ranges[slot + 5], to: statement, at: first + 7)
                try bytes.bindText(ranges[slot + 6], to: statement, at: first + 8)
                try statement.bind(line, at: first + 9)
                try statement.bind(ingestID, at: first + 10)
                try statement.bind(timestamp, at: first + 11)
            }
            try statement.run()
        }
    }
}
