import JSON
import NIOCore

/// Reads a `POST /chat/completions` answer (synchronous or a Batch API output line's body)
/// with the project's JSON cursor: the first choice's message, `model` and `usage`; other
/// members are skipped (but checked).
enum ChatCompletionParser {
    /// What the body says.
    struct Parsed {
        var content: String?
        var refusal: String?
        var finishReason: String?
        var model: String
        var promptTokens: Int?
        var completionTokens: Int?

        /// The answer as llmq reports it.
        func response(provider: String, rateLimits: RateLimitSnapshot? = nil, retries: Int = 0, requestID: String?) -> LLMResponse {
            LLMResponse(content: content ?? "", refusal: refusal, model: model, inputTokens: promptTokens ?? 0,
                        outputTokens: completionTokens ?? 0, provider: provider, finishReason: finishReason,
                        rateLimits: rateLimits, retries: retries, requestID: requestID)
        }
    }

    /// Parses `body`.
    static func parse(_ body: ByteBuffer) throws(ResponseDecodingFailure) -> Parsed {
        let result: Result<Parsed, ResponseDecodingFailure> = body.withUnsafeReadableBytes { raw in
            Result { () throws(ResponseDecodingFailure) in try parse(raw) }
        }
        return try result.get()
    }

    /// Parses `raw`.
    /// - Throws: what is wrong: invalid JSON, a member of the wrong type, no `model`, no choice.
    static func parse(_ raw: UnsafeRawBufferPointer) throws(ResponseDecodingFailure) -> Parsed {
        var cursor = JSONCursor(raw)
        var model: String?
        var choices = 0
        var firstHasMessage = false
        var first = Parsed(model: "")
        do {
            try cursor.object { cursor, key throws(JSONSyntaxError) in
                switch key {
                case "model": model = try cursor.string()
                case "choices":
                    try cursor.array { cursor throws(JSONSyntaxError) in
                        choices += 1
                        guard choices == 1 else { return try cursor.skipValue() }
                        try cursor.object { cursor, key throws(JSONSyntaxError) in
                            switch key {
                            case "finish_reason": first.finishReason = try optionalString(&cursor)
                            case "message":
                                firstHasMessage = true
                                try cursor.object { cursor, key throws(JSONSyntaxError) in
                                    switch key {
                                    case "content": first.content = try optionalString(&cursor)
                                    case "refusal": first.refusal = try optionalString(&cursor)
                                    default: try cursor.skipValue()
                                    }
                                }
                            default: try cursor.skipValue()
                            }
                        }
                    }
                case "usage":
                    guard try !cursor.null() else { return }
                    try cursor.object { cursor, key throws(JSONSyntaxError) in
                        switch key {
                        case "prompt_tokens": first.promptTokens = try cursor.null() ? nil : cursor.integer()
                        case "completion_tokens": first.completionTokens = try cursor.null() ? nil : cursor.integer()
                        default: try cursor.skipValue()
                        }
                    }
                default: try cursor.skipValue()
                }
            }
            try cursor.end()
        } catch {
            throw ResponseDecodingFailure(error)
        }
        guard let model else { throw ResponseDecodingFailure("the completion has no \"model\"") }
        guard choices > 0 else { throw ResponseDecodingFailure("the completion has no choices") }
        guard firstHasMessage else { throw ResponseDecodingFailure("the completion's first choice has no \"message\"") }
        first.model = model
        return first
    }

    private static func optionalString(_ cursor: inout JSONCursor) throws(JSONSyntaxError) -> String? {
        try cursor.null() ? nil : cursor.string()
    }
}
