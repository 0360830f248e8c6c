import FakeOpenAI
import Foundation
import SQLite
import Testing
import TestSupport

/// The real binary against FakeOpenAI behaving like servers that are not OpenAI's
/// (`FakeServerQuirks`): every job succeeds with its exact vector, no job is failed by an
/// adaptation, and the adaptation is said in the log.
@Suite(.serialized, .timeLimit(.minutes(2)))
struct CompatibleServerEndToEndTests {
    func run(_ options: FakeOpenAIOptions, jobs: Int, flags: [String] = []) async throws
        -> (result: ProcessResult, db: String, server: FakeOpenAIServer, dir: TemporaryDirectory) {
        let server = try await FakeOpenAIServer.start(options)
        let dir = try TemporaryDirectory()
        let corpus = dir.path("corpus.jsonl")
        try writeEmbedCorpus(corpus, count: jobs)
        let db = dir.path("q.sqlite")
        let result = try await runLLMQInBackground(["run", "--db", db, "--quiet", corpus] + flags, environment: fakeEnvironment(server))
        return (result, db, server, dir)
    }

    func embeddingRequests(_ server: FakeOpenAIServer) -> [FakeRecordedRequest] {
        server.recordedRequests().filter { $0.path == "/v1/embeddings" }
    }

    func inputCount(_ request: FakeRecordedRequest) -> Int {
        if case .array(let inputs)? = request.body?["input"] { inputs.count } else { 0 }
    }

    @Test(arguments: [
        (FakeServerQuirks.InputCapStyle.tei, 32, "at most 32 per request"),
        (.infinity, 48, "at most 48 per request"),
        (.payload, 50, "at most 50 per request"),
    ])
    func aServerCapOnInputsPerRequestIsLearntWithNoJobFailed(style: FakeServerQuirks.InputCapStyle, cap: Int, said: String) async throws {
        let quirks = FakeServerQuirks(maxInputsPerRequest: cap, inputCapStyle: style, omitsRateLimitHeaders: true)
        let (result, db, server, dir) = try await run(FakeOpenAIOptions(quirks: quirks), jobs: 200, flags: ["--batch-size", "100"])
        defer { withExtendedLifetime(dir) { Task { await server.shutdown() } } }
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(try statusCounts(db) == ["succeeded": 200])
        #expect(try Connection(path: db).scalarInt("SELECT max(attempts) FROM jobs") == 0)
        #expect(try vectorsMatchingTheFake(db) == (200, 200))
        // Said once; the 413 names no number, so the cap is half of what was sent (100).
        #expect(result.stderr.components(separatedBy: "for the rest of this run").count == 2, "stderr: \(result.stderr)")
        #expect(result.stderr.contains(said), "stderr: \(result.stderr)")
        let sizes = embeddingRequests(server).map(inputCount)
        #expect(sizes.filter { $0 > cap }.count <= 2, "refused requests: \(sizes)")
        #expect(sizes.suffix(3).allSatisfy { $0 <= cap })
    }

    @Test func aServerThatRefusesBase64IsAskedForFloatsAndTheVectorsAreExact() async throws {
        let quirks = FakeServerQuirks(refusesBase64: true, omitsRateLimitHeaders: true, rejectsNullFields: true)
        let (result, db, server, dir) = try await run(FakeOpenAIOptions(quirks: quirks), jobs: 40, flags: ["--batch-size", "8"])
        defer { withExtendedLifetime(dir) { Task { await server.shutdown() } } }
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(try statusCounts(db) == ["succeeded": 40])
        #expect(try vectorsMatchingTheFake(db) == (40, 40))
        #expect(result.stderr.contains("the server does not take encoding_format base64"), "stderr: \(result.stderr)")
        #expect(result.stderr.contains("base64 encoding is not currently supported"))
        let formats = embeddingRequests(server).map { $0.body?["encoding_format"] }
        #expect(formats.filter { $0 == .string("base64") }.count == 1, "formats: \(formats)")
        #expect(formats.last == .string("float"))
    }

    @Test func encodingFormatSetByFlagIsNotSwitchedButStopsTheRunWithNothingFailed() async throws {
        let quirks = FakeServerQuirks(refusesBase64: true)
        let (result, db, server, dir) = try await run(FakeOpenAIOptions(quirks: quirks), jobs: 10, flags: ["--encoding-format", "base64"])
        defer { withExtendedLifetime(dir) { Task { await server.shutdown() } } }
        #expect(result.status == 2, "stderr: \(result.stderr)")
        #expect(try statusCounts(db) == ["pending": 10])
        #expect(result.stderr.contains("base64 encoding is not currently supported"))
    }

