import Foundation
import Worker

/// Shows how a run is going on stderr: on a terminal a live line redrawn twice a second,
/// otherwise (cron) a plain log line every 10 seconds.
final class ProgressReporter: Sendable {
    let worker: Worker
    let total: Int
    let interactive: Bool

    init(worker: Worker, total: Int, interactive: Bool) {
        self.worker = worker
        self.total = total
        self.interactive = interactive
    }

    func run() async {
        let interval: Double = interactive ? 0.5 : 10
        while !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(Int64(interval * 1000)))
            if Task.isCancelled { break }
            let line = Self.line(await worker.progress(), total: total)
            if interactive {
                printErrorRaw("\r\u{1B}[K" + line)
            } else {
                printError("llmq: " + line)
            }
        }
    }

    /// Ends the live line so the summary starts on a fresh one.
    func finish() {
        if interactive { printErrorRaw("\r\u{1B}[K") }
    }

    static func line(_ report: RunReport, total: Int) -> String {
        let done = report.succeeded + report.failed
        let rate = report.seconds > 0 ? Double(done) / report.seconds : 0
        let tokens = report.embedTokens + report.inputTokens + report.outputTokens
        let perMinute = report.seconds > 0 ? Double(tokens) / report.seconds * 60 : 0
        var text = "\(done)/\(total) done, \(String(format: "%.1f", rate)) jobs/s, \(report.estimatedEmbedTokens > 0 ? "≤" : "")\(Int(perMinute)) tokens/min"
        if rate > 0, total > done {
            text += ", ETA \(StatusTable.describeAge(Double(total - done) / rate))"
        }
        text += ", \(report.rateLimited) 429s, \(report.reusedVectors) reused, \(report.failed) failed"
        if let obstacle = report.obstacle { text += "; " + obstacle }
        return text
    }
}

/// Writes text to stderr without a newline.
func printErrorRaw(_ text: String) {
    FileHandle.standardError.write(Data(text.utf8))
}
