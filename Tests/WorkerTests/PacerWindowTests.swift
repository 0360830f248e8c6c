import Testing
import LLM
@testable import Worker

/// The pacer against servers that enforce a per-minute limit over shorter windows.
struct PacerWindowTests {
    /// Sends `count` requests of `tokens` one after another through `pacer` to `server`,
    /// each retried until admitted; returns how many 429s came back after the first
    /// `warmUp` requests were admitted.
    private func drive(_ pacer: Pacer, clock: ManualClock, server: inout WindowedServerModel, count: Int, tokens: Int,
                       warmUp: Int = 0) async throws -> Int {
        var lateRejections = 0
        for index in 0..<count {
            while true {
                try await pacer.willSend(path: "/embeddings", estimatedTokens: tokens)
                let answer = server.answer(tokens: Double(tokens), now: clock.now())
                await pacer.didReceive(status: answer.status, rateLimits: answer.headers, retryAfter: answer.retryAfter)
                if answer.status == 200 { break }
                if index >= warmUp { lateRejections += 1 }
            }
        }
        return lateRejections
    }

    /// The tokens admitted after the first request over the time since it, as a share
    /// of the per-minute limit's rate (what `scripts/bench-pacing.sh` reports).
    private func efficiency(_ server: WindowedServerModel) -> Double {
        let sends = server.admittedSends
        guard let first = sends.first, let last = sends.last, last.time > first.time else { return 0 }
        let tokens = sends.dropLast().reduce(0) { $0 + $1.tokens }
        return tokens / (server.tokensPerMinute / 60) / (last.time - first.time)
    }

    @Test func aTenSecondWindowAtTwoMillionTokensPerMinuteGetsNo429() async throws {
        let clock = ManualClock()
        let pacer = Pacer(clock: clock)
        var server = WindowedServerModel(tokensPerMinute: 2_000_000, window: 10)
        let late = try await drive(pacer, clock: clock, server: &server, count: 500, tokens: 5_000)
        #expect(late == 0)
        #expect(server.rejected == 0)
        #expect(server.busiest(span: 10) <= 2_000_000 / 6)
        #expect(efficiency(server) >= 0.95)
    }

    @Test func aSixtySecondWindowGetsNo429AndKeepsNearTheLimit() async throws {
        let clock = ManualClock()
        let pacer = Pacer(clock: clock)
        var server = WindowedServerModel(tokensPerMinute: 2_000_000, window: 60)
        _ = try await drive(pacer, clock: clock, server: &server, count: 300, tokens: 20_000)
        #expect(server.rejected == 0)
        #expect(server.busiest(span: 60) <= 2_000_000)
        #expect(efficiency(server) >= 0.95)
        #expect(await pacer.enforcementWindows.tokens == 60)
    }

    @Test func aLearnedShortWindowIsKeptAndHoldsTheSteadyState() async throws {
        let clock = ManualClock()
        let pacer = Pacer(clock: clock)
        // 20,000-token requests: 16⅔ fit a 10 s budget, and the even pace alone would
        // put 17 into some windows, so the server says 429 until the pacer knows better.
        var server = WindowedServerModel(tokensPerMinute: 2_000_000, window: 10)
        let late = try await drive(pacer, clock: clock, server: &server, count: 200, tokens: 20_000, warmUp: 40)
        #expect(server.rejected >= 1)
        #expect(server.rejected <= 2)
        #expect(late == 0, "no 429 once the window is known")
        #expect(await pacer.enforcementWindows.tokens == 10)
        #expect(await pacer.enforcementWindows.requests == 60)
        // 100 more admitted requests do not make it forget.
        _ = try await drive(pacer, clock: clock, server: &server, count: 100, tokens: 20_000)
        #expect(await pacer.enforcementWindows.tokens == 10)
        #expect(server.rejected <= 2)
    }

    @Test func theFirstRequestGoesAloneUntilAResponseSaysWhatTheLimitsAre() async throws {
        let clock = ManualClock()
        let start = clock.now()
        let pacer = Pacer(clock: clock)
        try await pacer.willSend(path: "/embeddings", estimatedTokens: 50_000)
        #expect(clock.now() == start)
        // No answer yet: the next one waits until the probe counts as lost (2 s).
        try await pacer.willSend(path: "/embeddings", estimatedTokens: 50_000)
        #expect(clock.now() == start + 2)
    }

    @Test func tokensSentBeforeTheLimitWasKnownCountAgainstIt() async throws {
        let clock = ManualClock()
        let start = clock.now()
        let pacer = Pacer(clock: clock, headerLimitShare: 1)
        try await pacer.willSend(path: "/embeddings", estimatedTokens: 30_000)
        // The probe's answer: 60,000 tokens a minute (1,000 a second).
        await pacer.didReceive(status: 200, rateLimits: RateLimitSnapshot(limitRequests: 1_000, limitTokens: 60_000), retryAfter: nil)
        try await pacer.willSend(path: "/embeddings", estimatedTokens: 30_000)
        // The probe's 30,000 tokens take 30 s at the limit's pace (less the 0.1 s burst).
        #expect(abs(clock.now() - start - 29.9) < 1e-6)
    }