    @Test func floatsAnsweredToABase64RequestAreReadAsFloats() async throws {
        let (result, db, server, dir) = try await run(FakeOpenAIOptions(forceEncoding: .float), jobs: 30)
        defer { withExtendedLifetime(dir) { Task { await server.shutdown() } } }
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(try vectorsMatchingTheFake(db) == (30, 30))
    }

    @Test func aBusyServerWithoutRateLimitHeadersGetsFewerRequestsInFlightAndNoJobFails() async throws {
        let quirks = FakeServerQuirks(omitsRateLimitHeaders: true, maxInFlight: 2)
        let (result, db, server, dir) = try await run(FakeOpenAIOptions(latency: .milliseconds(40), quirks: quirks), jobs: 120,
                                                      flags: ["--batch-size", "2", "--concurrency", "8", "--max-retries", "0",
                                                              "--outage-pause", "50ms", "--outage-pause-cap", "200ms"])
        defer { withExtendedLifetime(dir) { Task { await server.shutdown() } } }
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(try statusCounts(db) == ["succeeded": 120])
        #expect(try Connection(path: db).scalarInt("SELECT max(attempts) FROM jobs") == 0)
        #expect(try vectorsMatchingTheFake(db) == (120, 120))
        #expect(result.stderr.contains("HTTP 503 from a server that sends no rate-limit headers: at most 4 requests in flight now"),
                "stderr: \(result.stderr)")
    }

    @Test func aComputeBoundServerSlowerThanTheTimeoutForEightInFlightGetsFewerAndEveryJobSucceeds() async throws {
        // 8 inputs at 4 ms each: 32 ms a request computed alone, 64 ms behind one other, 256 ms
        // behind seven (the default --concurrency), over the 120 ms --timeout.
        let quirks = FakeServerQuirks(omitsRateLimitHeaders: true, computePerInput: .milliseconds(4))
        let (result, db, server, dir) = try await run(FakeOpenAIOptions(quirks: quirks), jobs: 240,
                                                      flags: ["--batch-size", "8", "--timeout", "0.12"])
        defer { withExtendedLifetime(dir) { Task { await server.shutdown() } } }
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(try statusCounts(db) == ["succeeded": 240])
        #expect(try Connection(path: db).scalarInt("SELECT max(attempts) FROM jobs") == 0)
        #expect(try vectorsMatchingTheFake(db) == (240, 240))
        let lowered = "requests timed out (no answer within 0.12 s) from a server that sends no rate-limit headers: at most 4 requests "
            + "in flight now (growing back as requests succeed); their jobs are handed back, no attempt counted, and sending "
            + "waits 0.12 s while the server finishes the requests given up on"
        #expect(result.stderr.components(separatedBy: lowered).count == 2, "stderr: \(result.stderr)")
        // Requests did time out: more were made than the 30 batches.
        #expect(embeddingRequests(server).count > 30)
    }

    @Test func usageCountedInCharactersIsNotStoredAsTokens() async throws {
        let (result, db, server, dir) = try await run(FakeOpenAIOptions(quirks: FakeServerQuirks(usageInCharacters: true)), jobs: 20)
        defer { withExtendedLifetime(dir) { Task { await server.shutdown() } } }
        #expect(result.status == 0, "stderr: \(result.stderr)")
        // Each input is ~60 characters and ~15 tokens: the stored counts are llmq's exact ones.
        let connection = try Connection(path: db)
        let stored = try #require(try connection.scalarInt("SELECT sum(input_tokens) FROM embeddings"))
        let characters = try #require(try connection.scalarInt("SELECT sum(length(json_extract(request, '$.input'))) FROM jobs"))
        #expect(stored * 2 < characters, "stored \(stored) tokens for \(characters) characters")
    }

    /// infinity's `usage` (characters) for a model llmq has no tokenizer for: the summary,
    /// text and `--json`, shows llmq's upper bound (UTF-8 bytes) marked as one, not the
    /// character count as tokens; for a model it knows, the exact count, unmarked.
    @Test func theSummaryShowsTheUpperBoundNotTheCharactersOfAnUnknownModel() async throws {
        let chosen = try #require(FakeServerQuirks.profiles["infinity"])
        let server = try await FakeOpenAIServer.start(FakeOpenAIOptions(forceEncoding: .float, quirks: chosen.quirks))
        defer { Task { await server.shutdown() } }
        let dir = try TemporaryDirectory()
        let corpus = dir.path("corpus.jsonl")
        // Not ASCII: characters, UTF-8 bytes and tokens all differ.
        let inputs = (0..<12).map { "document \($0) of the corpus: lease, claim, batch, vector — Grüße" }
        try inputs.enumerated().map { #"{"id": "u-\#($0.offset)", "type": "embed", "input": "\#($0.element)"}"# }
            .joined(separator: "\n").write(toFile: corpus, atomically: true, encoding: .utf8)
        let bytes = inputs.reduce(0) { $0 + $1.utf8.count }
        let characters = inputs.reduce(0) { $0 + $1.count }
        try #require(bytes > characters)
        for model in ["all-MiniLM-L6-v2", "text-embedding-3-small"] {
            let db = dir.path("\(model).sqlite")
            let text = try await runLLMQInBackground(["run", "--db", db, "--embedding-model", model, corpus], environment: fakeEnvironment(server))
            #expect(text.status == 0, "stderr: \(text.stderr)")
            #expect(!text.stdout.contains("\(characters) tokens"), "stdout: \(text.stdout)")
            let db2 = dir.path("\(model)-json.sqlite")
            let json = try await runLLMQInBackground(["run", "--db", db2, "--json", "--quiet", "--embedding-model", model, corpus],
                                                     environment: fakeEnvironment(server))
            #expect(json.status == 0, "stderr: \(json.stderr)")
            let summary = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
            if model == "all-MiniLM-L6-v2" {
                #expect(text.stdout.contains(", ≤\(bytes) tokens (upper bound: no tokenizer for the model), "), "stdout: \(text.stdout)")
                #expect(summary["embed_tokens"] as? Int == bytes)
                #expect(summary["embed_tokens_estimated"] as? Int == bytes)
            } else {
                let exact = try #require(try Connection(path: db).scalarInt("SELECT sum(input_tokens) FROM embeddings"))
                #expect(exact * 2 < characters)
                #expect(text.stdout.contains(", \(exact) tokens, "), "stdout: \(text.stdout)")
                #expect(!text.stdout.contains("≤"))
                #expect(summary["embed_tokens"] as? Int == exact)
                #expect(summary["embed_tokens_estimated"] as? Int == 0)
            }
        }
    }

    /// A known model behind a server that sends rate-limit headers (a gateway, a proxy):
    /// the claim bounds the counts by bytes instead of tokenizing, and the summary shows the
    /// tokens the server charged, not the byte bound marked as one.
    @Test func theSummaryOfAKnownModelShowsTheTokensTheServerCharged() async throws {
        let options = FakeOpenAIOptions(requestsPerMinute: 1_000_000, tokensPerMinute: 1_000_000_000)
        let (result, db, server, dir) = try await run(options, jobs: 600, flags: [])
        defer { withExtendedLifetime(dir) { Task { await server.shutdown() } } }
        #expect(result.status == 0, "stderr: \(result.stderr)")
        // After the first request (counted exactly: no limit known yet), inputs are bounded, not counted.
        #expect(try Connection(path: db).scalarInt("SELECT count(*) FROM jobs WHERE tokens_exact = 0") ?? 0 > 0)
        let charged = server.stats().tokensCharged
        #expect(charged > 0)
        #expect(result.stdout.contains(", \(charged) tokens, "), "stdout: \(result.stdout)")
        #expect(!result.stdout.contains("≤"), "stdout: \(result.stdout)")
    }

    @Test(arguments: FakeServerQuirks.profiles.keys.sorted())
    func everyFakeProfileRunsToTheEndWithExactVectors(profile: String) async throws {
        let chosen = try #require(FakeServerQuirks.profiles[profile])
        let options = FakeOpenAIOptions(latency: .milliseconds(5), forceEncoding: chosen.forceFloat ? .float : nil, quirks: chosen.quirks)
        let (result, db, server, dir) = try await run(options, jobs: 300, flags: ["--outage-pause", "50ms"])
        defer { withExtendedLifetime(dir) { Task { await server.shutdown() } } }
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(try statusCounts(db) == ["succeeded": 300])
        #expect(try Connection(path: db).scalarInt("SELECT max(attempts) FROM jobs") == 0)
        #expect(try vectorsMatchingTheFake(db) == (300, 300))
    }

    @Test func aLocalModelsOwnLengthIsStoredWhenNoDimensionsAreSent() async throws {
        let chosen = try #require(FakeServerQuirks.profiles["infinity"])
        let model = "sentence-transformers/all-MiniLM-L6-v2"
        let (result, db, server, dir) = try await run(FakeOpenAIOptions(forceEncoding: .float, quirks: chosen.quirks), jobs: 20,
                                                      flags: ["--embedding-model", model])
        defer { withExtendedLifetime(dir) { Task { await server.shutdown() } } }
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(try Connection(path: db).scalarInt("SELECT count(*) FROM embeddings WHERE dimensions = 384 AND length(vector) = 1536") == 20)
        #expect(try vectorsMatchingTheFake(db) == (20, 20))
        #expect(embeddingRequests(server).allSatisfy { $0.body?["dimensions"] == nil })
    }

    @Test func badEncodingFormatFlagExitsTwoNamingIt() async throws {
        let result = try runLLMQ(["run", "--db", "/nonexistent/q.sqlite", "--encoding-format", "int8"],
                                 environment: ["OPENAI_API_KEY": "sk-test"])
        #expect(result.status == 2)
        #expect(unstamped(result.stderr) == "llmq: error: --encoding-format must be base64 or float, got \"int8\"\n")
    }
}

