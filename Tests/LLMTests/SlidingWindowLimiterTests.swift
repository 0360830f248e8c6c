@testable import FakeOpenAI
import Testing

/// The fake's sliding one-minute window.
struct SlidingWindowLimiterTests {
    private let second: UInt64 = 1_000_000_000

    @Test func admitsUpToTheLimitWithinTheWindow() {
        var limiter = SlidingWindowLimiter(limit: 100)
        #expect(limiter.check(60, now: 0) == .admit)
        limiter.record(60, now: 0)
        #expect(limiter.check(40, now: 10 * second) == .admit)
        limiter.record(40, now: 10 * second)
        #expect(limiter.check(1, now: 20 * second) == .wait(waitNanos: 40 * second, used: 100))
        #expect(limiter.remaining(now: 20 * second) == 0)
    }

    @Test func entriesExpireAfterOneMinute() {
        var limiter = SlidingWindowLimiter(limit: 100)
        limiter.record(60, now: 0)
        limiter.record(40, now: 10 * second)
        #expect(limiter.check(50, now: 60 * second) == .admit)
        #expect(limiter.remaining(now: 60 * second) == 60)
        #expect(limiter.check(61, now: 60 * second) == .wait(waitNanos: 10 * second, used: 40))
        #expect(limiter.resetNanos(now: 60 * second) == 10 * second)
    }

    @Test func requestsLargerThanTheLimitNeverFit() {
        var limiter = SlidingWindowLimiter(limit: 100)
        #expect(limiter.check(101, now: 0) == .tooLarge)
    }

    @Test func steadyPacingReachesTheLimit() {
        var limiter = SlidingWindowLimiter(limit: 6_000)
        var admitted = 0
        var rejected = 0
        // 100 tokens every second for ten minutes: exactly the limit, never over it.
        for tick in 0..<600 {
            let now = UInt64(tick) * second
            if limiter.check(100, now: now) == .admit {
                limiter.record(100, now: now)
                admitted += 1
            } else {
                rejected += 1
            }
        }
        #expect(rejected == 0)
        #expect(admitted == 600)
    }

    @Test func goDurationFormatMatchesOpenAIsStyle() {
        #expect(GoDurationFormat.string(nanos: 0) == "0s")
        #expect(GoDurationFormat.string(nanos: 20_000_000) == "20ms")
        #expect(GoDurationFormat.string(nanos: 1_574_000_000) == "1.574s")
        #expect(GoDurationFormat.string(nanos: 360 * second) == "6m0s")
        #expect(GoDurationFormat.string(nanos: 3_723_500_000_000) == "1h2m3.5s")
    }
}
