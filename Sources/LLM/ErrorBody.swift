import JSON
import NIOCore

/// The parts of an error body llmq acts on, read from any of the shapes OpenAI-compatible
/// servers send: OpenAI's nested `{"error":{"message","type","param","code"}}`, a bare
/// `{"error":"text"}`, the flat `{"message","type","code"}` of TEI and old vLLM, FastAPI's
/// `{"detail":"text"}` or `{"detail":[{"msg":…,"loc":[…]}]}`, and plain text. `code` may be
/// a string, a number or null (infinity, llama.cpp and LiteLLM send numbers or digit strings).
/// The body is read by the project's one JSON parser.
struct ErrorBody: Sendable, Equatable {
    var message: String?
    var type: String?
    var param: String?
    var code: String?

    /// Reads `body`; a body that is not JSON gives its text (collapsed, at most 200 characters) as the message.
    /// A message on several lines (LiteLLM appends `\n\nLiteLLM: model group … failed`) is
    /// joined into one, so that it stays one log line.
    static func parse(_ body: ByteBuffer) -> ErrorBody {
        if let value = body.withUnsafeReadableBytes({ try? JSONParser.parse($0) }), var parsed = read(value),
           parsed.message != nil || parsed.code != nil || parsed.type != nil {
            parsed.message = parsed.message.map(oneLine)
            return parsed
        }
        return ErrorBody(message: ErrorMapping.excerpt(of: body))
    }

    /// The fields of a JSON error body in any of the shapes above; nil when it is not an object.
    private static func read(_ top: JSONValue) -> ErrorBody? {
        guard case .object = top else { return nil }
        var body: ErrorBody
        if let nested = top["error"], case .object = nested {
            body = fields(of: nested)
            if body.message == nil { body.message = text(top["message"]) }
        } else if let message = text(top["error"]) {
            body = ErrorBody(message: message, type: text(top["type"]), code: text(top["code"]))
        } else {
            body = fields(of: top)
        }
        if body.message == nil { body.message = detail(top["detail"]) }
        return body
    }

    /// `text`'s lines joined by one space: the whitespace around each line break is dropped.
    static func oneLine(_ text: String) -> String {
        guard text.contains(where: \.isNewline) else { return text }
        var joined = ""
        var atBreak = false
        for character in text {
            if character.isNewline {
                while joined.last?.isWhitespace == true { joined.removeLast() }
                atBreak = true
            } else if atBreak, character.isWhitespace {
                continue
            } else {
                if atBreak, !joined.isEmpty { joined.append(" ") }
                atBreak = false
                joined.append(character)
            }
        }
        return joined
    }

    private static func fields(of object: JSONValue) -> ErrorBody {
        ErrorBody(message: text(object["message"]), type: text(object["type"]),
                  param: text(object["param"]), code: text(object["code"]))
    }

    /// FastAPI's `detail`: a string, or a list of validation errors whose `msg`s are joined,
    /// each after its `loc` path (`body.input: …`).
    private static func detail(_ value: JSONValue?) -> String? {
        if let message = text(value) { return message }
        guard let list = value?.arrayValue else { return nil }
        let messages = list.compactMap { item -> String? in
            guard let msg = text(item["msg"]) else { return nil }
            let path = (item["loc"]?.arrayValue ?? []).compactMap(text)
            return path.isEmpty ? msg : "\(path.joined(separator: ".")): \(msg)"
        }
        return messages.isEmpty ? nil : messages.joined(separator: "; ")
    }

    /// A JSON scalar as text: strings as they are, integers without a fraction, null (and
    /// arrays, objects) as nil.
    private static func text(_ value: JSONValue?) -> String? {
        switch value {
        case .string(let string)?: return string
        case .number(let number)?: return number.integer.map { String($0) } ?? String(number.double)
        case .bool(let flag)?: return String(flag)
        default: return nil
        }
    }
}
