/// The request bodies the fake understands, decoded leniently.
enum FakeWire {
    struct EmbeddingsRequest: Decodable {
        var model: String?
        var input: Input?
        var encodingFormat: String?
        var dimensions: Int?

        enum CodingKeys: String, CodingKey {
            case model, input, dimensions
            case encodingFormat = "encoding_format"
        }
    }

    /// `input` as a single string or an array of strings; token arrays are not supported.
    enum Input: Decodable {
        case strings([String])
        case unsupported

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let one = try? container.decode(String.self) {
                self = .strings([one])
            } else if let many = try? container.decode([String].self) {
                self = .strings(many)
            } else {
                self = .unsupported
            }
        }
    }

    struct ChatRequest: Decodable {
        struct Message: Decodable {
            var role: String
            var content: String?
        }
        var model: String?
        var messages: [Message]?
        var maxTokens: Int?
        var maxCompletionTokens: Int?
        var temperature: Double?

        enum CodingKeys: String, CodingKey {
            case model, messages, temperature
            case maxTokens = "max_tokens"
            case maxCompletionTokens = "max_completion_tokens"
        }
    }
}
