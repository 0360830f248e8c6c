import FakeOpenAI
@testable import LLM
import Testing

/// Error bodies of every OpenAI-compatible shape, and which 4xx are about the request,
/// mapped by the one error mapper, over real HTTP against FakeOpenAI.
struct ErrorBodyTests {
    /// The error `body` with `status` maps to.
    func mapped(status: Int, body: String, headers: [String: String] = [:]) async throws -> LLMError? {
        try await withFakeProvider(configure: { $0.maxRetries = 0 }) { fake in
            fake.server.enqueueFaults([.custom(status: status, headers: headers, body: body)])
            return await captureLLMError { try await fake.provider.embed(["x"]) }
        }
    }

    @Test(arguments: [
        (422, #"{"message":"batch size 512 > maximum allowed batch size 32","code":422,"type":"Validation"}"#,
         "batch size 512 > maximum allowed batch size 32", "422"),
        (422, #"{"detail":[{"type":"too_long","loc":["body","input"],"msg":"List should have at most 256 items after validation, not 512"}]}"#,
         "body.input: List should have at most 256 items after validation, not 512", nil),
        (400, #"{"error":{"message":"litellm.BadRequestError: No connected db.","type":null,"param":null,"code":"400"}}"#,
         "litellm.BadRequestError: No connected db.", "400"),
        (400, #"{"error":{"code":400,"message":"Pooling type 'none' is not OAI compatible","type":"invalid_request_error"}}"#,
         "Pooling type 'none' is not OAI compatible", "400"),
        (400, "Failed to deserialize the JSON body into the target type: missing field `input`",
         "Failed to deserialize the JSON body into the target type: missing field `input`", nil),
        (400, #"{"object":"error","message":"base64 encoding is not currently supported","type":"BadRequestError","code":400}"#,
         "base64 encoding is not currently supported", "400"),
    ] as [(Int, String, String, String?)])
    func messageIsReadFromEveryBodyShape(status: Int, body: String, message: String, code: String?) async throws {
        let error = try await mapped(status: status, body: body)
        #expect(error?.apiMessage == message)
        #expect(error?.apiCode == code)
        #expect(error?.description.contains(message) == true)
        #expect(error?.description.contains("{") == false)
    }

