import Foundation
import JSON
import NIOCore
import NIOFoundationCompat

/// Builds OpenAI-shaped error answers and the scripted fault answers.
enum FakeErrorResponses {
    /// An answer of `status` whose body is `value` as compact JSON with sorted keys and
    /// unescaped slashes, as OpenAI writes it.
    static func json(_ value: JSONValue, status: Int, headers: [(String, String)] = []) -> FakeHTTPResponse {
        FakeHTTPResponse(status: status, headers: [("content-type", "application/json")] + headers,
                         body: ByteBuffer(string: JSONWriter.canonical(value)))
    }

    /// `{"error": {"message", "type", "param", "code"}}` with the given status.
    static func error(
        status: Int, message: String, type: String, param: String? = nil, code: String? = nil,
        headers: [(String, String)] = []
    ) -> FakeHTTPResponse {
        let body: JSONValue = .object([
            "error": .object([
                "message": .string(message), "type": .string(type),
                "param": param.map(JSONValue.string) ?? .null, "code": code.map(JSONValue.string) ?? .null,
            ])
        ])
        return json(body, status: status, headers: headers)
    }

    /// The real 400 for an empty or malformed `input`.
    static func invalidInput() -> FakeHTTPResponse {
        error(
            status: 400,
            message: "'$.input' is invalid. Please check the API reference: https://platform.openai.com/docs/api-reference.",
            type: "invalid_request_error"
        )
    }

    /// The answer a scripted fault produces.
    static func fault(_ fault: FakeFault) -> FakeAction {
        switch fault {
        case .rateLimit(let retryAfterMs, let retryAfter):
            var headers: [(String, String)] = []
            if let retryAfterMs { headers.append(("retry-after-ms", String(retryAfterMs))) }
            if let retryAfter { headers.append(("retry-after", retryAfter)) }
            return .respond(
                error(
                    status: 429,
                    message: "Rate limit reached for requests in organization org-fake on requests per min (RPM): "
                        + "Limit 3, Used 3, Requested 1. Please try again in 20s. "
                        + "Visit https://platform.openai.com/account/rate-limits to learn more.",
                    type: "requests", code: "rate_limit_exceeded", headers: headers
                ), delay: .zero)
        case .insufficientQuota:
            return .respond(
                error(
                    status: 429,
                    message: "You exceeded your current quota, please check your plan and billing details. For more "
                        + "information on this error, read the docs: https://platform.openai.com/docs/guides/error-codes/api-errors.",
                    type: "insufficient_quota", code: "insufficient_quota"
                ), delay: .zero)
        case .unauthorized:
            return .respond(unauthorized(), delay: .zero)
        case .serverError(let status):
            let message =
                status == 503
                ? "The engine is currently overloaded, please try again later."
                : "The server had an error while processing your request. Sorry about that!"
            return .respond(error(status: status, message: message, type: "server_error"), delay: .zero)
        case .dropConnection:
            return .drop
        case .hang, .lostAnswer:
            return .hang
        case .slowAnswer:
            // The engine answers it normally, after the delay; never built here.
            return .hang
        case .garbageBody:
            return .respond(
                FakeHTTPResponse(
                    status: 200, headers: [("content-type", "application/json")],
                    body: ByteBuffer(string: "{\"object\": \"list\", \"data\": [<<garbage>>")
                ), delay: .zero)
        case .htmlBadGateway:
            let html =
                "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1>"
                + "</center>\r\n<hr><center>cloudflare</center>\r\n</body>\r\n</html>\r\n"
            return .respond(
                FakeHTTPResponse(status: 502, headers: [("content-type", "text/html")], body: ByteBuffer(string: html)),
                delay: .zero)
        case .custom(let status, let headers, let body):
            return .respond(
                FakeHTTPResponse(
                    status: status,
                    headers: [("content-type", "application/json")] + headers.sorted { $0.key < $1.key }.map { ($0.key, $0.value) },
                    body: ByteBuffer(string: body)
                ), delay: .zero)
        }
    }

    /// The real 401 for a wrong key (the key itself is masked, as OpenAI does).
    static func unauthorized() -> FakeHTTPResponse {
        error(
            status: 401,
            message: "Incorrect API key provided: sk-...fake. You can find your API key at "
                + "https://platform.openai.com/account/api-keys.",
            type: "invalid_request_error", code: "invalid_api_key"
        )
    }
}