/// Vectors of another length than asked for are about the request: the run stops with the
/// lengths (exit 2), nothing is stored and no job is failed.
@Suite(.serialized, .timeLimit(.minutes(2)))
struct WrongDimensionsEndToEndTests {
    /// Runs `llmq run --db DB --dimensions 256 FLAGS` over 30 embed jobs against a server
    /// that ignores `dimensions`, and checks what both paths promise: exit 2 naming both
    /// lengths, every job pending without an attempt, no vector stored.
    func runExpectingWrongDimensions(_ flags: [String], sourceLocation: SourceLocation = #_sourceLocation)
        async throws -> (result: ProcessResult, server: FakeOpenAIServer, db: String, dir: TemporaryDirectory)
    {
        let server = try await FakeOpenAIServer.start(FakeOpenAIOptions(quirks: FakeServerQuirks(ignoresDimensions: true)))
        let dir = try TemporaryDirectory()
        let corpus = dir.path("corpus.jsonl")
        try writeEmbedCorpus(corpus, count: 30)
        let db = dir.path("q.sqlite")
        let result = try await runLLMQInBackground(["run", "--db", db, "--dimensions", "256"] + flags + [corpus],
                                                   environment: fakeEnvironment(server))
        #expect(result.status == 2, "stderr: \(result.stderr)", sourceLocation: sourceLocation)
        #expect(result.stderr.contains("The API answered with vectors of 1536 dimensions, expected 256 (HTTP 200"),
                "stderr: \(result.stderr)", sourceLocation: sourceLocation)
        #expect(result.stderr.contains("no vector was stored and no job was failed"), "stderr: \(result.stderr)",
                sourceLocation: sourceLocation)
        #expect(try statusCounts(db) == ["pending": 30], sourceLocation: sourceLocation)
        let connection = try Connection(path: db)
        #expect(try connection.scalarInt("SELECT count(*) FROM embeddings") == 0, sourceLocation: sourceLocation)
        #expect(try connection.scalarInt("SELECT max(attempts) FROM jobs") == 0, sourceLocation: sourceLocation)
        return (result, server, db, dir)
    }

    @Test func vectorsOfAnotherLengthStopTheRunWithNothingStoredOrFailed() async throws {
        let (_, server, _, dir) = try await runExpectingWrongDimensions(["--quiet"])
        defer { withExtendedLifetime(dir) {}; Task { await server.shutdown() } }
        // One request: stopping is not retrying it as an outage.
        #expect(server.recordedRequests().filter { $0.path == "/v1/embeddings" }.count <= 2)
    }

    @Test func batchLinesWithVectorsOfAnotherLengthStopTheRunWithNothingStoredOrFailed() async throws {
        let (result, server, db, dir) = try await runExpectingWrongDimensions(
            ["--batch-api", "--wait", "--poll-interval", "0.02", "--batch-size", "10", "--json"])
        defer { withExtendedLifetime(dir) {}; Task { await server.shutdown() } }
        // The synchronous path's error, with the request id and the line's custom_id; not "unreadable".
        #expect(result.stderr.contains(/The API answered with vectors of 1536 dimensions, expected 256 \(HTTP 200, request id [^)]+\) \[custom_id [^\]]+\]/),
                "stderr: \(result.stderr)")
        #expect(result.stderr.contains("3 output lines had vectors of another length; their jobs are back to pending"),
                "stderr: \(result.stderr)")
        #expect(!result.stderr.contains("could not be read"), "stderr: \(result.stderr)")
        #expect(result.stdout.contains(#""end":"configuration""#) && result.stdout.contains(#""unreadable_lines":0"#),
                "stdout: \(result.stdout)")
        #expect(try Connection(path: db).scalarInt("SELECT count(*) FROM batches WHERE collected_at IS NOT NULL") == 1)
        // --wait stopped: the same jobs were not sent again in a second batch.
        #expect(server.stats().batchesCreated == 1)
    }
}
