import Testing
import LLM
@testable import Worker

struct PacerTests {
    /// Sends `count` requests of `tokens` one after another; returns when each went out,
    /// in seconds since the first call.
    private func sendTimes(_ pacer: Pacer, clock: ManualClock, count: Int, tokens: Int) async throws -> [Double] {
        let start = clock.now()
        var times: [Double] = []
        for _ in 0..<count {
            try await pacer.willSend(path: "/embeddings", estimatedTokens: tokens)
            times.append(clock.now() - start)
        }
        return times
    }

    @Test func rateLimitPausesAllSenders() async throws {
        let clock = ManualClock()
        let start = clock.now()
        let pacer = Pacer(clock: clock, random: { 0 })
        try await pacer.willSend(path: "/embeddings", estimatedTokens: 10)
        await pacer.didReceive(status: 429, rateLimits: nil, retryAfter: .seconds(2))
        #expect(await pacer.pauseRemaining() == 2)
        try await pacer.willSend(path: "/chat/completions", estimatedTokens: 10)
        #expect(clock.now() == start + 2)
        #expect(clock.sleeps == [2])
        #expect(await pacer.rateLimitedResponses == 1)
        #expect(await pacer.responses == 1)
    }

    @Test func rateLimitWithoutRetryAfterBacksOffExponentially() async throws {
        let clock = ManualClock()
        let pacer = Pacer(clock: clock, random: { 0 })
        for _ in 0..<3 {
            await pacer.didReceive(status: 429, rateLimits: nil, retryAfter: nil)
            try await pacer.willSend(path: "/embeddings", estimatedTokens: 1)
        }
        #expect(clock.sleeps == [0.5, 1, 2])
        await pacer.didReceive(status: 200, rateLimits: nil, retryAfter: nil)
        await pacer.didReceive(status: 429, rateLimits: nil, retryAfter: nil)
        #expect(await pacer.pauseRemaining() == 0.5)
    }

    @Test func tokensStayWithinTheTokensPerMinuteOverASlidingMinute() async throws {
        let clock = ManualClock()
        let pacer = Pacer(clock: clock, tokensPerMinute: 1000)
        #expect(try await sendTimes(pacer, clock: clock, count: 5, tokens: 400) == [0, 0, 60, 60, 120])
        #expect(clock.sleeps.allSatisfy { $0 <= 5 })
    }

    @Test func requestsStayWithinTheRequestsPerMinute() async throws {
        let clock = ManualClock()
        let pacer = Pacer(clock: clock, requestsPerMinute: 3)
        #expect(try await sendTimes(pacer, clock: clock, count: 7, tokens: 1) == [0, 0, 0, 60, 60, 60, 120])
    }

    @Test func nothingWaitsWithoutLimits() async throws {
        let clock = ManualClock()
        let pacer = Pacer(clock: clock)
        #expect(try await sendTimes(pacer, clock: clock, count: 50, tokens: 100_000) == Array(repeating: 0, count: 50))
    }

    @Test func headerLimitsAreFollowedAtTheConfiguredShare() async throws {
        let clock = ManualClock()
        let pacer = Pacer(clock: clock, headerLimitShare: 0.5)
        await pacer.didReceive(status: 200, rateLimits: RateLimitSnapshot(limitRequests: 4, limitTokens: 1000), retryAfter: nil)
        #expect(try await sendTimes(pacer, clock: clock, count: 3, tokens: 1) == [0, 0, 60])
        let tokens = Pacer(clock: clock, headerLimitShare: 0.5)
        await tokens.didReceive(status: 200, rateLimits: RateLimitSnapshot(limitRequests: 1000, limitTokens: 1000), retryAfter: nil)
        #expect(try await sendTimes(tokens, clock: clock, count: 3, tokens: 250) == [0, 0, 60])
    }

    @Test func flagsOverrideHeaderLimits() async throws {
        let clock = ManualClock()
        let pacer = Pacer(clock: clock, requestsPerMinute: 5, headerLimitShare: 0.5)
        await pacer.didReceive(status: 200, rateLimits: RateLimitSnapshot(limitRequests: 2), retryAfter: nil)
        #expect(try await sendTimes(pacer, clock: clock, count: 6, tokens: 1) == [0, 0, 0, 0, 0, 60])
    }

    @Test func calibrationScalesByteEstimatesDown() async throws {
        let clock = ManualClock()
        let pacer = Pacer(clock: clock, tokensPerMinute: 1000)
        await pacer.observeUsage(estimated: 1000, actual: 250)
        #expect(await pacer.calibration == 0.25)
        #expect(try await sendTimes(pacer, clock: clock, count: 5, tokens: 1000) == [0, 0, 0, 0, 60])
        await pacer.observeUsage(estimated: 100, actual: 500)
        #expect(await pacer.calibration == 0.8 * 0.25 + 0.2)
    }
}
