import FakeOpenAI
import Foundation
import SQLite
import Testing
import TestSupport

/// `llmq run --batch-api` when the API refuses, fails or answers badly: each fault with its outcome.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct BatchFaultEndToEndTests {
    func batchRun(_ db: String, _ server: FakeOpenAIServer, _ extra: [String] = [],
                  environment: [String: String]? = nil) async throws -> ProcessResult {
        try await runLLMQInBackground(["run", "--db", db, "--batch-api", "--poll-interval", "0.02"] + extra,
                                      environment: environment ?? fakeEnvironment(server))
    }

    func maxAttempts(_ db: String) throws -> SQLiteValue? {
        try Connection(path: db).rows("SELECT max(attempts) FROM jobs").first?.first
    }

    @Test func aRefusedUploadLeavesEveryJobPendingAndSaysWhy() async throws {
        let server = try await FakeOpenAIServer.start(FakeOpenAIOptions(maxBatchFileBytes: 100))
        defer { Task { await server.shutdown() } }
        let dir = try TemporaryDirectory()
        let db = dir.path("q.sqlite")
        try writeEmbedCorpus(dir.path("c.jsonl"), count: 10)
        let result = try await batchRun(db, server, [dir.path("c.jsonl")])
        #expect(result.status == 2, "stderr: \(result.stderr)")
        #expect(result.stderr.contains("the API refused the input file"))
        #expect(result.stderr.contains("File is too large"))
        #expect(try statusCounts(db) == ["pending": 10])
        #expect(try maxAttempts(db) == .integer(0))
        #expect(server.stats().batchesCreated == 0)
    }

    @Test func aBatchThatFailsValidationIsReportedAndItsJobsGoBackWithoutAnAttempt() async throws {
        let server = try await FakeOpenAIServer.start()
        defer { Task { await server.shutdown() } }
        server.enqueueBatchOutcomes([.validationFailure(code: "invalid_json_line", message: "This line is not parseable as valid JSON.", line: 3)])
        let dir = try TemporaryDirectory()
        let db = dir.path("q.sqlite")
        try writeEmbedCorpus(dir.path("c.jsonl"), count: 10)
        let first = try await batchRun(db, server, [dir.path("c.jsonl")])
        #expect(first.status == 75)
        let second = try await batchRun(db, server)
        #expect(second.stderr.contains("failed validation: line 3: invalid_json_line: This line is not parseable as valid JSON."))
        #expect(try maxAttempts(db) == .integer(0))
        let rows = try runLLMQ(["batches", "--db", db, "--json"])
        #expect(rows.stdout.contains("\"status\":\"failed\""))
        #expect(rows.stdout.contains("line 3: invalid_json_line"))
        let last = try await batchRun(db, server, ["--wait"])
        #expect(last.status == 0, "stderr: \(last.stderr)")
        #expect(try statusCounts(db) == ["succeeded": 10])
    }

    @Test func unknownAndRepeatedCustomIDsAreIgnoredAndReported() async throws {
        let server = try await FakeOpenAIServer.start()
        defer { Task { await server.shutdown() } }
        server.enqueueBatchOutcomes([.unknownCustomID, .duplicatedOutputLine])
        let dir = try TemporaryDirectory()
        let db = dir.path("q.sqlite")
        try writeEmbedCorpus(dir.path("c.jsonl"), count: 10)
        var chat = ""
        for i in 0..<3 { chat += #"{"id": "q-\#(i)", "type": "generate", "prompt": "hello \#(i)"}"# + "\n" }
        try chat.write(toFile: dir.path("g.jsonl"), atomically: true, encoding: .utf8)
        let result = try await batchRun(db, server, ["--wait", "--json", dir.path("c.jsonl"), dir.path("g.jsonl")])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(result.stderr.contains("ignored 1 output lines for unknown custom_ids and 0 repeated ones"))
        #expect(result.stderr.contains("ignored 0 output lines for unknown custom_ids and 1 repeated ones"))
        #expect(result.stdout.contains("\"unknown_lines\":1") && result.stdout.contains("\"duplicate_lines\":1"))
        #expect(try statusCounts(db) == ["succeeded": 13])
    }

    @Test func aTruncatedOutputFileStoresNothingFromTheBadLineAndIsCollectedAgain() async throws {
        let server = try await FakeOpenAIServer.start()
        defer { Task { await server.shutdown() } }
        server.enqueueBatchOutcomes([.truncatedOutput])
        let dir = try TemporaryDirectory()
        let db = dir.path("q.sqlite")
        try writeEmbedCorpus(dir.path("c.jsonl"), count: 8)
        let first = try await batchRun(db, server, ["--batch-size", "2", dir.path("c.jsonl")])
        #expect(first.status == 75)
        let second = try await batchRun(db, server, ["--batch-size", "2"])
        #expect(second.status == 75, "stderr: \(second.stderr)")
        #expect(second.stderr.contains("1 output lines could not be read"))
        #expect(second.stderr.contains("the next run collects the batch again"))
        // The three whole lines are stored, the cut one is not.
        #expect(try statusCounts(db) == ["succeeded": 6, "running": 2])
        var runs = 0
        var last = second
        var log = ""
        while last.status == 75, runs < 6 {
            last = try await batchRun(db, server, ["--batch-size", "2"])
            log += last.stderr
            runs += 1
        }
        #expect(last.status == 0, "stderr: \(last.stderr)")
        #expect(log.contains("could not be read after 3 collections; their jobs go back to pending"))
        #expect(try statusCounts(db) == ["succeeded": 8])
    }

    @Test func refusedCredentialsExit77AndFailNothing() async throws {
        let server = try await FakeOpenAIServer.start(FakeOpenAIOptions(requiredAPIKey: "sk-the-right-key"))
        defer { Task { await server.shutdown() } }
        let dir = try TemporaryDirectory()
        let db = dir.path("q.sqlite")
        try writeEmbedCorpus(dir.path("c.jsonl"), count: 5)
        let result = try await batchRun(db, server, [dir.path("c.jsonl")])
        #expect(result.status == 77, "stderr: \(result.stderr)")
        #expect(result.stderr.contains("The API rejected the credentials"))
        #expect(!result.stderr.contains("sk-test-not-a-real-key"))
        #expect(try statusCounts(db) == ["pending": 5])
        server.enqueueFaults([.insufficientQuota], path: "/v1/files")
        let quota = try await batchRun(db, server, environment: ["OPENAI_API_KEY": "sk-the-right-key", "OPENAI_BASE_URL": server.baseURL])
        #expect(quota.status == 77)
        #expect(quota.stderr.contains("quota"))
        #expect(try statusCounts(db) == ["pending": 5])
        #expect(try maxAttempts(db) == .integer(0))
    }

    @Test func anUnreachableAPIDuringCollectionExits75AndLosesNothing() async throws {
        let server = try await FakeOpenAIServer.start()
        defer { Task { await server.shutdown() } }
        let dir = try TemporaryDirectory()
        let db = dir.path("q.sqlite")
        try writeEmbedCorpus(dir.path("c.jsonl"), count: 6)
        let first = try await batchRun(db, server, [dir.path("c.jsonl")])
        #expect(first.status == 75)
        let id = try #require(server.batchStatuses().first?.id)
        server.enqueueFaults([.serverError(status: 503)], path: "/v1/batches/\(id)")
        let second = try await batchRun(db, server, ["--max-retries", "0"])
        #expect(second.status == 75, "stderr: \(second.stderr)")
        #expect(second.stderr.contains("The server failed (HTTP 503"))
        #expect(try statusCounts(db) == ["running": 6])
        let third = try await batchRun(db, server)
        #expect(third.status == 0, "stderr: \(third.stderr)")
        #expect(try statusCounts(db) == ["succeeded": 6])
    }

    @Test func aBatchCancelledFromOutsideKeepsItsFinishedLinesAndRequeuesTheRest() async throws {
        let server = try await FakeOpenAIServer.start(FakeOpenAIOptions(batchCompletionSeconds: 1_000))
        defer { Task { await server.shutdown() } }
        let dir = try TemporaryDirectory()
        let db = dir.path("q.sqlite")
        let inputs = try writeEmbedCorpus(dir.path("c.jsonl"), count: 10)
        let first = try await batchRun(db, server, ["--batch-size", "1", dir.path("c.jsonl")])
        #expect(first.status == 75)
        server.advanceBatchClock(by: 400)
        server.cancelAllBatches()
        let second = try await batchRun(db, server, ["--batch-size", "1"])
        #expect(second.status == 75, "stderr: \(second.stderr)")
        #expect(second.stderr.contains("(cancelled)"))
        #expect(try statusCounts(db) == ["succeeded": 4, "running": 6])
        server.advanceBatchClock(by: 1_000)
        let third = try await batchRun(db, server, ["--batch-size", "1"])
        #expect(third.status == 0, "stderr: \(third.stderr)")
        #expect(server.batchEmbeddedInputs().sorted() == inputs.values.sorted())
    }

    @Test func batchesCancelAllCancelsWhatIsInFlight() async throws {
        let server = try await FakeOpenAIServer.start(FakeOpenAIOptions(batchCompletionSeconds: 1_000))
        defer { Task { await server.shutdown() } }
        let dir = try TemporaryDirectory()
        let db = dir.path("q.sqlite")
        try writeEmbedCorpus(dir.path("c.jsonl"), count: 4)
        #expect(try await batchRun(db, server, [dir.path("c.jsonl")]).status == 75)
        let usage = try runLLMQ(["batches", "cancel", "--db", db])
        #expect(usage.status == 2)
        #expect(usage.stderr.contains("name the batches to cancel, or give --all"))
        let unknown = try runLLMQ(["batches", "cancel", "--db", db, "batch_nope"], environment: fakeEnvironment(server))
        #expect(unknown.status == 2)
        #expect(unknown.stderr.contains("no batch batch_nope"))
        let cancel = try await runLLMQInBackground(["batches", "cancel", "--db", db, "--all"], environment: fakeEnvironment(server))
        #expect(cancel.status == 0, "stderr: \(cancel.stderr)")
        #expect(cancel.stdout.contains(": cancelling"))
        let after = try await batchRun(db, server)
        #expect(after.stderr.contains("(cancelled)"))
        let missing = try runLLMQ(["batches", "--db", dir.path("none.sqlite")])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("no database at"))
        #expect(!FileManager.default.fileExists(atPath: dir.path("none.sqlite")))
    }

    @Test func batchFlagsWithoutBatchAPIAreUsageErrors() throws {
        let result = try runLLMQ(["run", "--db", "/tmp/x-never.sqlite", "--wait"], environment: ["OPENAI_API_KEY": "sk-x"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("--wait needs --batch-api"))
        let interval = try runLLMQ(["run", "--db", "/tmp/x-never.sqlite", "--batch-api", "--poll-interval", "soon"],
                                   environment: ["OPENAI_API_KEY": "sk-x"])
        #expect(interval.status == 2)
        #expect(interval.stderr.contains("--poll-interval: cannot read \"soon\""))
    }
}
