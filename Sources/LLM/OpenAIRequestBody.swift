import NIOCore

/// The request bodies of the two endpoints llmq uses, built in one place: the synchronous
/// calls send them and the Batch API's input lines carry the very same bytes.
public enum OpenAIRequestBody {
    /// `/chat/completions`, relative to the base URL.
    public static let chatPath = "/chat/completions"
    /// `/embeddings`, relative to the base URL.
    public static let embeddingsPath = "/embeddings"

    /// The `POST /chat/completions` body for `request` (`defaultModel` when it names none).
    /// - Throws: ``LLMError`` `.invalidRequest` when it cannot be encoded.
    public static func chat(_ request: ChatRequest, defaultModel: String) throws(LLMError) -> ByteBuffer {
        try OpenAIProvider.encodeBody(OpenAIWire.ChatCompletionRequest(
            model: request.model ?? defaultModel, messages: request.messages,
            maxTokens: request.maxTokens, temperature: request.temperature))
    }

    /// The `POST /embeddings` body: `inputs`, the `encoding` asked for (base64 float32
    /// vectors unless told otherwise), `dimensions` only when given (never `null`).
    /// - Throws: ``LLMError`` `.invalidRequest` when it cannot be encoded.
    public static func embeddings(_ inputs: [String], model: String, dimensions: Int?,
                                  encoding: EmbeddingEncoding = .base64) throws(LLMError) -> ByteBuffer {
        try OpenAIProvider.encodeBody(OpenAIWire.EmbeddingsRequest(
            model: model, input: inputs, encodingFormat: encoding.rawValue, dimensions: dimensions))
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
    /// - Throws: ``LLMError`` `.invalidRequest` when it cannot be encoded.
    public static func embeddings(customID: String, inputs: [String], model: String, dimensions: Int?) throws(LLMError) -> [UInt8] {
        line(customID: customID, url: embeddingsEndpoint, body: try OpenAIRequestBody.embeddings(inputs, model: model, dimensions: dimensions))
    }

    /// A chat completions line.
    /// - Throws: ``LLMError`` `.invalidRequest` when it cannot be encoded.
    public static func chat(customID: String, request: ChatRequest, defaultModel: String) throws(LLMError) -> [UInt8] {
        line(customID: customID, url: chatEndpoint, body: try OpenAIRequestBody.chat(request, defaultModel: defaultModel))
    }

    private static func line(customID: String, url: String, body: ByteBuffer) -> [UInt8] {
        let head = try? OpenAIProvider.encodeBody(customID)
        var line = Array("{\"custom_id\":".utf8)
        line.reserveCapacity(body.readableBytes + 96)
        line += head.map { Array($0.readableBytesView) } ?? Array("\"\"".utf8)
        line += Array(",\"method\":\"POST\",\"url\":\"\(url)\",\"body\":".utf8)
        line += body.readableBytesView
        line += Array("}\n".utf8)
        return line
    }
}
