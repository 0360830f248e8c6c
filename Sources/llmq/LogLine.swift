import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Whether stderr lines start with a timestamp: set by `llmq run` when stderr is not a
/// terminal (cron, a pipe, a file).
private let stampsErrorLines = Atomic<Bool>(false)

/// From now on, when stderr is not a terminal, every line ``printError(_:)`` writes starts
/// with an ISO-8601 UTC timestamp, e.g. `2026-12-01T23:04:05Z llmq: …`, so a log read the
/// next morning says when things happened: `llmq run` calls it before anything else.
func stampErrorLinesUnlessATerminal() {
    if isatty(2) != 1 { stampsErrorLines.store(true, ordering: .relaxed) }
}

/// `text` as ``printError(_:)`` writes it: timestamped per line once stamping is on.
func errorLines(_ text: String) -> String {
    stampsErrorLines.load(ordering: .relaxed) ? stampedLines(text, at: Date()) : text
}

/// `text` with `at` (ISO-8601, UTC, seconds) before each line.
func stampedLines(_ text: String, at date: Date) -> String {
    let stamp = logTimestamp(date)
    return text.split(separator: "\n", omittingEmptySubsequences: false).map { "\(stamp) \($0)" }.joined(separator: "\n")
}

/// `2026-12-01T23:04:05Z`.
func logTimestamp(_ date: Date) -> String {
    var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
    var parts = tm()
    gmtime_r(&seconds, &parts)
    return String(format: "%04d-%02d-%02dT%02d:%02d:%02dZ", Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1, Int(parts.tm_mday),
                  Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec))
}
