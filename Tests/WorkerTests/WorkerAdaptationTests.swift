import Synchronization
import Testing
import JobQueue
import LLM
@testable import Worker

/// Adapting to servers that are not OpenAI's without failing a job (``ServerAdaptation``):
/// a cap on inputs per request, base64 refused, a busy server, usage that is not tokens.
struct WorkerAdaptationTests {
    static let teiCap = LLMError(kind: .invalidRequest(message: "batch size 8 > maximum allowed batch size 3", param: nil), status: 422,
                                 apiMessage: "batch size 8 > maximum allowed batch size 3", requestParameter: "batch size")
    static let base64Refused = LLMError(kind: .invalidRequest(message: "base64 encoding is not currently supported", param: nil),
                                        status: 400, apiMessage: "base64 encoding is not currently supported",
                                        requestParameter: "encoding_format")

    @Test func aCapOnInputsPerRequestIsLearntOnceAndNoJobFails() async throws {
        let harness = try WorkerHarness(jobs: embedJobs((1...10).map { "input \($0)" }), otherwise: .failIfMoreInputsThan(3, Self.teiCap))
        let report = try await harness.run(WorkerOptions(concurrency: 1, batchSize: 8, maxStall: 60))
        #expect(report.end == "drained")
        #expect(report.succeeded == 10)
        #expect(report.failed == 0)
        #expect(try harness.store.db.scalarInt("SELECT max(attempts) FROM jobs") == 0)
        #expect(harness.provider.embeddedInputs.map(\.count) == [8, 3, 3, 3, 1])  // the refusal, then at most 3
        #expect(harness.logLines.filter { $0.contains("at most 3 per request for the rest of this run; no job was failed") }.count == 1)
    }

    @Test func aRefusalOfOneInputForItsSizeFailsThatInputOnly() async throws {
        let tooLarge = LLMError(kind: .invalidRequest(message: "Payload Too Large", param: nil), status: 413, apiMessage: "Payload Too Large",
                                requestParameter: "request size")
        let harness = try WorkerHarness(jobs: embedJobs(["a", "b"]), otherwise: .failIfAnyInput(is: "b", tooLarge))
        let report = try await harness.run(WorkerOptions(concurrency: 1, batchSize: 1, maxStall: 60))
        #expect(report.end == "drained")
        #expect(try harness.statuses() == ["j1": "succeeded", "j2": "failed"])
    }

    @Test func base64RefusedSwitchesTheRunToFloatOnceAndNoJobFails() async throws {
        let harness = try WorkerHarness(jobs: embedJobs(["a", "b", "c", "d", "e"]), otherwise: .failIfEncoding(.base64, Self.base64Refused))
        let report = try await harness.run()
        #expect(report.end == "drained")
        #expect(report.succeeded == 5)
        #expect(try harness.store.db.scalarInt("SELECT max(attempts) FROM jobs") == 0)
        #expect(harness.provider.encodings.first == .base64)
        #expect(harness.provider.encodings.dropFirst().allSatisfy { $0 == .float })
        #expect(harness.logLines.filter { $0.contains("this run asks for float arrays") }.count == 1)
    }

    @Test func base64RefusedWithTheFormatFixedStopsTheRunWithNothingFailed() async throws {
        let harness = try WorkerHarness(jobs: embedJobs(["a", "b"]), otherwise: .failIfEncoding(.base64, Self.base64Refused))
        let report = try await harness.run(WorkerOptions(concurrency: 1, batchSize: 4, maxStall: 60, encodingFormat: .base64))
        #expect(report.end == "configuration")
        #expect(report.failed == 0)
        #expect(harness.provider.encodings == [.base64])
    }

    @Test func a503WhileOtherRequestsSucceedSpendsNoAttempt() async throws {
        // The probe and the next request succeed; three requests in flight beside successes
        // are answered 503 (busy), then all succeed.
        let harness = try WorkerHarness(jobs: embedJobs(["a", "b", "c", "d", "e", "f"]),
                                        script: [.succeed, .succeed] + Array(repeating: .fail(.serverUnavailable), count: 3), latency: 0.01)
        let report = try await harness.run(WorkerOptions(concurrency: 2, batchSize: 1, maxStall: 60))
        #expect(report.end == "drained")
        #expect(report.succeeded == 6)
        #expect(report.requestOutcomes["HTTP 503"] == 3)
        #expect(try harness.store.db.scalarInt("SELECT max(attempts) FROM jobs") == 0)
    }

