import Foundation
import Testing
@testable import JobQueue
@testable import SQLite
import TestSupport

/// Stored vectors are found by input before and after their index rows are merged, by
/// other connections once merged, and never through an entry whose vector was replaced.
struct VectorIndexTests {
    private static let owner = "test:1:vector-index"

    private func lines(_ inputs: [(id: String, input: String)]) -> String {
        inputs.map { #"{"id": "\#($0.id)", "type": "embed", "input": "\#($0.input)"}"# + "\n" }.joined()
    }

    private func complete(_ jobs: [ClaimedJob], in store: JobStore, value: Float) throws {
        try store.complete(embeddings: jobs.map {
            EmbeddingResult(jobID: $0.id, requestHash: $0.requestHash, model: "m", vector: EmbeddingResult.littleEndianBytes([value]),
                            dimensions: 1, inputTokens: 1, reused: false)
        })
    }

    @Test func vectorsAreFoundBeforeAndAfterTheMergeAndByOtherConnectionsOnceMerged() throws {
        let queue = try QueueFixture(lines([("a", "alpha"), ("b", "beta")]))
        let jobs = try queue.store.claim(kind: .embed, limit: 2, owner: Self.owner, leaseSeconds: 60)
        try complete(jobs, in: queue.store, value: 0.5)
        let other = try queue.openAnother()
        #expect(try queue.store.db.scalarInt("SELECT count(*) FROM vector_index_pending") == 2)
        #expect(try queue.store.storedVector(forRequestHash: jobs[0].requestHash)?.vector == EmbeddingResult.littleEndianBytes([0.5]))
        #expect(try other.storedVector(forRequestHash: jobs[0].requestHash) == nil, "not visible to another process before the merge")

        try queue.store.mergeVectorIndex()
        #expect(try queue.store.db.scalarInt("SELECT count(*) FROM vector_index_pending") == 0)
        #expect(try queue.store.db.scalarInt("SELECT count(*) FROM vector_index") == 2)
        #expect(try queue.store.recentVectors.isEmpty)
        for store in [queue.store, other] {
            let found = try store.storedVectors(forRequestHashes: jobs.map(\.requestHash) + [[UInt8](repeating: 0, count: 32)])
            #expect(found.count == 2)
            #expect(found[jobs[1].requestHash]?.vector == EmbeddingResult.littleEndianBytes([0.5]))
        }
    }

    @Test func theStoreMergesOnItsOwnEveryFewVectors() throws {
        let queue = try QueueFixture(lines((0..<5).map { ("j\($0)", "text \($0)") }))
        queue.store.vectorIndexMergeRows = 2
        for job in try queue.store.claim(kind: .embed, limit: 5, owner: Self.owner, leaseSeconds: 60) {
            try complete([job], in: queue.store, value: 1)
        }
        #expect(try queue.store.db.scalarInt("SELECT count(*) FROM vector_index") == 4)
        #expect(try queue.store.db.scalarInt("SELECT count(*) FROM vector_index_pending") == 1)
    }

    @Test func anEntryWhoseVectorWasReplacedIsIgnoredAndAnotherSourceIsUsed() throws {
        let queue = try QueueFixture(lines([("a", "shared"), ("b", "shared"), ("c", "shared")]))
        let jobs = try queue.store.claim(kind: .embed, limit: 3, owner: Self.owner, leaseSeconds: 60)
        try complete(Array(jobs.prefix(2)), in: queue.store, value: 2)
        try queue.store.mergeVectorIndex()
        // "a" gets new content and a new vector: its old index entry no longer matches.
        try queue.enqueue(lines([("a", "changed")]))
        let changed = try queue.store.claim(kind: .embed, limit: 1, owner: Self.owner, leaseSeconds: 60)
        try complete(changed, in: queue.store, value: 3)
        try queue.store.mergeVectorIndex()
        let other = try queue.openAnother()
        #expect(try other.storedVector(forRequestHash: jobs[2].requestHash)?.vector == EmbeddingResult.littleEndianBytes([2]), "b still has it")
        #expect(try other.storedVector(forRequestHash: changed[0].requestHash)?.vector == EmbeddingResult.littleEndianBytes([3]))
    }

    @Test func migratingAVersionTwoDatabaseIndexesItsStoredVectors() throws {
        let dir = try TemporaryDirectory()
        let path = dir.path("q.sqlite")
        let hash = [UInt8](repeating: 7, count: 32)
        do {
            let db = try Connection(path: path)
            try Migrator(migrations: allMigrations.filter { $0.version <= 2 }).migrate(db)
            try db.run("""
                INSERT INTO jobs (id, custom_id, kind, status, model, dimensions, request, request_hash, created_at, updated_at)
                VALUES (1, 'old', 'embed', 'succeeded', 'm', 1, '{}', ?1, 0, 0)
                """, .blob(hash))
            try db.run("INSERT INTO embeddings (job_id, model, dimensions, vector, input_hash, created_at) VALUES (1, 'm', 1, ?1, ?2, 0)",
                       .blob([1, 2, 3, 4]), .blob(hash))
        }
        let store = try JobStore(path: path)
        #expect(try store.db.userVersion() == JobStore.latestSchemaVersion)
        #expect(try store.storedVector(forRequestHash: hash)?.vector == [1, 2, 3, 4])
    }
}
