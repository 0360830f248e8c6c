import JSON
import NIOCore

/// The request bodies the fake understands, read from the parsed JSON: a member may be
/// missing or null, but one of another type than expected makes the body unreadable.
enum FakeWire {
    struct EmbeddingsRequest {
        var model: String?
        var input: Input?
        var encodingFormat: String?
        var dimensions: Int?

        /// The request in `body`, nil when it is not a JSON object.
        init?(_ body: ByteBuffer) {
            guard let value = FakeWire.object(body),
                  let model = FakeWire.member(value, "model", \.stringValue),
                  let encodingFormat = FakeWire.member(value, "encoding_format", \.stringValue),
                  let dimensions = FakeWire.member(value, "dimensions", \.intValue)
            else { return nil }
            self.model = model
            self.input = value["input"].flatMap { $0 == .null ? nil : Input($0) }
            self.encodingFormat = encodingFormat
            self.dimensions = dimensions
        }
    }

    /// `input` as a single string or an array of strings; token arrays are not supported.
    enum Input {
        case strings([String])
        case unsupported

        init(_ value: JSONValue) {
            if let one = value.stringValue {
                self = .strings([one])
            } else if let many = value.arrayValue?.compactMap(\.stringValue), many.count == value.arrayValue?.count {
                self = .strings(many)
            } else {
                self = .unsupported
            }
        }
    }

    struct ChatRequest {
        struct Message {
            var role: String
            var content: String?
        }
        var model: String?
        var messages: [Message]?
        var maxTokens: Int?
        var maxCompletionTokens: Int?
        var temperature: Double?

        /// The request in `body`, nil when it is not a JSON object or a message has no `role`.
        init?(_ body: ByteBuffer) {
            guard let value = FakeWire.object(body),
                  let model = FakeWire.member(value, "model", \.stringValue),
                  let list = FakeWire.member(value, "messages", \.arrayValue),
                  let maxTokens = FakeWire.member(value, "max_tokens", \.intValue),
                  let maxCompletionTokens = FakeWire.member(value, "max_completion_tokens", \.intValue),
                  let temperature = FakeWire.member(value, "temperature", \.doubleValue)
            else { return nil }
            var messages: [Message] = []
            for item in list ?? [] {
                guard let role = item["role"]?.stringValue, let content = FakeWire.member(item, "content", \.stringValue) else { return nil }
                messages.append(Message(role: role, content: content))
            }
            self.model = model
            self.messages = list == nil ? nil : messages
            self.maxTokens = maxTokens
            self.maxCompletionTokens = maxCompletionTokens
            self.temperature = temperature
        }
    }

    /// The member `key` of `object` read by `read`: `.some(nil)` when it is missing or null,
    /// nil when it is of another type.
    static func member<T>(_ object: JSONValue, _ key: String, _ read: (JSONValue) -> T?) -> T?? {
        guard let value = object[key], value != .null else { return .some(nil) }
        return read(value).map { .some($0) }
    }

    /// `body` parsed, when it is a JSON object.
    static func object(_ body: ByteBuffer) -> JSONValue? {
        guard let value = body.withUnsafeReadableBytes({ try? JSONParser.parse($0) }), case .object = value else { return nil }
        return value
    }
}
