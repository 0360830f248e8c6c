import Foundation
import Testing
@testable import SQLite
import TestSupport

struct ConnectionTests {
    @Test func everyTypeRoundTrips() throws {
        let dir = try TemporaryDirectory()
        let db = try Connection(path: dir.path("t.sqlite"))
        try db.execute("CREATE TABLE t (i INTEGER, d REAL, s TEXT, b BLOB, n TEXT)")
        let vector = (0..<6144).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let text = "Grüße, 東京 🚀 e\u{301}"
        let insert = try db.prepare("INSERT INTO t VALUES (?1, ?2, ?3, ?4, ?5)")
        try insert.bind(Int64.min, at: 1)
        try insert.bind(-0.125, at: 2)
        try insert.bind(text, at: 3)
        try insert.bind(vector, at: 4)
        try insert.bindNull(at: 5)
        try insert.run()

        let select = try db.prepare("SELECT i, d, s, b, n FROM t")
        #expect(try select.step())
        #expect(select.int64(at: 0) == Int64.min)
        #expect(select.double(at: 1) == -0.125)
        #expect(select.string(at: 2) == text)
        #expect(select.string(at: 2)?.utf8.count == text.utf8.count)
        #expect(select.blob(at: 3) == vector)
        #expect(select.blob(at: 3)?.count == 6144)
        #expect(select.isNull(at: 4))
        #expect(select.string(at: 4) == nil)
        #expect(select.blob(at: 4) == nil)
        #expect(select.optionalInt(at: 4) == nil)
        #expect(try select.step() == false)
    }

    @Test func emptyTextAndEmptyBlobAreNotNull() throws {
        let dir = try TemporaryDirectory()
        let db = try Connection(path: dir.path("t.sqlite"))
        try db.execute("CREATE TABLE t (s TEXT, b BLOB)")
        try db.run("INSERT INTO t VALUES (?1, ?2)", .text(""), .blob([]))
        let rows = try db.rows("SELECT s IS NULL, b IS NULL, length(s), length(b) FROM t")
        #expect(rows == [[.integer(0), .integer(0), .integer(0), .integer(0)]])
    }

    @Test func sqliteValueBindingRoundTrips() throws {
        let db = try Connection(path: ":memory:")
        let values: [SQLiteValue] = [.integer(42), .double(2.5), .text("ö"), .blob([1, 2, 3]), .null]
        let rows = try db.rows("SELECT ?1, ?2, ?3, ?4, ?5", values[0], values[1], values[2], values[3], values[4])
        #expect(rows == [values])
    }

