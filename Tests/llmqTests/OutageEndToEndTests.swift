import FakeOpenAI
import Foundation
import SQLite
import Testing
import TestSupport

/// Outages, configuration errors and stalls with the real binary against FakeOpenAI: an
/// outage fails no job, a configuration error stops the run with nothing failed, and a
/// run that cannot progress ends with 75. Backoffs are shortened with hidden flags, so
/// no test waits more than a second or two.
@Suite(.serialized, .timeLimit(.minutes(2)))
struct OutageEndToEndTests {
    /// A fresh folder with a database path and a corpus file of `count` embed jobs.
    func corpusFolder(count: Int) throws -> (TemporaryDirectory, String, String) {
        let dir = try TemporaryDirectory()
        let corpus = dir.path("corpus.jsonl")
        try writeEmbedCorpus(corpus, count: count)
        return (dir, dir.path("q.sqlite"), corpus)
    }

    /// A corpus file holding two embed jobs each far larger than `--tpm 100` allows: the
    /// pacer lets one through into an empty minute, the other then waits ~14 minutes.
    func twoBigJobs() throws -> (TemporaryDirectory, String, String) {
        let (dir, db, corpus) = try corpusFolder(count: 0)
        let long = String(repeating: "many words in one long document ", count: 200)
        let lines = (1...2).map { #"{"id": "big\#($0)", "type": "embed", "input": "\#($0) \#(long)"}"# }
        try (lines.joined(separator: "\n") + "\n").write(toFile: corpus, atomically: true, encoding: .utf8)
        return (dir, db, corpus)
    }

    /// Flags that make outage pauses and job backoffs short.
    let fast = ["--max-retries", "0", "--outage-pause", "50ms", "--outage-pause-cap", "200ms", "--retry-backoff", "50ms"]

    @Test func outageOf500sThenAClosedPortIsWaitedOutAndTheRunFinishes() async throws {
        let server = try await FakeOpenAIServer.start()
        let port = server.port
        let (dir, db, corpus) = try corpusFolder(count: 24)
        // 500s until the port closes (no request succeeds in between: one outage).
        server.enqueueFaults(Array(repeating: .serverError(status: 500), count: 1000), path: "/v1/embeddings")
        let child = try LLMQChild(["run", "--db", db, "--batch-size", "4", "--concurrency", "2", "--max-stall", "60s", corpus] + fast,
                                  environment: fakeEnvironment(server), in: dir, name: "run")
        await child.untilServer(server, hasReceived: 6)
        await server.shutdown()
        try await child.untilStderr(contains: "connection refused")
        let back = try await FakeOpenAIServer.start(FakeOpenAIOptions(port: port))
        defer { Task { await back.shutdown() } }
        let result = try await child.finished()
        #expect(result.status == 0, "stdout: \(result.stdout) stderr: \(result.stderr)")
        #expect(try statusCounts(db) == ["succeeded": 24])
        let connection = try Connection(path: db)
        #expect(try connection.scalarInt("SELECT max(attempts) FROM jobs") == 0)
        #expect(result.stderr.contains("outage: HTTP 500 and no request succeeding"))
        #expect(result.stderr.contains("outage continues: connection refused"))
        #expect(result.stderr.contains("the server answers again after"))
        #expect(result.stdout.contains("HTTP 500"), "stdout: \(result.stdout)")
        #expect(result.stdout.contains("connection refused"))
        #expect(result.stdout.contains(" 0 failed"))
    }

    @Test func outageLongerThanMaxStallExits75AndTheNextRunFinishes() async throws {
        let server = try await FakeOpenAIServer.start()
        let (dir, db, corpus) = try corpusFolder(count: 12)
        server.enqueueFaults(Array(repeating: .serverError(status: 503), count: 1000), path: "/v1/embeddings")
        let child = try LLMQChild(["run", "--db", db, "--batch-size", "4", "--concurrency", "2", "--max-stall", "1s", corpus] + fast,
                                  environment: fakeEnvironment(server), in: dir, name: "run")
        await child.untilServer(server, hasReceived: 3)
        await server.shutdown()
        let first = try await child.finished()
        #expect(first.status == 75, "stdout: \(first.stdout) stderr: \(first.stderr)")
        #expect(first.stderr.contains("no job finished for 1 s"))
        #expect(first.stdout.contains("stopped: no job finished for --max-stall"))
        #expect(try statusCounts(db) == ["pending": 12])
        #expect(try Connection(path: db).scalarInt("SELECT max(attempts) FROM jobs") == 0)

        let back = try await FakeOpenAIServer.start()
        defer { Task { await back.shutdown() } }
        let second = try await runLLMQInBackground(["run", "--db", db, "--quiet"], environment: fakeEnvironment(back))
        #expect(second.status == 0, "stderr: \(second.stderr)")
        #expect(try statusCounts(db) == ["succeeded": 12])
    }

    @Test func jobWhoseInputAloneMakesTheServerFailFailsAfterItsAttemptsWhileTheOthersSucceed() async throws {
        let server = try await FakeOpenAIServer.start(FakeOpenAIOptions(failInputsContaining: "POISON"))
        defer { Task { await server.shutdown() } }
        let (dir, db, corpus) = try corpusFolder(count: 0)
        var text = ""
        for i in 0..<12 {
            text += #"{"id": "d\#(i)", "type": "embed", "input": "text \#(i)\#(i == 5 ? " POISON" : "")"}"# + "\n"
        }
        try text.write(toFile: corpus, atomically: true, encoding: .utf8)
        let flags = ["--quiet", "--batch-size", "4", "--concurrency", "2", "--max-attempts", "3"] + fast
        let first = try await runLLMQInBackground(["run", "--db", db, corpus] + flags, environment: fakeEnvironment(server))
        #expect(first.status == 1, "stdout: \(first.stdout) stderr: \(first.stderr)")
        let connection = try Connection(path: db)
        let failed = try connection.rows("SELECT custom_id, attempts, last_error FROM jobs WHERE status = 'failed'")
        #expect(failed.count == 1)
        #expect(failed.first?[0] == .text("d5"))
        #expect(failed.first?[1] == .integer(3))
        if case .text(let message)? = failed.first?[2] { #expect(message.contains("HTTP 500")) }
        #expect(try statusCounts(db)["succeeded"] == 11)

        // The next run tries it again by itself (a transient error), alongside new work.
        let more = dir.path("more.jsonl")
        try writeEmbedCorpus(more, count: 3, prefix: "new")
        let sentBefore = server.recordedRequests().count
        let second = try await runLLMQInBackground(["run", "--db", db, more] + flags, environment: fakeEnvironment(server))
        #expect(second.status == 1, "stdout: \(second.stdout) stderr: \(second.stderr)")
        #expect(second.stderr.contains("1 jobs that used up their attempts on transient errors in an earlier run are tried again"))
        #expect(sentEmbeddingInputs(server, from: sentBefore).contains("text 5 POISON"))
        #expect(try statusCounts(db) == ["succeeded": 14, "failed": 1])
    }

    @Test(arguments: ["endpoint", "model"])
    func notFoundEndpointOrUnknownModelExits2WithNothingFailed(what: String) async throws {
        let server = try await FakeOpenAIServer.start(FakeOpenAIOptions(knownModels: ["text-embedding-3-small"]))
        defer { Task { await server.shutdown() } }
        let (dir, db, corpus) = try corpusFolder(count: 10)
        defer { withExtendedLifetime(dir) {} }
        var environment = fakeEnvironment(server)
        var flags = ["--batch-size", "2", "--concurrency", "2"]
        if what == "endpoint" {
            environment["OPENAI_BASE_URL"] = "http://127.0.0.1:\(server.port)"
        } else {
            flags += ["--embedding-model", "text-embedding-4-huge"]
        }
        let result = try await runLLMQInBackground(["run", "--db", db, corpus] + flags, environment: environment)
        #expect(result.status == 2, "stdout: \(result.stdout) stderr: \(result.stderr)")
        #expect(try statusCounts(db) == ["pending": 10])
        #expect(try Connection(path: db).scalarInt("SELECT max(attempts) FROM jobs") == 0)
        let stops = result.stderr.components(separatedBy: "stopping:").count - 1
        #expect(stops == 1, "stderr: \(result.stderr)")
        if what == "endpoint" {
            #expect(result.stderr.contains("Check OPENAI_BASE_URL"))
            #expect(result.stderr.contains("Invalid URL (POST /embeddings)"))
        } else {
            #expect(result.stderr.contains("The model `text-embedding-4-huge` does not exist"))
            #expect(result.stderr.contains("Check the model name"))
        }
        #expect(result.stderr.contains("no job was failed"))
    }

    @Test func requestLevel400RepeatedByBothHalvesExits2WithNothingFailed() async throws {
        let server = try await FakeOpenAIServer.start()
        defer { Task { await server.shutdown() } }
        let (dir, db, corpus) = try corpusFolder(count: 16)
        defer { withExtendedLifetime(dir) {} }
        let noDB = #"{"error":{"message":"litellm.BadRequestError: No connected db.","type":null,"param":null,"code":"400"}}"#
        server.enqueueFaults(Array(repeating: .custom(status: 400, body: noDB), count: 50), path: "/v1/embeddings")
        let result = try await runLLMQInBackground(["run", "--db", db, "--batch-size", "16", "--concurrency", "1", corpus],
                                                   environment: fakeEnvironment(server))
        #expect(result.status == 2, "stdout: \(result.stdout) stderr: \(result.stderr)")
        #expect(server.stats().requests == 3)
        #expect(try statusCounts(db) == ["pending": 16])
        #expect(result.stderr.contains("both halves of a batch of 16 inputs were refused with the same message"))
        #expect(result.stderr.contains("No connected db"))
    }

    @Test func dimensionsTheServerRefusesStopTheRunAtTheFirstRequest() async throws {
        let server = try await FakeOpenAIServer.start()
        defer { Task { await server.shutdown() } }
        let (dir, db, corpus) = try corpusFolder(count: 8)
        defer { withExtendedLifetime(dir) {} }
        // A model llmq's catalog does not know: its dimensions go to the server unchecked.
        let result = try await runLLMQInBackground(["run", "--db", db, "--quiet", "--embedding-model", "my-embedder", "--dimensions", "4000", corpus],
                                                   environment: fakeEnvironment(server))
        #expect(result.status == 2, "stdout: \(result.stdout) stderr: \(result.stderr)")
        #expect(server.stats().requests == 1)
        #expect(try statusCounts(db) == ["pending": 8])
        #expect(result.stderr.contains("dimensions of 4000"))
    }

    @Test func malformedBaseURLExits2BeforeAnythingIsEnqueued() async throws {
        let (dir, db, corpus) = try corpusFolder(count: 2)
        defer { withExtendedLifetime(dir) {} }
        let result = try await runLLMQInBackground(["run", "--db", db, corpus],
                                                   environment: ["OPENAI_API_KEY": "sk-test", "OPENAI_BASE_URL": "127.0.0.1:8080/v1"])
        #expect(result.status == 2)
        #expect(unstamped(result.stderr) == "llmq: error: OPENAI_BASE_URL '127.0.0.1:8080/v1' is not an http(s) URL such as https://api.openai.com/v1 or http://localhost:11434/v1\n")
        #expect(FileManager.default.fileExists(atPath: db) == false)
    }

    /// LiteLLM's rewrites of `insufficient_quota` (older: `Type: insufficient_quota` kept in
    /// the message; 1.108, as it answered in front of `fake-openai --fault quota`: the words
    /// alone, then a blank line and a second paragraph). The stop is the only thing logged:
    /// a quota's 429 lowers no concurrency, and the message stays on its one log line.
    @Test(arguments: [
        #"{"error":{"message":"litellm.RateLimitError: RateLimitError: OpenAIException - You exceeded your current quota, please check your plan and billing details. Type: insufficient_quota","type":"throttling_error","param":null,"code":"429"}}"#,
        #"{"error":{"message":"litellm.RateLimitError: RateLimitError: OpenAIException - Error code: 429 - You exceeded your current quota, please check your plan and billing details. For more information on this error, read the docs: https://platform.openai.com/docs/guides/error-codes/api-errors.\n\nLiteLLM: model group 'text-embedding-3-small' failed with the error above. No fallback was attempted.","type":"throttling_error","param":null,"code":"429"}}"#,
    ])
    func insufficientQuotaInLiteLLMsShapeExits77(body: String) async throws {
        let server = try await FakeOpenAIServer.start()
        defer { Task { await server.shutdown() } }
        let (dir, db, corpus) = try corpusFolder(count: 8)
        defer { withExtendedLifetime(dir) {} }
        server.enqueueFaults(Array(repeating: .custom(status: 429, body: body), count: 20))
        let result = try await runLLMQInBackground(["run", "--db", db, "--batch-size", "2", "--concurrency", "3", corpus],
                                                   environment: fakeEnvironment(server))
        #expect(result.status == 77, "stdout: \(result.stdout) stderr: \(result.stderr)")
        #expect(try statusCounts(db) == ["pending": 8])
        #expect(result.stderr.components(separatedBy: "stopping:").count - 1 == 1, "stderr: \(result.stderr)")
        #expect(!result.stderr.contains("in flight now"), "stderr: \(result.stderr)")
        for line in result.stderr.split(separator: "\n") {
            #expect(line.wholeMatch(of: /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ llmq: .+/) != nil, "line: \(line)")
        }
        #expect(result.stdout.split(separator: "\n").count == 1, "stdout: \(result.stdout)")
    }

    @Test func tpmFarTooSmallForOneRequestEndsTheRunWith75AfterMaxStall() async throws {
        let server = try await FakeOpenAIServer.start()
        defer { Task { await server.shutdown() } }
        let (dir, db, corpus) = try twoBigJobs()
        defer { withExtendedLifetime(dir) {} }
        let result = try await runLLMQInBackground(["run", "--db", db, "--tpm", "100", "--max-stall", "1s", "--batch-size", "1",
                                                    "--concurrency", "1", corpus], environment: fakeEnvironment(server))
        #expect(result.status == 75, "stdout: \(result.stdout) stderr: \(result.stderr)")
        #expect(server.stats().requests <= 1)
        #expect(try statusCounts(db)["pending"] == 1)
        #expect(try statusCounts(db)["failed"] == nil)
        #expect(result.stderr.contains("no job finished for 1 s"))
        // Not a terminal: every log line starts with an ISO-8601 UTC timestamp.
        let lines = result.stderr.split(separator: "\n")
        #expect(!lines.isEmpty)
        for line in lines {
            #expect(line.wholeMatch(of: /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ llmq: .*/) != nil, "line: \(line)")
        }
    }

    @Test func sigtermHandsBackWhatWaitsInThePacerAtOnceAndSaysSo() async throws {
        let server = try await FakeOpenAIServer.start()
        defer { Task { await server.shutdown() } }
        let (dir, db, corpus) = try twoBigJobs()
        // A grace far longer than the test's time limit: the run must not wait for it.
        let child = try LLMQChild(["run", "--db", db, "--tpm", "100", "--shutdown-grace", "10m", "--batch-size", "1", "--concurrency", "1", corpus],
                                  environment: fakeEnvironment(server), in: dir, name: "run")
        try await child.untilStderr(contains: "enqueued:")
        // The first job went through; the second waits in the pacer.
        await child.until { (try? statusCounts(db)) == ["succeeded": 1, "running": 1] }
        child.kill(SIGTERM)
        let result = try await child.finished()
        #expect(result.status == 75, "stdout: \(result.stdout) stderr: \(result.stderr)")
        // The claim and the pacer are two steps: a signal between them finds no request
        // waiting yet, and the job is handed back all the same (the counts below). Either
        // way the run does not wait for the grace.
        #expect(result.stderr.contains("signal received: no new work is claimed; 1 request waiting to be sent handed back now")
                || result.stderr.contains("signal received: no new work is claimed\n"), "stderr: \(result.stderr)")
        #expect(!result.stderr.contains("waiting up to"))
        #expect(try statusCounts(db) == ["succeeded": 1, "pending": 1])
    }
}
