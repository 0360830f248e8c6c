import FakeOpenAI
import Foundation
import SQLite
import Testing
import Tokenizer
import TestSupport

/// Token limits applied by `llmq run` before anything is sent, with exact counts from the
/// built-in rank files.
@Suite(.serialized, .timeLimit(.minutes(2)))
struct TokenLimitsEndToEndTests {
    private func cl100k() async throws -> Encoding {
        try await EncodingStore.shared.encoding(.cl100kBase, locator: RankFileLocator())
    }

    private func writeJobs(_ jobs: [(id: String, input: String)], to path: String) throws {
        var text = ""
        for job in jobs {
            let line = try JSONSerialization.data(withJSONObject: ["id": job.id, "type": "embed", "input": job.input])
            text += String(decoding: line, as: UTF8.self) + "\n"
        }
        try text.write(toFile: path, atomically: true, encoding: .utf8)
    }

    @Test func overLongInputIsFailedBeforeAnyRequest() async throws {
        let server = try await FakeOpenAIServer.start()
        defer { Task { await server.shutdown() } }
        let dir = try TemporaryDirectory()
        let db = dir.path("q.sqlite")
        let long = String(repeating: "token ", count: 9_000)
        try writeJobs([("short", "a short input"), ("long", long)], to: dir.path("jobs.jsonl"))
        let result = try await runLLMQInBackground(["run", "--db", db, "--quiet", dir.path("jobs.jsonl")], environment: fakeEnvironment(server))
        #expect(result.status == 1, "stderr: \(result.stderr)")
        let connection = try Connection(path: db)
        let failed = try connection.rows("SELECT custom_id, last_error FROM jobs WHERE status = 'failed'")
        #expect(failed.count == 1)
        #expect(failed.first?[0] == .text("long"))
        if case .text(let message)? = failed.first?[1] {
            let tokens = try await cl100k().count(long)
            #expect(message.contains("input is \(tokens) tokens, over the 8192-token limit of text-embedding-3-small"))
            #expect(message.contains("--chunk-tokens"))
        }
        #expect(!sentEmbeddingInputs(server).contains(long))
        #expect(sentEmbeddingInputs(server) == ["a short input"])
    }

    @Test func truncateCutsOverLongInputsToTheLimitAndFlagsThem() async throws {
        let server = try await FakeOpenAIServer.start()
        defer { Task { await server.shutdown() } }
        let dir = try TemporaryDirectory()
        let db = dir.path("q.sqlite")
        let long = String(repeating: "naïve café ", count: 5_000)
        try writeJobs([("long", long)], to: dir.path("jobs.jsonl"))
        let result = try await runLLMQInBackground(["run", "--db", db, "--quiet", "--truncate", dir.path("jobs.jsonl")], environment: fakeEnvironment(server))
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let sent = sentEmbeddingInputs(server)
        #expect(sent.count == 1)
        let encoding = try await cl100k()
        #expect(encoding.count(sent[0]) <= 8_192)
        #expect(encoding.count(sent[0]) >= 8_190)
        #expect(long.hasPrefix(sent[0]))
        let connection = try Connection(path: db)
        #expect(try connection.rows("SELECT truncated, chunk, start, end, text FROM embeddings")
            == [[.integer(1), .integer(0), .integer(0), .integer(Int64(sent[0].unicodeScalars.count)), .text(sent[0])]])
        let exported = try await runLLMQInBackground(["export", "--db", db])
        #expect(exported.stdout.contains(#""dimensions":1536,"truncated":true,"embedding":["#))
        #expect(try connection.rows("SELECT input_tokens, tokens_exact FROM jobs") == [[.integer(encoding.count(long) > 0 ? Int64(encoding.count(long)) : 0), .integer(1)]])
    }

    @Test func batchesNeverExceedTheTokenBudgetOrTheBatchSize() async throws {
        let server = try await FakeOpenAIServer.start()
        defer { Task { await server.shutdown() } }
        let dir = try TemporaryDirectory()
        let db = dir.path("q.sqlite")
        var jobs: [(id: String, input: String)] = []
        for i in 0..<60 {
            jobs.append(("d\(i)", "document \(i): " + String(repeating: "lorem ipsum dolor ", count: 1 + i % 7)))
        }
        try writeJobs(jobs, to: dir.path("jobs.jsonl"))
        let result = try await runLLMQInBackground(["run", "--db", db, "--quiet", "--max-batch-tokens", "60", "--batch-size", "5", dir.path("jobs.jsonl")],
                                 environment: fakeEnvironment(server))
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let encoding = try await cl100k()
        let requests = server.recordedRequests().filter { $0.path == "/v1/embeddings" }
        #expect(requests.count > 12)
        var total = 0
        for request in requests {
            guard case .array(let items)? = request.body?["input"] else { continue }
            let inputs = items.compactMap(\.stringValue)
            total += inputs.count
            #expect(inputs.count <= 5)
            #expect(inputs.map { encoding.count($0) }.reduce(0, +) <= 60)
        }
        #expect(total == 60)
    }

    @Test func maxBatchTokensOutOfRangeExitsTwo() async throws {
        let dir = try TemporaryDirectory()
        let result = try await runLLMQInBackground(["run", "--db", dir.path("q.sqlite"), "--max-batch-tokens", "400000"], environment: ["OPENAI_API_KEY": "sk-test"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("--max-batch-tokens must be between 1 and 300000 (the API's limit), got 400000"))
    }
}
