import SQLite

/// What an enqueue did with the lines it read.
public struct EnqueueCounts: Sendable, Equatable, Codable {
    /// New jobs.
    public var added = 0
    /// Known ids whose request changed: back to pending, result replaced on success.
    public var updated = 0
    /// Known ids with the same request (a changed `metadata` is still stored).
    public var unchanged = 0
    /// Lines that were not ingested (each reported as `FILE:LINE: reason`).
    public var rejected = 0

    public init() {}

    /// Adds another file's counts to these.
    public mutating func add(_ other: EnqueueCounts) {
        added += other.added
        updated += other.updated
        unchanged += other.unchanged
        rejected += other.rejected
    }
}

/// A diagnostic about one line, for stderr: `FILE:LINE: message`.
public struct IngestDiagnostic: Sendable, Equatable, CustomStringConvertible {
    /// A rejected line, or a warning about an accepted one.
    public enum Severity: Sendable { case rejected, warning }
    public var severity: Severity
    /// The file as named on the command line (`<stdin>` for `-`).
    public var file: String
    /// 1-based line number.
    public var line: Int
    /// What is wrong.
    public var message: String

    public var description: String {
        "\(file):\(line): \(severity == .warning ? "warning: " : "")\(message)"
    }
}

/// Where job lines come from: an open file descriptor and the name to report it by.
public struct JobSource: Sendable {
    /// The name in diagnostics and `jobs.source_file`.
    public var name: String
    /// An open, readable descriptor (the caller closes it).
    public var fd: Int32

    public init(name: String, fd: Int32) {
        self.name = name
        self.fd = fd
    }
}

extension JobStore {
    /// How many lines go in one write transaction during ingest.
    static let ingestTransactionLines = 20_000

    /// Starts an ingest: records it and returns its id, which marks the rows it writes so a
    /// repeated id within one file can be told from one enqueued earlier.
    public func beginIngest(sources: [String]) throws -> Int64 {
        try db.run("INSERT INTO ingests (started_at, sources) VALUES (?1, ?2)", .double(now()), .text(sources.joined(separator: "\n")))
        return db.lastInsertRowID
    }

    /// Reads `source` line by line (constant memory), validates each line and writes the
    /// valid ones in large transactions. Every bad line goes to `report` as
    /// `.rejected` and ingest goes on; a repeated id within the file is a `.warning`
    /// naming both lines, and the later line wins.
    /// - Throws: `JobQueueError` on a read error or a database failure (the lines
    ///   committed so far stay; re-running the same file is idempotent).
    public func enqueue(
        _ source: JobSource,
        ingestID: Int64,
        parser: JobLineParser = JobLineParser(),
        maxLineBytes: Int = 8 << 20,
        report: (IngestDiagnostic) -> Void
    ) throws -> EnqueueCounts {
        var counts = EnqueueCounts()
        let stream = JobLineStream(source, parser: parser, maxLineBytes: maxLineBytes)
        let writer = try IngestWriter(store: self, ingestID: ingestID, sourceName: source.name)
        var linesInTransaction = 0
        try db.execute("BEGIN IMMEDIATE")
        do {
            while case let (job, number)? = try stream.next(report: report) {
                let spec = JobSpec(job)
                let outcome = try writer.write(spec, line: number)
                switch outcome {
                case .added: counts.added += 1
                case .updated: counts.updated += 1
                case .unchanged: counts.unchanged += 1
                }
                if let previous = writer.repeatedLine {
                    report(IngestDiagnostic(severity: .warning, file: source.name, line: number,
                                            message: "id \"\(spec.customID)\" repeats line \(previous); this later line wins"))
                }
                linesInTransaction += 1
                if linesInTransaction >= Self.ingestTransactionLines {
                    try db.execute("COMMIT")
                    try db.execute("BEGIN IMMEDIATE")
                    linesInTransaction = 0
                }
            }
            try db.execute("COMMIT")
            counts.rejected = stream.rejected
        } catch {
            try? db.execute("ROLLBACK")
            if let error = error as? JobQueueError { throw error }
            throw JobQueueError(.database, "cannot write jobs from \(source.name) to \(db.path)", underlying: error)
        }
        return counts
    }
}

