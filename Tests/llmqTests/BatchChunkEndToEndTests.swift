import FakeOpenAI
import Foundation
import SQLite
import Testing
import TestSupport

/// Chunked embed jobs through `llmq run --batch-api` as a real process against the fake
/// server: each chunk one input, stored as a synchronous run stores it, never paid twice.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct BatchChunkEndToEndTests {
    /// A stored chunk without its job's input: what both run modes must agree on.
    private func rows(_ db: String) throws -> [[String]] {
        try storedChunks(db).map { [$0.customID, "\($0.chunk)", "\($0.start)", "\($0.end)", $0.text, $0.model, "\($0.dimensions)",
                                    $0.vector.map { String($0) }.joined(separator: ",")] }
    }

    @Test func chunkedDocumentsGoThroughBatchesOneInputPerChunkStoredExactlyAsASynchronousRunStoresThem() async throws {
        let sync = try await FakeOpenAIServer.start()
        defer { Task { await sync.shutdown() } }
        let batch = try await FakeOpenAIServer.start()
        defer { Task { await batch.shutdown() } }
        let dir = try TemporaryDirectory()
        let folder = try writeDocumentFolder(dir)
        let flags = ["--quiet", "--files", folder, "--chunk-tokens", "90", "--chunk-overlap", "10"]
        let viaSync = try await runLLMQInBackground(["run", "--db", dir.path("sync.sqlite")] + flags, environment: fakeEnvironment(sync))
        #expect(viaSync.status == 0, "stderr: \(viaSync.stderr)")
        let viaBatch = try await runLLMQInBackground(["run", "--db", dir.path("batch.sqlite"), "--batch-api", "--wait", "--poll-interval", "0.02"]
                                                     + flags, environment: fakeEnvironment(batch))
        #expect(viaBatch.status == 0, "stderr: \(viaBatch.stderr)")
        #expect(try statusCounts(dir.path("batch.sqlite")) == ["succeeded": 3])
        let stored = try rows(dir.path("batch.sqlite"))
        #expect(stored.count > 20)
        #expect(stored == (try rows(dir.path("sync.sqlite"))), "chunk, span, text and vector as the synchronous run stores them")
        // Each distinct chunk text was one input of a batch line, sent once, and nothing went synchronously.
        let texts = Set(try storedChunks(dir.path("batch.sqlite")).map(\.text))
        #expect(batch.batchEmbeddedInputs().sorted() == texts.sorted())
        #expect(batch.stats().embeddingInputs == 0)
    }
}
