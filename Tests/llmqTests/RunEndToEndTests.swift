import FakeOpenAI
import Foundation
import SQLite
import Testing
import TestSupport

/// `llmq run` as a real process against the fake OpenAI server on 127.0.0.1.
@Suite(.serialized, .timeLimit(.minutes(2)))
struct RunEndToEndTests {
    @Test func mixedJobFileRunsToCompletionWithBitExactVectorsAndStoredReplies() async throws {
        let server = try await FakeOpenAIServer.start()
        defer { Task { await server.shutdown() } }
        let dir = try TemporaryDirectory()
        let db = dir.path("q.sqlite")
        let example = jobsFolder.appendingPathComponent("example.jsonl").path
        let result = try await runLLMQInBackground(["run", "--db", db, "--quiet", example], environment: fakeEnvironment(server))
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(result.stdout.contains("run: 14 succeeded, 0 failed, 1 reused vectors"))
        #expect(try statusCounts(db) == ["succeeded": 14])

        let connection = try Connection(path: db)
        let vectors = try connection.rows("""
            SELECT jobs.request, embeddings.model, embeddings.dimensions, embeddings.vector
            FROM jobs JOIN embeddings ON embeddings.job_id = jobs.id
            """)
        #expect(vectors.count == 9)
        for row in vectors {
            guard case .text(let request) = row[0], case .text(let model) = row[1], case .integer(let dims) = row[2],
                  case .blob(let bytes) = row[3] else {
                Issue.record("unexpected row \(row)")
                continue
            }
            let input = try #require(try JSONSerialization.jsonObject(with: Data(request.utf8)) as? [String: Any])["input"] as? String
            let expected = FakeOpenAIServer.embedding(for: try #require(input), model: model, dimensions: Int(dims))
            #expect(bytes.count == Int(dims) * 4)
            #expect(bytes == littleEndian(expected))
        }
        let replies = try connection.rows("SELECT content, finish_reason, input_tokens, output_tokens FROM generations")
        #expect(replies.count == 5)
        for row in replies {
            guard case .text(let content) = row[0] else {
                Issue.record("reply without content: \(row)")
                continue
            }
            #expect(content.hasPrefix("Fake reply"))
            #expect(row[2] != .null && row[3] != .null)
        }
        // The system message, the context message and the prompt went out in that order.
        let chat = server.recordedRequests().first { request in
            request.path == "/v1/chat/completions" && request.body?["messages"].map { "\($0)".contains("Context:") } == true
        }
        guard case .array(let messages)? = chat?.body?["messages"] else {
            Issue.record("no chat request with context was sent")
            return
        }
        #expect(messages.compactMap { $0["role"]?.stringValue } == ["system", "user", "user"])
        #expect(messages[1]["content"]?.stringValue?.hasPrefix("Context:\n") == true)
    }

    @Test func rateLimitStormIsRiddenOutAndThePauseIsShared() async throws {
        let server = try await FakeOpenAIServer.start()
        defer { Task { await server.shutdown() } }
        let dir = try TemporaryDirectory()
        let db = dir.path("q.sqlite")
        let corpus = dir.path("corpus.jsonl")
        try writeEmbedCorpus(corpus, count: 40)
        server.enqueueFaults(Array(repeating: .rateLimit(retryAfterMs: 300), count: 3), path: "/v1/embeddings")
        let result = try await runLLMQInBackground(["run", "--db", db, "--quiet", "--batch-size", "4", "--concurrency", "4", corpus],
                                 environment: fakeEnvironment(server))
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(try statusCounts(db) == ["succeeded": 40])
        #expect(server.stats().rateLimited == 3)
        // After the first 429, no request arrived before its retry-after-ms had passed:
        // the pause held back every sender, not only the one that was told.
        let requests = server.recordedRequests()
        let first429 = try #require(requests.first)
        // Requests sent before the first 429 came back cannot have been held; allow 30 ms
        // for that answer to travel, then nothing may arrive until the pause is over.
        let later = requests.filter { $0.receivedAtNanos > first429.receivedAtNanos + 30_000_000 }
        #expect(!later.isEmpty)
        for request in later {
            #expect(request.receivedAtNanos >= first429.receivedAtNanos + 290_000_000)
        }
        #expect(result.stdout.contains("3 429s"))
    }

    @Test(arguments: [FakeFault.insufficientQuota, .unauthorized])
    func refusedCredentialsOrQuotaExit77WithNoJobFailed(fault: FakeFault) async throws {
        let server = try await FakeOpenAIServer.start()
        defer { Task { await server.shutdown() } }
        let dir = try TemporaryDirectory()
        let db = dir.path("q.sqlite")
        let corpus = dir.path("corpus.jsonl")
        try writeEmbedCorpus(corpus, count: 12)
        server.enqueueFaults([fault])
        let result = try await runLLMQInBackground(["run", "--db", db, "--quiet", "--batch-size", "4", "--concurrency", "1", corpus],
                                 environment: fakeEnvironment(server))
        #expect(result.status == 77, "stdout: \(result.stdout) stderr: \(result.stderr)")
        let counts = try statusCounts(db)
        #expect(counts["failed"] == nil)
        #expect(counts["running"] == nil)
        #expect(counts["pending"] == 12)
        #expect(server.stats().requests == 1)
        #expect(result.stderr.contains("stopping:"))
        #expect(!result.stderr.contains("sk-test-not-a-real-key"))
    }

    @Test func badInputInABatchFailsOnlyThatInput() async throws {
        let server = try await FakeOpenAIServer.start(FakeOpenAIOptions(rejectInputsContaining: "POISON"))
        defer { Task { await server.shutdown() } }
        let dir = try TemporaryDirectory()
        let db = dir.path("q.sqlite")
        let corpus = dir.path("corpus.jsonl")
        var text = ""
        for i in 0..<8 {
            text += #"{"id": "d\#(i)", "type": "embed", "input": "text \#(i)\#(i == 5 ? " POISON" : "")"}"# + "\n"
        }
        try text.write(toFile: corpus, atomically: true, encoding: .utf8)
        let result = try await runLLMQInBackground(["run", "--db", db, "--quiet", "--batch-size", "8", corpus], environment: fakeEnvironment(server))
        #expect(result.status == 1, "stderr: \(result.stderr)")
        let connection = try Connection(path: db)
        let failed = try connection.rows("SELECT custom_id, last_error FROM jobs WHERE status = 'failed'")
        #expect(failed.count == 1)
        #expect(failed.first?[0] == .text("d5"))
        if case .text(let message)? = failed.first?[1] {
            #expect(message.contains("HTTP 400"))
            #expect(message.contains("POISON"))
        }
        #expect(try statusCounts(db)["succeeded"] == 7)
    }

    @Test func killedRunIsFinishedByTheNextWithoutResendingSucceededInputs() async throws {
        let server = try await FakeOpenAIServer.start(FakeOpenAIOptions(latency: .milliseconds(40)))
        defer { Task { await server.shutdown() } }
        let dir = try TemporaryDirectory()
        let db = dir.path("q.sqlite")
        let corpus = dir.path("corpus.jsonl")
        let inputs = try writeEmbedCorpus(corpus, count: 200)
        let first = try LLMQChild(["run", "--db", db, "--quiet", "--batch-size", "2", "--concurrency", "2", corpus],
                                  environment: fakeEnvironment(server), in: dir, name: "first")
        // Kill -9 mid-run once the server has seen 15 requests: a slot sends its next batch
        // only after writing the last one, so at least 13 batches (26 jobs) are stored.
        await first.untilServer(server, hasReceived: 15)
        first.kill(SIGKILL)
        _ = try await first.finished()
        let succeededBeforeKill = try succeededIDs(db)
        #expect(succeededBeforeKill.count >= 20)
        #expect(succeededBeforeKill.count < 200)

        let sentBefore = server.recordedRequests().count
        let second = try await runLLMQInBackground(["run", "--db", db, "--quiet", "--batch-size", "16"], environment: fakeEnvironment(server))
        #expect(second.status == 0, "stderr: \(second.stderr)")
        #expect(try statusCounts(db) == ["succeeded": 200])
        let resent = Set(sentEmbeddingInputs(server, from: sentBefore))
        for id in succeededBeforeKill {
            #expect(!resent.contains(inputs[id] ?? ""), "\(id) had succeeded and was sent again")
        }
        // The killed worker's leases were taken back at once (its process is gone).
        #expect(second.stderr.contains("no longer running") || second.stderr.isEmpty)
    }

    @Test func twoRunsOnOneFileNeverProcessAJobTwice() async throws {
        let server = try await FakeOpenAIServer.start(FakeOpenAIOptions(latency: .milliseconds(5)))
        defer { Task { await server.shutdown() } }
        let dir = try TemporaryDirectory()
        let db = dir.path("q.sqlite")
        let corpus = dir.path("corpus.jsonl")
        let inputs = try writeEmbedCorpus(corpus, count: 300)
        _ = try await runLLMQInBackground(["enqueue", "--db", db, corpus])
        let arguments = ["run", "--db", db, "--quiet", "--batch-size", "3", "--concurrency", "3"]
        let a = try LLMQChild(arguments, environment: fakeEnvironment(server), in: dir, name: "a")
        let b = try LLMQChild(arguments, environment: fakeEnvironment(server), in: dir, name: "b")
        let resultA = try await a.finished()
        let resultB = try await b.finished()
        #expect(resultA.status == 0, "a: \(resultA.stderr)")
        #expect(resultB.status == 0, "b: \(resultB.stderr)")
        #expect(try statusCounts(db) == ["succeeded": 300])
        let sent = sentEmbeddingInputs(server)
        #expect(sent.count == 300)
        #expect(Set(sent) == Set(inputs.values))
    }

    @Test func reEnqueuedCorpusSendsOnlyTheChangedDocuments() async throws {
        let server = try await FakeOpenAIServer.start()
        defer { Task { await server.shutdown() } }
        let dir = try TemporaryDirectory()
        let db = dir.path("q.sqlite")
        let corpus = dir.path("corpus.jsonl")
        try writeEmbedCorpus(corpus, count: 60)
        let first = try await runLLMQInBackground(["run", "--db", db, "--quiet", corpus], environment: fakeEnvironment(server))
        #expect(first.status == 0)
        let revised = try writeEmbedCorpus(corpus, count: 60, revised: [3, 17, 42])
        let sentBefore = server.recordedRequests().count
        let second = try await runLLMQInBackground(["run", "--db", db, corpus], environment: fakeEnvironment(server))
        #expect(second.status == 0)
        #expect(second.stderr.contains("added 0, updated 3, unchanged 57, rejected 0"))
        #expect(Set(sentEmbeddingInputs(server, from: sentBefore)) == Set([3, 17, 42].compactMap { revised["doc-\($0)"] }))
        #expect(try statusCounts(db) == ["succeeded": 60])
    }

    @Test func maxDurationExits75AndTheNextRunFinishes() async throws {
        let server = try await FakeOpenAIServer.start(FakeOpenAIOptions(latency: .milliseconds(100)))
        defer { Task { await server.shutdown() } }
        let dir = try TemporaryDirectory()
        let db = dir.path("q.sqlite")
        let corpus = dir.path("corpus.jsonl")
        try writeEmbedCorpus(corpus, count: 30)
        let first = try await runLLMQInBackground(["run", "--db", db, "--quiet", "--batch-size", "1", "--concurrency", "1", "--max-duration", "0.5s", corpus],
                                environment: fakeEnvironment(server))
        #expect(first.status == 75, "stdout: \(first.stdout)")
        #expect(first.stdout.contains("stopped at --max-duration"))
        let counts = try statusCounts(db)
        #expect((counts["pending"] ?? 0) > 0)
        #expect(counts["running"] == nil)
        let second = try await runLLMQInBackground(["run", "--db", db, "--quiet", "--batch-size", "8"], environment: fakeEnvironment(server))
        #expect(second.status == 0)
        #expect(try statusCounts(db) == ["succeeded": 30])
    }

    @Test func sigtermStopsClaimingAndHandsTheRestBack() async throws {
        let server = try await FakeOpenAIServer.start(FakeOpenAIOptions(latency: .milliseconds(50)))
        defer { Task { await server.shutdown() } }
        let dir = try TemporaryDirectory()
        let db = dir.path("q.sqlite")
        let corpus = dir.path("corpus.jsonl")
        try writeEmbedCorpus(corpus, count: 200)
        let child = try LLMQChild(["run", "--db", db, "--quiet", "--batch-size", "1", "--concurrency", "2", corpus],
                                  environment: fakeEnvironment(server), in: dir, name: "run")
        await child.untilServer(server, hasReceived: 5)  // some jobs done, most still pending
        child.kill(SIGTERM)
        let result = try await child.finished()
        #expect(result.status == 75, "stdout: \(result.stdout) stderr: \(result.stderr)")
        #expect(result.stdout.contains("stopped by a signal"))
        let counts = try statusCounts(db)
        #expect(counts["running"] == nil)
        #expect((counts["pending"] ?? 0) > 0)
    }

    @Test func missingAPIKeyExitsTwoBeforeAnythingIsTouched() async throws {
        let dir = try TemporaryDirectory()
        let db = dir.path("q.sqlite")
        let example = jobsFolder.appendingPathComponent("example.jsonl").path
        let result = try await runLLMQInBackground(["run", "--db", db, example])
        #expect(result.status == 2)
        #expect(result.stderr.contains("OPENAI_API_KEY is not set"))
        #expect(!result.stderr.contains("OPENAI_API_KEY=none"))
        #expect(FileManager.default.fileExists(atPath: db) == false)
    }

    @Test func missingAPIKeyForAnotherServerSaysThatAnyKeyWillDo() async throws {
        let dir = try TemporaryDirectory()
        let db = dir.path("q.sqlite")
        let example = jobsFolder.appendingPathComponent("example.jsonl").path
        let result = try await runLLMQInBackground(["run", "--db", db, example], environment: ["OPENAI_BASE_URL": "http://127.0.0.1:7997"])
        #expect(result.status == 2)
        #expect(unstamped(result.stderr) == "llmq: error: OPENAI_API_KEY is not set: export your API key (or run `llmq demo` for an offline tour) "
            + "(a server that needs no key, such as a local one, takes any value: OPENAI_API_KEY=none)\n")
        #expect(FileManager.default.fileExists(atPath: db) == false)
    }