    @Test func transactionRollsBackOnError() throws {
        let dir = try TemporaryDirectory()
        let db = try Connection(path: dir.path("t.sqlite"))
        try db.execute("CREATE TABLE t (x INTEGER PRIMARY KEY)")
        struct Boom: Error {}
        #expect(throws: Boom.self) {
            try db.transaction {
                try db.run("INSERT INTO t VALUES (1)")
                throw Boom()
            }
        }
        #expect(try db.scalarInt("SELECT count(*) FROM t") == 0)
        #expect(db.isInTransaction == false)
        try db.transaction { try db.run("INSERT INTO t VALUES (2)") }
        #expect(try db.scalarInt("SELECT count(*) FROM t") == 1)
    }

    @Test func aReadTransactionSharesOneSnapshotAndNestsInAnOpenTransaction() throws {
        let db = try Connection(path: ":memory:")
        try db.execute("CREATE TABLE t (x INTEGER)")
        let inside = try db.readTransaction { db.isInTransaction }
        #expect(inside)
        #expect(db.isInTransaction == false)
        try db.transaction {
            try db.run("INSERT INTO t VALUES (1)")
            // Inside a write transaction it just runs, and sees the uncommitted row.
            #expect(try db.readTransaction { try db.scalarInt("SELECT count(*) FROM t") } == 1)
            #expect(db.isInTransaction)
        }
        struct Boom: Error {}
        #expect(throws: Boom.self) { try db.readTransaction { throw Boom() } }
        #expect(db.isInTransaction == false)
    }

    @Test func errorsCarryCodeMessageAndStatement() throws {
        let db = try Connection(path: ":memory:")
        try db.execute("CREATE TABLE t (x INTEGER PRIMARY KEY)")
        try db.run("INSERT INTO t VALUES (1)")
        do {
            try db.run("INSERT INTO t VALUES (1)")
            Issue.record("a duplicate key must fail")
        } catch let error as SQLiteError {
            #expect(error.code.primary == .constraint)
            #expect(error.code != .constraint)  // extended code, same primary
            #expect(error.description.contains("UNIQUE constraint failed: t.x"))
            #expect(error.description.contains("INSERT INTO t VALUES (1)"))
        }
        do {
            _ = try db.prepare("SELEC nonsense")
            Issue.record("bad SQL must fail")
        } catch let error as SQLiteError {
            #expect(error.message.contains("syntax error"))
            #expect(error.sql == "SELEC nonsense")
        }
    }

    @Test func openIsConfiguredForWALAndForeignKeys() throws {
        let dir = try TemporaryDirectory()
        let db = try Connection(path: dir.path("t.sqlite"))
        #expect(try db.rows("PRAGMA journal_mode") == [[.text("wal")]])
        #expect(try db.scalarInt("PRAGMA foreign_keys") == 1)
        #expect(try db.scalarInt("PRAGMA synchronous") == 1)  // NORMAL
        #expect(try db.scalarInt("PRAGMA busy_timeout") == 10_000)
    }

    @Test func aNewDatabasesPageCacheStaysWithinItsKiBWithLargePages() throws {
        // SQLite turns the KiB into pages with the page size of the moment: set before a
        // new file's 32 KiB page size, 1 MiB of cache became 256 pages, 8 MiB.
        let dir = try TemporaryDirectory()
        let db = try Connection(path: dir.path("t.sqlite"), options: ConnectionOptions(cacheSizeKiB: 1_024, newDatabasePageSize: 32_768))
        #expect(try db.pageSize() == 32_768)
        try db.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, b BLOB)")
        try db.transaction {
            let insert = try db.prepare("INSERT INTO t (b) VALUES (zeroblob(6000) || randomblob(100))")
            for _ in 0..<2_000 {
                try insert.run()
                insert.reset()
            }
        }
        #expect(try db.scalarInt("SELECT count(*) FROM t") == 2_000)  // about 12 MB written
        #expect(db.pageCacheBytes <= 1_300_000)
    }

    @Test func unopenablePathNamesTheFile() throws {
        do {
            _ = try Connection(path: "/nonexistent-dir/x.sqlite")
            Issue.record("opening in a missing folder must fail")
        } catch let error as SQLiteError {
            #expect(error.code.primary == .cantOpen)
            #expect(error.description.contains("/nonexistent-dir/x.sqlite"))
        }
    }

    @Test func cachedStatementsAreReused() throws {
        let db = try Connection(path: ":memory:")
        let first = try db.cachedStatement("SELECT 1")
        let second = try db.cachedStatement("SELECT 1")
        #expect(first === second)
    }

    @Test func secondConnectionWaitsOnABusyDatabase() throws {
        let dir = try TemporaryDirectory()
        let path = dir.path("busy.sqlite")
        try Connection(path: path).execute("CREATE TABLE t (x INTEGER)")

        // Another thread takes the write lock and commits only once the second connection
        // is waiting for it inside its busy timeout (SQLite sleeping between retries, which
        // the observing VFS reports): that write must wait instead of failing with SQLITE_BUSY.
        let locked = DispatchSemaphore(value: 0)
        let released = DispatchSemaphore(value: 0)
        let holder = Thread {
            guard let writer = try? Connection(path: path) else { locked.signal(); released.signal(); return }
            try? writer.execute("BEGIN IMMEDIATE")
            try? writer.run("INSERT INTO t VALUES (1)")
            locked.signal()
            SleepObservingVFS.waitForASleep()
            try? writer.execute("COMMIT")
            released.signal()
        }
        holder.start()
        locked.wait()
        let other = try SleepObservingVFS.asDefault {
            try Connection(path: path, options: ConnectionOptions(busyTimeoutMilliseconds: 5_000))
        }
        try other.execute("BEGIN IMMEDIATE")
        try other.run("INSERT INTO t VALUES (2)")
        try other.execute("COMMIT")
        released.wait()
        #expect(try other.scalarInt("SELECT count(*) FROM t") == 2)
    }

    @Test func busyTimeoutZeroFailsWithBusy() throws {
        let dir = try TemporaryDirectory()
        let path = dir.path("busy.sqlite")
        let writer = try Connection(path: path)
        try writer.execute("CREATE TABLE t (x INTEGER)")
        try writer.execute("BEGIN IMMEDIATE")
        let other = try Connection(path: path, options: ConnectionOptions(busyTimeoutMilliseconds: 0))
        do {
            try other.execute("BEGIN IMMEDIATE")
            Issue.record("a second writer with no timeout must get SQLITE_BUSY")
        } catch let error as SQLiteError {
            #expect(error.code.primary == .busy)
        }
        try writer.execute("COMMIT")
    }
}
