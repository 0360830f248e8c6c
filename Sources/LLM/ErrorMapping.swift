import AsyncHTTPClient
import Foundation
import NIOCore
import NIOFoundationCompat

/// Turns HTTP statuses, error bodies and transport failures into ``LLMError`` and decides
/// whether they are worth another try.
enum ErrorMapping {
    /// Maps a non-2xx response.
    static func status(_ status: Int, body: ByteBuffer, requestID: String?, serverDelay: Duration?) -> LLMError {
        let envelope = try? JSONDecoder().decode(OpenAIWire.ErrorEnvelope.self, from: body)
        let apiError = envelope?.error
        let message = apiError?.message ?? excerpt(of: body)
        let kind: LLMError.Kind
        if isQuota(code: apiError?.code, type: apiError?.type) {
            kind = .quotaExhausted
        } else {
            switch status {
            case 401: kind = .authentication
            case 403: kind = .permission
            case 429 where (message ?? "").hasPrefix("Request too large"):
                kind = .invalidRequest(message: message ?? "Request too large", param: apiError?.param)
            case 429: kind = .rateLimited(retryAfter: serverDelay)
            case 408, 409, 500...: kind = .serverError(status: status)
            case 400..<500: kind = .invalidRequest(message: message ?? "HTTP \(status)", param: apiError?.param)
            default: kind = .serverError(status: status)
            }
        }
        return LLMError(
            kind: kind, status: status, apiMessage: message, apiCode: apiError?.code, apiType: apiError?.type,
            requestID: requestID, retryAfter: serverDelay
        )
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

    /// Maps a failure before a complete response arrived.
    static func transport(_ error: any Error, timeout: Duration) -> LLMError {
        if let clientError = error as? HTTPClientError {
            switch clientError {
            case .deadlineExceeded, .readTimeout, .connectTimeout, .writeTimeout:
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
