/// A token count and whether it is exact (tiktoken's count) or a safe upper bound (the
/// UTF-8 byte count, which no byte-level BPE can exceed).
public struct TokenCount: Sendable, Hashable {
    /// The number of tokens, or the upper bound.
    public var tokens: Int
    /// True when `tokens` is tiktoken's exact count.
    public var isExact: Bool

    /// Creates a count.
    public init(tokens: Int, isExact: Bool) {
        self.tokens = tokens
        self.isExact = isExact
    }
}

/// Counts tokens exactly when an encoding is loaded, else returns the UTF-8 byte count
/// as an upper bound. Immutable; share it freely between tasks.
public struct TokenCounter: Sendable {
    /// The encoding, or nil for byte upper bounds.
    public let encoding: Encoding?

    /// A counter with `encoding`, or an upper-bound counter when it is nil.
    public init(encoding: Encoding?) {
        self.encoding = encoding
    }

    /// A counter that only gives UTF-8 byte upper bounds.
    public static let upperBound = TokenCounter(encoding: nil)

    /// Whether counts are exact.
    public var isExact: Bool { encoding != nil }

    /// The tokens of `text`: exact with an encoding, else its UTF-8 byte count.
    public func count(_ text: String) -> TokenCount {
        if let encoding { return TokenCount(tokens: encoding.count(text), isExact: true) }
        return TokenCount(tokens: text.utf8.count, isExact: false)
    }

    /// A counter and, when counts will only be upper bounds, the one notice to show the user.
    public struct Loaded: Sendable {
        /// The counter.
        public var counter: TokenCounter
        /// Why counts are upper bounds; nil when they are exact. Show or log it once.
        public var notice: String?
    }

    /// A counter for `model`: exact for every model whose encoding llmq knows (its rank
    /// file is built in), else upper bounds with a notice.
    ///
    /// Only an unknown model gives upper bounds. A rank file with the wrong SHA-256, or one
    /// that does not parse or cannot be read, is an error: a corrupt file must not turn
    /// into a silent miscount.
    ///
    /// - Parameters:
    ///   - model: the model name, e.g. `text-embedding-3-small` or `gpt-4o-mini`.
    ///   - locator: where the rank file comes from (an override directory, else built in).
    ///   - store: the process cache of loaded encodings; default `EncodingStore.shared`.
    /// - Throws: `TokenizerError` `checksumMismatch`, `malformedRankFile` or `fileSystem`.
    public static func load(
        model: String, locator: RankFileLocator, store: EncodingStore = .shared
    ) async throws(TokenizerError) -> Loaded {
        do {
            let encoding = try await store.encoding(forModel: model, locator: locator)
            return Loaded(counter: TokenCounter(encoding: encoding), notice: nil)
        } catch where error.code == .unknownModel {
            return Loaded(
                counter: .upperBound,
                notice: "token counts for \(model) are upper bounds (UTF-8 bytes), not exact: \(error)")
        }
    }
}
