import SQLite

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The llmq database: one SQLite connection, migrated to the schema this binary carries.
/// Not thread-safe (like its connection): own it from one actor or task. Several
/// processes may open the same file; SQLite's locking and `BEGIN IMMEDIATE` keep them apart.
public final class JobStore {
    /// The connection, for queries the store does not wrap.
    public let db: Connection
    /// Clock used for timestamps (unix seconds); injectable for tests.
    public let now: @Sendable () -> Double
    /// Vectors this store wrote since its last vector-index merge, by input hash: found
    /// before they reach `vector_index` (see JobStore+VectorIndex): job and chunk.
    var recentVectors: [[UInt8]: (job: Int64, chunk: Int)] = [:]
    /// Merge `vector_index_pending` into `vector_index` once this store has added this
    /// many rows to it (bounds both the pending table and `recentVectors`).
    public var vectorIndexMergeRows = 65_536
    /// The write path's multi-row statements, compiled on first use.
    private var writeStatements: EmbeddingWriteStatements?

    /// The write path's statements (JobStore+EmbeddingRows), compiled on first use.
    func embeddingWriteStatements() throws -> EmbeddingWriteStatements {
        if let writeStatements { return writeStatements }
        let statements = try EmbeddingWriteStatements(db)
        writeStatements = statements
        return statements
    }

    /// The newest schema version this binary knows.
    public static var latestSchemaVersion: Int { allMigrations.last?.version ?? 0 }

    /// Opens (creating when needed) and migrates the database at `path`.
    /// - Throws: `JobQueueError` `.schemaTooNew` when the file was made by a newer llmq,
    ///   `.database` when it cannot be opened or migrated (the path is named).
    public init(path: String, options: ConnectionOptions = ConnectionOptions(), now: @escaping @Sendable () -> Double = JobStore.systemNow) throws {
        var options = options
        // A new queue gets 32 KiB pages: five 6 KiB vectors and their rows fit in one, where
        // a 4 KiB page holds part of one row and needs an overflow page for the rest (8.2 KB
        // written per vector against 6.6 KB; BENCHMARKS.md). An existing queue keeps its
        // page size (README: how VACUUM converts one).
        options.newDatabasePageSize = options.newDatabasePageSize ?? 32_768
        do {
            self.db = try Connection(path: path, options: options)
        } catch {
            throw JobQueueError(.database, "cannot open database \(path)", underlying: error)
        }
        self.now = now
        try Migrator(migrations: allMigrations).migrate(db)
    }

    /// Wall-clock time in unix seconds.
    @Sendable public static func systemNow() -> Double {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
    }
}
