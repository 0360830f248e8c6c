/// A scripted misbehaviour for one request. Faults are queued with
/// ``FakeOpenAIServer/enqueueFaults(_:path:)`` and consumed in order.
public enum FakeFault: Sendable, Hashable {
    /// 429 `rate_limit_exceeded`, with `retry-after-ms` and/or `retry-after` when given.
    case rateLimit(retryAfterMs: Int? = nil, retryAfter: String? = nil)
    /// 429 `insufficient_quota`.
    case insufficientQuota
    /// 401 `invalid_api_key`.
    case unauthorized
    /// A 5xx JSON error (500 "The server had an error…", 503 "The engine is currently overloaded…").
    case serverError(status: Int = 500)
    /// The connection is closed after the request is read, without an answer.
    case dropConnection
    /// The request is never answered (until the client gives up or the server shuts down).
    case hang
    /// 200 with a body that is not JSON.
    case garbageBody
    /// 502 with an HTML page, as a proxy would send.
    case htmlBadGateway
    /// The request is carried out (a batch is created, a file stored) but its answer never
    /// arrives: the client cannot know the outcome.
    case lostAnswer
    /// The normal answer, held back for this long first (a gateway retrying a backend's 429
    /// before it answers).
    case slowAnswer(after: Duration)
    /// Any status, headers and body.
    case custom(status: Int, headers: [String: String] = [:], body: String)
}

/// A queued fault and the path it is limited to (`nil`: any path).
struct FaultRule: Sendable {
    var fault: FakeFault
    var path: String?
}
