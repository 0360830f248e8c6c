import FakeOpenAI
import LLM
import Testing

/// `generate` over real HTTP against FakeOpenAI.
struct GenerateTests {
    @Test func generateReturnsLLMResponse() async throws {
        try await withFakeProvider { fake in
            let response = try await fake.provider.generate(
                systemPrompt: "You are terse.", userMessage: "Summarise the news", context: nil,
                maxTokens: 100, temperature: 0.3
            )
            let expected = FakeOpenAIServer.chatReply(
                system: "You are terse.", context: nil, user: "Summarise the news", model: "gpt-4o-mini", maxTokens: 100
            )
            #expect(response.content == expected.content)
            #expect(response.model == "gpt-4o-mini")
            #expect(response.provider == "openai")
            #expect(response.inputTokens > 0)
            #expect(response.outputTokens == expected.completionTokens)
            #expect(response.finishReason == "stop")
            #expect(response.refusal == nil)
            #expect(response.retries == 0)
            #expect(response.requestID?.hasPrefix("req_fake_") == true)
            #expect(response.rateLimits?.limitRequests != nil)
        }
    }

    @Test func generateUsesCorrectModel() async throws {
        try await withFakeProvider(configure: { $0.chatModel = "gpt-4o-mini-2024-07-18" }) { fake in
            let configured = try await fake.provider.generate(
                systemPrompt: nil, userMessage: "hi", context: nil, maxTokens: 10, temperature: 0.7
            )
            let overridden = try await fake.provider.generate(
                ChatRequest(system: nil, user: "hi", model: "gpt-4.1-nano", maxTokens: 10)
            )
            #expect(fake.bodies.map { $0["model"]?.stringValue } == ["gpt-4o-mini-2024-07-18", "gpt-4.1-nano"])
            #expect(configured.model == "gpt-4o-mini-2024-07-18")
            #expect(overridden.model == "gpt-4.1-nano")
        }
    }

    @Test func generateIncludesSystemPrompt() async throws {
        try await withFakeProvider { fake in
            _ = try await fake.provider.generate(
                systemPrompt: "You are terse.", userMessage: "Hello", context: nil, maxTokens: 10, temperature: 0.7
            )
            let messages = try #require(fake.bodies.first?["messages"]?.arrayValue)
            #expect(messages == [
                .object(["role": .string("system"), "content": .string("You are terse.")]),
                .object(["role": .string("user"), "content": .string("Hello")]),
            ])
        }
    }

    @Test func generateIncludesContextWhenProvided() async throws {
        try await withFakeProvider { fake in
            _ = try await fake.provider.generate(
                systemPrompt: "S", userMessage: "Question?", context: "Some facts", maxTokens: 10, temperature: 0.7
            )
            _ = try await fake.provider.generate(
                systemPrompt: nil, userMessage: "No context", context: nil, maxTokens: 10, temperature: 0.7
            )
            let withContext = try #require(fake.bodies.first?["messages"]?.arrayValue)
            #expect(withContext == [
                .object(["role": .string("system"), "content": .string("S")]),
                .object(["role": .string("user"), "content": .string("Context:\nSome facts")]),
                .object(["role": .string("user"), "content": .string("Question?")]),
            ])
            let without = try #require(fake.bodies.last?["messages"]?.arrayValue)
            #expect(without == [.object(["role": .string("user"), "content": .string("No context")])])
        }
    }

    @Test func generateRespectsMaxTokens() async throws {
        try await withFakeProvider { fake in
            let response = try await fake.provider.generate(
                systemPrompt: nil, userMessage: "one two three four five six seven", context: nil,
                maxTokens: 3, temperature: 0.7
            )
            #expect(fake.bodies.first?["max_tokens"]?.intValue == 3)
            #expect(response.outputTokens == 3)
            #expect(response.content.split(separator: " ").count == 3)
            #expect(response.finishReason == "length")
        }
    }

    @Test func generateRespectsTemperature() async throws {
        try await withFakeProvider { fake in
            _ = try await fake.provider.generate(
                systemPrompt: nil, userMessage: "hi", context: nil, maxTokens: 5, temperature: 0.25
            )
            _ = try await fake.provider.generate(ChatRequest(system: nil, user: "hi", maxTokens: 5, temperature: 1.5))
            #expect(fake.bodies.map { $0["temperature"]?.doubleValue } == [0.25, 1.5])
        }
    }

    @Test func nullContentWithRefusalIsHandled() async throws {
        try await withFakeProvider { fake in
            fake.server.enqueueFaults([
                .custom(
                    status: 200,
                    body: """
                        {"id":"x","object":"chat.completion","created":1,"model":"gpt-4o-mini",
                         "choices":[{"index":0,"message":{"role":"assistant","content":null,"refusal":"I can't help with that."},
                         "logprobs":null,"finish_reason":"stop"}],
                         "usage":{"prompt_tokens":5,"completion_tokens":6,"total_tokens":11}}
                        """)
            ])
            let response = try await fake.provider.generate(ChatRequest(system: nil, user: "bad idea"))
            #expect(response.content == "")
            #expect(response.refusal == "I can't help with that.")
            #expect(response.outputTokens == 6)
        }
    }

    @Test func everyRequestCarriesTheRequiredHeaders() async throws {
        try await withFakeProvider(configure: {
            $0.organization = "org-123"
            $0.project = "proj_456"
        }) { fake in
            _ = try await fake.provider.generate(ChatRequest(system: nil, user: "hi", maxTokens: 5))
            _ = try await fake.provider.embed(["hi"])
            for request in fake.server.recordedRequests() {
                #expect(request.headers["authorization"] == "Bearer \(testAPIKey)")
                #expect(request.headers["content-type"] == "application/json")
                #expect(request.headers["user-agent"]?.hasPrefix("llmq/\(OpenAIProvider.version)") == true)
                #expect(request.headers["openai-organization"] == "org-123")
                #expect(request.headers["openai-project"] == "proj_456")
            }
            #expect(fake.server.recordedRequests().map(\.path) == ["/v1/chat/completions", "/v1/embeddings"])
        }
    }
}
