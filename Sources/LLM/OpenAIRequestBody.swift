import JSON
import NIOCore

/// The request bodies of the two endpoints llmq uses, built in one place: the synchronous
/// calls send them and the Batch API's input lines carry the very same bytes.
public enum OpenAIRequestBody {
    /// `/chat/completions`, relative to the base URL.
    public static let chatPath = "/chat/completions"
    /// `/embeddings`, relative to the base URL.
    public static let embeddingsPath = "/embeddings"

    /// The `POST /chat/completions` body for `request` (`defaultModel` when it names none).
    public static func chat(_ request: ChatRequest, defaultModel: String) -> ByteBuffer {
        var out = JSONWriter(reserve: request.messages.reduce(128) { $0 + $1.content.utf8.count + 32 })
        out.raw("{")
        out.member("model", request.model ?? defaultModel, first: true)
        out.key("messages")
        out.raw("[")
        for (index, message) in request.messages.enumerated() {
            out.raw(index == 0 ? "{" : ",{")
            out.member("role", message.role, first: true)
            out.member("content", message.content)
            out.raw("}")
        }
        out.raw("]")
        out.member("max_tokens", integer: request.maxTokens)
        out.key("temperature")
        out.write(number: JSONNumber(request.temperature))
        out.raw("}")
        return ByteBuffer(bytes: out.bytes)
    }

    /// The `POST /embeddings` body: `inputs`, the `encoding` asked for (base64 float32
    /// vectors unless told otherwise), `dimensions` only when given (never `null`).
    public static func embeddings(_ inputs: [String], model: String, dimensions: Int?,
                                  encoding: EmbeddingEncoding = .base64) -> ByteBuffer {
        var out = JSONWriter(reserve: inputs.reduce(128) { $0 + $1.utf8.count + 3 })
        out.raw("{")
        out.member("model", model, first: true)
        out.key("input")
        out.raw("[")
        for (index, input) in inputs.enumerated() {
            if index > 0 { out.raw(",") }
            out.write(string: input)
        }
        out.raw("]")
        out.member("encoding_format", encoding.rawValue)
        if let dimensions { out.member("dimensions", integer: dimensions) }
        out.raw("}")
        return ByteBuffer(bytes: out.bytes)
    }
}

/// A Batch API input line (`{"custom_id", "method": "POST", "url", "body"}` and a newline)
/// whose body is exactly what the synchronous call sends.
public enum BatchInputLine {
    /// The batch `endpoint` (`/v1/embeddings`) of a line for the embeddings call.
    public static let embeddingsEndpoint = "/v1" + OpenAIRequestBody.embeddingsPath
    /// The batch `endpoint` of a line for the chat completions call.
    public static let chatEndpoint = "/v1" + OpenAIRequestBody.chatPath

    /// An embeddings line.
    public static func embeddings(customID: String, inputs: [String], model: String, dimensions: Int?) -> [UInt8] {
        line(customID: customID, url: embeddingsEndpoint, body: OpenAIRequestBody.embeddings(inputs, model: model, dimensions: dimensions))
    }

    /// A chat completions line.
    public static func chat(customID: String, request: ChatRequest, defaultModel: String) -> [UInt8] {
        line(customID: customID, url: chatEndpoint, body: OpenAIRequestBody.chat(request, defaultModel: defaultModel))
    }

    private static func line(customID: String, url: String, body: ByteBuffer) -> [UInt8] {
        var line = JSONWriter(reserve: body.readableBytes + 96)
        line.raw("{")
        line.member("custom_id", customID, first: true)
        line.member("method", "POST")
        line.member("url", url)
        line.key("body")
        line.raw(bytes: body.readableBytesView)
        line.raw("}\n")
        return line.bytes
    }
}
