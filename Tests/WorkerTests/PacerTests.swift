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

    /// The most spent in any 60-second window, given send times and a cost each.
    private func busiestMinute(_ times: [Double], cost: Double) -> Double {
        times.map { start in Double(times.filter { $0 >= start && $0 < start + 60 }.count) * cost }.max() ?? 0
    }

    @Test func tokensStayWithinTheTokensPerMinuteOverASlidingMinute() async throws {
        let clock = ManualClock()
        let pacer = Pacer(clock: clock, tokensPerMinute: 1000)
        let times = try await sendTimes(pacer, clock: clock, count: 12, tokens: 400)
        #expect(busiestMinute(times, cost: 400) <= 1000)
        #expect(times.last ?? 0 <= 11 * 24 + 60)  // no long idle: about one send per 24 s
        #expect(clock.sleeps.allSatisfy { $0 <= 5 })
    }

    @Test func sendsAreSpreadEvenlyNotBurstThenIdle() async throws {
        let clock = ManualClock()
        let pacer = Pacer(clock: clock, tokensPerMinute: 6000)
        let times = try await sendTimes(pacer, clock: clock, count: 61, tokens: 100)
        // 100 tokens per second: after the first second's allowance, one send per second.
        #expect(times.filter { $0 < 1 }.count <= 3)
        #expect(abs((times.last ?? 0) - 59) <= 1.5)
        #expect(busiestMinute(times, cost: 100) <= 6000)
    }

    @Test func requestsStayWithinTheRequestsPerMinute() async throws {
        let clock = ManualClock()
        let pacer = Pacer(clock: clock, requestsPerMinute: 3)
        let times = try await sendTimes(pacer, clock: clock, count: 7, tokens: 1)
        #expect(busiestMinute(times, cost: 1) <= 3)
        #expect(times.last ?? 0 <= 6 * 20 + 1)
    }

    @Test func nothingWaitsWithoutLimits() async throws {
        let clock = ManualClock()
        let pacer = Pacer(clock: clock)
        // A success without x-ratelimit-* headers: the server sets no limits.
        await pacer.didReceive(status: 200, rateLimits: nil, retryAfter: nil)
        #expect(try await sendTimes(pacer, clock: clock, count: 50, tokens: 100_000) == Array(repeating: 0, count: 50))
    }

    @Test func headerLimitsAreFollowedAtTheConfiguredShare() async throws {
        let clock = ManualClock()
        let pacer = Pacer(clock: clock, headerLimitShare: 0.5)
        await pacer.didReceive(status: 200, rateLimits: RateLimitSnapshot(limitRequests: 4, limitTokens: 1000), retryAfter: nil)
        let times = try await sendTimes(pacer, clock: clock, count: 5, tokens: 1)
        #expect(busiestMinute(times, cost: 1) <= 2)
        let tokens = Pacer(clock: clock, headerLimitShare: 0.5)
        await tokens.didReceive(status: 200, rateLimits: RateLimitSnapshot(limitRequests: 1000, limitTokens: 1000), retryAfter: nil)
        let tokenTimes = try await sendTimes(tokens, clock: clock, count: 5, tokens: 250)
        #expect(busiestMinute(tokenTimes, cost: 250) <= 500)
    }

    @Test func aLowRemainderWaitsForTheRefillBeforeTheServerSays429() async throws {
        let clock = ManualClock()
        let start = clock.now()
        // Another client spent most of the budget: 60,000 tokens a minute, 30 left, whole
        // again in 59.97 s, so it refills at 1,000 tokens/s (the limits' own pace allows
        // the sends below at once).
        let pacer = Pacer(clock: clock, headerLimitShare: 1)
        await pacer.didReceive(status: 200, rateLimits: RateLimitSnapshot(
            limitRequests: 6_000, limitTokens: 60_000, remainingRequests: 5_000, remainingTokens: 30,
            resetRequests: .seconds(10), resetTokens: .milliseconds(59_970)), retryAfter: nil)
        try await pacer.willSend(path: "/embeddings", estimatedTokens: 20)
        #expect(clock.now() == start, "20 of the 30 left: no wait")
        try await pacer.willSend(path: "/embeddings", estimatedTokens: 20)
        #expect(abs(clock.now() - start - 0.01) < 1e-9, "10 left: 10 more tokens take 0.01 s to refill")
        // A fresh response with room to spare lifts the guard.
        await pacer.didReceive(status: 200, rateLimits: RateLimitSnapshot(
            limitRequests: 6_000, limitTokens: 60_000, remainingRequests: 5_000, remainingTokens: 50_000,
            resetRequests: .seconds(10), resetTokens: .seconds(10)), retryAfter: nil)
        let before = clock.now()
        try await pacer.willSend(path: "/embeddings", estimatedTokens: 20)
        #expect(clock.now() == before)
    }

    @Test func noRequestsLeftWaitsUntilTheReportedReset() async throws {
        let clock = ManualClock()
        let start = clock.now()
        let pacer = Pacer(clock: clock, headerLimitShare: 1)
        await pacer.didReceive(status: 200, rateLimits: RateLimitSnapshot(
            remainingRequests: 0, resetRequests: .seconds(2)), retryAfter: nil)
        try await pacer.willSend(path: "/chat/completions", estimatedTokens: 10)
        #expect(clock.now() == start + 2)
    }

    @Test func flagsOverrideHeaderLimits() async throws {
        let clock = ManualClock()
        let pacer = Pacer(clock: clock, requestsPerMinute: 5, headerLimitShare: 0.5)
        await pacer.didReceive(status: 200, rateLimits: RateLimitSnapshot(limitRequests: 2), retryAfter: nil)
        let times = try await sendTimes(pacer, clock: clock, count: 10, tokens: 1)
        #expect(busiestMinute(times, cost: 1) == 5)
    }

    @Test func calibrationScalesEstimatesToWhatTheServerCounts() async throws {
        let clock = ManualClock()
        let pacer = Pacer(clock: clock, tokensPerMinute: 1000)
        await pacer.observeUsage(estimated: 1000, actual: 250)
        #expect(await pacer.calibration == 0.25)
        let times = try await sendTimes(pacer, clock: clock, count: 8, tokens: 1000)
        #expect(busiestMinute(times, cost: 250) <= 1000)
        #expect(times[3] < 60)  // four estimated-1000 requests fit in the first minute
        await pacer.observeUsage(estimated: 100, actual: 500)
        #expect(await pacer.calibration == 0.8 * 0.25 + 0.2 * 5)
    }
}
