import FakeOpenAI
import Foundation
import SQLite
import Testing
import TestSupport

/// `llmq search` as a real process: against a database filled by `llmq run` through the
/// fake OpenAI server, and every bad input with its message.
@Suite(.serialized, .timeLimit(.minutes(2)))
struct SearchEndToEndTests {
    /// A database holding the vectors of `count` embed jobs (`doc-0` …) made by `llmq run`.
    private func corpus(_ server: FakeOpenAIServer, in dir: TemporaryDirectory, count: Int = 30) async throws -> (db: String, inputs: [String: String]) {
        let db = dir.path("q.sqlite")
        let inputs = try writeEmbedCorpus(dir.path("jobs.jsonl"), count: count)
        let run = try await runLLMQInBackground(["run", "--db", db, "--quiet", dir.path("jobs.jsonl")], environment: fakeEnvironment(server))
        #expect(run.status == 0, "stderr: \(run.stderr)")
        return (db, inputs)
    }

    private func embeddingRequests(_ server: FakeOpenAIServer) -> Int {
        server.recordedRequests().filter { $0.path == "/v1/embeddings" }.count
    }

    private func jsonLines(_ text: String) throws -> [[String: Any]] {
        try text.split(separator: "\n").map { try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
    }

    @Test func textQueriesAreEmbeddedOnceAndRankedExactly() async throws {
        let server = try await FakeOpenAIServer.start()
        defer { Task { await server.shutdown() } }
        let dir = try TemporaryDirectory()
        let (db, inputs) = try await corpus(server, in: dir)
        let paid = embeddingRequests(server)

        // A job's own input: its stored vector is the query, no request is sent.
        let own = try await runLLMQInBackground(["search", "--db", db, "--json", "-k", "3", try #require(inputs["doc-7"])],
                                                environment: fakeEnvironment(server))
        #expect(own.status == 0, "stderr: \(own.stderr)")
        let hits = try jsonLines(own.stdout)
        #expect(hits.count == 3)
        #expect(hits.first?["custom_id"] as? String == "doc-7")
        #expect(abs((hits.first?["score"] as? Double ?? 0) - 1) < 1e-5)
        #expect(embeddingRequests(server) == paid, "a text embedded by a job is not paid for again")

        // A new text: one request, then free; the ranking equals a brute force over the
        // vectors the fake server gives.
        let question = "which documents talk about a lease?"
        let first = try await runLLMQInBackground(["search", "--db", db, "--json", "-k", "30", question], environment: fakeEnvironment(server))
        #expect(first.status == 0, "stderr: \(first.stderr)")
        #expect(embeddingRequests(server) == paid + 1)
        let again = try await runLLMQInBackground(["search", "--db", db, "--json", "-k", "30", question], environment: fakeEnvironment(server))
        #expect(again.stdout == first.stdout)
        #expect(embeddingRequests(server) == paid + 1, "a repeated search text is not paid for again")
        let model = "text-embedding-3-small"
        let query = FakeOpenAIServer.embedding(for: question, model: model, dimensions: 1536)
        let expected = inputs.map { id, input -> (String, Double) in
            let vector = FakeOpenAIServer.embedding(for: input, model: model, dimensions: 1536)
            return (id, zip(vector, query).reduce(0) { $0 + Double($1.0) * Double($1.1) })
        }.sorted { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0 < $1.0 }.map(\.0)
        #expect(try jsonLines(first.stdout).map { $0["custom_id"] as? String } == expected)
    }

    @Test func jsonHasTheDocumentedKeysInOrderAndTheTableShowsSnippets() async throws {
        let server = try await FakeOpenAIServer.start()
        defer { Task { await server.shutdown() } }
        let dir = try TemporaryDirectory()
        let (db, inputs) = try await corpus(server, in: dir, count: 12)
        let json = try await runLLMQInBackground(["search", "--db", db, "--like", "doc-3", "--json", "-k", "4"], environment: [:])
        #expect(json.status == 0, "stderr: \(json.stderr)")
        let lines = json.stdout.split(separator: "\n")
        #expect(lines.count == 4)
        for (index, line) in lines.enumerated() {
            #expect(line.hasPrefix(#"{"rank":\#(index + 1),"score":"#))
            let keys = line.split(separator: ",").compactMap { $0.split(separator: ":").first }.filter { $0.hasPrefix("\"") || $0.hasPrefix("{\"") }
            #expect(keys.map { $0.trimmingCharacters(in: CharacterSet(charactersIn: "{\"")) }.prefix(7).elementsEqual(["rank", "score", "custom_id", "chunk", "start", "end", "text"]))
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            let id = try #require(object["custom_id"] as? String)
            #expect(id != "doc-3", "--like leaves its own vector out")
            #expect(object["text"] as? String == inputs[id])
            #expect(object["chunk"] as? Int == 0 && object["start"] as? Int == 0)
            #expect(object["end"] as? Int == inputs[id]?.unicodeScalars.count)
        }
        let table = try await runLLMQInBackground(["search", "--db", db, "--like", "doc-3#0", "-k", "2", "--prefix", "doc-1"], environment: [:])
        #expect(table.status == 0, "stderr: \(table.stderr)")
        let rows = table.stdout.split(separator: "\n")
        #expect(rows.count == 3)
        #expect(rows[0].split(separator: " ") == ["rank", "score", "custom_id", "chunk", "start", "end", "text"])
        #expect(rows.dropFirst().allSatisfy { $0.contains("doc-1") && $0.contains("document 1") })
    }

    @Test func searchSeesVectorsThatARunAddedSinceTheLastSearch() async throws {
        let server = try await FakeOpenAIServer.start()
        defer { Task { await server.shutdown() } }
        let dir = try TemporaryDirectory()
        let (db, _) = try await corpus(server, in: dir, count: 10)
        let before = try await runLLMQInBackground(["search", "--db", db, "--like", "doc-1", "-k", "100", "--json"], environment: [:])
        #expect(before.stdout.split(separator: "\n").count == 9)
        try writeEmbedCorpus(dir.path("more.jsonl"), count: 5, prefix: "new")
        let run = try await runLLMQInBackground(["run", "--db", db, "--quiet", dir.path("more.jsonl")], environment: fakeEnvironment(server))
        #expect(run.status == 0, "stderr: \(run.stderr)")
        let after = try await runLLMQInBackground(["search", "--db", db, "--like", "doc-1", "-k", "100", "--json"], environment: [:])
        #expect(after.stdout.split(separator: "\n").count == 14)
        #expect(after.stdout.contains(#""custom_id":"new-4""#))
    }

    @Test func badInputIsRefusedWithAMessage() async throws {
        let server = try await FakeOpenAIServer.start()
        defer { Task { await server.shutdown() } }
        let dir = try TemporaryDirectory()
        let missing = try runLLMQ(["search", "--db", dir.path("none.sqlite"), "anything"])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("no database at \(dir.path("none.sqlite"))"))
        #expect(!FileManager.default.fileExists(atPath: dir.path("none.sqlite")))

        // Jobs enqueued but not run: no vector yet.
        let db = dir.path("q.sqlite")
        try writeEmbedCorpus(dir.path("jobs.jsonl"), count: 3)
        #expect(try runLLMQ(["enqueue", "--db", db, dir.path("jobs.jsonl")]).status == 0)
        let empty = try runLLMQ(["search", "--db", db, "--like", "doc-0"])
        #expect(empty.status == 2)
        #expect(empty.stderr.contains("no vectors stored yet in \(db)"), "\(empty.stderr)")

        // Two kinds of vectors: 1536 and 256 dimensions.
        try #"{"id": "small-0", "type": "embed", "input": "a short one", "dimensions": 256}"#.write(toFile: dir.path("small.jsonl"), atomically: true, encoding: .utf8)
        let run = try await runLLMQInBackground(["run", "--db", db, "--quiet", dir.path("small.jsonl")], environment: fakeEnvironment(server))
        #expect(run.status == 0, "stderr: \(run.stderr)")
        let ambiguous = try await runLLMQInBackground(["search", "--db", db, "a question"], environment: fakeEnvironment(server))
        #expect(ambiguous.status == 2)
        #expect(ambiguous.stderr.contains("several kinds of vectors are stored: text-embedding-3-small at 256 dims (1 vectors), text-embedding-3-small at 1536 dims (3 vectors); choose one with --model and --dimensions"), "\(ambiguous.stderr)")
        let chosen = try await runLLMQInBackground(["search", "--db", db, "--dimensions", "256", "--json", "a question"], environment: fakeEnvironment(server))
        #expect(chosen.status == 0, "stderr: \(chosen.stderr)")
        #expect(chosen.stdout.contains(#""custom_id":"small-0""#))
        let none = try await runLLMQInBackground(["search", "--db", db, "--model", "other", "a question"], environment: fakeEnvironment(server))
        #expect(none.stderr.contains("no stored vectors of model other; stored: "), "\(none.stderr)")

        let unknown = try runLLMQ(["search", "--db", db, "--like", "nope"])
        #expect(unknown.status == 2)
        #expect(unknown.stderr.contains(#"--like: no job with id "nope""#), "\(unknown.stderr)")
        try #"{"id": "waiting", "type": "embed", "input": "not run yet"}"#.write(toFile: dir.path("wait.jsonl"), atomically: true, encoding: .utf8)
        #expect(try runLLMQ(["enqueue", "--db", db, dir.path("wait.jsonl")]).status == 0)
        let pending = try runLLMQ(["search", "--db", db, "--like", "waiting"])
        #expect(pending.status == 2)
        #expect(pending.stderr.contains(#"--like: job "waiting" has no stored vector (its status is pending"#), "\(pending.stderr)")
        let chunk = try runLLMQ(["search", "--db", db, "--like", "small-0#3"])
        #expect(chunk.stderr.contains(#"--like: job "small-0" has no chunk 3 (it has 1, numbered from 0)"#), "\(chunk.stderr)")

        for k in ["0"] {
            let bad = try runLLMQ(["search", "--db", db, "-k", k, "--like", "small-0"])
            #expect(bad.status == 2)
            #expect(bad.stderr.contains("-k must be at least 1 (got \(k))"), "\(bad.stderr)")
        }
        let both = try runLLMQ(["search", "--db", db, "--like", "small-0", "text"])
        #expect(both.stderr.contains("give either a TEXT to search for or --like ID, not both"))

        let long = String(repeating: "token ", count: 9_000)
        let tooLong = try await runLLMQInBackground(["search", "--db", db, "--dimensions", "1536", long], environment: fakeEnvironment(server))
        #expect(tooLong.status == 2)
        #expect(tooLong.stderr.contains("tokens, over the 8192-token input limit of text-embedding-3-small: shorten it"), "\(tooLong.stderr)")
        let noKey = try runLLMQ(["search", "--db", db, "--dimensions", "1536", "brand new words"])
        #expect(noKey.status == 2)
        #expect(noKey.stderr.contains("OPENAI_API_KEY is not set"), "\(noKey.stderr)")
    }

    @Test func aCorruptScanFileIsRebuiltAndNeverUsed() async throws {
        let server = try await FakeOpenAIServer.start()
        defer { Task { await server.shutdown() } }
        let dir = try TemporaryDirectory()
        let (db, _) = try await corpus(server, in: dir, count: 8)
        let good = try runLLMQ(["search", "--db", db, "--like", "doc-2", "--json"])
        #expect(good.status == 0, "stderr: \(good.stderr)")
        let scan = URL(fileURLWithPath: db + "-search")
        var bytes = try Data(contentsOf: scan)
        // A byte of the first block's int8 codes (past the 4,096-byte header, its block
        // header and model name), which every search reads; the float32 vectors are checked
        // as they are read (ScanFileTests).
        bytes[4096 + 1024] ^= 0x10
        try bytes.write(to: scan)
        let repaired = try runLLMQ(["search", "--db", db, "--like", "doc-2", "--json"])
        #expect(repaired.status == 0, "stderr: \(repaired.stderr)")
        #expect(repaired.stdout == good.stdout)
        #expect(repaired.stderr.contains("llmq: note: scan file \(db)-search was corrupt ("), "\(repaired.stderr)")
        #expect(repaired.stderr.contains("): rebuilt"))
    }
}
