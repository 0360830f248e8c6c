import LLM
import Testing
@testable import Worker

/// Pacing a server that reports only `x-ratelimit-remaining-requests` / `-tokens`, with no
/// limit and no reset (Azure OpenAI).
struct PacerRemainingOnlyTests {
    private func send(_ pacer: Pacer, tokens: Int = 10) async throws {
        try await pacer.willSend(path: "/embeddings", estimatedTokens: tokens)
    }

    @Test func aSuccessWithOnlyRemaindersEndsTheProbe() async throws {
        let clock = ManualClock()
        let pacer = Pacer(clock: clock)
        try await send(pacer)
        #expect(await pacer.isProbing)
        await pacer.didReceive(status: 200, rateLimits: RateLimitSnapshot(remainingRequests: 50, remainingTokens: 100_000), retryAfter: nil)
        #expect(await !pacer.isProbing)
        #expect(await pacer.requestTokenBudget() == nil)
        let start = clock.now()
        for _ in 0..<50 { try await send(pacer) }
        #expect(clock.now() == start, "50 left: all 50 go at once")
    }

    @Test func aFigureDoesNotCountTheSendsThatWentAfterTheOneItAnswers() async throws {
        let clock = ManualClock()
        let start = clock.now()
        let pacer = Pacer(clock: clock)
        try await send(pacer)
        await pacer.didReceive(status: 200, rateLimits: RateLimitSnapshot(remainingRequests: 10, remainingTokens: 100_000), retryAfter: nil)
        for _ in 0..<8 { try await send(pacer) }
        // The answer to the first of the eight: the server had counted it, not the seven
        // still on their way, so 9 left is 2 for new sends.
        await pacer.didReceive(status: 200, rateLimits: RateLimitSnapshot(remainingRequests: 9, remainingTokens: 100_000), retryAfter: nil)
        try await send(pacer)
        try await send(pacer)
        #expect(clock.now() == start)
        // The next waits until the server's 10 s window surely lets go of the two answered
        // sends: 10 s after their answers (and 0.05 s for the server's clock).
        try await send(pacer)
        #expect(abs(clock.now() - (start + 10.05)) < 1e-9)
        try await send(pacer)
        #expect(abs(clock.now() - (start + 10.05)) < 1e-9)
        #expect(await pacer.rateLimitedResponses == 0)
    }

    @Test func aStaleFigureForAnOlderSendDoesNotWidenTheBudget() async throws {
        let clock = ManualClock()
        let start = clock.now()
        let pacer = Pacer(clock: clock)
        try await send(pacer)
        await pacer.didReceive(status: 200, rateLimits: RateLimitSnapshot(remainingRequests: 5, remainingTokens: 100_000), retryAfter: nil)
        for _ in 0..<4 { try await send(pacer) }
        // A 429 for the newest send says nothing is left; the figure of an older send
        // answered after it (4) is older news.
        await pacer.didReceive(status: 429, rateLimits: RateLimitSnapshot(remainingRequests: 0, remainingTokens: 100_000),
                               retryAfter: .milliseconds(100))
        await pacer.didReceive(status: 200, rateLimits: RateLimitSnapshot(remainingRequests: 4, remainingTokens: 100_000), retryAfter: nil)
        try await send(pacer)
        #expect(abs(clock.now() - (start + 0.1)) < 1e-9, "one probe when the retry-after ends")
        try await send(pacer)
        #expect(abs(clock.now() - (start + 10.05)) < 1e-9, "then the window, not the stale 4")
    }