    @Test func aResponseWithoutHeadersEndsTheProbe() async throws {
        let clock = ManualClock()
        let pacer = Pacer(clock: clock)
        try await pacer.willSend(path: "/embeddings", estimatedTokens: 10)
        await pacer.didReceive(status: 200, rateLimits: nil, retryAfter: nil)
        let start = clock.now()
        for _ in 0..<20 { try await pacer.willSend(path: "/embeddings", estimatedTokens: 100_000) }
        #expect(clock.now() == start)
    }

    @Test func aRateLimitPausesSendersAlreadyWaitingForTheirPace() async throws {
        let clock = ManualClock()
        let start = clock.now()
        let pacer = Pacer(clock: clock, tokensPerMinute: 60_000, random: { 0 })
        try await pacer.willSend(path: "/embeddings", estimatedTokens: 100)
        // Another sender's 429 with a 3 s retry-after: every later send waits for it,
        // whatever its own pace would allow.
        await pacer.didReceive(status: 429, rateLimits: nil, retryAfter: .seconds(3))
        async let first: Void = pacer.willSend(path: "/embeddings", estimatedTokens: 100)
        async let second: Void = pacer.willSend(path: "/chat/completions", estimatedTokens: 100)
        _ = try await (first, second)
        #expect(clock.now() >= start + 3)
        #expect(await pacer.pauseRemaining() == 0)
    }
}

/// Inferring the enforcement window from a 429.
struct EnforcementWindowTests {
    /// A log of admitted sends of `tokens` at `times`, then a refused one at `refusedAt`.
    private func log(admitted times: [Double], tokens: Double, refusedAt: Double) -> (SendLog, SendLog.Entry) {
        var log = SendLog()
        for time in times {
            log.add(tokens: tokens, now: time)
            _ = log.settle(status: 200)
        }
        log.add(tokens: tokens, now: refusedAt)
        let refused = log.settle(status: 429)!
        return (log, refused)
    }

    @Test func aRefusalWithinTheMinutesBudgetPointsAtTheShortestWindowNotRuledOut() {
        // Eight 41,000-token sends in 7.9 s were admitted (so 1, 2, 3 and 5 s windows are
        // ruled out at 2M a minute); the ninth at 9.1 s was refused: a 10 s window.
        let times = [0, 0.27, 1.54, 2.8, 4.07, 5.34, 6.61, 7.88]
        let (log, refused) = log(admitted: times, tokens: 41_000, refusedAt: 9.14)
        #expect(EnforcementWindow.infer(log, .tokens, refused: refused, perMinute: 2_000_000, remaining: nil, current: 60) == 10)
        #expect(EnforcementWindow.infer(log, .tokens, refused: refused, perMinute: 2_000_000, remaining: 1_600_000, current: 60) == 10)
        #expect(EnforcementWindow.infer(log, .requests, refused: refused, perMinute: 10_000, remaining: nil, current: 60) == nil)
    }

    @Test func aRefusalWhenTheMinuteIsSpentChangesNothing() {
        let times = (0..<10).map { Double($0) * 5 }
        let (log, refused) = log(admitted: times, tokens: 100_000, refusedAt: 50)
        #expect(EnforcementWindow.infer(log, .tokens, refused: refused, perMinute: 1_000_000, remaining: nil, current: 60) == nil)
        #expect(EnforcementWindow.infer(log, .tokens, refused: refused, perMinute: 2_000_000, remaining: 50_000, current: 60) == nil)
    }

    @Test func aRefusalBeforeAnythingWasAdmittedInfersNothing() {
        // The first request of all refused (larger than a short window's share): no
        // evidence against a 1 s window, so none is assumed.
        let (log, refused) = log(admitted: [], tokens: 42_000, refusedAt: 0)
        #expect(EnforcementWindow.infer(log, .tokens, refused: refused, perMinute: 200_000, remaining: 200_000, current: 60) == nil)
    }

    @Test func aWindowWhoseShareIsSmallerThanAnAdmittedRequestIsRuledOut() {
        // One 41,000-token request admitted, the next refused at once: 1 s (33,333) cannot
        // be it, 2 s can.
        let (log, refused) = log(admitted: [0], tokens: 41_000, refusedAt: 0.1)
        #expect(EnforcementWindow.infer(log, .tokens, refused: refused, perMinute: 2_000_000, remaining: nil, current: 60) == 2)
    }

    @Test func aWindowIsOnlyEverNarrowed() {
        let times = [0, 0.27, 1.54, 2.8, 4.07, 5.34, 6.61, 7.88]
        let (log, refused) = log(admitted: times, tokens: 41_000, refusedAt: 9.14)
        #expect(EnforcementWindow.infer(log, .tokens, refused: refused, perMinute: 2_000_000, remaining: nil, current: 10) == nil)
    }
}
