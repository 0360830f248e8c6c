import FakeOpenAI
import Foundation
import LLM
import Testing

/// Retry and backoff, with a recording sleeper and fixed jitter (factor 0.875).
struct RetryTests {
    @Test func retriesOnRateLimit() async throws {
        try await withFakeProvider { fake in
            fake.server.enqueueFaults([.rateLimit()])
            let response = try await fake.provider.embed(["x"])
            #expect(response.retries == 1)
            #expect(fake.server.recordedRequests().count == 2)
            #expect(fake.sleeper.delays == [.milliseconds(437) + .microseconds(500)])
        }
    }

    @Test func respectsRetryAfterHeader() async throws {
        try await withFakeProvider { fake in
            fake.server.enqueueFaults([.rateLimit(retryAfterMs: 1500), .rateLimit(retryAfter: "2")])
            let response = try await fake.provider.generate(ChatRequest(system: nil, user: "hi", maxTokens: 5))
            #expect(response.retries == 2)
            #expect(fake.sleeper.delays == [.milliseconds(1500), .seconds(2)])
        }
    }

    @Test func retryAfterAsHTTPDateIsHonoured() async throws {
        let now = Date(timeIntervalSince1970: 1_445_412_480)  // Wed, 21 Oct 2015 07:28:00 GMT
        try await withFakeProvider(now: { now }) { fake in
            fake.server.enqueueFaults([.rateLimit(retryAfter: "Wed, 21 Oct 2015 07:28:03 GMT")])
            _ = try await fake.provider.embed(["x"])
            #expect(fake.sleeper.delays == [.seconds(3)])
        }
    }

    @Test func raisesAfterMaxRetries() async throws {
        try await withFakeProvider(configure: { $0.maxRetries = 2 }) { fake in
            fake.server.enqueueFaults(Array(repeating: .rateLimit(retryAfterMs: 700), count: 3))
            let error = await captureLLMError { try await fake.provider.embed(["x"]) }
            #expect(error?.kind == .rateLimited(retryAfter: .milliseconds(700)))
            #expect(error?.retryAfter == .milliseconds(700))
            #expect(error?.retries == 2)
            #expect(error?.status == 429)
            #expect(fake.server.recordedRequests().count == 3)
            #expect(fake.sleeper.delays.count == 2)
        }
    }

    @Test func exponentialBackoffIncreasesDelay() async throws {
        try await withFakeProvider(configure: { $0.maxRetries = 5 }) { fake in
            fake.server.enqueueFaults(Array(repeating: .serverError(status: 500), count: 5))
            _ = try await fake.provider.embed(["x"])
            let expected: [Duration] = [0.5, 1, 2, 4, 8].map { .nanoseconds(Int64($0 * 0.875 * 1e9)) }
            #expect(fake.sleeper.delays == expected)
        }
        let policy = RetryPolicy()
        #expect(policy.backoff(retry: 10, random: 0) == .seconds(8))
        #expect(policy.backoff(retry: 0, random: 0.999_999) > .milliseconds(375))
        #expect(policy.backoff(retry: 5000, random: 0) == .seconds(8))
    }

    @Test func insufficientQuotaIsNotRetried() async throws {
        try await withFakeProvider { fake in
            fake.server.enqueueFaults([.insufficientQuota])
            let error = await captureLLMError { try await fake.provider.embed(["x"]) }
            #expect(error?.kind == .quotaExhausted)
            #expect(error?.isFatalForRun == true)
            #expect(error?.isRetryable == false)
            #expect(fake.server.recordedRequests().count == 1)
            #expect(fake.sleeper.delays.isEmpty)
        }
    }

    @Test func spendLimitVariantsAreQuotaErrors() async throws {
        try await withFakeProvider { fake in
            for code in ["project_spend_limit_exceeded", "credit_balance_exhausted"] {
                fake.server.enqueueFaults([
                    .custom(status: 429, body: #"{"error":{"message":"limit","type":"requests","param":null,"code":"\#(code)"}}"#)
                ])
                let error = await captureLLMError { try await fake.provider.embed(["x"]) }
                #expect(error?.kind == .quotaExhausted)
            }
            #expect(fake.sleeper.delays.isEmpty)
        }
    }

    @Test func shouldRetryFalseHeaderStopsRetries() async throws {
        try await withFakeProvider { fake in
            fake.server.enqueueFaults([
                .custom(
                    status: 503, headers: ["x-should-retry": "false"],
                    body: #"{"error":{"message":"overloaded","type":"server_error","param":null,"code":null}}"#
                )
            ])
            let error = await captureLLMError { try await fake.provider.embed(["x"]) }
            #expect(error?.kind == .serverError(status: 503))
            #expect(fake.server.recordedRequests().count == 1)
        }
    }

    @Test func shouldRetryTrueHeaderRetriesAnOtherwiseFinalStatus() async throws {
        try await withFakeProvider { fake in
            fake.server.enqueueFaults([
                .custom(status: 418, headers: ["x-should-retry": "true"], body: "{}")
            ])
            let error = await captureLLMError { try await fake.provider.embed(["x"]) }
            // 4xx invalid requests are permanent whatever the header says.
            #expect(error?.status == 418)
            #expect(fake.server.recordedRequests().count == 1)
        }
    }

    @Test func retryAfterBeyondTheCapIsNotWaitedFor() async throws {
        try await withFakeProvider { fake in
            fake.server.enqueueFaults([.rateLimit(retryAfter: "600")])
            let error = await captureLLMError { try await fake.provider.embed(["x"]) }
            #expect(error?.kind == .rateLimited(retryAfter: .seconds(600)))
            #expect(fake.sleeper.delays.isEmpty)
        }
    }

    @Test func serverErrorsAndBadGatewaysAreRetried() async throws {
        try await withFakeProvider(configure: { $0.maxRetries = 3 }) { fake in
            fake.server.enqueueFaults([.serverError(status: 503), .htmlBadGateway, .dropConnection])
            let response = try await fake.provider.embed(["x"])
            #expect(response.retries == 3)
            #expect(fake.server.recordedRequests().count == 4)
        }
    }

    @Test func requestTooLargeIsPermanent() async throws {
        try await withFakeProvider(server: FakeOpenAIOptions(tokensPerMinute: 10)) { fake in
            let error = await captureLLMError {
                try await fake.provider.embed([String(repeating: "word ", count: 50)])
            }
            guard case .invalidRequest(let message, _)? = error?.kind else {
                Issue.record("expected invalidRequest, got \(String(describing: error))")
                return
            }
            #expect(message.hasPrefix("Request too large"))
            #expect(fake.server.recordedRequests().count == 1)
        }
    }

    @Test func observerIsAwaitedBeforeEveryAttempt() async throws {
        let observer = RecordingObserver()
        try await withFakeProvider(observer: observer) { fake in
            fake.server.enqueueFaults([.rateLimit(retryAfterMs: 250)])
            _ = try await fake.provider.embed(EmbeddingRequest(inputs: ["x"], estimatedTokens: 42))
            #expect(observer.sentPaths == ["/embeddings", "/embeddings"])
            #expect(observer.sentTokens == [42, 42])
            #expect(observer.statuses == [429, 200])
            #expect(observer.retryAfters == [.milliseconds(250), nil])
        }
    }
}
