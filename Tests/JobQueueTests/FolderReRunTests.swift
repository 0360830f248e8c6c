import Chunker
import Foundation
import Testing
@testable import JobQueue
@testable import SQLite
import TestSupport

/// A re-run of `enqueue --files` over a folder tree: what decides "unchanged" without
/// reading a file, folder by folder, and what the stored rows of an older llmq still say.
struct FolderReRunTests {
    private static let defaults = JobDefaults(embeddingModel: "text-embedding-3-small")

    /// Files at four depths, a folder between them holding no file, and names beyond ASCII.
    private static let files = [
        "top.md", "zeta.txt", "a/one.md", "a/two.md", "a/b/c/deep.md", "a/b/c/d/deeper.md", "a/sibling/x.md",
        "ünïcödé/日本語.md", "z/last.md",
    ]

    private func writeTree(_ root: String) throws {
        for (index, file) in Self.files.enumerated() { try write("text \(index) of \(file)\n", root + "/" + file) }
    }

    private func write(_ text: String, _ path: String) throws {
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try text.write(toFile: path, atomically: false, encoding: .utf8)
    }

    private func enqueue(_ root: String, into store: JobStore, prune: Bool = false) throws -> FilesOutcome {
        let ingest = try store.beginIngest(sources: ["files:" + root])
        return try store.enqueueFiles(FolderWalk(root: root), ingestID: ingest, defaults: Self.defaults, maxBytes: 1 << 20, prune: prune) { _, _ in }
    }

    /// The tree written under `dir` and enqueued once into a new database there.
    private func enqueuedTree(in dir: TemporaryDirectory) throws -> (root: String, store: JobStore) {
        let root = dir.path("docs")
        try writeTree(root)
        let store = try JobStore(path: dir.path("q.sqlite"))
        _ = try enqueue(root, into: store)
        return (root, store)
    }

    private func counts(added: Int = 0, updated: Int = 0, unchanged: Int = 0) -> EnqueueCounts {
        var counts = EnqueueCounts()
        counts.added = added
        counts.updated = updated
        counts.unchanged = unchanged
        return counts
    }

    @Test func anUnchangedTreeIsUnchangedAtEveryDepthAndAnEditedDeepFileIsReadAgain() throws {
        let dir = try TemporaryDirectory()
        let root = dir.path("docs")
        try writeTree(root)
        let store = try JobStore(path: dir.path("q.sqlite"))
        #expect(try enqueue(root, into: store).counts == counts(added: Self.files.count))
        let rows = try store.db.rows("SELECT folder, name FROM file_jobs f JOIN jobs j ON j.id = f.job_id WHERE j.custom_id = f.folder || f.name ORDER BY 1, 2")
        #expect(rows.count == Self.files.count, "folder || name is every job's id")
        #expect(rows.contains([.text("a/b/c/d/"), .text("deeper.md")]) && rows.contains([.text(""), .text("top.md")]))

        #expect(try enqueue(root, into: store).counts == counts(unchanged: Self.files.count))
        try write("an edited deep file, longer than before\n", root + "/a/b/c/deep.md")
        #expect(try enqueue(root, into: store).counts == counts(updated: 1, unchanged: Self.files.count - 1))
    }

    @Test func aFolderWithMoreFilesThanTheLimitIsLookedUpFileByFileWithTheSameAnswers() throws {
        let dir = try TemporaryDirectory()
        let (root, store) = try enqueuedTree(in: dir)
        try write("new\n", root + "/a/new.md")
        let walk = try FolderWalk(root: root)
        for limit in [1, 2, StoredFileSignatures.folderLimit] {  // a/ holds 3 stored files: over the limit, at it, under it
            var stored = try StoredFileSignatures(db: store.db, root: walk.realRoot, limit: limit)
            var signature = JobStore.FileSignature(model: Self.defaults.embeddingModel, dimensions: ModelCatalog.nativeDimensions(of: Self.defaults.embeddingModel), defaults: Self.defaults)
            var found: [String: Bool] = [:]
            try walk.forEach({ entry in
                let digest = try stored.signature(of: entry)
                #expect(digest == nil || digest == signature(entry), "\(entry.relativePath), limit \(limit)")
                found[entry.relativePath] = digest != nil
            }, notice: { message, _ in Issue.record("\(message)") })
            #expect(found == Dictionary(uniqueKeysWithValues: (Self.files.map { ($0, true) }) + [("a/new.md", false)]), "limit \(limit)")
        }
    }

    @Test func aDatabaseFromBeforeSchemaNineReRunsAsUnchanged() throws {
        let dir = try TemporaryDirectory()
        let root = dir.path("docs")
        try writeTree(root)
        let path = dir.path("q.sqlite")
        do {
            let store = try JobStore(path: path)
            _ = try enqueue(root, into: store)
            // Back to the version-8 schema: `file_jobs` as migration 0005 made it, with the rows an older llmq wrote.
            try store.db.execute("""
                DROP TRIGGER file_jobs_job_deleted;
                DROP INDEX file_jobs_folder;
                ALTER TABLE file_jobs DROP COLUMN name;
                ALTER TABLE file_jobs DROP COLUMN folder;
                CREATE INDEX file_jobs_root ON file_jobs (root, ingest_id);
                PRAGMA user_version = 8;
                """)
        }
        let store = try JobStore(path: path)
        #expect(try store.db.userVersion() == JobStore.latestSchemaVersion)
        #expect(try store.db.scalarInt("SELECT count(*) FROM file_jobs f JOIN jobs j ON j.id = f.job_id WHERE j.custom_id = f.folder || f.name") == Self.files.count)
        #expect(try enqueue(root, into: store).counts == counts(unchanged: Self.files.count))
        try FileManager.default.removeItem(atPath: root + "/a/b/c/d/deeper.md")
        #expect(try enqueue(root, into: store, prune: true).pruned == 1)
    }

    @Test func aJobDeletedWithForeignKeysOffTakesItsFileJobAlongAndTheFileIsReadAgain() throws {
        let dir = try TemporaryDirectory()
        let (root, store) = try enqueuedTree(in: dir)
        try store.db.execute("PRAGMA foreign_keys = OFF")
        try store.db.run("DELETE FROM jobs WHERE custom_id = 'a/one.md'")
        try store.db.execute("PRAGMA foreign_keys = ON")
        #expect(try store.db.scalarInt("SELECT count(*) FROM file_jobs WHERE folder = 'a/' AND name = 'one.md'") == 0)
        #expect(try enqueue(root, into: store).counts == counts(added: 1, unchanged: Self.files.count - 1))
    }
}
