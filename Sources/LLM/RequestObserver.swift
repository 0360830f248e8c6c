/// A hook for shared pacing across every request a provider sends.
///
/// The provider awaits ``willSend(path:estimatedTokens:)`` before every HTTP attempt
/// (retries included) and calls ``didReceive(status:rateLimits:retryAfter:)`` after every
/// HTTP response, so one actor can pause all senders when any of them gets a 429.
public protocol RequestObserver: Sendable {
    /// Called before each attempt; may suspend to pace. Throwing aborts the request with that error.
    /// - Parameters:
    ///   - path: the API path, e.g. `/embeddings`.
    ///   - estimatedTokens: the tokens the request is expected to consume.
    func willSend(path: String, estimatedTokens: Int) async throws

    /// Called after each HTTP response (success or error).
    /// - Parameters:
    ///   - status: the HTTP status code.
    ///   - rateLimits: the parsed `x-ratelimit-*` headers, when present.
    ///   - retryAfter: the server's suggested delay (`retry-after-ms` / `retry-after`), when present.
    func didReceive(status: Int, rateLimits: RateLimitSnapshot?, retryAfter: Duration?) async

    /// Called after each attempt that got no HTTP response (a timeout, a refused or reset
    /// connection), so every request made can be counted by outcome.
    func didFailWithoutResponse(_ error: LLMError) async
}

extension RequestObserver {
    /// Default: nothing.
    public func didFailWithoutResponse(_ error: LLMError) async {}
}
