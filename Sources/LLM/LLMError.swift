/// What went wrong talking to an LLM backend, with the context a user needs to fix it.
///
/// Switch on ``kind``; ``description`` says what happened and how to remedy it. No field
/// ever holds the API key: the provider redacts it from every message it copies in.
public struct LLMError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The failure classes the worker acts on.
    public enum Kind: Sendable, Hashable {
        /// 401: the key is missing, wrong or revoked.
        case authentication
        /// 403: the key may not use this resource, model or region.
        case permission
        /// 429 `insufficient_quota` (or a spend-limit / credit variant): billing needs a human.
        case quotaExhausted
        /// 429 rate limit; `retryAfter` is the server's suggested wait when it gave one.
        case rateLimited(retryAfter: Duration?)
        /// No complete answer within the configured per-request timeout.
        case timeout(Duration)
        /// 400 / 404 / 422 (or a permanent 429 "request too large"): the request itself is wrong.
        case invalidRequest(message: String, param: String?)
        /// 5xx, 408 or 409 (or another unexpected status): the server failed.
        case serverError(status: Int)
        /// The connection could not be made or was lost.
        case connection
        /// A 2xx answer whose body is not what the API promises.
        case unparseableResponse
        /// A 2xx embeddings answer whose vectors do not have the length asked for (`dimensions`,
        /// else the model's native size) or not all the same length: about the request (the
        /// model or `dimensions` the server serves), never stored, not an outage.
        case wrongDimensions(got: Int, expected: Int)
        /// 404 for the endpoint path itself: the base URL is wrong (often a missing `/v1`).
        case endpointNotFound
        /// The server does not know the model (404 `model_not_found`, or a 4xx that says so).
        case unknownModel

        /// A stable snake_case name for storing and counting errors (`rate_limited`, `timeout`, …).
        public var code: String {
            switch self {
            case .authentication: "authentication"
            case .permission: "permission"
            case .quotaExhausted: "quota_exhausted"
            case .rateLimited: "rate_limited"
            case .timeout: "timeout"
            case .invalidRequest: "invalid_request"
            case .serverError: "server_error"
            case .connection: "connection"
            case .unparseableResponse: "unparseable_response"
            case .wrongDimensions: "wrong_dimensions"
            case .endpointNotFound: "endpoint_not_found"
            case .unknownModel: "unknown_model"
            }
        }
    }

    /// The failure class.
    public var kind: Kind
    /// The HTTP status, when a response arrived.
    public var status: Int?
    /// The API's `error.message` (or a short excerpt of a non-JSON body).
    public var apiMessage: String?
    /// The API's `error.code`, e.g. `rate_limit_exceeded`, `invalid_api_key`.
    public var apiCode: String?
    /// The API's `error.type`.
    public var apiType: String?
    /// The server's `x-request-id`, for support tickets.
    public var requestID: String?
    /// The last delay the server suggested (`retry-after-ms` / `retry-after`), when any.
    public var retryAfter: Duration?
    /// Retries the provider took before giving up.
    public var retries: Int
    /// Extra detail (an underlying transport error, a decoding problem, the URL of a 404).
    public var detail: String?
    /// For a 4xx about the request rather than an input: what it names (`dimensions`,
    /// `encoding_format`, `model`, `batch size`, `request size`). Splitting a batch cannot help then.
    public var requestParameter: String?
    /// The API the request spoke, so the remedy names its settings (Azure's variables for
    /// ``APIStyle/azure(apiVersion:entraToken:)``); set by the provider.
    public var api: APIStyle = .openAI

    /// Creates an error value.
    public init(
        kind: Kind, status: Int? = nil, apiMessage: String? = nil, apiCode: String? = nil,
        apiType: String? = nil, requestID: String? = nil, retryAfter: Duration? = nil,
        retries: Int = 0, detail: String? = nil, requestParameter: String? = nil
    ) {
        self.kind = kind
        self.status = status
        self.apiMessage = apiMessage
        self.apiCode = apiCode
        self.apiType = apiType
        self.requestID = requestID
        self.retryAfter = retryAfter
        self.retries = retries
        self.detail = detail
        self.requestParameter = requestParameter
    }

    /// Whether trying the same request later may succeed (rate limits, timeouts, outages, bad bodies).
    public var isRetryable: Bool {
        switch kind {
        case .rateLimited, .timeout, .serverError, .connection, .unparseableResponse: true
        case .authentication, .permission, .quotaExhausted, .invalidRequest, .endpointNotFound, .unknownModel, .wrongDimensions: false
        }
    }

    /// Whether no complete answer came within the request timeout (`.timeout`).
    public var isTimeout: Bool {
        if case .timeout = kind { true } else { false }
    }

    /// Whether the error is about llmq's configuration, not a job: a base URL without the
    /// endpoint, a model the server does not know, or a 4xx naming a request parameter. The
    /// run stops (exit 2) and no job is failed.
    public var isConfigurationError: Bool {
        switch kind {
        case .endpointNotFound, .unknownModel, .wrongDimensions: true
        case .invalidRequest: requestParameter != nil
        default: false
        }
    }

    /// A few words naming what went wrong, for counting and progress lines:
    /// `HTTP 500`, `timeout`, `connection refused`, `connection reset`, `unparseable body`.
    public var reason: String {
        switch kind {
        case .timeout: return "timeout"
        case .connection:
            let text = (detail ?? "").lowercased()
            if text.contains("refused") || text.contains("errno: 111") { return "connection refused" }
            if text.contains("reset") || text.contains("errno: 104") || text.contains("closed") || text.contains("eof") {
                return "connection reset"
            }
            return "connection error"
        case .unparseableResponse where status.map({ (200..<300).contains($0) }) ?? true: return "unparseable body"
        case .wrongDimensions: return "wrong dimensions"
        default: return status.map { "HTTP \($0)" } ?? kind.code.replacing("_", with: " ")
        }
    }

    /// Whether no further request in this run can succeed (credentials, permission, quota):
    /// the run should stop at once and leave jobs untouched.
    public var isFatalForRun: Bool {
        switch kind {
        case .authentication, .permission, .quotaExhausted: true
        default: false
        }
    }

    /// What happened and how to remedy it; never contains the API key.
    public var description: String {
        var facts: [String] = []
        if let status { facts.append("HTTP \(status)") }
        if let apiCode { facts.append("code \(apiCode)") }
        if retries > 0 { facts.append("after \(retries) \(retries == 1 ? "retry" : "retries")") }
        if let requestID { facts.append("request id \(requestID)") }
        var text = summary
        if !facts.isEmpty { text += " (" + facts.joined(separator: ", ") + ")" }
        if let apiMessage, !apiMessage.isEmpty { text += ": " + Self.trimmingFinalPeriod(apiMessage) }
        if let detail, !detail.isEmpty { text += " [\(detail)]" }
        return text + ". " + remedy
    }

    private static func trimmingFinalPeriod(_ text: String) -> String {
        text.hasSuffix(".") ? String(text.dropLast()) : text
    }

    private var summary: String {
        switch kind {
        case .authentication: "The API rejected the credentials"
        case .permission: "The API refused permission for this request"
        case .quotaExhausted: "The account's quota or spend limit is exhausted"
        case .rateLimited(let after):
            "Rate limited" + (after.map { ", server asked to wait \(Self.format($0))" } ?? "")
        case .timeout(let limit): "No answer within the \(Self.format(limit)) request timeout"
        case .invalidRequest(_, let param): "The API rejected the request as invalid" + (param.map { " (param \($0))" } ?? "")
        case .serverError: "The server failed"
        case .connection: "Could not connect to the API or the connection was lost"
        case .unparseableResponse: "The API's answer could not be understood"
        case .wrongDimensions(let got, let expected): "The API answered with vectors of \(got) dimensions, expected \(expected)"
        case .endpointNotFound: "The server has no such endpoint"
        case .unknownModel: "The server does not know the model"
        }
    }

    private var remedy: String {
        if case .azure(_, let entraToken) = api, let remedy = azureRemedy(entraToken: entraToken) { return remedy }
        return switch kind {
        case .authentication: "Check OPENAI_API_KEY (and OPENAI_ORG_ID / OPENAI_PROJECT_ID)."
        case .permission: "Check that the key's project may use this model and endpoint."
        case .quotaExhausted: "Check the plan and billing details; rerun once quota is available."
        case .rateLimited: "Lower --rpm / --tpm / --concurrency, or rerun later to resume."
        case .timeout: "Raise --timeout or lower --batch-size; a later retry may succeed."
        case .invalidRequest:
            requestParameter.map {
                "The error is about the request's \($0), not an input: fix the flag, the jobs' field or the server's settings; no job was failed."
            } ?? "Fix the job's input or parameters."
        case .serverError: "This is usually transient; a later retry may succeed."
        case .connection: "Check OPENAI_BASE_URL and the network; a later retry may succeed."
        case .unparseableResponse: "Check that OPENAI_BASE_URL points to an OpenAI-compatible API."
        case .wrongDimensions:
            "Check the model the server serves under that name and --dimensions (or the jobs' \"dimensions\"): "
                + "ask for the length the server gives, or none; no vector was stored and no job was failed."
        case .endpointNotFound:
            "Check OPENAI_BASE_URL: it must be the API root to which /embeddings and /chat/completions are appended "
                + "(most servers need the /v1 suffix, e.g. https://api.openai.com/v1 or http://localhost:11434/v1); no job was failed."
        case .unknownModel:
            "Check the model name (the job's \"model\", --embedding-model or --chat-model) against the models the server "
                + "at OPENAI_BASE_URL offers; no job was failed."
        }
    }

    static func format(_ duration: Duration) -> String {
        let ms = duration.milliseconds
        return ms < 1000 ? "\(ms) ms" : "\(Double(ms) / 1000) s"
    }

    /// A copy with `secret` replaced in every free-text field.
    func redacting(_ secret: String) -> LLMError {
        guard !secret.isEmpty else { return self }
        var copy = self
        copy.apiMessage = apiMessage.map { Redaction.redact($0, secret: secret) }
        copy.detail = detail.map { Redaction.redact($0, secret: secret) }
        if case .invalidRequest(let message, let param) = kind {
            copy.kind = .invalidRequest(message: Redaction.redact(message, secret: secret), param: param)
        }
        return copy
    }
}

/// Removes a secret from free text.
enum Redaction {
    static func redact(_ text: String, secret: String) -> String {
        guard !secret.isEmpty, text.contains(secret) else { return text }
        return text.replacing(secret, with: "[REDACTED]")
    }
}

extension Duration {
    /// Whole milliseconds, rounded down.
    var milliseconds: Int64 {
        let parts = components
        return parts.seconds * 1000 + parts.attoseconds / 1_000_000_000_000_000
    }

    /// Seconds as a floating-point number.
    var seconds: Double {
        let parts = components
        return Double(parts.seconds) + Double(parts.attoseconds) / 1e18
    }
}
