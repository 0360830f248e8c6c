/// Why the RPM/TPM limiter refused a request, and the OpenAI-style 429 that says so.
enum LimitRejection: Error {
    case requests(limit: Int, used: Int, waitNanos: UInt64, headers: [(String, String)] = [])
    case tokens(limit: Int, used: Int, requested: Int, waitNanos: UInt64, headers: [(String, String)] = [])
    case tooLarge(limit: Int, requested: Int, headers: [(String, String)] = [])

    /// The same rejection carrying the `x-ratelimit-*` headers.
    func with(headers: [(String, String)]) -> LimitRejection {
        switch self {
        case .requests(let limit, let used, let wait, _): .requests(limit: limit, used: used, waitNanos: wait, headers: headers)
        case .tokens(let limit, let used, let requested, let wait, _):
            .tokens(limit: limit, used: used, requested: requested, waitNanos: wait, headers: headers)
        case .tooLarge(let limit, let requested, _): .tooLarge(limit: limit, requested: requested, headers: headers)
        }
    }

    /// The 429 answer, worded like OpenAI's, with `retry-after-ms` / `retry-after` when waiting helps.
    func response(model: String) -> FakeHTTPResponse {
        let visit = "Visit https://platform.openai.com/account/rate-limits to learn more."
        switch self {
        case .requests(let limit, let used, let wait, let headers):
            return Self.rateLimited(
                model: model, window: "requests per min (RPM)", type: "requests", limit: limit, used: used,
                requested: 1, waitNanos: wait, headers: headers
            )
        case .tokens(let limit, let used, let requested, let wait, let headers):
            return Self.rateLimited(
                model: model, window: "tokens per min (TPM)", type: "tokens", limit: limit, used: used,
                requested: requested, waitNanos: wait, headers: headers
            )
        case .tooLarge(let limit, let requested, let headers):
            return FakeErrorResponses.error(
                status: 429,
                message: "Request too large for \(model) in organization org-fake on tokens per min (TPM): "
                    + "Limit \(limit), Requested \(requested). The input or output tokens must be reduced in order "
                    + "to run successfully. \(visit)",
                type: "tokens", code: "rate_limit_exceeded", headers: headers
            )
        }
    }

    private static func rateLimited(
        model: String, window: String, type: String, limit: Int, used: Int, requested: Int, waitNanos: UInt64,
        headers: [(String, String)]
    ) -> FakeHTTPResponse {
        FakeErrorResponses.error(
            status: 429,
            message: "Rate limit reached for \(model) in organization org-fake on \(window): Limit \(limit), "
                + "Used \(used), Requested \(requested). Please try again in \(GoDurationFormat.string(nanos: waitNanos)). "
                + "Visit https://platform.openai.com/account/rate-limits to learn more.",
            type: type, code: "rate_limit_exceeded", headers: headers + retryHeaders(waitNanos)
        )
    }

    private static func retryHeaders(_ waitNanos: UInt64) -> [(String, String)] {
        let millis = max(1, (waitNanos + 999_999) / 1_000_000)
        return [("retry-after-ms", String(millis)), ("retry-after", String(max(1, (millis + 999) / 1000)))]
    }
}
