import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOFoundationCompat

/// The OpenAI (or any OpenAI-compatible) backend over one pooled AsyncHTTPClient.
///
/// Sends `POST /chat/completions` and `POST /embeddings`, retries transient failures as the
/// official SDK does (see ``RetryPolicy``), maps every failure to ``LLMError`` and returns the
/// `x-ratelimit-*` figures with each response. Call ``shutdown()`` once when done.
public final class OpenAIProvider: LLMProvider {
    /// The llmq version sent in `User-Agent`.
    public static let version = "0.1.0"
    /// The `User-Agent` sent with every request.
    public static let userAgent = "llmq/\(version) (Swift; OpenAIProvider)"

    /// `"openai"`, or `"azure"` for Azure's classic API (``OpenAIConfig/api``).
    public let name: String
    /// The settings this provider was built with (``OpenAIConfig/description`` hides the key).
    public let config: OpenAIConfig

    let apiKey: String
    let client: HTTPClient
    let sleeper: any Sleeper
    let random: RandomSource
    let observer: (any RequestObserver)?
    let logger: Logger
    let now: @Sendable () -> Date
    /// Embeddings response bodies kept for the next responses (``bodyBuffer(contentLength:contentEncoding:)``).
    let responseBodies = BufferPool<ByteBuffer>(capacity: 2, maxBytes: 32 << 20)

    /// Creates the provider and its HTTP client.
    /// - Parameters:
    ///   - config: the settings; the key must be present.
    ///   - sleeper: how backoff waits; tests inject one that records instead.
    ///   - random: jitter source in [0, 1).
    ///   - observer: shared pacing hook, awaited before every attempt and told after every response.
    ///   - logger: receives retry and failure notes (never the key).
    ///   - now: wall clock for `retry-after` HTTP dates.
    /// - Throws: ``ProviderConfigurationError`` when the key is missing or the base URL is not http(s).
    public init(
        config: OpenAIConfig = OpenAIConfig(),
        sleeper: any Sleeper = TaskSleeper(),
        random: @escaping RandomSource = systemRandomSource,
        observer: (any RequestObserver)? = nil,
        logger: Logger = Logger(label: "llmq.openai"),
        now: @escaping @Sendable () -> Date = { Date() }
    ) throws(ProviderConfigurationError) {
        guard let key = config.apiKey, !key.isEmpty else {
            throw ProviderConfigurationError(
                message: "No OpenAI API key: set OPENAI_API_KEY (or pass an API key in OpenAIConfig)."
            )
        }
        if let problem = config.baseURLProblem { throw ProviderConfigurationError(message: problem) }
        var httpConfig = HTTPClient.Configuration()
        httpConfig.connectionPool = .init(
            idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: config.maxConnections
        )
        httpConfig.connectionPool.retryConnectionEstablishment = config.retryConnectionEstablishment
        httpConfig.timeout.connect = min(config.timeout, .seconds(10)).timeAmount
        // A reply is held to maxResponseBytes as it is collected (decompressed); a download
        // (a batch output file, hundreds of MB) goes to disk whatever its size, so the
        // inflater is only kept from a decompression bomb: at most 100 bytes per byte received.
        httpConfig.decompression = .enabled(limit: .ratio(ErrorMapping.maxInflationRatio))
        self.config = config
        self.name = config.api.providerName
        self.apiKey = key
        self.client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: httpConfig)
        self.sleeper = sleeper
        self.random = random
        self.observer = observer
        self.logger = logger
        self.now = now
    }

    /// `true` for Azure's classic API and for a base URL at `api.openai.com` or an Azure
    /// resource (`*.openai.azure.com`, its v1 API); other servers behind `OPENAI_BASE_URL`
    /// may count `usage` in characters.
    public var countsUsageInTokens: Bool {
        if case .azure = config.api { return true }
        let host = URLComponents(string: config.baseURL)?.host?.lowercased() ?? ""
        return host == "api.openai.com" || host.hasSuffix(".openai.azure.com")
    }

    /// Always `true`.
    public var supportsEmbeddings: Bool { true }

    /// Closes the pooled connections. Call exactly once, after the last request.
    public func shutdown() async throws {
        try await client.shutdown()
    }

    /// Runs one chat completion (`POST /chat/completions`).
    /// - Throws: ``LLMError`` after the retries the policy allows; `CancellationError` on cancellation.
    public func generate(_ request: ChatRequest) async throws -> LLMResponse {
        let estimate = request.estimatedTokens ?? TokenEstimate.chat(request)
        let body = OpenAIRequestBody.chat(request, defaultModel: config.chatModel)
        let outgoing = OutgoingRequest(path: OpenAIRequestBody.chatPath, body: body, deployment: request.model ?? config.chatModel)
        let reply = try await send(outgoing, estimatedTokens: estimate)
        do {
            return try ChatCompletionParser.parse(reply.body)
                .response(provider: name, rateLimits: reply.rateLimits, retries: reply.retries, requestID: reply.requestID)
        } catch {
            throw reply.unparseable(error.message)
        }
    }

    /// Embeds all inputs in one `POST /embeddings` call, asking for base64 float32 data.
    /// - Throws: ``LLMError``; `.unparseableResponse` when the count or an index does not match,
    ///   `.wrongDimensions` when a vector's length does not: the expected length is `dimensions`,
    ///   else the model's native size (``OpenAIConfig/nativeDimensions(of:)``), else (an unknown
    ///   model) the length all vectors share.
    public func embed(_ request: EmbeddingRequest) async throws -> EmbeddingResponse {
        let model = request.model ?? config.embeddingModel
        let dimensions = request.dimensions ?? config.dimensions
        guard !request.inputs.isEmpty else {
            return EmbeddingResponse(vectors: [], model: model, inputTokens: 0, provider: name)
        }
        let estimate = request.estimatedTokens ?? TokenEstimate.embeddings(request.inputs)
        let body = OpenAIRequestBody.embeddings(request.inputs, model: model, dimensions: dimensions, encoding: request.encoding)
        let reply = try await send(OutgoingRequest(path: OpenAIRequestBody.embeddingsPath, body: body, deployment: model),
                                   estimatedTokens: estimate)
        let parsed: EmbeddingsResponseParser.Parsed
        do {
            parsed = try EmbeddingsResponseParser.parse(
                reply.body, expectedCount: request.inputs.count,
                expectedDimensions: dimensions ?? OpenAIConfig.nativeDimensions(of: model)
            )
        } catch {
            if let (got, expected) = error.dimensions { throw reply.wrongDimensions(got: got, expected: expected) }
            throw reply.unparseable(error.message)
        }
        responseBodies.give(reply.body, bytes: reply.body.capacity)
        return EmbeddingResponse(
            packedVectors: parsed.vectors, model: parsed.model, inputTokens: parsed.promptTokens ?? 0,
            provider: name, rateLimits: reply.rateLimits, retries: reply.retries, requestID: reply.requestID
        )
    }
}

/// Rough token counts for pacing when the caller gives none (UTF-8 bytes / 4, at least 1).
enum TokenEstimate {
    static func text(_ text: String) -> Int { max(1, (text.utf8.count + 3) / 4) }

    static func chat(_ request: ChatRequest) -> Int {
        request.messages.reduce(3) { $0 + 4 + text($1.content) } + request.maxTokens
    }

    static func embeddings(_ inputs: [String]) -> Int {
        inputs.reduce(0) { $0 + text($1) }
    }
}