/// Writes job specs for one ingest with prepared statements: an INSERT that does nothing
/// on a known id, then (only for known ids) a look at the stored row to decide between
/// unchanged and updated.
final class IngestWriter {
    enum Outcome { case added, updated, unchanged }

    private let store: JobStore
    private let ingestID: Int64
    private let sourceName: String
    private let insert: Statement
    private let lookup: Statement
    private let touch: Statement
    private let requeue: Statement
    /// After `write`: the earlier line of this file with the same id, if any.
    private(set) var repeatedLine: Int?

    init(store: JobStore, ingestID: Int64, sourceName: String) throws {
        self.store = store
        self.ingestID = ingestID
        self.sourceName = sourceName
        let db = store.db
        insert = try db.cachedStatement("""
            INSERT INTO jobs (custom_id, kind, model, dimensions, request, request_hash, metadata,
                              source_file, source_line, ingest_id, created_at, updated_at)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?11)
            ON CONFLICT (custom_id) DO NOTHING
            """)
        lookup = try db.cachedStatement(
            "SELECT request_hash, metadata, ingest_id, source_file, source_line FROM jobs WHERE custom_id = ?1")
        touch = try db.cachedStatement("""
            UPDATE jobs SET metadata = ?2, source_file = ?3, source_line = ?4, ingest_id = ?5,
                            updated_at = CASE WHEN metadata IS ?2 THEN updated_at ELSE ?6 END
            WHERE custom_id = ?1
            """)
        requeue = try db.cachedStatement("""
            UPDATE jobs SET kind = ?2, model = ?3, dimensions = ?4, request = ?5, request_hash = ?6, metadata = ?7,
                            source_file = ?8, source_line = ?9, ingest_id = ?10, updated_at = ?11,
                            status = 'pending', attempts = 0, last_error = NULL, available_at = 0,
                            lease_owner = NULL, lease_expires_at = NULL, finished_at = NULL,
                            input_tokens = NULL, tokens_exact = 0
            WHERE custom_id = ?1
            """)
    }

    func write(_ spec: JobSpec, line: Int) throws -> Outcome {
        repeatedLine = nil
        let timestamp = store.now()
        try bindAll(insert, spec, line: line, timestamp: timestamp)
        try insert.run()
        insert.reset()
        if store.db.changes == 1 { return .added }

        try lookup.bind(spec.customID, at: 1)
        guard try lookup.step() else {
            lookup.reset()
            throw JobQueueError(.database, "job \"\(spec.customID)\" vanished during ingest")
        }
        let storedHash = lookup.blob(at: 0)
        let storedIngest = lookup.optionalInt(at: 2)
        let storedFile = lookup.string(at: 3)
        let storedLine = lookup.optionalInt(at: 4)
        lookup.reset()
        if storedIngest == Int(ingestID), storedFile == sourceName {
            repeatedLine = storedLine
        }

        if storedHash == spec.requestHash {
            try touch.bind(spec.customID, at: 1)
            try touch.bind(spec.metadata, at: 2)
            try touch.bind(sourceName, at: 3)
            try touch.bind(line, at: 4)
            try touch.bind(ingestID, at: 5)
            try touch.bind(timestamp, at: 6)
            try touch.run()
            touch.reset()
            return .unchanged
        }
        try bindAll(requeue, spec, line: line, timestamp: timestamp)
        try requeue.run()
        requeue.reset()
        return .updated
    }

    private func bindAll(_ statement: Statement, _ spec: JobSpec, line: Int, timestamp: Double) throws {
        try statement.bind(spec.customID, at: 1)
        try statement.bind(spec.kind.rawValue, at: 2)
        try statement.bind(spec.model, at: 3)
        try statement.bind(spec.dimensions, at: 4)
        try statement.bind(spec.request, at: 5)
        try statement.bind(spec.requestHash, at: 6)
        try statement.bind(spec.metadata, at: 7)
        try statement.bind(sourceName, at: 8)
        try statement.bind(line, at: 9)
        try statement.bind(ingestID, at: 10)
        try statement.bind(timestamp, at: 11)
    }
}
