import JSON
import NIOCore

/// What one line of a batch's output or error file says about its request.
public enum BatchLineOutcome: Sendable {
    /// A 2xx embeddings answer: one vector per input of the line, in input order (matched by `index`).
    case embeddings(EmbeddingResponse)
    /// A 2xx chat completion.
    case chat(LLMResponse)
    /// The request failed with an HTTP error (`response.status_code` not 2xx), mapped as a
    /// synchronous answer with that status and body would be; or a 2xx embeddings answer
    /// whose vectors have another length than expected: `.wrongDimensions`, as synchronously,
    /// with the line's `custom_id` in its detail (nothing of it may be stored).
    case failed(LLMError)
    /// The request failed without an HTTP answer (`response: null`, `error: {code, message}`),
    /// e.g. `batch_expired`.
    case notRun(code: String, message: String)
}

/// Reads the lines of a batch's output and error files (`{"id", "custom_id", "response":
/// {"status_code", "request_id", "body"}, "error"}`) straight from their bytes: an
/// embeddings body is decoded by the same one-pass parser as a synchronous answer.
public enum BatchOutputLine {
    /// A line that cannot be used; nothing of it may be stored.
    public struct Unreadable: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    /// The `custom_id` of `line` and what it says. `expectedInputs` gives, for a
    /// `custom_id`, how many vectors its embeddings answer must hold (nil: the id is not
    /// one the caller sent; the outcome is then not decoded and nil is returned with it).
    /// - Throws: ``Unreadable`` naming what is wrong (not JSON, no `custom_id`, a bad body).
    public static func read(_ line: UnsafeRawBufferPointer, endpoint: String,
                            expectedInputs: (String) -> (count: Int, dimensions: Int?)?) throws(Unreadable) -> (customID: String, outcome: BatchLineOutcome?) {
        var customID: String?
        var status: Int?
        var requestID: String?
        var body: Range<Int>?
        var errorCode: String?
        var errorMessage: String?
        var cursor = JSONCursor(line)
        do {
            try cursor.object { cursor, key throws(JSONSyntaxError) in
                switch key {
                case "custom_id": customID = try cursor.string()
                case "response":
                    guard try cursor.peek() == UInt8(ascii: "{") else { return try cursor.skipValue() }
                    try cursor.object { cursor, key throws(JSONSyntaxError) in
                        switch key {
                        case "status_code": status = try cursor.integer()
                        case "request_id":
                            if try cursor.peek() == UInt8(ascii: "\"") { requestID = try cursor.string() } else { try cursor.skipValue() }
                        case "body":
                            _ = try cursor.peek()
                            let start = cursor.position
                            try cursor.skipValue()
                            body = start..<cursor.position
                        default: try cursor.skipValue()
                        }
                    }
                case "error":
                    guard try cursor.peek() == UInt8(ascii: "{") else { return try cursor.skipValue() }
                    try cursor.object { cursor, key throws(JSONSyntaxError) in
                        switch key {
                        case "code", "message":
                            guard try cursor.peek() == UInt8(ascii: "\"") else { return try cursor.skipValue() }
                            if key == "code" { errorCode = try cursor.string() } else { errorMessage = try cursor.string() }
                        default: try cursor.skipValue()
                        }
                    }
                default: try cursor.skipValue()
                }
            }
            try cursor.end()
        } catch {
            throw Unreadable(description: "not a batch output line: \(error)")
        }
        guard let customID else { throw Unreadable(description: "the line has no custom_id") }
        guard let expected = expectedInputs(customID) else { return (customID, nil) }
        guard let status else {
            guard let errorCode else { throw Unreadable(description: "line \(customID) has neither a response nor an error") }
            return (customID, .notRun(code: errorCode, message: errorMessage ?? errorCode))
        }
        guard let body else { throw Unreadable(description: "line \(customID) has a response without a body") }
        let bodyBytes = UnsafeRawBufferPointer(rebasing: line[body])
        guard (200..<300).contains(status) else {
            let error = ErrorMapping.status(status, body: ByteBuffer(bytes: bodyBytes), requestID: requestID, serverDelay: nil)
            return (customID, .failed(error))
        }
        if endpoint.hasSuffix(OpenAIRequestBody.embeddingsPath) {
            do {
                let parsed = try EmbeddingsResponseParser.parse(bodyBytes, expectedCount: expected.count,
                                                                expectedDimensions: expected.dimensions)
                return (customID, .embeddings(EmbeddingResponse(
                    packedVectors: parsed.vectors, model: parsed.model, inputTokens: parsed.promptTokens ?? 0, provider: "openai",
                    requestID: requestID)))
            } catch {
                if let (got, expected) = error.dimensions {
                    return (customID, .failed(LLMError(kind: .wrongDimensions(got: got, expected: expected), status: status,
                                                       requestID: requestID, detail: "custom_id \(customID)")))
                }
                throw Unreadable(description: "line \(customID): \(error.message)")
            }
        }
        do {
            return (customID, .chat(try ChatCompletionParser.parse(bodyBytes).response(provider: "openai", requestID: requestID)))
        } catch {
            throw Unreadable(description: "line \(customID): the chat completion cannot be read: \(error.message)")
        }
    }
}
