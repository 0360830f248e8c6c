import CSQLite

/// How a `Connection` is opened.
public struct ConnectionOptions: Sendable {
    /// How long a statement waits for another connection's lock before failing with
    /// `SQLITE_BUSY`. Default 10 s: long enough for a concurrent writer's transaction.
    public var busyTimeoutMilliseconds: Int32
    /// Open read-only (no file is created). Default false.
    public var readOnly: Bool
    /// Put the database in WAL mode with `synchronous=NORMAL` (durable across process
    /// crashes; a power loss may lose the last transactions). Default true.
    public var walMode: Bool
    /// Page cache size in KiB (`PRAGMA cache_size=-N`). Default 16 MiB.
    public var cacheSizeKiB: Int
    /// In WAL mode, copy the WAL into the database on a background thread with a second
    /// connection instead of in the committing thread (`WALCheckpointer`). Default true.
    public var backgroundCheckpoints: Bool
    /// WAL size in 4 KiB pages at which a background checkpoint starts (scaled to the
    /// database's page size). Default 1,000 (SQLite's own).
    public var walCheckpointPages: Int32
    /// WAL size in 4 KiB pages at which the committing connection checkpoints itself and
    /// the WAL starts over, should the background checkpoints fall behind (scaled to the
    /// database's page size). Default 16,384 (64 MiB).
    public var walLimitPages: Int32
    /// The page size a database created by this connection gets (`PRAGMA page_size`); an
    /// existing database keeps its own. Default nil: SQLite's (4 KiB).
    public var newDatabasePageSize: Int?

    /// Options with the documented defaults.
    public init(busyTimeoutMilliseconds: Int32 = 10_000, readOnly: Bool = false, walMode: Bool = true, cacheSizeKiB: Int = 16_384,
                backgroundCheckpoints: Bool = true, walCheckpointPages: Int32 = 1_000, walLimitPages: Int32 = 16_384,
                newDatabasePageSize: Int? = nil) {
        self.busyTimeoutMilliseconds = busyTimeoutMilliseconds
        self.readOnly = readOnly
        self.walMode = walMode
        self.cacheSizeKiB = cacheSizeKiB
        self.backgroundCheckpoints = backgroundCheckpoints
        self.walCheckpointPages = walCheckpointPages
        self.walLimitPages = walLimitPages
        self.newDatabasePageSize = newDatabasePageSize
    }
}

/// SQLite settings for the whole process, made once before the first connection opens:
/// no memory statistics (they cost a global mutex per allocation and are never read).
private let processWideSetUp: Void = {
    _ = llmq_sqlite3_disable_memstatus()
}()

/// One SQLite connection. Not thread-safe: own it from a single actor or task.
/// Prepared statements made by `cachedStatement(_:)` are kept and reused.
public final class Connection {
    /// The underlying handle; valid until the connection is deinitialised.
    let handle: OpaquePointer
    /// The file this connection opened.
    public let path: String
    private var statementCache: [String: Statement] = [:]
    /// Checkpoints the WAL off this connection's thread, when enabled.
    private var checkpointer: WALCheckpointer?

