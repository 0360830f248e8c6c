import SQLite

/// What an enqueue did with the lines it read.
public struct EnqueueCounts: Sendable, Equatable {
    /// New jobs.
    public var added = 0
    /// Known ids whose request changed: back to pending, result replaced on success.
    public var updated = 0
    /// Known ids with the same request whose `metadata` changed (stored; not re-queued).
    public var metadataUpdated = 0
    /// Known ids with the same request and the same `metadata`.
    public var unchanged = 0
    /// Lines that were not ingested (each reported as `FILE:LINE: reason`).
    public var rejected = 0

    public init() {}

    /// Adds another file's counts to these.
    public mutating func add(_ other: EnqueueCounts) {
        added += other.added
        updated += other.updated
        metadataUpdated += other.metadataUpdated
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

    /// Commits the ingest's transaction so far and opens the next one (an ingest writes in
    /// large transactions, not one).
    func commitAndContinue() throws {
        try db.execute("COMMIT")
        try db.execute("BEGIN IMMEDIATE")
    }

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
        let writer = try IngestWriter(store: self, ingestID: ingestID, sourceName: source.name)
        // Lines are read, validated and hashed on another thread while this one writes.
        let pipeline = IngestPipeline(source: source, parser: parser, maxLineBytes: maxLineBytes)
        var linesInTransaction = 0
        // Writes the buffered lines and reports what happened to each, in line order.
        func flush() throws {
            for written in try writer.flush() {
                switch written.outcome {
                case .added: counts.added += 1
                case .updated: counts.updated += 1
                case .metadataUpdated: counts.metadataUpdated += 1
                case .unchanged: counts.unchanged += 1
                }
                if let previous = written.repeatedLine {
                    report(IngestDiagnostic(severity: .warning, file: source.name, line: written.line,
                                            message: "id \"\(written.customID)\" repeats line \(previous); this later line wins"))
                }
                if let earlier = written.repeatedIn {
                    report(IngestDiagnostic(severity: .warning, file: source.name, line: written.line,
                                            message: "id \"\(written.customID)\" is also on \(earlier.file):\(earlier.line); this later line wins"))
                }
                linesInTransaction += 1
            }
            if linesInTransaction >= Self.ingestTransactionLines {
                try commitAndContinue()
                linesInTransaction = 0
            }
        }
        do {
            try db.execute("BEGIN IMMEDIATE")
            reading: while true {
                let chunk = pipeline.next()
                for item in chunk.items {
                    switch item {
                    case .diagnostic(let diagnostic):
                        try flush()
                        report(diagnostic)
                    case .job(let spec, let number):
                        if writer.buffer(spec, line: number) { try flush() }
                    }
                }
                let end = chunk.end
                pipeline.recycle(chunk)
                switch end {
                case nil: continue
                case .finished(let rejected)?:
                    try flush()
                    counts.rejected = rejected
                    break reading
                case .failed(let error)?: throw error
                }
            }
            try db.execute("COMMIT")
        } catch {
            pipeline.cancel()
            if db.isInTransaction { try? db.execute("ROLLBACK") }
            if let error = error as? JobQueueError { throw error }
            throw JobQueueError(.database, "cannot write jobs from \(source.name) to \(db.path)", underlying: error)
        }
        return counts
    }
}