    @Test(arguments: [
        (#"{"detail":"Not Found"}"#, LLMError.Kind.endpointNotFound),
        (#"{"error":{"message":"Invalid URL (POST /embeddings)","type":"invalid_request_error","param":null,"code":null}}"#,
         .endpointNotFound),
        (#"{"error":{"message":"The model `nope` does not exist or you do not have access to it.","type":"invalid_request_error","param":null,"code":"model_not_found"}}"#,
         .unknownModel),
        (#"{"error":{"message":"model \"nope\" not found, try pulling it first","type":"not_found_error","param":null,"code":null}}"#,
         .unknownModel),
    ] as [(String, LLMError.Kind)])
    func notFoundIsAConfigurationErrorNamingTheBaseURLOrTheModel(body: String, kind: LLMError.Kind) async throws {
        let error = try #require(try await mapped(status: 404, body: body))
        #expect(error.kind == kind)
        #expect(error.isConfigurationError)
        #expect(!error.isRetryable)
        #expect(error.description.contains(kind == .endpointNotFound ? "OPENAI_BASE_URL" : "model"))
        #expect(error.description.contains("no job was failed"))
        #expect(!error.description.contains("Fix the job's input"))
        if kind == .endpointNotFound { #expect(error.description.contains("/v1/embeddings")) }
    }

    @Test(arguments: [
        (400, #"{"error":{"message":"This model does not support specifying dimensions of 4000.","type":"invalid_request_error","param":"dimensions","code":null}}"#,
         "dimensions"),
        (400, #"{"object":"error","message":"base64 encoding is not currently supported","type":"BadRequestError","code":400}"#,
         "encoding_format"),
        (422, #"{"message":"batch size 512 > maximum allowed batch size 32","code":422,"type":"Validation"}"#, "batch size"),
        (413, "Payload Too Large", "request size"),
    ] as [(Int, String, String)])
    func fourHundredNamingARequestParameterIsAboutTheRequest(status: Int, body: String, parameter: String) async throws {
        let error = try #require(try await mapped(status: status, body: body))
        #expect(error.requestParameter == parameter)
        #expect(error.isConfigurationError)
        #expect(error.description.contains("not an input"))
    }

    @Test func overLongInputIsAboutTheInput() async throws {
        let body = #"{"error":{"message":"This model's maximum context length is 8192 tokens, however you requested 9000 tokens (9000 in your prompt; 0 for the completion). Please reduce your prompt; or completion length.","type":"invalid_request_error","param":null,"code":null}}"#
        let error = try #require(try await mapped(status: 400, body: body))
        #expect(error.requestParameter == nil)
        #expect(!error.isConfigurationError)
        #expect(error.description.contains("Fix the job's input"))
    }

    @Test func insufficientQuotaIsRecognisedInLiteLLMsRewrittenShape() async throws {
        let body = #"{"error":{"message":"litellm.RateLimitError: RateLimitError: OpenAIException - You exceeded your current quota, please check your plan and billing details. For more information on this error, read the docs: https://platform.openai.com/docs/guides/error-codes/api-errors. Type: insufficient_quota","type":"throttling_error","param":null,"code":"429"}}"#
        let error = try #require(try await mapped(status: 429, body: body))
        #expect(error.kind == .quotaExhausted)
        #expect(error.isFatalForRun)
    }

    /// LiteLLM 1.108's words, as its proxy answered in front of the fake's quota fault: no
    /// `insufficient_quota` left in them, and a second paragraph after a blank line.
    static let liteLLMQuotaBody = #"{"error":{"message":"litellm.RateLimitError: RateLimitError: OpenAIException - Error code: 429 - You exceeded your current quota, please check your plan and billing details. For more information on this error, read the docs: https://platform.openai.com/docs/guides/error-codes/api-errors.\n\nLiteLLM: model group 'text-embedding-3-small' failed with the error above. No fallback was attempted.","type":"throttling_error","param":null,"code":"429"}}"#

    @Test func liteLLMsQuotaMessageOnSeveralLinesIsAQuotaStopOnOneLine() async throws {
        let error = try #require(try await mapped(status: 429, body: Self.liteLLMQuotaBody))
        #expect(error.kind == .quotaExhausted)
        #expect(error.apiMessage == "litellm.RateLimitError: RateLimitError: OpenAIException - Error code: 429 - You exceeded your current quota, please check your plan and billing details. For more information on this error, read the docs: https://platform.openai.com/docs/guides/error-codes/api-errors. LiteLLM: model group 'text-embedding-3-small' failed with the error above. No fallback was attempted.")
        #expect(!error.description.contains("\n"))
    }

    @Test(arguments: [
        ("one line", "one line"),
        ("first.\n\nsecond", "first. second"),
        ("  padded  \r\n  next\n", "  padded next"),
        ("a  b\tc", "a  b\tc"),
    ])
    func oneLineJoinsLinesAndKeepsTheRest(text: String, joined: String) {
        #expect(ErrorBody.oneLine(text) == joined)
    }

    @Test func liteLLMsPrefixedRetryAfterIsHonoured() async throws {
        try await withFakeProvider(configure: { $0.maxRetries = 1 }) { fake in
            fake.server.enqueueFaults([
                .custom(status: 429, headers: ["llm_provider-retry-after-ms": "1234"],
                        body: #"{"error":{"message":"litellm.RateLimitError: rate limited","type":"throttling_error","param":null,"code":"429"}}"#)
            ])
            _ = try await fake.provider.embed(["x"])
            #expect(fake.sleeper.delays == [.milliseconds(1234)])
        }
    }

    @Test func liteLLMsPrefixedRateLimitHeadersAreRead() async throws {
        let observer = HeaderRecorder()
        try await withFakeProvider(configure: { $0.maxRetries = 0 }, observer: observer) { fake in
            fake.server.enqueueFaults([
                .custom(status: 500, headers: ["llm_provider-x-ratelimit-remaining-tokens": "77", "llm_provider-x-ratelimit-reset-tokens": "12"],
                        body: #"{"error":{"message":"boom","type":"server_error","param":null,"code":"500"}}"#)
            ])
            _ = await captureLLMError { try await fake.provider.embed(["x"]) }
        }
        let snapshot = await observer.last
        #expect(snapshot?.remainingTokens == 77)
    }
}

/// Keeps the last rate-limit snapshot a provider reported.
actor HeaderRecorder: RequestObserver {
    var last: RateLimitSnapshot?

    func willSend(path: String, estimatedTokens: Int) async throws {}

    func didReceive(status: Int, rateLimits: RateLimitSnapshot?, retryAfter: Duration?, endsRun: Bool) async {
        last = rateLimits
    }
}
