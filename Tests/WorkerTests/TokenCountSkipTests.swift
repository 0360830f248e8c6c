import Synchronization
import Testing
import LLM
@testable import Worker

/// An exact counter (one token per byte) that counts how often it is asked.
final class CountingEstimator: TokenEstimator {
    private let counted = Mutex(0)
    var calls: Int { counted.withLock { $0 } }

    func count(_ text: String, model: String) -> (tokens: Int, exact: Bool) {
        counted.withLock { $0 += 1 }
        return (max(1, text.utf8.count), true)
    }

    func truncate(_ text: String, model: String, toTokens limit: Int) -> String? { nil }
}

/// When the worker tokenizes embedding inputs, and when a byte bound is enough.
struct TokenCountSkipTests {
    private func run(_ harness: WorkerHarness, tokensPerMinute: Int) async throws -> (RunReport, CountingEstimator) {
        await harness.pacer.didReceive(
            status: 200, rateLimits: RateLimitSnapshot(limitRequests: 1_000_000, limitTokens: tokensPerMinute), retryAfter: nil)
        let estimator = CountingEstimator()
        let worker = Worker(options: .test(), queue: harness.queue, provider: harness.provider, pacer: harness.pacer,
                            clock: harness.clock, estimator: estimator, random: { 0 })
        return (try await worker.run(), estimator)
    }

    @Test func inputsAreNotTokenizedWhenTheirBytesFitEveryLimit() async throws {
        let harness = try WorkerHarness(jobs: embedJobs(["alpha", "beta", "gamma", "delta", "epsilon"]))
        let (report, estimator) = try await run(harness, tokensPerMinute: 1_000_000_000)
        #expect(report.succeeded == 5)
        #expect(estimator.calls == 0)
        #expect(try harness.value("tokens_exact", of: "j1") == .integer(0))
    }

    @Test func underATightTokenLimitEveryInputIsCountedExactly() async throws {
        // 2,400 tokens a minute: a request may carry 10 tokens, less than the claim's bytes.
        let harness = try WorkerHarness(jobs: embedJobs(["alpha", "beta", "gamma", "delta", "epsilon"]))
        let (report, estimator) = try await run(harness, tokensPerMinute: 2_400)
        #expect(report.succeeded == 5)
        #expect(estimator.calls >= 5)
        #expect(try harness.value("tokens_exact", of: "j1") == .integer(1))
        #expect(try harness.value("input_tokens", of: "j5") == .integer(7))
    }

    @Test func theProbeIsCountedExactly() async throws {
        let harness = try WorkerHarness(jobs: embedJobs(["alpha", "beta"]))
        let estimator = CountingEstimator()
        let worker = Worker(options: .test(), queue: harness.queue, provider: harness.provider, pacer: harness.pacer,
                            clock: harness.clock, estimator: estimator, random: { 0 })
        let report = try await worker.run()
        #expect(report.succeeded == 2)
        #expect(estimator.calls == 2)
        #expect(try harness.value("tokens_exact", of: "j2") == .integer(1))
    }
}
