import Foundation
import Testing
@testable import JobQueue
@testable import SQLite
import TestSupport

/// One `embeddings` row per chunk: migration of older files, chunk rows stored before the
/// job's last one, the job done once every chunk has a row for its current request, stale
/// rows dropped then, vectors found again per chunk.
struct ChunkStoreTests {
    private static let owner = "test:1:chunks"

    private func vector(_ value: Float) -> [UInt8] { EmbeddingResult.littleEndianBytes([value]) }

    private func chunkResult(_ job: ClaimedJob, index: Int, of count: Int, text: String, start: Int, value: Float = 1) -> EmbeddingResult {
        let hash = JobSpec.embedHash(input: text, model: job.model, dimensions: job.dimensions)
        return EmbeddingResult(jobID: job.id, requestHash: job.requestHash, model: "m", vector: vector(value)[...], dimensions: 1,
                               inputTokens: 1, reused: false,
                               chunk: EmbeddedChunk(index: index, start: start, end: start + text.unicodeScalars.count, text: text,
                                                    inputHash: hash, chunkCount: count))
    }

    @Test func olderVectorsBecomeChunkZeroSpanningTheWholeInput() throws {
        let dir = try TemporaryDirectory()
        let path = dir.path("q.sqlite")
        let hash = [UInt8](repeating: 9, count: 32)
        do {
            let db = try Connection(path: path)
            try Migrator(migrations: allMigrations.filter { $0.version <= 4 }).migrate(db)
            try db.run("""
                INSERT INTO jobs (id, custom_id, kind, status, model, dimensions, request, request_hash, created_at, updated_at)
                VALUES (1, 'old', 'embed', 'succeeded', 'm', 1, '{"input":"héllo wörld 🎉","kind":"embed","model":"m"}', ?1, 0, 0)
                """, .blob(hash))
            try db.run("""
                INSERT INTO embeddings (job_id, model, dimensions, vector, input_hash, input_tokens, reused, created_at, truncated)
                VALUES (1, 'm', 1, ?1, ?2, 5, 0, 0, 0)
                """, .blob(vector(3)), .blob(hash))
            try db.run("INSERT INTO vector_index (input_hash, job_id) VALUES (?1, 1)", .blob(hash))
        }
        let store = try JobStore(path: path)
        #expect(try store.db.userVersion() == JobStore.latestSchemaVersion)
        #expect(try store.db.rows("SELECT chunk, start, end, text, input_tokens FROM embeddings") == [[
            .integer(0), .integer(0), .integer(13), .text("héllo wörld 🎉"), .integer(5),
        ]])
        #expect(try store.storedVector(forRequestHash: hash)?.vector == vector(3))
        // The README's query keeps working.
        #expect(try store.db.rows("SELECT j.custom_id, e.vector FROM jobs j JOIN embeddings e ON e.job_id = j.id WHERE j.status = 'succeeded'")
            == [[.text("old"), .blob(vector(3))]])
    }

    @Test func anUnchunkedResultIsChunkZeroWithTheWholeInputAsText() throws {
        let queue = try QueueFixture(#"{"id": "a", "type": "embed", "input": "naïve café"}"# + "\n")
        let jobs = try queue.store.claim(kind: .embed, limit: 1, owner: Self.owner, leaseSeconds: 60)
        let written = try queue.store.complete(embeddings: [EmbeddingResult(
            jobID: jobs[0].id, requestHash: jobs[0].requestHash, model: "m", vector: vector(1), dimensions: 1, inputTokens: 2, reused: false)])
        #expect(written == 1)
        #expect(try queue.store.db.rows("SELECT chunk, start, end, text FROM embeddings") == [[.integer(0), .integer(0), .integer(10), .text("naïve café")]])
        #expect(try queue.status("a") == "succeeded")
    }

    @Test func chunksAreStoredBeforeTheLastOneWhichCompletesTheJobAndDropsStaleRows() throws {
        let queue = try QueueFixture(#"{"id": "doc", "type": "embed", "input": "one two three"}"# + "\n")
        var jobs = try queue.store.claim(kind: .embed, limit: 1, owner: Self.owner, leaseSeconds: 60)
        // An earlier version of the input had three chunks.
        try queue.store.complete(embeddings: [
            chunkResult(jobs[0], index: 0, of: 3, text: "one ", start: 0),
            chunkResult(jobs[0], index: 1, of: 3, text: "two ", start: 4),
            chunkResult(jobs[0], index: 2, of: 3, text: "three", start: 8),
        ])
        #expect(try queue.store.db.scalarInt("SELECT count(*) FROM embeddings") == 3)
        try queue.enqueue(#"{"id": "doc", "type": "embed", "input": "one two!"}"# + "\n")
        jobs = try queue.store.claim(kind: .embed, limit: 1, owner: Self.owner, leaseSeconds: 60)
        let partial = try queue.store.complete(embeddings: [chunkResult(jobs[0], index: 0, of: 2, text: "one ", start: 0, value: 5)])
        #expect(partial == 0)
        #expect(try queue.status("doc") == "running", "a job is not done before its last chunk")
        let stored = try #require(try queue.store.storedVector(forRequestHash: JobSpec.embedHash(input: "one ", model: jobs[0].model, dimensions: jobs[0].dimensions)))
        #expect(stored.vector == vector(5))
        let done = try queue.store.complete(embeddings: [chunkResult(jobs[0], index: 1, of: 2, text: "two!", start: 4)])
        #expect(done == 1)
        #expect(try queue.status("doc") == "succeeded")
        #expect(try queue.store.db.rows("SELECT chunk, start, end, text FROM embeddings ORDER BY chunk") == [
            [.integer(0), .integer(0), .integer(4), .text("one ")], [.integer(1), .integer(4), .integer(8), .text("two!")],
        ])
    }

    @Test func aChunkForARequestChangedMeanwhileIsDropped() throws {
        let queue = try QueueFixture(#"{"id": "doc", "type": "embed", "input": "first"}"# + "\n")
        let jobs = try queue.store.claim(kind: .embed, limit: 1, owner: Self.owner, leaseSeconds: 60)
        try queue.enqueue(#"{"id": "doc", "type": "embed", "input": "second"}"# + "\n")
        try queue.store.complete(embeddings: [chunkResult(jobs[0], index: 0, of: 2, text: "fir", start: 0)])
        #expect(try queue.store.db.scalarInt("SELECT count(*) FROM embeddings") == 0)
    }

    @Test func theReadmeQueryReturnsEachChunksTextWithItsVectorInTheSQLiteShell() throws {
        guard let sqlite3 = ["/usr/bin/sqlite3", "/usr/local/bin/sqlite3"].first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            print("skipped: the sqlite3 command-line shell is not installed (apt-get install sqlite3)")
            return
        }
        let queue = try QueueFixture(#"{"id": "doc", "type": "embed", "input": "Ab. Cd"}"# + "\n")
        let jobs = try queue.store.claim(kind: .embed, limit: 1, owner: Self.owner, leaseSeconds: 60)
        try queue.store.complete(embeddings: [
            chunkResult(jobs[0], index: 0, of: 2, text: "Ab. ", start: 0, value: 1),
            chunkResult(jobs[0], index: 1, of: 2, text: "Cd", start: 4, value: 2),
        ])
        let readme = try String(contentsOf: URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("README.md"), encoding: .utf8)
        let marker = "-- each chunk's text with its vector"
        let query = try #require(readme.components(separatedBy: "\n").drop { !$0.hasPrefix(marker) }.dropFirst().prefix { !$0.hasPrefix("```") }
            .joined(separator: "\n"), "README.md shows the chunk query after the line \(marker)")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: sqlite3)
        process.arguments = ["-readonly", queue.dir.path("q.sqlite"), query.replacingOccurrences(of: "e.vector", with: "hex(e.vector)")]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(text == "doc|0|0|4|Ab. |0000803F\ndoc|1|4|6|Cd|00000040\n")
    }
}
