import FakeOpenAI
import Foundation
import SQLite
import Testing
import TestSupport

/// `llmq run --batch-api` as a real process against the fake server's Files and Batches APIs.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct BatchRunEndToEndTests {
    /// Runs `llmq run --db DB --batch-api EXTRA…` against `server`.
    func batchRun(_ db: String, _ server: FakeOpenAIServer, _ extra: [String] = []) async throws -> ProcessResult {
        try await runLLMQInBackground(["run", "--db", db, "--batch-api", "--poll-interval", "0.02"] + extra,
                                      environment: fakeEnvironment(server))
    }

    /// Every stored vector matches the fake server's vector for its job's input, bit for bit; returns how many.
    @discardableResult
    func expectBitExactVectors(_ db: String) throws -> Int {
        let connection = try Connection(path: db)
        let rows = try connection.rows("""
            SELECT jobs.request, embeddings.model, embeddings.dimensions, embeddings.vector
            FROM jobs JOIN embeddings ON embeddings.job_id = jobs.id
            """)
        for row in rows {
            guard case .text(let request) = row[0], case .text(let model) = row[1], case .integer(let dims) = row[2],
                  case .blob(let bytes) = row[3],
                  let input = (try JSONSerialization.jsonObject(with: Data(request.utf8)) as? [String: Any])?["input"] as? String else {
                Issue.record("unexpected row \(row)")
                continue
            }
            #expect(bytes == littleEndian(FakeOpenAIServer.embedding(for: input, model: model, dimensions: Int(dims))))
        }
        return rows.count
    }

    /// A temporary directory with a database path and a corpus of `count` embed jobs;
    /// also the corpus's inputs by id.
    func embedQueue(_ count: Int) throws -> (dir: TemporaryDirectory, db: String, corpus: String, inputs: [String: String]) {
        let dir = try TemporaryDirectory()
        let corpus = dir.path("corpus.jsonl")
        let inputs = try writeEmbedCorpus(corpus, count: count)
        return (dir, dir.path("q.sqlite"), corpus, inputs)
    }

    /// The inputs of a corpus written by `writeEmbedCorpus`.
    func corpusInputs(_ inputs: [String: String]) -> [String] { inputs.values.sorted() }

    @Test func fiveThousandEmbedsAndTwoHundredRepliesGoThroughBatchesWithoutASynchronousRequest() async throws {
        let server = try await FakeOpenAIServer.start()
        defer { Task { await server.shutdown() } }
        let (dir, db, corpus, inputs) = try embedQueue(5_000)
        var chat = ""
        for i in 0..<200 {
            chat += #"{"id": "q-\#(i)", "type": "generate", "prompt": "Summarise item \#(i)", "max_tokens": 20}"# + "\n"
        }
        try chat.write(toFile: dir.path("chat.jsonl"), atomically: true, encoding: .utf8)
        let result = try await batchRun(db, server, ["--wait", corpus, dir.path("chat.jsonl")])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(try statusCounts(db) == ["succeeded": 5_200])
        #expect(try expectBitExactVectors(db) == 5_000)
        let replies = try Connection(path: db).rows("SELECT content FROM generations WHERE content LIKE 'Fake reply %'")
        #expect(replies.count == 200)
        let paths = Set(server.recordedRequests().map(\.path))
        #expect(!paths.contains("/v1/embeddings") && !paths.contains("/v1/chat/completions"))
        #expect(server.stats().embeddingInputs == 0)
        #expect(server.batchEmbeddedInputs().sorted() == corpusInputs(inputs))
        #expect(server.stats().batchesCreated == 2)
        // Input, output files deleted once stored.
        #expect(server.fileIDs().isEmpty)
        #expect(result.stdout.contains("batch run: 2 submitted, 2 collected, 5200 succeeded, 0 failed"))
        #expect(!FileManager.default.fileExists(atPath: db + "-batch"), "the work folder, empty after collection, is removed")
        let listed = try runLLMQ(["batches", "--db", db])
        #expect(listed.status == 0)
        #expect(listed.stdout.contains("completed") && listed.stdout.contains("text-embedding-3-small"))
        let json = try runLLMQ(["batches", "--db", db, "--json"])
        #expect(json.stdout.split(separator: "\n").count == 2)
        #expect(json.stdout.contains("\"request_completed\":"))
    }

    @Test func cronRunsExit75WhileBatchesAreInFlightAnd0OnceAllIsStored() async throws {
        let server = try await FakeOpenAIServer.start(FakeOpenAIOptions(batchCompletionSeconds: 3_600))
        defer { Task { await server.shutdown() } }
        let (dir, db, corpus, _) = try embedQueue(30)
        defer { withExtendedLifetime(dir) {} }  // the directory lives until the test ends
        let first = try await batchRun(db, server, [corpus])
        #expect(first.status == 75, "stderr: \(first.stderr)")
        #expect(first.stdout.contains("1 submitted"))
        #expect(try statusCounts(db) == ["running": 30])
        let status = try runLLMQ(["status", "--db", db])
        #expect(status.stdout.contains("in Batch API batches: 30 running jobs in 1 batches"))
        // A synchronous run does not take the batch's jobs.
        let sync = try await runLLMQInBackground(["run", "--db", db, "--quiet"], environment: fakeEnvironment(server))
        #expect(sync.status == 0, "stderr: \(sync.stderr)")
        #expect(try statusCounts(db) == ["running": 30])
        let second = try await batchRun(db, server)
        #expect(second.status == 75)
        #expect(second.stdout.contains("0 submitted, 0 collected"))
        server.advanceBatchClock(by: 3_600)
        var runs = 0
        var last = second
        while last.status == 75, runs < 5 {
            last = try await batchRun(db, server)
            runs += 1
        }
        #expect(last.status == 0, "stderr: \(last.stderr)")
        #expect(runs == 1)
        #expect(try statusCounts(db) == ["succeeded": 30])
        #expect(!FileManager.default.fileExists(atPath: db + "-batch"), "the work folder, empty after collection, is removed")
        #expect(server.stats().embeddingInputs == 0)
        #expect(server.stats().batchesCreated == 1)
    }

    @Test func expiredBatchStoresItsFinishedHalfAndResubmitsOnlyTheRest() async throws {
        let server = try await FakeOpenAIServer.start(FakeOpenAIOptions(batchCompletionSeconds: 172_800))
        defer { Task { await server.shutdown() } }
        let (dir, db, corpus, inputs) = try embedQueue(40)
        defer { withExtendedLifetime(dir) {} }  // the directory lives until the test ends
        // Two inputs per line, so the batch has 20 lines.
        let first = try await batchRun(db, server, ["--batch-size", "2", corpus])
        #expect(first.status == 75, "stderr: \(first.stderr)")
        server.advanceBatchClock(by: 86_400)
        let second = try await batchRun(db, server, ["--batch-size", "2"])
        #expect(second.status == 75, "stderr: \(second.stderr)")
        #expect(second.stderr.contains("(expired)"))
        #expect(try statusCounts(db) == ["succeeded": 20, "running": 20])
        #expect(second.stdout.contains("1 submitted, 1 collected, 20 succeeded"))
        server.advanceBatchClock(by: 172_800)
        let third = try await batchRun(db, server, ["--batch-size", "2"])
        #expect(third.status == 0, "stderr: \(third.stderr)")
        #expect(try statusCounts(db) == ["succeeded": 40])
        try expectBitExactVectors(db)
        // No finished line was sent again: every input ran exactly once.
        #expect(server.batchEmbeddedInputs().sorted() == corpusInputs(inputs))
        let attempts = try Connection(path: db).rows("SELECT max(attempts) FROM jobs")
        #expect(attempts.first?.first == .integer(0))
    }

    @Test func tokenLimitExceededIsWaitedOutAndSucceedsInALaterRun() async throws {
        let server = try await FakeOpenAIServer.start()
        defer { Task { await server.shutdown() } }
        server.enqueueBatchOutcomes([.tokenLimitExceeded])
        let (dir, db, corpus, inputs) = try embedQueue(20)
        defer { withExtendedLifetime(dir) {} }  // the directory lives until the test ends
        var results = [try await batchRun(db, server, [corpus])]
        while results.last?.status == 75, results.count < 8 {
            results.append(try await batchRun(db, server))
        }
        #expect(results.last?.status == 0, "stderr: \(results.map(\.stderr))")
        #expect(results.dropLast().allSatisfy { $0.status == 75 })
        let log = results.map(\.stderr).joined()
        #expect(log.contains("the enqueued-token limit for text-embedding-3-small was reached"))
        #expect(try statusCounts(db) == ["succeeded": 20])
        #expect(server.batchEmbeddedInputs().sorted() == corpusInputs(inputs))
        let attempts = try Connection(path: db).rows("SELECT max(attempts) FROM jobs")
        #expect(attempts.first?.first == .integer(0))
        #expect(try Connection(path: db).rows("SELECT value FROM batch_settings WHERE key LIKE 'token_limit:%'").count == 1)
    }

    @Test func aKillDuringCreateIsAdoptedByTheNextRunAndNothingIsEmbeddedTwice() async throws {
        let server = try await FakeOpenAIServer.start()
        defer { Task { await server.shutdown() } }
        server.enqueueFaults([.lostAnswer], path: "/v1/batches")
        let (dir, db, corpus, inputs) = try embedQueue(50)
        let enqueue = try runLLMQ(["enqueue", "--db", db, corpus])
        #expect(enqueue.status == 0)
        let child = try LLMQChild(["run", "--db", db, "--batch-api"], environment: fakeEnvironment(server), in: dir, name: "killed")
        // Upload, then the create the fake carries out but never answers.
        await child.untilServer(server, hasReceived: 2)
        #expect(server.batchStatuses().count == 1)
        child.kill(SIGKILL)
        _ = try await child.finished()
        #expect(try statusCounts(db) == ["running": 50])
        let next = try await batchRun(db, server, ["--wait"])
        #expect(next.status == 0, "stderr: \(next.stderr)")
        #expect(next.stderr.contains("adopted batch \(server.batchStatuses()[0].id)"))
        #expect(server.stats().batchesCreated == 1)
        #expect(try statusCounts(db) == ["succeeded": 50])
        #expect(server.batchEmbeddedInputs().sorted() == corpusInputs(inputs))
        try expectBitExactVectors(db)
    }

    @Test func aSignalDuringWaitExits75WithTheBatchRecordedAndTheNextRunCollectsIt() async throws {
        let server = try await FakeOpenAIServer.start(FakeOpenAIOptions(batchCompletionSeconds: 3_600))
        defer { Task { await server.shutdown() } }
        let (dir, db, corpus, _) = try embedQueue(30)
        let child = try LLMQChild(["run", "--db", db, "--batch-api", "--wait", "--poll-interval", "1h", corpus],
                                  environment: fakeEnvironment(server), in: dir, name: "waiting")
        await child.untilServer(server, hasReceived: 2)  // upload, create: then an hour's pause
        child.kill(SIGTERM)
        let stopped = try await child.finished()
        #expect(stopped.status == 75, "stdout: \(stopped.stdout) stderr: \(stopped.stderr)")
        #expect(stopped.stdout.contains("stopped by a signal"))
        #expect(try statusCounts(db) == ["running": 30])
        #expect(try Connection(path: db).rows("SELECT count(*) FROM batches WHERE collected_at IS NULL") == [[.integer(1)]])
        server.advanceBatchClock(by: 3_600)
        let next = try await batchRun(db, server, ["--wait"])
        #expect(next.status == 0, "stderr: \(next.stderr)")
        #expect(try statusCounts(db) == ["succeeded": 30])
        #expect(server.stats().batchesCreated == 1)
    }

    @Test func aSecondSignalWhileTheCreateCallHangsExitsAtOnceAndTheNextRunAdoptsTheBatch() async throws {
        let server = try await FakeOpenAIServer.start()
        defer { Task { await server.shutdown() } }
        server.enqueueFaults([.lostAnswer], path: "/v1/batches")
        let (dir, db, corpus, _) = try embedQueue(20)
        let child = try LLMQChild(["run", "--db", db, "--batch-api", "--wait", corpus], environment: fakeEnvironment(server), in: dir,
                                  name: "hanging")
        await child.untilServer(server, hasReceived: 2)  // the create is carried out and never answered
        child.kill(SIGINT)  // waits for the step under way…
        child.kill(SIGTERM)  // …the second one does not
        let stopped = try await child.finished()
        #expect(stopped.status == 75, "stdout: \(stopped.stdout) stderr: \(stopped.stderr)")
        #expect(stopped.stderr.contains("stopping at once (second signal)"))
        let next = try await batchRun(db, server, ["--wait"])
        #expect(next.status == 0, "stderr: \(next.stderr)")
        #expect(next.stderr.contains("adopted batch"))
        #expect(server.stats().batchesCreated == 1)
        #expect(try statusCounts(db) == ["succeeded": 20])
    }

    @Test func aQueueRunHalfSynchronouslyAndHalfThroughBatchesEmbedsEachInputOnce() async throws {
        let server = try await FakeOpenAIServer.start()
        defer { Task { await server.shutdown() } }
        let dir = try TemporaryDirectory()
        let db = dir.path("q.sqlite")
        let first = try writeEmbedCorpus(dir.path("a.jsonl"), count: 60, prefix: "a")
        // b repeats a's inputs under other ids, and adds its own.
        let second = try writeEmbedCorpus(dir.path("b.jsonl"), count: 120, prefix: "b")
        let sync = try await runLLMQInBackground(["run", "--db", db, "--quiet", dir.path("a.jsonl")], environment: fakeEnvironment(server))
        #expect(sync.status == 0, "stderr: \(sync.stderr)")
        let batch = try await batchRun(db, server, ["--wait", dir.path("b.jsonl")])
        #expect(batch.status == 0, "stderr: \(batch.stderr)")
        #expect(batch.stdout.contains("60 reused vectors"))
        #expect(try statusCounts(db) == ["succeeded": 180])
        let sent = sentEmbeddingInputs(server) + server.batchEmbeddedInputs()
        #expect(sent.count == Set(sent).count)
        #expect(Set(sent) == Set(first.values).union(second.values))
        try expectBitExactVectors(db)
    }
}

/// Floats as little-endian float32 bytes, the stored layout.
func littleEndian(_ floats: [Float]) -> [UInt8] {
    var bytes: [UInt8] = []
    bytes.reserveCapacity(floats.count * 4)
    for value in floats { withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes += $0 } }
    return bytes
}
