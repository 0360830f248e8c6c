/// The outcome of one chat completion.
public struct LLMResponse: Sendable, Hashable {
    /// The assistant's text; empty when the model returned `null` content (see ``refusal``).
    public var content: String
    /// The model's refusal text when it declined to answer, else `nil`.
    public var refusal: String?
    /// The model that answered (the resolved snapshot name, which may differ from the one asked for).
    public var model: String
    /// Prompt tokens charged.
    public var inputTokens: Int
    /// Completion tokens charged.
    public var outputTokens: Int
    /// The provider's ``LLMProvider/name``.
    public var provider: String
    /// Why generation stopped (`stop`, `length`, `content_filter`, …), when reported.
    public var finishReason: String?
    /// The `x-ratelimit-*` figures of the successful response, when present.
    public var rateLimits: RateLimitSnapshot?
    /// How many retries the provider took before this answer (0 when the first try succeeded).
    public var retries: Int
    /// The server's `x-request-id`, when present.
    public var requestID: String?

    /// Creates a response value.
    public init(
        content: String, refusal: String? = nil, model: String, inputTokens: Int, outputTokens: Int,
        provider: String, finishReason: String? = nil, rateLimits: RateLimitSnapshot? = nil,
        retries: Int = 0, requestID: String? = nil
    ) {
        self.content = content
        self.refusal = refusal
        self.model = model
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
        self.provider = provider
        self.finishReason = finishReason
        self.rateLimits = rateLimits
        self.retries = retries
        self.requestID = requestID
    }
}

/// The outcome of one embeddings call.
public struct EmbeddingResponse: Sendable, Hashable {
    /// One vector per input, in input order, each of the expected length, packed as the
    /// little-endian float32 bytes llmq stores.
    public var packedVectors: PackedVectors
    /// The same vectors as floats.
    public var vectors: [[Float]] { Array(packedVectors) }
    /// The model that answered.
    public var model: String
    /// Tokens charged for all inputs.
    public var inputTokens: Int
    /// The provider's ``LLMProvider/name``.
    public var provider: String
    /// The `x-ratelimit-*` figures of the successful response, when present.
    public var rateLimits: RateLimitSnapshot?
    /// How many retries the provider took before this answer.
    public var retries: Int
    /// The server's `x-request-id`, when present.
    public var requestID: String?

    /// Creates a response value.
    public init(
        vectors: [[Float]], model: String, inputTokens: Int, provider: String,
        rateLimits: RateLimitSnapshot? = nil, retries: Int = 0, requestID: String? = nil
    ) {
        self.init(packedVectors: PackedVectors(vectors), model: model, inputTokens: inputTokens, provider: provider,
                  rateLimits: rateLimits, retries: retries, requestID: requestID)
    }

    /// Creates a response value from vectors already packed.
    public init(
        packedVectors: PackedVectors, model: String, inputTokens: Int, provider: String,
        rateLimits: RateLimitSnapshot? = nil, retries: Int = 0, requestID: String? = nil
    ) {
        self.packedVectors = packedVectors
        self.model = model
        self.inputTokens = inputTokens
        self.provider = provider
        self.rateLimits = rateLimits
        self.retries = retries
        self.requestID = requestID
    }
}
