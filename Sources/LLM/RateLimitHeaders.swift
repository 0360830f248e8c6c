/// The `x-ratelimit-*` figures of one response. Every field is optional: servers send
/// some, all or none of them. Reset values are times until the limit is fully replenished.
public struct RateLimitSnapshot: Sendable, Hashable {
    /// `x-ratelimit-limit-requests`: requests allowed per minute.
    public var limitRequests: Int?
    /// `x-ratelimit-limit-tokens`: tokens allowed per minute.
    public var limitTokens: Int?
    /// `x-ratelimit-remaining-requests`.
    public var remainingRequests: Int?
    /// `x-ratelimit-remaining-tokens`.
    public var remainingTokens: Int?
    /// `x-ratelimit-reset-requests`, parsed from a Go duration.
    public var resetRequests: Duration?
    /// `x-ratelimit-reset-tokens`, parsed from a Go duration.
    public var resetTokens: Duration?

    /// Creates a snapshot.
    public init(
        limitRequests: Int? = nil, limitTokens: Int? = nil, remainingRequests: Int? = nil,
        remainingTokens: Int? = nil, resetRequests: Duration? = nil, resetTokens: Duration? = nil
    ) {
        self.limitRequests = limitRequests
        self.limitTokens = limitTokens
        self.remainingRequests = remainingRequests
        self.remainingTokens = remainingTokens
        self.resetRequests = resetRequests
        self.resetTokens = resetTokens
    }

    /// Parses the headers; `header` looks a name up case-insensitively. Returns `nil` when
    /// none of the six headers is present or parseable.
    public static func parse(header: (String) -> String?) -> RateLimitSnapshot? {
        func int(_ name: String) -> Int? {
            header(name).flatMap { Int($0.trimmingSpaces) }
        }
        func duration(_ name: String) -> Duration? {
            header(name).flatMap(GoDuration.parse)
        }
        let snapshot = RateLimitSnapshot(
            limitRequests: int("x-ratelimit-limit-requests"),
            limitTokens: int("x-ratelimit-limit-tokens"),
            remainingRequests: int("x-ratelimit-remaining-requests"),
            remainingTokens: int("x-ratelimit-remaining-tokens"),
            resetRequests: duration("x-ratelimit-reset-requests"),
            resetTokens: duration("x-ratelimit-reset-tokens")
        )
        return snapshot == RateLimitSnapshot() ? nil : snapshot
    }
}

/// Parses Go-style duration strings as OpenAI sends them: `6m0s`, `20ms`, `1.574s`, `1h2m3.5s`.
public enum GoDuration {
    /// The duration `text` denotes, or `nil` when it is not a valid Go duration.
    /// Accepts units `h`, `m`, `s`, `ms`, `us`/`µs`, `ns`, fractional numbers, and a bare `0`.
    public static func parse(_ text: String) -> Duration? {
        let scalars = Array(text.trimmingSpaces.unicodeScalars)
        guard !scalars.isEmpty else { return nil }
        if scalars == ["0"] { return .zero }
        var index = 0
        var totalNanos = 0.0
        while index < scalars.count {
            let start = index
            while index < scalars.count, scalars[index] == "." || ("0"..."9").contains(scalars[index]) {
                index += 1
            }
            guard index > start, let number = Double(String(String.UnicodeScalarView(scalars[start..<index]))) else {
                return nil
            }
            let unitStart = index
            while index < scalars.count, !(scalars[index] == "." || ("0"..."9").contains(scalars[index])) {
                index += 1
            }
            let unit = String(String.UnicodeScalarView(scalars[unitStart..<index]))
            guard let scale = nanosPerUnit[unit] else { return nil }
            totalNanos += number * scale
        }
        guard totalNanos.isFinite, totalNanos < 9e18 else { return nil }
        return .nanoseconds(Int64(totalNanos.rounded()))
    }

    private static let nanosPerUnit: [String: Double] = [
        "h": 3_600e9, "m": 60e9, "s": 1e9, "ms": 1e6, "us": 1e3, "µs": 1e3, "μs": 1e3, "ns": 1,
    ]
}

extension String {
    /// The string without leading and trailing spaces and tabs.
    var trimmingSpaces: String {
        var view = Substring(self)
        while let first = view.first, first == " " || first == "\t" { view.removeFirst() }
        while let last = view.last, last == " " || last == "\t" { view.removeLast() }
        return String(view)
    }
}
