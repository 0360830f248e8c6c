import Foundation
import Testing
@testable import SQLite
import TestSupport

/// Checkpoints run on their own connection and thread, and the WAL stays bounded even
/// when they fall behind.
struct WALCheckpointerTests {
    private static let pageBytes = 4096

    /// Commits `transactions` transactions of about `pagesEach` fresh pages each.
    private func write(_ db: Connection, transactions: Int, pagesEach: Int) throws {
        let blob = [UInt8](repeating: 7, count: Self.pageBytes - 100)
        let insert = try db.prepare("INSERT INTO t (b) VALUES (?1)")
        for _ in 0..<transactions {
            try db.transaction {
                for _ in 0..<pagesEach {
                    try insert.bind(blob, at: 1)
                    try insert.run()
                    insert.reset()
                }
            }
        }
    }

    /// Pages in the WAL now (`PRAGMA wal_checkpoint` reports them, after a passive checkpoint).
    private func walPages(_ db: Connection) throws -> Int64 {
        guard case .integer(let pages) = try db.rows("PRAGMA wal_checkpoint(PASSIVE)")[0][1] else { return -1 }
        return pages
    }

    private func fileSize(_ path: String) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int) ?? 0
    }

    @Test func theBackgroundConnectionCopiesTheWALIntoTheDatabase() throws {
        let dir = try TemporaryDirectory()
        let path = dir.path("t.sqlite")
        // A limit the writer never reaches: only the background connection checkpoints.
        let db = try Connection(path: path, options: ConnectionOptions(walCheckpointPages: 20, walLimitPages: 1_000_000))
        try db.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, b BLOB)")
        let before = fileSize(path)
        try write(db, transactions: 30, pagesEach: 10)
        db.waitForBackgroundCheckpoints()
        #expect(fileSize(path) - before >= 250 * Self.pageBytes, "the database file grew by the checkpointed pages")
        let reader = try Connection(path: path, options: ConnectionOptions(readOnly: true))
        #expect(try reader.rows("SELECT count(*) FROM t") == [[.integer(300)]])
    }

    @Test func theWALStartsOverAtItsLimitAndNoRowIsLost() throws {
        let dir = try TemporaryDirectory()
        let path = dir.path("t.sqlite")
        // Background checkpoints never start: the writer's limit is all that bounds the WAL.
        let db = try Connection(path: path, options: ConnectionOptions(walCheckpointPages: 1_000_000, walLimitPages: 50))
        try db.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, b BLOB)")
        try write(db, transactions: 40, pagesEach: 10)
        let frameBytes = Self.pageBytes + 24
        #expect(fileSize(path + "-wal") <= 32 + (50 + 10 + 5) * frameBytes, "the WAL is bounded by the limit plus one transaction")
        let other = try Connection(path: path)
        #expect(try other.rows("SELECT count(*) FROM t") == [[.integer(400)]])
    }

    @Test func aLongReaderDoesNotHoldUpEveryCommitAtTheLimit() throws {
        let dir = try TemporaryDirectory()
        let path = dir.path("t.sqlite")
        let db = try Connection(path: path, options: ConnectionOptions(walCheckpointPages: 1_000_000, walLimitPages: 50))
        try db.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, b BLOB)")
        try write(db, transactions: 1, pagesEach: 10)
        // An export-like reader keeps its snapshot (and so the WAL) for the whole time.
        let reader = try Connection(path: path)
        try reader.execute("BEGIN")
        #expect(try reader.rows("SELECT count(*) FROM t") == [[.integer(10)]])
        try write(db, transactions: 13, pagesEach: 10)
        // Past 50 pages the writer tries once, fails (the reader), and tries again only
        // after another 50 pages: not on each of the ten or so commits over the limit.
        #expect(db.forcedCheckpointAttempts >= 1)
        #expect(db.forcedCheckpointAttempts <= 3)
        #expect(try walPages(db) > 100, "the reader kept the WAL from starting over")
        try reader.execute("COMMIT")
        try write(db, transactions: 6, pagesEach: 10)
        #expect(try walPages(db) <= 50 + 12, "with the reader gone the WAL started over")
        #expect(try reader.rows("SELECT count(*) FROM t") == [[.integer(200)]])
    }
}
