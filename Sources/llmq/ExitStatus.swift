#if canImport(Glibc)
import Glibc
#endif

/// The exit codes cron reads (DESIGN, "Exit codes"). When several outcomes apply the most
/// severe wins: 2, 77, 75, 1, 65, 0.
enum ExitStatus: Int32, Sendable {
    /// Done: nothing runnable left, and no job failed in this run.
    case ok = 0
    /// Done, but some jobs failed permanently.
    case failedJobs = 1
    /// Usage or configuration error; nothing was changed.
    case usage = 2
    /// `enqueue`: some lines were rejected; the valid ones were ingested.
    case rejectedLines = 65
    /// Stopped with work left, to be resumed by the next run.
    case resumable = 75
    /// The API refused the credentials or the account.
    case credentials = 77

    private var severity: Int {
        switch self {
        case .usage: return 5
        case .credentials: return 4
        case .resumable: return 3
        case .failedJobs: return 2
        case .rejectedLines: return 1
        case .ok: return 0
        }
    }

    /// The more severe of two outcomes.
    func combined(with other: ExitStatus) -> ExitStatus {
        other.severity > severity ? other : self
    }
}

/// A command's non-zero but expected outcome (it already printed what it had to say).
struct CommandOutcome: Error {
    let status: ExitStatus
}

/// A failure to report as `llmq: error: message` with an exit status.
struct CLIError: Error, CustomStringConvertible {
    let status: ExitStatus
    let message: String

    init(_ status: ExitStatus, _ message: String) {
        self.status = status
        self.message = message
    }

    var description: String { message }
}

/// Writes a line to stderr, unbuffered (timestamped under `llmq run` off a terminal:
/// ``stampErrorLinesUnlessATerminal()``).
func printError(_ text: String) {
    var line = errorLines(text) + "\n"
    line.withUTF8 { bytes in
        guard let base = bytes.baseAddress else { return }
        var offset = 0
        while offset < bytes.count {
            let written = write(2, base + offset, bytes.count - offset)
            if written <= 0 { return }
            offset += written
        }
    }
}