    @Test func concurrencyHalvesOnBusyAnswersOncePerRoundAndGrowsBack() {
        var adaptation = ServerAdaptation()
        adaptation.configure(concurrency: 8, encoding: nil)
        #expect(adaptation.observe(status: 503, hasRateLimitHeaders: false) == 4)
        // The other answers to requests sent before the decrease say nothing new.
        for _ in 0..<3 { #expect(adaptation.observe(status: 503, hasRateLimitHeaders: false) == nil) }
        #expect(adaptation.observe(status: 429, hasRateLimitHeaders: false) == 2)
        #expect(adaptation.observe(status: 503, hasRateLimitHeaders: false) == nil)
        #expect(adaptation.observe(status: 503, hasRateLimitHeaders: false) == 1)
        for _ in 0..<5 { #expect(adaptation.observe(status: 503, hasRateLimitHeaders: false) == nil) }
        #expect(adaptation.concurrencyLimit == 1)
        // Successes grow it back by about one per round, never above --concurrency.
        for _ in 0..<3 { _ = adaptation.observe(status: 200, hasRateLimitHeaders: false) }
        #expect(adaptation.concurrencyLimit == 2)
        for _ in 0..<200 { _ = adaptation.observe(status: 200, hasRateLimitHeaders: false) }
        #expect(adaptation.concurrencyLimit == 8)
        // Once a server sends rate-limit headers, the pacer follows them instead.
        _ = adaptation.observe(status: 200, hasRateLimitHeaders: true)
        #expect(adaptation.observe(status: 429, hasRateLimitHeaders: false) == nil)
        #expect(adaptation.concurrencyLimit == 8)
    }

    @Test func timeoutsFromAServerWithoutRateLimitHeadersHalveConcurrencyOncePerRoundAndGrowBack() {
        var adaptation = ServerAdaptation()
        adaptation.configure(concurrency: 8, encoding: nil)
        // Before any answer, a timeout does not say what kind of server this is.
        #expect(adaptation.observeTimeout() == nil)
        #expect(adaptation.concurrencyLimit == 8)
        _ = adaptation.observe(status: 200, hasRateLimitHeaders: false)
        #expect(adaptation.timeoutsMeanOverload)
        #expect(adaptation.observeTimeout() == 4)
        // The other requests of the round (sent before the decrease) say nothing new.
        for _ in 0..<3 { #expect(adaptation.observeTimeout() == nil) }
        #expect(adaptation.observeTimeout() == 2)
        #expect(adaptation.observeTimeout() == nil)
        #expect(adaptation.observeTimeout() == 1)
        for _ in 0..<5 { #expect(adaptation.observeTimeout() == nil) }
        #expect(adaptation.concurrencyLimit == 1)
        // Successes grow it back by about one per round, never above --concurrency.
        for _ in 0..<3 { _ = adaptation.observe(status: 200, hasRateLimitHeaders: false) }
        #expect(adaptation.concurrencyLimit == 2)
        for _ in 0..<200 { _ = adaptation.observe(status: 200, hasRateLimitHeaders: false) }
        #expect(adaptation.concurrencyLimit == 8)
    }

    @Test func timeoutsFromAServerWithRateLimitHeadersChangeNoConcurrency() {
        var adaptation = ServerAdaptation()
        adaptation.configure(concurrency: 8, encoding: nil)
        _ = adaptation.observe(status: 200, hasRateLimitHeaders: true)
        #expect(!adaptation.timeoutsMeanOverload)
        for _ in 0..<20 { #expect(adaptation.observeTimeout() == nil) }
        #expect(adaptation.concurrencyLimit == 8)
    }

    @Test func theGateLowersConcurrencyOnTimeoutsHoldsTheSendersAndSaysSoOncePerChange() async throws {
        let clock = ManualClock()
        let gate = SendGate(pacer: Pacer(clock: clock, random: { 0 }), clock: clock)
        let lines = Mutex<[String]>([])
        gate.configureAdaptation(concurrency: 4, encoding: nil, log: { line in lines.withLock { $0.append(line) } })
        await gate.didReceive(status: 200, rateLimits: nil, retryAfter: nil, endsRun: false)
        for _ in 0..<4 { await gate.didFailWithoutResponse(.timedOut) }
        #expect(gate.concurrencyLimit == 1)
        #expect(gate.outcomes()["timeout"] == 4)
        let said: (String) -> String = { limit in
            "requests timed out (no answer within 5 s) from a server that sends no rate-limit headers: at most \(limit) in flight "
                + "now (growing back as requests succeed); their jobs are handed back, no attempt counted, and sending waits 5 s "
                + "while the server finishes the requests given up on"
        }
        let expected: [String] = [said("2 requests"), said("1 request")]
        #expect(lines.withLock { $0 } == expected)
        // Every sender waits one timeout (5 s) while the server finishes what was given up on.
        try await gate.willSend(path: "/v1/embeddings", estimatedTokens: 1)
        #expect(Array(clock.sleeps.prefix(5)) == [1, 1, 1, 1, 1])
        // A server that sends rate-limit headers is paced by them: its timeouts lower nothing.
        let paced = SendGate(pacer: Pacer(clock: clock, random: { 0 }), clock: clock)
        paced.configureAdaptation(concurrency: 4, encoding: nil, log: { line in lines.withLock { $0.append(line) } })
        await paced.didReceive(status: 200, rateLimits: RateLimitSnapshot(limitRequests: 500, remainingRequests: 499), retryAfter: nil,
                               endsRun: false)
        for _ in 0..<4 { await paced.didFailWithoutResponse(.timedOut) }
        #expect(paced.concurrencyLimit == 4)
        #expect(lines.withLock { $0.count } == 2)
    }

    @Test func aTimedOutBatchFromAServerWithoutRateLimitHeadersIsHandedBackWholeWithNoAttempt() async throws {
        // The probe and the next request succeed; three requests in flight beside them time
        // out (a slow local server), then everything succeeds.
        let harness = try WorkerHarness(jobs: embedJobs((1...24).map { "input \($0)" }),
                                        script: [.succeed, .succeed] + Array(repeating: .fail(.timedOut), count: 3), latency: 0.01)
        let report = try await harness.run(WorkerOptions(concurrency: 4, batchSize: 3, maxStall: 60))
        #expect(report.end == "drained")
        #expect(report.succeeded == 24)
        #expect(report.failed == 0)
        #expect(report.requestOutcomes["timeout"] == 3)
        #expect(try harness.store.db.scalarInt("SELECT max(attempts) FROM jobs") == 0)
        // Never split: every request carries a whole batch of 3.
        #expect(harness.provider.embeddedInputs.allSatisfy { $0.count == 3 }, "\(harness.provider.embeddedInputs)")
        // A timed-out batch is sent again a --timeout later (5 s), not at once.
        let calls = Array(zip(harness.provider.embeddedInputs, harness.provider.callTimes))
        for (index, (inputs, at)) in calls.enumerated().dropFirst(2).prefix(3) {
            let resent = try #require(calls[(index + 1)...].first { $0.0 == inputs })
            #expect(resent.1 - at >= 5)
        }
        #expect(harness.logLines.contains { $0.contains("requests timed out (no answer within 5 s) from a server that sends no "
                                                        + "rate-limit headers: at most 2 requests in flight now") },
                "\(harness.logLines)")
    }

    @Test(arguments: [
        ("batch size 512 > maximum allowed batch size 32", 512, 32),
        ("List should have at most 256 items after validation, not 300", 300, 256),
        ("Failed to buffer the request body: length limit exceeded", 100, 50),
        ("too many inputs (limit 4096)", 100, 50),
        // LiteLLM in front of TEI: the status code in the message is not a cap.
        ("litellm.BadRequestError: OpenAIException - Error code: 422 - batch size 512 > maximum allowed batch size 32\n\n"
            + "LiteLLM: model group 'text-embedding-3-small' failed with the error above. No fallback was attempted.", 512, 32),
        ("Error code: 413 - request too large", 512, 256),
    ])
    func theCapIsTheNumberTheMessageNamesOrHalf(message: String, sent: Int, cap: Int) {
        var adaptation = ServerAdaptation()
        #expect(adaptation.lowerInputCap(sent: sent, message: message) == cap)
        #expect(adaptation.inputsPerRequest(512) == cap)
        // A later refusal of a batch the cap already allows lowers nothing twice.
        #expect(adaptation.lowerInputCap(sent: sent, message: message) == nil)
    }

    @Test(arguments: [(0, 40, true, 40), (160, 40, true, 40), (15, 40, true, 40), (44, 40, true, 44), (160, 200, false, 160)])
    func usageIsTrustedOnlyWhenPlausible(reported: Int, estimate: Int, exact: Bool, used: Int) {
        #expect(Worker.plausibleUsage(reported: reported, estimate: estimate, exact: exact) == used)
    }
}