    @Test func anExhaustedWindowWaitsForTheRunsOwnSendsToLeaveItNotForAProbes429() async throws {
        let clock = ManualClock()
        let start = clock.now()
        let pacer = Pacer(clock: clock)
        try await send(pacer)
        // One send a second, each answered at once, the last one using up the window.
        for (second, left) in [4, 3, 2, 1, 0].enumerated() {
            await pacer.didReceive(status: 200, rateLimits: RateLimitSnapshot(remainingRequests: left, remainingTokens: 100_000),
                                   retryAfter: nil)
            if second < 4 {
                clock.advance(by: 1)
                try await send(pacer)
            }
        }
        #expect(clock.now() == start + 4)
        // No probe a second later (the server would refuse it): the sends leave the 10 s
        // window 10.05 s after their answers.
        try await send(pacer)
        #expect(abs(clock.now() - (start + 10.05)) < 1e-9)
        try await send(pacer)
        #expect(abs(clock.now() - (start + 11.05)) < 1e-9)
        #expect(await pacer.rateLimitedResponses == 0)
    }

    @Test func aRemainderSpentByOthersLetsOneProbeGoASecondApartNeverABurst() async throws {
        let clock = ManualClock()
        let start = clock.now()
        let pacer = Pacer(clock: clock)
        // Nothing left, and none of it spent by this run: nothing says when it comes back,
        // so one send a second until a response brings a new figure, not every waiting
        // sender at the end of a guessed reset.
        await pacer.didReceive(status: 200, rateLimits: RateLimitSnapshot(remainingRequests: 0, remainingTokens: 100_000), retryAfter: nil)
        for second in 1...4 {
            try await send(pacer)
            #expect(clock.now() == start + Double(second))
        }
        #expect(clock.sleeps == [1, 1, 1, 1])
        // A fresh figure with room (for the first probe: the three after it are not in it)
        // lifts the guard at once.
        await pacer.didReceive(status: 200, rateLimits: RateLimitSnapshot(remainingRequests: 9, remainingTokens: 100_000), retryAfter: nil)
        let before = clock.now()
        for _ in 0..<6 { try await send(pacer) }
        #expect(clock.now() == before)
    }

    @Test func anExhaustedTokenRemainderWaitsForTheMinutesWindow() async throws {
        let clock = ManualClock()
        let start = clock.now()
        let pacer = Pacer(clock: clock)
        await pacer.didReceive(status: 200, rateLimits: RateLimitSnapshot(remainingRequests: 1_000, remainingTokens: 1_000), retryAfter: nil)
        try await send(pacer, tokens: 300)
        await pacer.didReceive(status: 200, rateLimits: RateLimitSnapshot(remainingRequests: 999, remainingTokens: 700), retryAfter: nil)
        try await send(pacer, tokens: 300)
        try await send(pacer, tokens: 300)
        #expect(clock.now() == start)
        // 100 left: tokens are counted over the minute, and the first 300 surely leave it
        // 60.05 s after their answer.
        try await send(pacer, tokens: 300)
        #expect(abs(clock.now() - (start + 60.05)) < 1e-9)
        #expect(clock.sleeps.allSatisfy { $0.isFinite && $0 > 0 })
    }

    @Test func a429WithRetryAfterMsPausesEverySenderThenOneProbeGoes() async throws {
        let clock = ManualClock()
        let start = clock.now()
        let pacer = Pacer(clock: clock, random: { 0 })
        await pacer.didReceive(status: 200, rateLimits: RateLimitSnapshot(remainingRequests: 3, remainingTokens: 100_000), retryAfter: nil)
        for _ in 0..<3 { try await send(pacer) }
        // Azure's 429: retry-after-ms 2,500, nothing left of the window.
        await pacer.didReceive(status: 429, rateLimits: RateLimitSnapshot(remainingRequests: 0, remainingTokens: 99_970),
                               retryAfter: .milliseconds(2_500))
        #expect(await pacer.pauseRemaining() == 2.5)
        try await send(pacer)
        #expect(clock.now() == start + 2.5, "the pause holds every sender, then the server's word lets one probe go")
        try await send(pacer)
        #expect(clock.now() == start + 3.5, "not a burst: the next waits for the probe's answer or a second")
        #expect(await pacer.rateLimitedResponses == 1)
    }
}
