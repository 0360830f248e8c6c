import Testing
@testable import Worker

struct JobBackoffTests {
    @Test func backoffDoublesPerAttemptAndIsCapped() {
        let backoff = JobBackoff(base: 2, cap: 600)
        #expect((0..<6).map { backoff.delay(afterAttempts: $0, random: 0) } == [2, 4, 8, 16, 32, 64])
        #expect(backoff.delay(afterAttempts: 9, random: 0) == 600)
        #expect(backoff.delay(afterAttempts: 1_000, random: 0) == 600)
        #expect(backoff.delay(afterAttempts: -3, random: 0) == 2)
    }

    @Test func jitterShortensByAtMostAQuarter() {
        let backoff = JobBackoff(base: 2, cap: 600)
        #expect(backoff.delay(afterAttempts: 2, random: 1) == 6)
        #expect(backoff.delay(afterAttempts: 20, random: 0.5) == 525)
    }
}
