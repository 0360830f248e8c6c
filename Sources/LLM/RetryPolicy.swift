/// When and how long to wait before retrying a failed request, following the official
/// Python SDK: exponential backoff `min(base × 2ⁿ, cap)` shortened by up to 25% of jitter,
/// unless the server suggests a delay of at most ``maxRetryAfter``, which is used exactly.
public struct RetryPolicy: Sendable, Hashable {
    /// Retries after the first try.
    public var maxRetries: Int
    /// The first backoff delay.
    public var base: Duration
    /// The longest backoff delay.
    public var cap: Duration
    /// Server-suggested delays above this are not waited for.
    public var maxRetryAfter: Duration

    /// Creates a policy; the defaults are the SDK's (2 retries, 0.5 s doubling to 8 s, 120 s).
    public init(
        maxRetries: Int = 2, base: Duration = .milliseconds(500), cap: Duration = .seconds(8),
        maxRetryAfter: Duration = .seconds(120)
    ) {
        self.maxRetries = max(0, maxRetries)
        self.base = base
        self.cap = cap
        self.maxRetryAfter = maxRetryAfter
    }

    /// A policy that never retries.
    public static let dontRetry = RetryPolicy(maxRetries: 0)

    /// The backoff before retry number `retry` (0 for the first retry).
    /// - Parameter random: a value in [0, 1); the delay is scaled by `1 − 0.25 × random`.
    public func backoff(retry: Int, random: Double) -> Duration {
        let exponent = Double(min(max(retry, 0), 1000))
        let raw = min(base.seconds * Double.pow2(exponent), cap.seconds)
        let jitter = 1 - 0.25 * min(max(random, 0), 1)
        return .nanoseconds(Int64((raw * jitter * 1e9).rounded()))
    }

    /// The wait before retry number `retry`: the server's suggestion when it is positive and
    /// at most ``maxRetryAfter``, else ``backoff(retry:random:)``.
    public func delay(retry: Int, serverSuggested: Duration?, random: Double) -> Duration {
        if let serverSuggested, serverSuggested > .zero, serverSuggested <= maxRetryAfter {
            return serverSuggested
        }
        return backoff(retry: retry, random: random)
    }
}

extension Double {
    /// 2 raised to `exponent`, without Foundation.
    static func pow2(_ exponent: Double) -> Double {
        Double(sign: .plus, exponent: Int(exponent), significand: 1)
    }
}
