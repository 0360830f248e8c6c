import AsyncHTTPClient
import Foundation
import NIOCore
import NIOFoundationCompat

/// Turns HTTP statuses, error bodies and transport failures into ``LLMError`` and decides
/// whether they are worth another try.
enum ErrorMapping {
    /// Maps a non-2xx response. `url` (the request's, without the key) is named in the
    /// message of a 404 for the endpoint. The body may have any shape ``ErrorBody`` reads;
    /// `insufficient_quota` is recognised wherever it appears (LiteLLM rewrites its type and
    /// code), and a 4xx is marked ``LLMError/requestParameter`` when it is about the request.
    static func status(_ status: Int, body: ByteBuffer, requestID: String?, serverDelay: Duration?, url: String? = nil) -> LLMError {
        let parsed = ErrorBody.parse(body)
        let message = parsed.message
        let text = (message ?? "").lowercased()
        var parameter: String?
        var detail: String?
        let kind: LLMError.Kind
        if isQuota(code: parsed.code, type: parsed.type) || text.contains("insufficient_quota")
            || text.contains("exceeded your current quota") {
            kind = .quotaExhausted
        } else {
            switch status {
            case 401: kind = .authentication
            case 403: kind = .permission
            case 429 where text.hasPrefix("request too large"):
                kind = .invalidRequest(message: message ?? "Request too large", param: parsed.param)
            case 429: kind = .rateLimited(retryAfter: serverDelay)
            case 404:
                if namesUnknownModel(parsed, text) || text.contains("model") {
                    kind = .unknownModel
                } else {
                    kind = .endpointNotFound
                    detail = url.map { "POST \($0)" }
                }
            case 408, 409, 500...: kind = .serverError(status: status)
            case 400..<500 where namesUnknownModel(parsed, text): kind = .unknownModel
            case 400..<500:
                kind = .invalidRequest(message: message ?? "HTTP \(status)", param: parsed.param)
                parameter = requestParameter(status: status, param: parsed.param, text: text)
            default: kind = .serverError(status: status)
            }
        }
        return LLMError(
            kind: kind, status: status, apiMessage: message, apiCode: parsed.code, apiType: parsed.type,
            requestID: requestID, retryAfter: serverDelay, detail: detail, requestParameter: parameter
        )
    }

    /// Whether a 4xx says the model is unknown (OpenAI's `model_not_found`, Ollama's
    /// "model … not found", vLLM's "The model … does not exist", LiteLLM's "Invalid model name").
    static func namesUnknownModel(_ body: ErrorBody, _ text: String) -> Bool {
        if body.code == "model_not_found" { return true }
        guard text.contains("model") else { return false }
        return ["invalid model", "unknown model", "model not found", "no such model", "does not exist", "not found"]
            .contains { text.contains($0) }
    }

    /// What a 4xx names when it is about the request rather than one input: the payload
    /// size (413), `dimensions`, `encoding_format`, the batch size or the model; nil when it
    /// may be about an input (an over-long or empty text), so splitting the batch can tell.
    static func requestParameter(status: Int, param: String?, text: String) -> String? {
        if status == 413 { return "request size" }
        switch param {
        case "dimensions"?: return "dimensions"
        case "encoding_format"?: return "encoding_format"
        case "model"?: return "model"
        default: break
        }
        if text.contains("dimensions") || text.contains("matryoshka") { return "dimensions" }
        if text.contains("encoding_format") || text.contains("encoding format") || text.contains("base64") {
            return "encoding_format"
        }
        let batchWords = ["batch size", "batch_size", "too many inputs", "list should have at most", "payload"]
        if batchWords.contains(where: text.contains) { return "batch size" }
        return nil
    }

    /// Whether an error code or type means the account's quota or spend limit is gone.
    static func isQuota(code: String?, type: String?) -> Bool {
        if code == "insufficient_quota" || type == "insufficient_quota" { return true }
        guard let code else { return false }
        return code.hasSuffix("_spend_limit_exceeded") || code == "credit_balance_exhausted"
    }

    /// The SDK's retry rule plus llmq's permanent classes: never auth, permission, quota or
    /// invalid requests; never a suggested delay above `maxRetryAfter`; then `x-should-retry`;
    /// then 408, 409, 429 and 5xx.
    static func shouldRetry(
        _ error: LLMError, shouldRetryHeader: String?, serverDelay: Duration?, maxRetryAfter: Duration
    ) -> Bool {
        guard error.isRetryable else { return false }
        if let serverDelay, serverDelay > maxRetryAfter { return false }
        switch shouldRetryHeader?.trimmingSpaces.lowercased() {
        case "true": return true
        case "false": return false
        default: break
        }
        guard let status = error.status else { return true }
        return status == 408 || status == 409 || status == 429 || status >= 500
    }

    /// The most bytes a compressed body may inflate to per byte received.
    static let maxInflationRatio = 100

    /// A body that could not be inflated (`Content-Encoding: gzip` or `deflate`), as an
    /// error naming the request (a download's path holds the file id) and what went
    /// wrong; nil for any other error. Not retried: the same bytes would come again.
    /// The error types are swift-nio-extras' (`NIOHTTPDecompression`), which
    /// async-http-client passes through; llmq does not depend on that package, so they
    /// are told apart by their module's name.
    static func inflation(_ error: any Error, request: String) -> LLMError? {
        guard String(reflecting: type(of: error)).hasPrefix("NIOHTTPCompression.") else { return nil }
        let what = "\(error)" == "limit"
            ? "it inflates to more than \(maxInflationRatio) bytes per compressed byte, the limit that keeps a decompression bomb out"
            : "its compressed data is invalid (\(error))"
        return LLMError(kind: .unparseableResponse, detail: "the compressed body of \(request) could not be inflated: \(what)")
    }

    /// Maps a failure before a complete response arrived.
    static func transport(_ error: any Error, timeout: Duration) -> LLMError {
        if let clientError = error as? HTTPClientError {
            switch clientError {
            case .connectTimeout:
                // The request never reached the server: nothing can have been charged.
                return LLMError(kind: .connection, detail: "connect timeout: \(clientError)")
            case .deadlineExceeded, .readTimeout, .writeTimeout:
                return LLMError(kind: .timeout(timeout), detail: "\(clientError)")
            default:
                return LLMError(kind: .connection, detail: "\(clientError)")
            }
        }
        if error is NIOTooManyBytesError {
            return LLMError(kind: .unparseableResponse, detail: "response body too large")
        }
        return LLMError(kind: .connection, detail: "\(error)")
    }

    /// Up to 200 characters of a body, for messages about non-JSON answers.
    static func excerpt(of body: ByteBuffer) -> String? {
        guard body.readableBytes > 0 else { return nil }
        let text = String(buffer: body.getSlice(at: body.readerIndex, length: min(body.readableBytes, 400)) ?? body)
        let collapsed = text.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
        return String(collapsed.prefix(200))
    }
}
