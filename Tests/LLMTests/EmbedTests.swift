import FakeOpenAI
import LLM
import Testing

/// `embed` over real HTTP against FakeOpenAI.
struct EmbedTests {
    @Test func embedReturnsVectors() async throws {
        try await withFakeProvider { fake in
            let response = try await fake.provider.embed(["hello world"])
            #expect(response.vectors.count == 1)
            #expect(response.vectors[0].count == 1536)
            let expected = FakeOpenAIServer.embedding(for: "hello world", model: "text-embedding-3-small", dimensions: 1536)
            #expect(response.vectors[0].map(\.bitPattern) == expected.map(\.bitPattern))
            #expect(response.model == "text-embedding-3-small")
            #expect(response.provider == "openai")
            #expect(response.inputTokens > 0)
        }
    }

    @Test func embedHandlesBatch() async throws {
        try await withFakeProvider { fake in
            let texts = (0..<5).map { "document number \($0)" }
            let response = try await fake.provider.embed(texts)
            let requests = fake.server.recordedRequests()
            #expect(requests.count == 1)
            #expect(requests.first?.body?["input"]?.arrayValue?.compactMap(\.stringValue) == texts)
            #expect(requests.first?.body?["encoding_format"]?.stringValue == "base64")
            #expect(response.vectors.count == 5)
            for (text, vector) in zip(texts, response.vectors) {
                let expected = FakeOpenAIServer.embedding(for: text, model: "text-embedding-3-small", dimensions: 1536)
                #expect(vector == expected)
            }
        }
    }

    @Test func supportsEmbeddingsReturnsTrue() async throws {
        try await withFakeProvider { fake in
            #expect(fake.provider.supportsEmbeddings)
        }
    }

    @Test func base64AndFloatResponsesDecodeToTheSameFloats() async throws {
        let texts = ["alpha", "beta", "gamma ünïcödé"]
        let fromBase64 = try await withFakeProvider(server: FakeOpenAIOptions(forceEncoding: .base64)) {
            try await $0.provider.embed(texts).vectors
        }
        let fromFloats = try await withFakeProvider(server: FakeOpenAIOptions(forceEncoding: .float)) {
            try await $0.provider.embed(texts).vectors
        }
        #expect(fromBase64.map { $0.map(\.bitPattern) } == fromFloats.map { $0.map(\.bitPattern) })
        #expect(fromBase64.count == 3)
    }

    @Test func vectorsAreOrderedByIndex() async throws {
        try await withFakeProvider(server: FakeOpenAIOptions(reverseEmbeddingOrder: true)) { fake in
            let texts = ["first", "second", "third", "fourth"]
            let response = try await fake.provider.embed(texts)
            let expected = texts.map {
                FakeOpenAIServer.embedding(for: $0, model: "text-embedding-3-small", dimensions: 1536)
            }
            #expect(response.vectors == expected)
        }
    }

    @Test func requestedDimensionsAreSentAndChecked() async throws {
        try await withFakeProvider { fake in
            let response = try await fake.provider.embed(["short"], model: "text-embedding-3-large", dimensions: 256)
            #expect(fake.bodies.first?["dimensions"]?.intValue == 256)
            #expect(fake.bodies.first?["model"]?.stringValue == "text-embedding-3-large")
            #expect(response.vectors.first?.count == 256)
            #expect(response.vectors.first == FakeOpenAIServer.embedding(for: "short", model: "text-embedding-3-large", dimensions: 256))
        }
    }

