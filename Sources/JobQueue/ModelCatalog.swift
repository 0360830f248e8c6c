/// What llmq knows about OpenAI models: embedding sizes and whether `dimensions` may be
/// sent. Unknown models (other OpenAI-compatible servers) are allowed with no size check.
public enum ModelCatalog {
    /// The default chat model.
    public static let defaultChatModel = "gpt-4o-mini"
    /// The default embedding model.
    public static let defaultEmbeddingModel = "text-embedding-3-small"

    /// The most tokens one input to an OpenAI embedding model may have; longer inputs are
    /// refused by the API (the worker fails them without sending, `llmq tokens` reports them).
    public static let maxEmbeddingInputTokens = 8_192

    /// The native vector size of a known embedding model, nil when unknown.
    public static func nativeDimensions(of model: String) -> Int? {
        switch model {
        case "text-embedding-3-small", "text-embedding-ada-002": return 1536
        case "text-embedding-3-large": return 3072
        default: return nil
        }
    }

    /// Whether the model accepts the `dimensions` parameter (text-embedding-3 and later;
    /// unknown models are given the benefit of the doubt).
    public static func acceptsDimensions(_ model: String) -> Bool {
        model != "text-embedding-ada-002"
    }
}
