/// A hook for shared pacing across every request a provider sends.
///
/// The provider awaits ``willSend(path:estimatedTokens:)`` before every HTTP attempt
/// (retries included) and calls ``didReceive(status:rateLimits:retryAfter:endsRun:)`` after
/// every HTTP response, so one actor can pause all senders when any of them gets a 429.
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
    ///   - endsRun: the answer stops the run (quota, credentials, permission:
    ///     ``LLMError/isFatalForRun``), so its status says nothing about the pace: a quota's
    ///     429 is no rate limit.
    func didReceive(status: Int, rateLimits: RateLimitSnapshot?, retryAfter: Duration?, endsRun: Bool) async

    /// Called after each attempt that got no HTTP response (a timeout, a refused or reset
    /// connection), so every request made can be counted by outcome.
    func didFailWithoutResponse(_ error: LLMError) async
}

extension RequestObserver {
    /// An answer that does not stop the run.
    public func didReceive(status: Int, rateLimits: RateLimitSnapshot?, retryAfter: Duration?) async {
        await didReceive(status: status, rateLimits: rateLimits, retryAfter: retryAfter, endsRun: false)
    }

    /// Default: nothing.
    public func didFailWithoutResponse(_ error: LLMError) async {}
}
