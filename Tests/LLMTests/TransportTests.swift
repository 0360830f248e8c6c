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

    @Test func timeoutsAreRetried() async throws {
        try await withFakeProvider(configure: {
            $0.timeout = .milliseconds(500)
            $0.maxRetries = 1
        }) { fake in
            fake.server.enqueueFaults([.hang])
            let response = try await fake.provider.embed(["x"])
            #expect(response.retries == 1)
            #expect(fake.sleeper.delays.count == 1)
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
