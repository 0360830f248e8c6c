import Foundation
import Testing
@testable import JobQueue
@testable import SQLite
import TestSupport

struct MigrationTests {
    @Test func freshDatabaseGetsEveryTableAndTheLatestVersion() throws {
        let dir = try TemporaryDirectory()
        let store = try JobStore(path: dir.path("q.sqlite"))
        #expect(try store.db.userVersion() == JobStore.latestSchemaVersion)
        #expect(JobStore.latestSchemaVersion >= 1)
        let tables = try store.db.rows("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").compactMap { row -> String? in
            if case .text(let name) = row[0] { return name } else { return nil }
        }
        for table in ["jobs", "embeddings", "generations"] {
            #expect(tables.contains(table))
        }
        let jobColumns = try columns(of: "jobs", in: store.db)
        for column in ["id", "custom_id", "kind", "status", "attempts", "last_error"] {
            #expect(jobColumns.contains(column))
        }
        #expect(try columns(of: "embeddings", in: store.db).isSuperset(of: ["job_id", "model", "dimensions", "vector"]))
        #expect(try columns(of: "generations", in: store.db).isSuperset(of: [
            "job_id", "model", "content", "finish_reason", "input_tokens", "output_tokens",
        ]))
    }

    @Test func reopeningKeepsDataAndVersion() throws {
        let dir = try TemporaryDirectory()
        let path = dir.path("q.sqlite")
        do {
            let store = try JobStore(path: path)
            _ = try enqueueText(#"{"id": "a", "type": "embed", "input": "x"}"#, into: store)
        }
        let reopened = try JobStore(path: path)
        #expect(try reopened.db.userVersion() == JobStore.latestSchemaVersion)
        #expect(try reopened.db.scalarInt("SELECT count(*) FROM jobs") == 1)
    }

    @Test func newerDatabaseIsRefusedUntouched() throws {
        let dir = try TemporaryDirectory()
        let path = dir.path("q.sqlite")
        do {
            let db = try Connection(path: path)
            try db.execute("PRAGMA user_version = 999")
        }
        do {
            _ = try JobStore(path: path)
            Issue.record("a newer schema must be refused")
        } catch let error as JobQueueError {
            #expect(error.code == .schemaTooNew)
            #expect(error.description.contains("schema version 999"))
            #expect(error.description.contains("knows versions up to \(JobStore.latestSchemaVersion)"))
        }
        let db = try Connection(path: path)
        #expect(try db.scalarInt("SELECT count(*) FROM sqlite_master") == 0)
    }

    @Test func migrationsApplyInOrderEachInItsTransaction() throws {
        let db = try Connection(path: ":memory:")
        let migrations = [
            EmbeddedMigration(version: 2, name: "0002_b", sql: "ALTER TABLE a ADD COLUMN y INTEGER;"),
            EmbeddedMigration(version: 1, name: "0001_a", sql: "CREATE TABLE a (x INTEGER);"),
            EmbeddedMigration(version: 3, name: "0003_bad", sql: "CREATE TABLE c (z INTEGER); SELECT nonsense FROM nowhere;"),
        ]
        do {
            try Migrator(migrations: migrations).migrate(db)
            Issue.record("a failing migration must throw")
        } catch let error as JobQueueError {
            #expect(error.description.contains("0003_bad.sql"))
        }
        #expect(try db.userVersion() == 2)
        #expect(try db.scalarInt("SELECT count(*) FROM sqlite_master WHERE name = 'c'") == 0)
        #expect(try db.scalarInt("SELECT count(*) FROM pragma_table_info('a') WHERE name = 'y'") == 1)
    }

    @Test func embeddedMigrationsMatchTheFilesInMigrationsFolder() throws {
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("migrations")
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".sql") }.sorted()
        #expect(allMigrations.map { "\($0.name).sql" } == names)
        for migration in allMigrations {
            let text = try String(contentsOf: folder.appendingPathComponent("\(migration.name).sql"), encoding: .utf8)
            #expect(migration.sql == text)
        }
    }

    private func columns(of table: String, in db: Connection) throws -> Set<String> {
        Set(try db.rows("SELECT name FROM pragma_table_info('\(table)')").compactMap { row -> String? in
            if case .text(let name) = row[0] { return name } else { return nil }
        })
    }
}
