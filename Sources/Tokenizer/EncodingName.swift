/// The tiktoken encodings llmq can count exactly.
public enum EncodingName: String, Sendable, CaseIterable, Hashable {
    /// cl100k_base: text-embedding-3-small/-large, text-embedding-ada-002, gpt-4, gpt-3.5-turbo.
    case cl100kBase = "cl100k_base"
    /// o200k_base: gpt-4o, gpt-4o-mini, gpt-4.1, o-series.
    case o200kBase = "o200k_base"

    /// The file name in a tokenizer directory, e.g. `cl100k_base.tiktoken`.
    public var fileName: String { "\(rawValue).tiktoken" }

    /// The SHA-256 hex digest every rank file of this encoding must have (tiktoken checks the same).
    public var sha256: String {
        switch self {
        case .cl100kBase: "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7"
        case .o200kBase: "446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d"
        }
    }

    /// The pre-tokenizer of this encoding.
    var preTokenizer: PreTokenizer {
        switch self {
        case .cl100kBase: .cl100k
        case .o200kBase: .o200k
        }
    }
}
