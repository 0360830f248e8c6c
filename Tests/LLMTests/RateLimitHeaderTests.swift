import FakeOpenAI
import LLM
import Testing

/// Parsing `x-ratelimit-*` headers and Go durations.
struct RateLimitHeaderTests {
    @Test(arguments: [
        ("6m0s", Duration.seconds(360)),
        ("20ms", .milliseconds(20)),
        ("1.574s", .milliseconds(1574)),
        ("1h2m3.5s", .milliseconds(3_723_500)),
        ("1s", .seconds(1)),
        ("12ms", .milliseconds(12)),
        ("0", .zero),
        ("0s", .zero),
        ("250us", .microseconds(250)),
        ("250µs", .microseconds(250)),
        ("15ns", .nanoseconds(15)),
        ("2h", .seconds(7200)),
        (" 3m ", .seconds(180)),
    ])
    func goDurationsParse(text: String, expected: Duration) {
        #expect(GoDuration.parse(text) == expected)
    }

    @Test(arguments: ["", "5", "s", "1x", "1.2.3s", "m5", "-1s"])
    func invalidGoDurationsAreRejected(text: String) {
        #expect(GoDuration.parse(text) == nil)
    }

    @Test func snapshotParsesAllSixHeaders() {
        let headers = [
            "x-ratelimit-limit-requests": "60", "x-ratelimit-limit-tokens": "150000",
            "x-ratelimit-remaining-requests": "59", "x-ratelimit-remaining-tokens": "149984",
            "x-ratelimit-reset-requests": "1s", "x-ratelimit-reset-tokens": "6m0s",
        ]
        let snapshot = RateLimitSnapshot.parse { headers[$0] }
        #expect(snapshot == RateLimitSnapshot(
            limitRequests: 60, limitTokens: 150_000, remainingRequests: 59, remainingTokens: 149_984,
            resetRequests: .seconds(1), resetTokens: .seconds(360)
        ))
        #expect(RateLimitSnapshot.parse { _ in nil } == nil)
    }

    @Test func responsesCarryTheServersFigures() async throws {
        try await withFakeProvider(server: FakeOpenAIOptions(requestsPerMinute: 100, tokensPerMinute: 10_000)) { fake in
            let first = try await fake.provider.embed(["abcdefgh"])
            let second = try await fake.provider.embed(["abcdefgh"])
            #expect(first.rateLimits?.limitRequests == 100)
            #expect(first.rateLimits?.limitTokens == 10_000)
            #expect(first.rateLimits?.remainingRequests == 99)
            #expect(first.rateLimits?.remainingTokens == 9_998)
            #expect(second.rateLimits?.remainingRequests == 98)
            #expect((second.rateLimits?.resetTokens ?? .zero) > .seconds(50))
        }
    }
}