    @Test func unknownModelsMayUseAnyConsistentLength() async throws {
        try await withFakeProvider { fake in
            let item = { (index: Int, vector: String) in
                #"{"object":"embedding","index":\#(index),"embedding":\#(vector)}"#
            }
            fake.server.enqueueFaults([
                .custom(status: 200, body: #"{"object":"list","data":["# + item(0, "[0.5,0.25,1]") + "," + item(1, "[1,2,3]")
                    + #"],"model":"local","usage":{"prompt_tokens":2,"total_tokens":2}}"#),
                .custom(status: 200, body: #"{"object":"list","data":["# + item(0, "[0.5,0.25,1]") + "," + item(1, "[1,2]")
                    + #"],"model":"local","usage":{"prompt_tokens":2,"total_tokens":2}}"#),
            ])
            let response = try await fake.provider.embed(["a", "b"], model: "nomic-embed-text", dimensions: nil)
            #expect(response.vectors == [[0.5, 0.25, 1], [1, 2, 3]])
            let error = await captureLLMError { try await fake.provider.embed(["a", "b"], model: "nomic-embed-text", dimensions: nil) }
            #expect(error?.kind == .wrongDimensions(got: 2, expected: 3))
            #expect(error?.isConfigurationError == true)
        }
    }

    @Test func wrongDimensionCountIsAboutTheRequestNotAnOutage() async throws {
        try await withFakeProvider { fake in
            fake.server.enqueueFaults([
                .custom(
                    status: 200,
                    body: #"{"object":"list","data":[{"object":"embedding","index":0,"embedding":[0.1,0.2,0.3]}],"model":"m","usage":{"prompt_tokens":1,"total_tokens":1}}"#
                )
            ])
            let error = await captureLLMError { try await fake.provider.embed(["x"]) }
            #expect(error?.kind == .wrongDimensions(got: 3, expected: 1536))
            #expect(error?.isRetryable == false)
            #expect(error?.isConfigurationError == true)
            #expect(error?.description.hasPrefix("The API answered with vectors of 3 dimensions, expected 1536 (HTTP 200") == true)
        }
    }

    @Test func vectorCountMismatchIsUnparseable() async throws {
        try await withFakeProvider { fake in
            let one = FakeOpenAIServer.embedding(for: "a", model: "m", dimensions: 1536).map { "\($0)" }.joined(separator: ",")
            fake.server.enqueueFaults([
                .custom(
                    status: 200,
                    body: #"{"object":"list","data":[{"object":"embedding","index":0,"embedding":["#
                        + one + #"]}],"model":"m","usage":{"prompt_tokens":1,"total_tokens":1}}"#
                )
            ])
            let error = await captureLLMError { try await fake.provider.embed(["a", "b"]) }
            #expect(error?.kind == .unparseableResponse)
            #expect(error?.detail?.contains("expected 2 embeddings, got 1") == true)
        }
    }

    @Test func emptyStringInputGetsTheRealBadRequest() async throws {
        try await withFakeProvider { fake in
            let error = await captureLLMError { try await fake.provider.embed(["fine", ""]) }
            guard case .invalidRequest(let message, let param)? = error?.kind else {
                Issue.record("expected invalidRequest, got \(String(describing: error))")
                return
            }
            #expect(message.hasPrefix("'$.input' is invalid."))
            #expect(param == nil)
            #expect(fake.sleeper.delays.isEmpty)
        }
    }

    @Test func markedInputIsRejectedWithTheOverLengthMessage() async throws {
        try await withFakeProvider(server: FakeOpenAIOptions(rejectInputsContaining: "@@TOO_LONG@@")) { fake in
            let error = await captureLLMError { try await fake.provider.embed(["ok", "bad @@TOO_LONG@@ text"]) }
            guard case .invalidRequest(let message, _)? = error?.kind else {
                Issue.record("expected invalidRequest, got \(String(describing: error))")
                return
            }
            #expect(message.contains("maximum context length is 8192 tokens"))
            #expect(message.contains("@@TOO_LONG@@"))
            let accepted = try await fake.provider.embed(["ok"])
            #expect(accepted.vectors.count == 1)
        }
    }

    @Test func manyConcurrentRequestsShareTheClient() async throws {
        try await withFakeProvider { fake in
            let provider = fake.provider
            try await withThrowingTaskGroup(of: Int.self) { group in
                for index in 0..<40 {
                    group.addTask { try await provider.embed(["text \(index)", "more \(index)"]).vectors.count }
                }
                var total = 0
                for try await count in group { total += count }
                #expect(total == 80)
            }
            #expect(fake.server.stats().requests == 40)
        }
    }
}
