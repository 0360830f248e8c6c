/// One chat message exactly as sent on the wire: `{"role", "content"}`.
public struct ChatMessage: Sendable, Hashable {
    /// `system`, `user` or `assistant`.
    public var role: String
    /// The message text.
    public var content: String

    /// Creates a message with the given role and content.
    public init(role: String, content: String) {
        self.role = role
        self.content = content
    }

    /// A system message.
    public static func system(_ content: String) -> ChatMessage { ChatMessage(role: "system", content: content) }
    /// A user message.
    public static func user(_ content: String) -> ChatMessage { ChatMessage(role: "user", content: content) }
}

/// Everything one chat completion needs; a `nil` model means the provider's configured chat model.
public struct ChatRequest: Sendable, Hashable {
    /// The messages in order.
    public var messages: [ChatMessage]
    /// A per-request model, overriding the provider's default.
    public var model: String?
    /// The cap on generated tokens (sent as `max_tokens`).
    public var maxTokens: Int
    /// The sampling temperature (0…2).
    public var temperature: Double
    /// Tokens this request is expected to consume, for pacing; `nil` lets the provider estimate.
    public var estimatedTokens: Int?

    /// Creates a request from explicit messages.
    public init(
        messages: [ChatMessage], model: String? = nil, maxTokens: Int = 1024,
        temperature: Double = 0.7, estimatedTokens: Int? = nil
    ) {
        self.messages = messages
        self.model = model
        self.maxTokens = maxTokens
        self.temperature = temperature
        self.estimatedTokens = estimatedTokens
    }

    /// Creates a request from the llmq triple: the system message (when given), then
    /// `Context:\n<context>` as a user message (when given), then the user prompt.
    public init(
        system: String?, context: String? = nil, user: String, model: String? = nil,
        maxTokens: Int = 1024, temperature: Double = 0.7, estimatedTokens: Int? = nil
    ) {
        var messages: [ChatMessage] = []
        if let system { messages.append(.system(system)) }
        if let context { messages.append(.user("Context:\n\(context)")) }
        messages.append(.user(user))
        self.init(
            messages: messages, model: model, maxTokens: maxTokens,
            temperature: temperature, estimatedTokens: estimatedTokens
        )
    }
}

/// Everything one embeddings call needs; `nil` model or dimensions mean the provider's defaults.
/// How the vectors of an embeddings response are asked for (`encoding_format`).
public enum EmbeddingEncoding: String, Sendable, Hashable, CaseIterable {
    /// Little-endian float32 bytes in base64: a quarter of the bytes of JSON numbers.
    case base64
    /// JSON arrays of numbers, for servers that do not take base64.
    case float
}

public struct EmbeddingRequest: Sendable, Hashable {
    /// The texts to embed, all sent in one request (at most 2,048, none empty).
    public var inputs: [String]
    /// The `encoding_format` asked for. A server may answer float arrays whatever is asked;
    /// those are read too.
    public var encoding: EmbeddingEncoding
    /// A per-request model, overriding the provider's default.
    public var model: String?
    /// A per-request vector length, overriding the provider's default.
    public var dimensions: Int?
    /// Tokens this request is expected to consume, for pacing; `nil` lets the provider estimate.
    public var estimatedTokens: Int?

    /// Creates an embeddings request.
    public init(inputs: [String], model: String? = nil, dimensions: Int? = nil, estimatedTokens: Int? = nil,
                encoding: EmbeddingEncoding = .base64) {
        self.inputs = inputs
        self.encoding = encoding
        self.model = model
        self.dimensions = dimensions
        self.estimatedTokens = estimatedTokens
    }
}
