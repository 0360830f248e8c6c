extension EncodingName {
    /// Exact model names, as in tiktoken's `MODEL_TO_ENCODING` (the entries for the two
    /// encodings llmq supports).
    static let modelToEncoding: [String: EncodingName] = [
        "o1": .o200kBase, "o3": .o200kBase, "o4-mini": .o200kBase,
        "gpt-5": .o200kBase, "gpt-4.1": .o200kBase, "gpt-4o": .o200kBase,
        "gpt-4": .cl100kBase, "gpt-3.5-turbo": .cl100kBase, "gpt-3.5": .cl100kBase,
        "gpt-35-turbo": .cl100kBase, "davinci-002": .cl100kBase, "babbage-002": .cl100kBase,
        "text-embedding-ada-002": .cl100kBase, "text-embedding-3-small": .cl100kBase,
        "text-embedding-3-large": .cl100kBase,
    ]

    /// Model name prefixes in tiktoken's `MODEL_PREFIX_TO_ENCODING` order; the first match wins.
    static let modelPrefixToEncoding: [(prefix: String, encoding: EncodingName)] = [
        ("o1-", .o200kBase), ("o3-", .o200kBase), ("o4-mini-", .o200kBase),
        ("gpt-5", .o200kBase), ("gpt-4.5-", .o200kBase), ("gpt-4.1-", .o200kBase),
        ("chatgpt-4o-", .o200kBase), ("gpt-4o-", .o200kBase),
        ("gpt-4-", .cl100kBase), ("gpt-3.5-turbo-", .cl100kBase), ("gpt-35-turbo-", .cl100kBase),
        ("ft:gpt-4o", .o200kBase), ("ft:gpt-4", .cl100kBase), ("ft:gpt-3.5-turbo", .cl100kBase),
        ("ft:davinci-002", .cl100kBase), ("ft:babbage-002", .cl100kBase),
    ]

    /// The encoding of `model`: the exact name first, then the first matching prefix,
    /// like `tiktoken.encoding_name_for_model`.
    ///
    /// - Throws: `TokenizerError` with code `unknownModel` when neither matches.
    public static func forModel(_ model: String) throws(TokenizerError) -> EncodingName {
        if let encoding = modelToEncoding[model] { return encoding }
        for entry in modelPrefixToEncoding where model.hasPrefix(entry.prefix) {
            return entry.encoding
        }
        throw TokenizerError(
            .unknownModel,
            message: "no tiktoken encoding is known for model '\(model)' (llmq knows cl100k_base and o200k_base models)")
    }
}
