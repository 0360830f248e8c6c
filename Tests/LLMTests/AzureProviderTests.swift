import FakeOpenAI
import Foundation
import LLM
import Testing

/// The API version every Azure test asks for.
let testAzureVersion = "2024-10-21"

/// The SDK's variables pointing at a fake serving Azure's classic API, with ``testAPIKey``.
func azureEnvironment(_ server: FakeOpenAIServer) -> [String: String] {
    ["AZURE_OPENAI_ENDPOINT": server.azureEndpoint, "AZURE_OPENAI_API_KEY": testAPIKey, "OPENAI_API_VERSION": testAzureVersion]
}

/// `--provider azure` at the provider level: Azure's classic URLs, query, `api-key` header
/// and bodies, checked at a fake that serves nothing else.
struct AzureProviderTests {
    private let azureServer = FakeOpenAIOptions(azure: FakeAzureOptions(apiKey: testAPIKey))
    private let azureSettings: (FakeOpenAIServer) throws -> OpenAIConfig = { try OpenAIConfig.azure(environment: azureEnvironment($0)) }

    @Test func embeddingsGoToTheDeploymentWithTheVersionAfterThePathAndTheKeyInApiKey() async throws {
        try await withFakeProvider(server: azureServer, settings: azureSettings) { fake in
            let response = try await fake.provider.embed(["first text", "second text"], model: "emb", dimensions: nil)
            #expect(response.provider == "azure")
            #expect(response.vectors == [
                FakeOpenAIServer.embedding(for: "first text", model: "emb", dimensions: 1536),
                FakeOpenAIServer.embedding(for: "second text", model: "emb", dimensions: 1536),
            ])
            let requests = fake.server.recordedRequests()
            #expect(requests.count == 1)
            let request = try #require(requests.first)
            #expect(request.method == "POST")
            #expect(request.path == "/openai/deployments/emb/embeddings")
            #expect(request.query == ["api-version": testAzureVersion])
            #expect(request.headers["api-key"] == testAPIKey)
            #expect(request.headers["authorization"] == nil)
            #expect(request.body?["input"] == .array([.string("first text"), .string("second text")]))
            #expect(request.body?["model"] == .string("emb"))
            #expect(request.body?["encoding_format"] == .string("base64"))
        }
    }

    @Test func chatCompletionsGoToTheChatModelsDeployment() async throws {
        try await withFakeProvider(server: azureServer, settings: azureSettings) { fake in
            let reply = try await fake.provider.generate(ChatRequest(system: "be brief", user: "say hi", model: "chat-dep", maxTokens: 20))
            let expected = FakeOpenAIServer.chatReply(messages: [("system", "be brief"), ("user", "say hi")], model: "chat-dep", maxTokens: 20)
            #expect(reply.content == expected.content)
            #expect(reply.provider == "azure")
            let request = try #require(fake.server.recordedRequests().first)
            #expect(request.path == "/openai/deployments/chat-dep/chat/completions")
            #expect(request.query == ["api-version": testAzureVersion])
            #expect(request.headers["api-key"] == testAPIKey)
            #expect(request.headers["authorization"] == nil)
        }
    }

    @Test func theQueryComesAfterThePathAndDeploymentsAreEscaped() {
        let style = APIStyle.azure(apiVersion: "2024-02-01")
        let base = "https://res.openai.azure.com/openai"
        #expect(style.url(base: base, path: "/embeddings", deployment: "emb")
                == "https://res.openai.azure.com/openai/deployments/emb/embeddings?api-version=2024-02-01")
        #expect(style.url(base: base, path: "/chat/completions", deployment: "my dep/1")
                == "https://res.openai.azure.com/openai/deployments/my%20dep%2F1/chat/completions?api-version=2024-02-01")
        #expect(style.url(base: base, path: "/batches?limit=10", deployment: nil)
                == "https://res.openai.azure.com/openai/batches?limit=10&api-version=2024-02-01")
        #expect(APIStyle.openAI.url(base: "https://api.openai.com/v1", path: "/embeddings", deployment: "emb")
                == "https://api.openai.com/v1/embeddings")
    }

    @Test func aWrongKeyIsAnAuthenticationErrorNamingAzuresVariableNeverTheKey() async throws {
        let server = FakeOpenAIOptions(azure: FakeAzureOptions(apiKey: "the-right-key"))
        try await withFakeProvider(server: server, settings: azureSettings) { fake in
            let error = try #require(await captureLLMError { try await fake.provider.embed(["x"], model: "emb", dimensions: nil) })
            #expect(error.kind == .authentication)
            #expect(error.status == 401)
            #expect(error.description.contains("Access denied due to invalid subscription key"))
            #expect(error.description.contains("Check AZURE_OPENAI_API_KEY"))
            #expect(!error.description.contains(testAPIKey))
        }
    }

    @Test func anUnknownDeploymentStopsWithTheURLAndAzuresMessage() async throws {
        let server = FakeOpenAIOptions(knownModels: ["emb"], azure: FakeAzureOptions(apiKey: testAPIKey))
        try await withFakeProvider(server: server, settings: azureSettings) { fake in
            let error = try #require(await captureLLMError { try await fake.provider.embed(["x"], model: "nope", dimensions: nil) })
            #expect(error.status == 404)
            #expect(error.isConfigurationError)
            #expect(error.apiCode == "DeploymentNotFound")
            #expect(error.description.contains("The API deployment for this resource does not exist"))
            #expect(error.description.contains("/openai/deployments/nope/embeddings?api-version=\(testAzureVersion)"))
            #expect(error.description.contains("names a deployment of the resource at AZURE_OPENAI_ENDPOINT"))
        }
    }

    @Test func azures429IsRetriedAfterItsRetryAfterMs() async throws {
        // One request per second: the next ones are refused with Azure's body and headers.
        let server = FakeOpenAIOptions(requestsPerMinute: 60, azure: FakeAzureOptions(apiKey: testAPIKey, requestWindow: .seconds(1)))
        try await withFakeProvider(server: server, settings: azureSettings, configure: { $0.maxRetries = 1 }) { fake in
            _ = try await fake.provider.embed(["x"], model: "emb", dimensions: nil)
            let error = try #require(await captureLLMError { try await fake.provider.embed(["y"], model: "emb", dimensions: nil) })
            guard case .rateLimited(let after?) = error.kind else {
                Issue.record("expected a rate limit with a retry-after, got \(error)")
                return
            }
            // The retry waited what retry-after-ms said (under a second, in milliseconds),
            // not the whole-second retry-after.
            let delays = fake.sleeper.delays
            #expect(delays.count == 1)
            #expect(delays.allSatisfy { $0 > .zero && $0 < .seconds(1) && $0 >= after })
            #expect(error.apiCode == "429")
            #expect(error.description.contains("Requests to the Embeddings_Create Operation under Azure OpenAI API version \(testAzureVersion)"))
        }
    }

    @Test func azuresOwnRetryAfterMsHeaderIsHonouredWhenThePlainOneIsMissing() async throws {
        try await withFakeProvider(server: azureServer, settings: azureSettings) { fake in
            fake.server.enqueueFaults([.custom(status: 429, headers: ["x-ms-retry-after-ms": "1250", "retry-after": "2"],
                                               body: #"{"error":{"code":"429","message":"Requests to the Embeddings_Create Operation under Azure OpenAI API version 2024-10-21 have exceeded call rate limit. Please retry after 2 seconds."}}"#)])
            let response = try await fake.provider.embed(["x"], model: "emb", dimensions: nil)
            #expect(response.retries == 1)
            #expect(fake.sleeper.delays == [.milliseconds(1250)])
        }
    }

    @Test func onlyTheRemainingHeadersAreReported() async throws {
        try await withFakeProvider(server: FakeOpenAIOptions(requestsPerMinute: 600, azure: FakeAzureOptions(apiKey: testAPIKey)),
                                   settings: azureSettings) { fake in
            let response = try await fake.provider.embed(["x"], model: "emb", dimensions: nil)
            // 600 a minute counted over 10 s: 100 a window, one spent.
            #expect(response.rateLimits == RateLimitSnapshot(remainingRequests: 99, remainingTokens: 1_000_000_000))
        }
    }
}