    /// Opens (creating when needed, unless read-only) the database at `path` and applies
    /// the options: WAL, `synchronous=NORMAL`, busy timeout, `foreign_keys=ON`.
    /// - Throws: `SQLiteError` with the path when the file cannot be opened or set up.
    public init(path: String, options: ConnectionOptions = ConnectionOptions()) throws {
        _ = processWideSetUp
        var db: OpaquePointer?
        let flags = (options.readOnly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE)
            | SQLITE_OPEN_NOMUTEX
        let rc = sqlite3_open_v2(path, &db, flags, nil)
        guard rc == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            sqlite3_close_v2(db)
            throw SQLiteError(code: ResultCode(rawValue: rc), message: "cannot open database: \(message)", path: path)
        }
        self.handle = db
        self.path = path
        sqlite3_extended_result_codes(db, 1)
        sqlite3_busy_timeout(db, options.busyTimeoutMilliseconds)
        try execute("PRAGMA foreign_keys = ON")
        // Takes effect only while the file is still empty (before WAL mode writes its header).
        if let pageSize = options.newDatabasePageSize, !options.readOnly { try execute("PRAGMA page_size = \(pageSize)") }
        // After the page size: SQLite turns a cache size in KiB into pages with the page size
        // of the moment and keeps that count when the page size changes, so a cache sized
        // before a new file's 32 KiB page size was set held 8 times the KiB asked for (a
        // fresh million-job ingest grew to 128 MiB of cache).
        try execute("PRAGMA cache_size = -\(options.cacheSizeKiB)")
        if options.walMode && !options.readOnly {
            let mode = try prepare("PRAGMA journal_mode = WAL")
            let inWALMode = try mode.step() && mode.string(at: 0) == "wal"
            mode.reset()
            try execute("PRAGMA synchronous = NORMAL")
            if inWALMode && options.backgroundCheckpoints {
                let scale = Int32(max(1, try pageSize() / 4096))
                try startBackgroundCheckpoints(startPages: max(1, options.walCheckpointPages / scale),
                                               limitPages: max(1, options.walLimitPages / scale),
                                               busyTimeout: options.busyTimeoutMilliseconds)
            }
        }
    }

    deinit {
        if checkpointer != nil {
            sqlite3_wal_hook(handle, nil, nil)
            checkpointer?.close()
        }
        statementCache.removeAll()
        sqlite3_close_v2(handle)
    }

    /// Replaces SQLite's automatic checkpoint (run by the committing thread) with a
    /// `WALCheckpointer` told about every commit.
    private func startBackgroundCheckpoints(startPages: Int32, limitPages: Int32, busyTimeout: Int32) throws {
        let checkpointer = try WALCheckpointer(path: path, startPages: startPages, limitPages: limitPages,
                                               writerBusyTimeout: busyTimeout)
        self.checkpointer = checkpointer
        let hook: @convention(c) (UnsafeMutableRawPointer?, OpaquePointer?, UnsafePointer<CChar>?, Int32) -> Int32 = { context, db, _, frames in
            guard let context, let db else { return SQLITE_OK }
            Unmanaged<WALCheckpointer>.fromOpaque(context).takeUnretainedValue().commitFinished(writer: db, walFrames: frames)
            return SQLITE_OK
        }
        // Unretained: `self` keeps the checkpointer alive and removes the hook before
        // releasing it (deinit).
        sqlite3_wal_hook(handle, hook, Unmanaged.passUnretained(checkpointer).toOpaque())
    }

    /// Runs one or more SQL statements that return no rows (a migration script, a PRAGMA).
    /// - Throws: `SQLiteError` naming the script.
    public func execute(_ sql: String) throws {
        var errorMessage: UnsafeMutablePointer<CChar>?
        let rc = sqlite3_exec(handle, sql, nil, nil, &errorMessage)
        if rc != SQLITE_OK {
            let message = errorMessage.map { String(cString: $0) } ?? lastErrorMessage
            sqlite3_free(errorMessage)
            throw SQLiteError(code: ResultCode(rawValue: rc), message: message, sql: sql, path: path)
        }
    }

    /// Compiles `sql` into a new statement, owned by the caller.
    /// - Throws: `SQLiteError` with the statement text when it does not compile.
    public func prepare(_ sql: String) throws -> Statement {
        try Statement(connection: self, sql: sql)
    }

    /// Returns a prepared statement for `sql`, compiling it on first use and then reusing
    /// it (reset, bindings cleared). Use for hot paths.
    public func cachedStatement(_ sql: String) throws -> Statement {
        if let statement = statementCache[sql] {
            statement.reset()
            return statement
        }
        let statement = try prepare(sql)
        statementCache[sql] = statement
        return statement
    }

    /// Runs `body` inside `BEGIN IMMEDIATE … COMMIT` (the write lock is taken up front, so a
    /// concurrent writer waits on the busy timeout instead of failing mid-transaction).
    /// Rolls back and rethrows when `body` throws.
    public func transaction<T>(_ body: () throws -> T) throws -> T {
        try runTransaction(begin: "BEGIN IMMEDIATE", body)
    }

    /// Runs `body`, which only reads, in one read transaction (`BEGIN … COMMIT`), so its
    /// statements share one snapshot and one WAL read lock instead of taking and dropping
    /// it each (two `fcntl` calls per statement). Inside an open transaction, just runs it.
    public func readTransaction<T>(_ body: () throws -> T) throws -> T {
        if isInTransaction { return try body() }
        return try runTransaction(begin: "BEGIN", body)
    }

    /// Runs `body` between `begin` and `COMMIT`; rolls back and rethrows when it throws.
    /// `begin` and `COMMIT` are compiled once (every result is a transaction of its own).
    private func runTransaction<T>(begin: String, _ body: () throws -> T) throws -> T {
        try runCached(begin)
        do {
            let result = try body()
            try runCached("COMMIT")
            return result
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
    }

    /// Runs a cached statement without parameters to completion and resets it.
    private func runCached(_ sql: String) throws {
        let statement = try cachedStatement(sql)
        defer { statement.reset() }
        try statement.run()
    }

    /// Returns once the background checkpoints asked for so far have run (at once when
    /// there are none).
    func waitForBackgroundCheckpoints() {
        checkpointer?.waitForCheckpoints()
    }

    /// How many times this writer ran its own checkpoint at the WAL limit (for tests).
    var forcedCheckpointAttempts: Int { checkpointer?.forcedAttempts.load(ordering: .relaxed) ?? 0 }

    /// The number of rows changed by the last INSERT, UPDATE or DELETE.
    public var changes: Int { Int(sqlite3_changes(handle)) }

    /// The rowid of the last successful INSERT.
    public var lastInsertRowID: Int64 { sqlite3_last_insert_rowid(handle) }

    /// Whether a transaction is open on this connection.
    public var isInTransaction: Bool { sqlite3_get_autocommit(handle) == 0 }

    /// Bytes the connection's page cache holds now (`SQLITE_DBSTATUS_CACHE_USED`).
    public var pageCacheBytes: Int {
        var current: Int32 = 0
        var highwater: Int32 = 0
        sqlite3_db_status(handle, SQLITE_DBSTATUS_CACHE_USED, &current, &highwater, 0)
        return Int(current)
    }

    /// The database's page size in bytes (`PRAGMA page_size`).
    public func pageSize() throws -> Int {
        let statement = try prepare("PRAGMA page_size")
        defer { statement.reset() }
        _ = try statement.step()
        return Int(statement.int64(at: 0))
    }

    /// `PRAGMA user_version`: the schema version recorded by migrations.
    public func userVersion() throws -> Int {
        let statement = try prepare("PRAGMA user_version")
        guard try statement.step() else { return 0 }
        return Int(statement.int64(at: 0))
    }

    /// Loads an SQLite extension (such as sqlite-vec's `vec0.so`) into this connection
    /// through the C API only (the SQL function `load_extension()` stays off).
    /// - Throws: `SQLiteError` with SQLite's reason when it cannot be loaded.
    public func loadExtension(_ path: String, entryPoint: String? = nil) throws {
        let rc = llmq_sqlite3_enable_c_load_extension(handle)
        if rc != SQLITE_OK { throw error(rc, sql: nil) }
        var message: UnsafeMutablePointer<CChar>?
        let loaded = sqlite3_load_extension(handle, path, entryPoint, &message)
        if loaded != SQLITE_OK {
            let reason = message.map { String(cString: $0) } ?? lastErrorMessage
            sqlite3_free(message)
            throw SQLiteError(code: ResultCode(rawValue: loaded), message: "cannot load extension \(path): \(reason)", path: path)
        }
    }

    var lastErrorMessage: String { String(cString: sqlite3_errmsg(handle)) }

    func error(_ rc: Int32, sql: String?) -> SQLiteError {
        SQLiteError(code: ResultCode(rawValue: rc), message: lastErrorMessage, sql: sql, path: path)
    }
}
