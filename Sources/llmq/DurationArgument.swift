import Foundation
import LLM

/// Parses a duration flag value: plain seconds (`90`, `2.5`) or a Go-style duration
/// (`30s`, `15m`, `1h30m`, `250ms`). Returns seconds, nil when unparseable or negative.
func parseDurationSeconds(_ text: String) -> Double? {
    let trimmed = text.trimmingCharacters(in: .whitespaces)
    if let seconds = Double(trimmed) { return seconds >= 0 && seconds.isFinite ? seconds : nil }
    guard let duration = GoDuration.parse(trimmed) else { return nil }
    let seconds = Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    return seconds >= 0 ? seconds : nil
}
