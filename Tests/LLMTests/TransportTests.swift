import FakeOpenAI
import LLM
import Testing

/// Transport failures: refused connections, timeouts and cancellation.
struct TransportTests {
    @Test func refusedConnectionIsRetriedThenMapped() async throws {
        // Port 9 (discard) on loopback is closed: connecting fails at once.
        let sleeper = RecordingSleeper()
        let provider = try OpenAIProvider(
            config: OpenAIConfig(apiKey: testAPIKey, baseURL: "http://127.0.0.1:9/v1", maxRetries: 1, environment: [:]),
            sleeper: sleeper, random: fixedRandom
        )
        let error = await captureLLMError { try await provider.embed(["x"]) }
        try await provider.shutdown()
        #expect(error?.kind == .connection)
        #expect(error?.retries == 1)
        #expect(sleeper.delays == [.milliseconds(437) + .microseconds(500)])
        #expect(error?.description.contains(testAPIKey) == false)
    }

    @Test func timedOutRequestIsNotResentByDefault() async throws {
        try await withFakeProvider(configure: {
            $0.timeout = .seconds(1)
            $0.maxRetries = 2
        }) { fake in
            fake.server.enqueueFaults([.hang])
            let error = await captureLLMError { try await fake.provider.embed(["x"]) }
            #expect(error?.kind == .timeout(.seconds(1)))
            #expect(fake.server.stats().requests == 1)
            #expect(fake.sleeper.delays.isEmpty)
        }
    }

    @Test func timeoutsAreResentWhenAllowed() async throws {
        try await withFakeProvider(configure: {
            $0.timeout = .seconds(2)
            $0.maxRetries = 1
            $0.resendAfterTimeout = true
        }) { fake in
            fake.server.enqueueFaults([.hang])
            let response = try await fake.provider.embed(["x"])
            #expect(response.retries == 1)
            #expect(fake.sleeper.delays.count == 1)
        }
    }

    /// LiteLLM retries a backend's 429 itself for about a minute before it answers. Played
    /// at 1:50 scale: the answer is held 1.4 s (70 s); the default timeout (600 s) is 12 s.
    @Test func gatewayHoldingItsAnswerSeventySecondsIsAskedOnceWithTheDefaultTimeout() async throws {
        let scale = 50.0
        let defaultTimeout = OpenAIConfig.defaultTimeout.components.seconds
        #expect(defaultTimeout == 600)
        #expect(OpenAIConfig(apiKey: "k", environment: [:]).resendAfterTimeout == false)
        try await withFakeProvider(configure: {
            $0.timeout = .milliseconds(Int64(Double(defaultTimeout) / scale * 1000))
        }) { fake in
            fake.server.enqueueFaults([.slowAnswer(after: .milliseconds(Int64(70 / scale * 1000)))])
            let response = try await fake.provider.embed(["x"])
            #expect(response.retries == 0)
            #expect(fake.server.stats().requests == 1)
            #expect(fake.server.stats().succeeded == 1)
        }
        // The old 60 s timeout with a resend would have asked (and paid) twice.
        try await withFakeProvider(configure: {
            $0.timeout = .milliseconds(Int64(60 / scale * 1000))
            $0.resendAfterTimeout = true
        }) { fake in
            fake.server.enqueueFaults([.slowAnswer(after: .milliseconds(Int64(70 / scale * 1000)))])
            _ = try await fake.provider.embed(["x"])
            #expect(fake.server.stats().requests == 2)
        }
    }

    @Test func cancellationIsNotMappedToAnLLMError() async throws {
        try await withFakeProvider(configure: { $0.timeout = .seconds(30) }) { fake in
            fake.server.enqueueFaults([.hang])
            let provider = fake.provider
            let task = Task { try await provider.embed(["x"]) }
            // Cancel once the request is hanging on the server, not after a guessed delay.
            while fake.server.stats().requests == 0 { await Task.yield() }
            task.cancel()
            let result = await task.result
            #expect(throws: CancellationError.self) { try result.get() }
            #expect(fake.sleeper.delays.isEmpty)
        }
    }

    @Test func explicitMessagesAreSentAsGiven() async throws {
        try await withFakeProvider { fake in
            let messages: [ChatMessage] = [.system("s"), .user("u1"), ChatMessage(role: "assistant", content: "a"), .user("u2")]
            _ = try await fake.provider.generate(ChatRequest(messages: messages, maxTokens: 7, temperature: 0))
            let sent = fake.bodies.first?["messages"]?.arrayValue
            #expect(sent?.count == 4)
            #expect(sent?[2] == .object(["role": .string("assistant"), "content": .string("a")]))
            #expect(fake.bodies.first?["max_tokens"]?.intValue == 7)
        }
    }
}
