/// Formats nanoseconds as a Go duration string the way OpenAI's headers show them:
/// `20ms`, `1.574s`, `6m0s`, `1h2m3.5s`.
enum GoDurationFormat {
    static func string(nanos: UInt64) -> String {
        if nanos == 0 { return "0s" }
        if nanos < 1_000_000_000 { return "\(max(1, nanos / 1_000_000))ms" }
        let totalMillis = nanos / 1_000_000
        let hours = totalMillis / 3_600_000
        let minutes = (totalMillis / 60_000) % 60
        let millis = totalMillis % 60_000
        var seconds = "\(millis / 1000)"
        if millis % 1000 != 0 {
            var fraction = String(millis % 1000)
            while fraction.count < 3 { fraction = "0" + fraction }
            while fraction.hasSuffix("0") { fraction.removeLast() }
            seconds += "." + fraction
        }
        if hours > 0 { return "\(hours)h\(minutes)m\(seconds)s" }
        if minutes > 0 { return "\(minutes)m\(seconds)s" }
        return "\(seconds)s"
    }
}
