/// A backend that turns chat requests into completions and texts into embedding vectors.
///
/// Conformers implement the two request-based methods (``generate(_:)`` and ``embed(_:)``);
/// the convenience forms have default implementations built on them. Every method throws
/// ``LLMError`` for anything the backend reports, and `CancellationError` when the calling
/// task is cancelled.
public protocol LLMProvider: Sendable {
    /// A short stable name for the backend (`"openai"`), copied into every response.
    var name: String { get }

    /// Whether ``embed(_:)`` is available on this backend.
    var supportsEmbeddings: Bool { get }

    /// Whether the server's `usage` counts tokens even for a model llmq has no tokenizer
    /// for (OpenAI's and Azure's do; local servers may count characters, as infinity does).
    var countsUsageInTokens: Bool { get }

    /// Runs one chat completion.
    /// - Parameter request: the messages, model override and sampling settings.
    /// - Returns: the assistant's reply with usage, finish reason and rate-limit figures.
    /// - Throws: ``LLMError`` when the request fails after the provider's own retries.
    func generate(_ request: ChatRequest) async throws -> LLMResponse

    /// Embeds every input of `request` in one call.
    /// - Returns: one vector per input, in input order.
    /// - Throws: ``LLMError`` when the request fails or the answer does not match the inputs.
    func embed(_ request: EmbeddingRequest) async throws -> EmbeddingResponse

    /// Runs one chat completion from the classic system / context / user triple.
    /// - Parameters:
    ///   - systemPrompt: the system message, or `nil` for none.
    ///   - userMessage: the user's prompt.
    ///   - context: when given, sent as a `Context:\n<context>` user message before the prompt.
    ///   - maxTokens: the cap on generated tokens.
    ///   - temperature: the sampling temperature (0…2).
    func generate(
        systemPrompt: String?,
        userMessage: String,
        context: String?,
        maxTokens: Int,
        temperature: Double
    ) async throws -> LLMResponse

    /// Embeds `texts` with the provider's default model and dimensions.
    func embed(_ texts: [String]) async throws -> EmbeddingResponse

    /// Embeds `texts` with an optional per-call model and dimensions.
    func embed(_ texts: [String], model: String?, dimensions: Int?) async throws -> EmbeddingResponse

    /// Releases the provider's resources (connections). Call once, when done; no request may follow.
    func shutdown() async throws
}

extension LLMProvider {
    /// Default: nothing to release.
    public func shutdown() async throws {}

    /// Default: `false`, the usage of an unknown server is not taken on trust.
    public var countsUsageInTokens: Bool { false }

    /// Default: builds a ``ChatRequest`` and calls ``generate(_:)``.
    public func generate(
        systemPrompt: String?,
        userMessage: String,
        context: String?,
        maxTokens: Int,
        temperature: Double
    ) async throws -> LLMResponse {
        try await generate(
            ChatRequest(
                system: systemPrompt, context: context, user: userMessage,
                maxTokens: maxTokens, temperature: temperature
            )
        )
    }

    /// Default: embeds with the provider's configured model and dimensions.
    public func embed(_ texts: [String]) async throws -> EmbeddingResponse {
        try await embed(EmbeddingRequest(inputs: texts))
    }

    /// Default: builds an ``EmbeddingRequest`` and calls ``embed(_:)``.
    public func embed(_ texts: [String], model: String?, dimensions: Int?) async throws -> EmbeddingResponse {
        try await embed(EmbeddingRequest(inputs: texts, model: model, dimensions: dimensions))
    }
}
