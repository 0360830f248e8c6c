import Tokenizer

/// Counts (or bounds) the tokens of a text for a model: used to pack embedding batches,
/// to refuse over-long inputs before sending, and to pace by tokens per minute.
public protocol TokenEstimator: Sendable {
    /// The token count of `text` for `model`, and whether it is exact (else an upper bound).
    func count(_ text: String, model: String) -> (tokens: Int, exact: Bool)
    /// `text` cut to at most `limit` tokens of `model`'s encoding (on a character
    /// boundary), or nil when no encoding is loaded to cut it exactly.
    func truncate(_ text: String, model: String, toTokens limit: Int) -> String?
    /// The loaded encoding of `model`, which chunking needs (exact counts only); nil when
    /// none is loaded.
    func encoding(forModel model: String) -> Encoding?
}

extension TokenEstimator {
    /// No encoding: an estimator that only bounds counts cannot chunk.
    public func encoding(forModel model: String) -> Encoding? { nil }
}

/// The safe upper bound when no tokenizer is loaded: one token per UTF-8 byte (a BPE
/// token is at least one byte), never an undercount.
public struct ByteCountEstimator: TokenEstimator {
    public init() {}

    public func count(_ text: String, model: String) -> (tokens: Int, exact: Bool) {
        (max(1, text.utf8.count), false)
    }

    public func truncate(_ text: String, model: String, toTokens limit: Int) -> String? { nil }
}
