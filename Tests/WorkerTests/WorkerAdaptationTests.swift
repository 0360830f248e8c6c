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
