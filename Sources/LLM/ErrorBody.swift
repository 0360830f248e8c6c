import Foundation
import NIOCore
import NIOFoundationCompat

/// The parts of an error body llmq acts on, read from any of the shapes OpenAI-compatible
/// servers send: OpenAI's nested `{"error":{"message","type","param","code"}}`, a bare
/// `{"error":"text"}`, the flat `{"message","type","code"}` of TEI and old vLLM, FastAPI's
/// `{"detail":"text"}` or `{"detail":[{"msg":…,"loc":[…]}]}`, and plain text. `code` may be
/// a string, a number or null (infinity, llama.cpp and LiteLLM send numbers or digit strings).
struct ErrorBody: Sendable, Equatable {
    var message: String?
    var type: String?
    var param: String?
    var code: String?

    /// Reads `body`; a body that is not JSON gives its text (collapsed, at most 200 characters) as the message.
    static func parse(_ body: ByteBuffer) -> ErrorBody {
        if let decoded = try? JSONDecoder().decode(Wire.self, from: body) {
            let parsed = decoded.body
            if parsed.message != nil || parsed.code != nil || parsed.type != nil { return parsed }
        }
        return ErrorBody(message: ErrorMapping.excerpt(of: body))
    }

    /// The JSON shapes, decoded leniently.
    private struct Wire: Decodable {
        var body: ErrorBody

        init(from decoder: any Decoder) throws {
            let top = try decoder.container(keyedBy: Key.self)
            if let nested = try? top.nestedContainer(keyedBy: Key.self, forKey: Key("error")) {
                body = Self.fields(of: nested)
                if body.message == nil { body.message = Self.string(top, "message") }
            } else if let text = Self.string(top, "error") {
                body = ErrorBody(message: text, type: Self.string(top, "type"), code: Self.string(top, "code"))
            } else {
                body = Self.fields(of: top)
            }
            if body.message == nil { body.message = Self.detail(top) }
        }

        private static func fields(of container: KeyedDecodingContainer<Key>) -> ErrorBody {
            ErrorBody(message: string(container, "message"), type: string(container, "type"),
                      param: string(container, "param"), code: string(container, "code"))
        }

        /// FastAPI's `detail`: a string, or a list of validation errors whose `msg`s are joined.
        private static func detail(_ container: KeyedDecodingContainer<Key>) -> String? {
            if let text = string(container, "detail") { return text }
            guard var list = try? container.nestedUnkeyedContainer(forKey: Key("detail")) else { return nil }
            var messages: [String] = []
            while !list.isAtEnd {
                guard let item = try? list.nestedContainer(keyedBy: Key.self) else {
                    _ = try? list.decode(Loose.self)
                    continue
                }
                guard let msg = string(item, "msg") else { continue }
                var path: [String] = []
                if var location = try? item.nestedUnkeyedContainer(forKey: Key("loc")) {
                    while !location.isAtEnd {
                        guard let part = try? location.decode(Loose.self) else { break }
                        if let text = part.text { path.append(text) }
                    }
                }
                messages.append(path.isEmpty ? msg : "\(path.joined(separator: ".")): \(msg)")
            }
            return messages.isEmpty ? nil : messages.joined(separator: "; ")
        }

        private static func string(_ container: KeyedDecodingContainer<Key>, _ name: String) -> String? {
            (try? container.decodeIfPresent(Loose.self, forKey: Key(name)))?.text
        }
    }

    /// A JSON scalar as text: strings as they are, numbers without a trailing `.0`, null as nil.
    private struct Loose: Decodable {
        var text: String?

        init(from decoder: any Decoder) throws {
            let value = try decoder.singleValueContainer()
            if value.decodeNil() {
                text = nil
            } else if let string = try? value.decode(String.self) {
                text = string
            } else if let integer = try? value.decode(Int.self) {
                text = String(integer)
            } else if let number = try? value.decode(Double.self) {
                text = String(number)
            } else if let flag = try? value.decode(Bool.self) {
                text = String(flag)
            } else {
                text = nil
            }
        }
    }

    private struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(_ name: String) { stringValue = name }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }
}
