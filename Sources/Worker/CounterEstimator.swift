import Tokenizer

/// Token counts from loaded tiktoken encodings, one counter per model; models without
/// one (unknown, or no rank file) get the UTF-8 byte upper bound.
public struct CounterEstimator: TokenEstimator {
    private let counters: [String: TokenCounter]

    /// An estimator over `counters` (by model name).
    public init(counters: [String: TokenCounter]) {
        self.counters = counters
    }

    public func count(_ text: String, model: String) -> (tokens: Int, exact: Bool) {
        guard let counter = counters[model] else { return ByteCountEstimator().count(text, model: model) }
        let count = counter.count(text)
        return (max(1, count.tokens), count.isExact)
    }

    public func encoding(forModel model: String) -> Encoding? { counters[model]?.encoding }

    public func truncate(_ text: String, model: String, toTokens limit: Int) -> String? {
        guard let encoding = counters[model]?.encoding else { return nil }
        let ids = encoding.encode(text)
        guard ids.count > limit else { return text }
        guard var bytes = try? encoding.decode(Array(ids.prefix(limit))) else { return nil }
        // A token boundary may fall inside a UTF-8 sequence: drop the incomplete tail.
        while !bytes.isEmpty, String(validating: bytes, as: UTF8.self) == nil { bytes.removeLast() }
        return String(decoding: bytes, as: UTF8.self)
    }
}
