import FakeOpenAI
import LLM
import Testing

/// How failures become ``LLMError``s, over real HTTP against FakeOpenAI.
struct ErrorMappingTests {
    @Test func mapsAuthError() async throws {
        try await withFakeProvider { fake in
            fake.server.enqueueFaults([.unauthorized])
            let error = await captureLLMError { try await fake.provider.embed(["x"]) }
            #expect(error?.kind == .authentication)
            #expect(error?.status == 401)
            #expect(error?.apiCode == "invalid_api_key")
            #expect(error?.isFatalForRun == true)
            #expect(fake.server.recordedRequests().count == 1)
            #expect(error?.description.contains("OPENAI_API_KEY") == true)
            #expect(error?.kind.code == "authentication")
        }
    }

    @Test func mapsTimeoutError() async throws {
        try await withFakeProvider(configure: {
            $0.timeout = .milliseconds(200)
            $0.maxRetries = 0
        }) { fake in
            fake.server.enqueueFaults([.hang])
            let clock = ContinuousClock()
            let start = clock.now
            let error = await captureLLMError { try await fake.provider.embed(["x"]) }
            #expect(error?.kind == .timeout(.milliseconds(200)))
            #expect(error?.isRetryable == true)
            #expect(clock.now - start < .seconds(5))
        }
    }

    @Test func mapsAPIError() async throws {
        try await withFakeProvider { fake in
            fake.server.enqueueFaults([
                .custom(
                    status: 400, headers: ["x-request-id": "req_abc"],
                    body: #"{"error":{"message":"This model's maximum context length is 8192 tokens.","type":"invalid_request_error","param":"messages","code":"context_length_exceeded"}}"#
                ),
                .custom(
                    status: 404,
                    body: #"{"error":{"message":"The model `gpt-9` does not exist or you do not have access to it.","type":"invalid_request_error","param":null,"code":"model_not_found"}}"#
                ),
            ])
            let tooLong = await captureLLMError { try await fake.provider.generate(ChatRequest(system: nil, user: "x")) }
            #expect(tooLong?.kind == .invalidRequest(message: "This model's maximum context length is 8192 tokens.", param: "messages"))
            #expect(tooLong?.apiCode == "context_length_exceeded")
            #expect(tooLong?.requestID == "req_abc")
            #expect(tooLong?.status == 400)
            let notFound = await captureLLMError { try await fake.provider.generate(ChatRequest(system: nil, user: "x")) }
            #expect(notFound?.apiCode == "model_not_found")
            #expect(notFound?.status == 404)
            #expect(notFound?.isRetryable == false)
            #expect(fake.sleeper.delays.isEmpty)
        }
    }

    @Test func droppedConnectionMapsToConnectionError() async throws {
        try await withFakeProvider(configure: { $0.maxRetries = 0 }) { fake in
            fake.server.enqueueFaults([.dropConnection])
            let error = await captureLLMError { try await fake.provider.embed(["x"]) }
            #expect(error?.kind == .connection)
            #expect(error?.isRetryable == true)
        }
    }

    @Test func garbageBodyMapsToUnparseableResponse() async throws {
        try await withFakeProvider { fake in
            fake.server.enqueueFaults([.garbageBody, .garbageBody])
            let embedError = await captureLLMError { try await fake.provider.embed(["x"]) }
            #expect(embedError?.kind == .unparseableResponse)
            #expect(embedError?.status == 200)
            let chatError = await captureLLMError { try await fake.provider.generate(ChatRequest(system: nil, user: "x")) }
            #expect(chatError?.kind == .unparseableResponse)
        }
    }

    @Test func htmlBadGatewayKeepsTheRawText() async throws {
        try await withFakeProvider(configure: { $0.maxRetries = 0 }) { fake in
            fake.server.enqueueFaults([.htmlBadGateway])
            let error = await captureLLMError { try await fake.provider.embed(["x"]) }
            #expect(error?.kind == .serverError(status: 502))
            #expect(error?.apiMessage?.contains("502 Bad Gateway") == true)
        }
    }

    @Test func keyIsAbsentFromEveryErrorDescription() async throws {
        var errors: [LLMError] = []
        try await withFakeProvider(configure: {
            $0.maxRetries = 0
            $0.timeout = .milliseconds(200)
        }) { fake in
            let echo = #"{"error":{"message":"Incorrect API key provided: \#(testAPIKey).","type":"invalid_request_error","param":null,"code":"invalid_api_key"}}"#
            let faults: [FakeFault] = [
                .unauthorized, .insufficientQuota, .rateLimit(retryAfterMs: 10), .serverError(status: 500),
                .dropConnection, .hang, .garbageBody, .htmlBadGateway,
                .custom(status: 401, body: echo), .custom(status: 400, body: echo), .custom(status: 500, body: testAPIKey),
            ]
            for fault in faults {
                fake.server.enqueueFaults([fault])
                let error = await captureLLMError { try await fake.provider.embed(["x"]) }
                errors.append(try #require(error))
            }
        }
        #expect(errors.count == 11)
        for error in errors {
            #expect(!error.description.contains(testAPIKey))
            #expect(!String(describing: error).contains(testAPIKey))
            #expect(!String(reflecting: error).contains(testAPIKey))
        }
        let config = OpenAIConfig(apiKey: testAPIKey, environment: [:])
        #expect(!config.description.contains(testAPIKey))
    }

    @Test func missingKeyFailsWithAClearMessage() {
        #expect {
            try OpenAIProvider(config: OpenAIConfig(environment: [:]))
        } throws: { error in
            (error as? ProviderConfigurationError)?.message.contains("OPENAI_API_KEY") == true
        }
    }

    @Test func configReadsTheEnvironment() {
        let config = OpenAIConfig(environment: [
            "OPENAI_API_KEY": "sk-env", "OPENAI_BASE_URL": "http://localhost:8080/v1/",
            "OPENAI_ORG_ID": "org-1", "OPENAI_PROJECT_ID": "proj-2",
        ])
        #expect(config.apiKey == "sk-env")
        #expect(config.baseURL == "http://localhost:8080/v1")
        #expect(config.organization == "org-1")
        #expect(config.project == "proj-2")
        #expect(config.chatModel == "gpt-4o-mini")
        #expect(config.embeddingModel == "text-embedding-3-small")
        #expect(OpenAIConfig(environment: [:]).baseURL == "https://api.openai.com/v1")
    }
}
