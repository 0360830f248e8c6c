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

    @Test func anExhaustedRemainderLetsOneProbeGoASecondApartNeverABurst() async throws {
        let clock = ManualClock()
        let start = clock.now()
        let pacer = Pacer(clock: clock)
        await pacer.didReceive(status: 200, rateLimits: RateLimitSnapshot(remainingRequests: 2, remainingTokens: 100_000), retryAfter: nil)
        try await send(pacer)
        try await send(pacer)
        #expect(clock.now() == start)
        // Nothing says when the remainder comes back: one send a second until a response
        // brings a new figure, not every waiting sender at the end of a guessed reset.
        for second in 1...4 {
            try await send(pacer)
            #expect(clock.now() == start + Double(second))
        }
        #expect(clock.sleeps == [1, 1, 1, 1])
        // A fresh figure with room lifts the guard at once.
        await pacer.didReceive(status: 200, rateLimits: RateLimitSnapshot(remainingRequests: 9, remainingTokens: 100_000), retryAfter: nil)
        let before = clock.now()
        for _ in 0..<9 { try await send(pacer) }
        #expect(clock.now() == before)
    }

    @Test func anExhaustedTokenRemainderIsGuardedTheSameWay() async throws {
        let clock = ManualClock()
        let start = clock.now()
        let pacer = Pacer(clock: clock)
        await pacer.didReceive(status: 200, rateLimits: RateLimitSnapshot(remainingRequests: 1_000, remainingTokens: 250), retryAfter: nil)
        try await send(pacer, tokens: 200)
        try await send(pacer, tokens: 200)
        #expect(clock.now() == start + 1)
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
        #expect(clock.now() == start + 2.5, "the pause holds every sender")
        try await send(pacer)
        #expect(clock.now() == start + 3.5, "after the pause one probe, not a burst")
        #expect(await pacer.rateLimitedResponses == 1)
    }
}
