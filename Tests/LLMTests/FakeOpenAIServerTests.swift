import FakeOpenAI
import LLM
import Testing

/// The fake server's own promises: determinism, limits, limiter, recording.
struct FakeOpenAIServerTests {
    @Test func embeddingsAreDeterministicAndNormalised() {
        let a = FakeOpenAIServer.embedding(for: "hello", model: "text-embedding-3-small", dimensions: 1536)
        let b = FakeOpenAIServer.embedding(for: "hello", model: "text-embedding-3-small", dimensions: 1536)
        let otherModel = FakeOpenAIServer.embedding(for: "hello", model: "text-embedding-3-large", dimensions: 1536)
        let otherText = FakeOpenAIServer.embedding(for: "hello!", model: "text-embedding-3-small", dimensions: 1536)
        #expect(a == b)
        #expect(a != otherModel)
        #expect(a != otherText)
        let norm = a.reduce(Float(0)) { $0 + $1 * $1 }
        #expect(abs(norm - 1) < 1e-4)
    }

    @Test func chatReplyHonoursMaxTokens() {
        let long = FakeOpenAIServer.chatReply(messages: [("user", "a b c d e f")], model: "m", maxTokens: 100)
        let short = FakeOpenAIServer.chatReply(messages: [("user", "a b c d e f")], model: "m", maxTokens: 2)
        #expect(long.finishReason == "stop")
        #expect(long.content.hasSuffix("a b c d e f"))
        #expect(short.completionTokens == 2)
        #expect(short.finishReason == "length")
    }

    @Test func moreThan2048InputsAreRejected() async throws {
        try await withFakeProvider { fake in
            let error = await captureLLMError {
                try await fake.provider.embed(Array(repeating: "x", count: 2049))
            }
            #expect(error?.status == 400)
            let ok = try await fake.provider.embed(Array(repeating: "x", count: 2048))
            #expect(ok.vectors.count == 2048)
        }
    }

    @Test func requestsPerMinuteLimitAnswersARealistic429() async throws {
        try await withFakeProvider(
            server: FakeOpenAIOptions(requestsPerMinute: 2), configure: { $0.maxRetries = 0 }
        ) { fake in
            _ = try await fake.provider.embed(["a"])
            _ = try await fake.provider.embed(["b"])
            let error = await captureLLMError { try await fake.provider.embed(["c"]) }
            guard case .rateLimited(let retryAfter)? = error?.kind else {
                Issue.record("expected rateLimited, got \(String(describing: error))")
                return
            }
            #expect((retryAfter ?? .zero) > .seconds(55))
            #expect(error?.apiMessage?.contains("on requests per min (RPM): Limit 2, Used 2, Requested 1") == true)
            #expect(error?.apiCode == "rate_limit_exceeded")
            #expect(fake.server.stats().rateLimited == 1)
            #expect(fake.server.stats().limiterRejections == 1)
        }
    }

    @Test func tokensPerMinuteLimitAnswersARealistic429() async throws {
        try await withFakeProvider(
            server: FakeOpenAIOptions(tokensPerMinute: 30), configure: { $0.maxRetries = 0 }
        ) { fake in
            let twentyTokens = String(repeating: "abcd", count: 20)
            let first = try await fake.provider.embed([twentyTokens])
            #expect(first.inputTokens == 20)
            #expect(first.rateLimits?.remainingTokens == 10)
            let error = await captureLLMError { try await fake.provider.embed([twentyTokens]) }
            #expect(error?.apiMessage?.contains("on tokens per min (TPM): Limit 30, Used 20, Requested 20") == true)
            #expect(error?.apiType == "tokens")
            #expect((error?.retryAfter ?? .zero) > .seconds(55))
            let small = try await fake.provider.embed(["abcd"])
            #expect(small.rateLimits?.remainingTokens == 9)
        }
    }

    @Test func aShortRateWindowEnforcesItsShareWhileTheHeadersStayPerMinute() async throws {
        // 600 tokens a minute over 10 s windows: at most 100 tokens in any 10 s.
        try await withFakeProvider(
            server: FakeOpenAIOptions(tokensPerMinute: 600, rateWindow: .seconds(10)), configure: { $0.maxRetries = 0 }
        ) { fake in
            let sixtyTokens = String(repeating: "abcd", count: 60)
            let first = try await fake.provider.embed([sixtyTokens])
            #expect(first.rateLimits?.limitTokens == 600)
            #expect(first.rateLimits?.remainingTokens == 540)
            let error = await captureLLMError { try await fake.provider.embed([sixtyTokens]) }
            #expect(error?.apiMessage?.contains("on tokens per min (TPM): Limit 600, Used 60, Requested 60") == true)
            #expect((error?.retryAfter ?? .seconds(60)) <= .seconds(10), "when the 10 s window has room again, not the minute")
            let small = try await fake.provider.embed([String(repeating: "abcd", count: 40)])
            #expect(small.rateLimits?.remainingTokens == 500)
        }
        // A request over the window's share but within the minute's limit goes into an
        // empty window; only one over the minute's limit is too large.
        try await withFakeProvider(
            server: FakeOpenAIOptions(tokensPerMinute: 600, rateWindow: .seconds(10)), configure: { $0.maxRetries = 0 }
        ) { fake in
            let big = try await fake.provider.embed([String(repeating: "abcd", count: 150)])
            #expect(big.inputTokens == 150)
            let error = await captureLLMError { try await fake.provider.embed([String(repeating: "abcd", count: 601)]) }
            #expect(error?.apiMessage?.contains("Request too large") == true)
        }
    }

    @Test func faultsCanBeLimitedToAPath() async throws {
        try await withFakeProvider(configure: { $0.maxRetries = 0 }) { fake in
            fake.server.enqueueFaults([.serverError(status: 500)], path: "/v1/chat/completions")
            _ = try await fake.provider.embed(["unaffected"])
            let error = await captureLLMError { try await fake.provider.generate(ChatRequest(system: nil, user: "x")) }
            #expect(error?.kind == .serverError(status: 500))
            #expect(fake.server.stats().faultsApplied == 1)
        }
    }

    @Test func serverSurvivesDropsAndHangsAndShutsDown() async throws {
        try await withFakeProvider(configure: {
            $0.maxRetries = 0
            $0.timeout = .milliseconds(500)
        }) { fake in
            fake.server.enqueueFaults([.dropConnection, .hang])
            _ = await captureLLMError { try await fake.provider.embed(["x"]) }
            _ = await captureLLMError { try await fake.provider.embed(["x"]) }
            let healthy = try await fake.provider.embed(["x"])
            #expect(healthy.vectors.count == 1)
        }
    }
}