    @Test(arguments: [
        (["--concurrency", "0"], "--concurrency must be at least 1, got 0"),
        (["--batch-size", "4096"], "--batch-size must be between 1 and 2048 (the API's limit), got 4096"),
        (["--max-duration", "soon"], "--max-duration: cannot read \"soon\" as a duration"),
        (["--max-attempts", "0"], "--max-attempts must be at least 1, got 0"),
        (["--rpm", "0"], "--rpm must be at least 1, got 0"),
    ])
    func badRunFlagExitsTwoNamingTheFlag(flags: [String], message: String) async throws {
        let dir = try TemporaryDirectory()
        let db = dir.path("q.sqlite")
        let result = try await runLLMQInBackground(["run", "--db", db] + flags, environment: ["OPENAI_API_KEY": "sk-test"])
        #expect(result.status == 2)
        #expect(result.stderr.contains(message), "stderr: \(result.stderr)")
        #expect(FileManager.default.fileExists(atPath: db) == false)
    }

    @Test func demoRunsOfflineAndShowsResults() async throws {
        let dir = try TemporaryDirectory()
        // Small batches, 8 in flight: the duplicates at the end of demo.jsonl are claimed
        // while their originals are still being sent, and must be copied, not paid again.
        let result = try await runLLMQInBackground(["demo", "--db", dir.path("demo.sqlite"), "--quiet", "--batch-size", "16", "--jobs",
                                  jobsFolder.appendingPathComponent("demo.jsonl").path])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(result.stdout.contains("3 answered 429"))
        #expect(result.stdout.contains("reused vectors: 10"))
        #expect(result.stdout.contains("some replies"))
        #expect(result.stdout.contains("a chunked document"))
        #expect(result.stdout.contains("  chunk 0 [0, "))
        #expect(result.stdout.contains("  chunk 3 ["))
    }

    /// The succeeded jobs' ids.
    private func succeededIDs(_ db: String) throws -> Set<String> {
        let rows = try Connection(path: db).rows("SELECT custom_id FROM jobs WHERE status = 'succeeded'")
        return Set(rows.compactMap { if case .text(let id) = $0[0] { return id } else { return nil } })
    }

    private func littleEndian(_ floats: [Float]) -> [UInt8] {
        floats.flatMap { value -> [UInt8] in
            let bits = value.bitPattern.littleEndian
            return [UInt8(bits & 0xFF), UInt8(bits >> 8 & 0xFF), UInt8(bits >> 16 & 0xFF), UInt8(bits >> 24)]
        }
    }
}
