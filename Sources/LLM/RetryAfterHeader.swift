import Foundation

/// Parses the server's suggested retry delay as the Python SDK does: `retry-after-ms`
/// (milliseconds, fractional allowed) first, then Azure's `x-ms-retry-after-ms`, then
/// `retry-after` as seconds, then as an HTTP date relative to `now`.
enum RetryAfterHeader {
    /// The suggested delay, or `nil` when absent or unparseable. May be zero or negative
    /// (a date in the past); callers then fall back to backoff.
    static func parse(header: (String) -> String?, now: Date = Date()) -> Duration? {
        for name in ["retry-after-ms", "x-ms-retry-after-ms"] {
            if let raw = header(name), let ms = Double(raw.trimmingSpaces), ms.isFinite {
                return .nanoseconds(Int64((ms * 1e6).rounded()))
            }
        }
        guard let raw = header("retry-after")?.trimmingSpaces else { return nil }
        if let seconds = Double(raw), seconds.isFinite {
            return .nanoseconds(Int64((seconds * 1e9).rounded()))
        }
        guard let date = parseHTTPDate(raw) else { return nil }
        let seconds = date.timeIntervalSince(now)
        return .nanoseconds(Int64((seconds * 1e9).rounded()))
    }

    /// Parses an RFC 9110 IMF-fixdate such as `Wed, 21 Oct 2015 07:28:00 GMT`
    /// (and the obsolete RFC 850 and asctime forms).
    static func parseHTTPDate(_ text: String) -> Date? {
        for format in ["EEE, dd MMM yyyy HH:mm:ss zzz", "EEEE, dd-MMM-yy HH:mm:ss zzz", "EEE MMM d HH:mm:ss yyyy"] {
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = TimeZone(identifier: "GMT")
            formatter.dateFormat = format
            if let date = formatter.date(from: text) { return date }
        }
        return nil
    }
}
