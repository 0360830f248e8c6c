import JobQueue

/// Prints ingest diagnostics to stderr as `FILE:LINE: reason`, at most `limit` rejected
/// lines and `limit` warnings per file (a binary file given as a job file would otherwise
/// print one line per "line" of it); the rest are counted, and `finishFile()` says how
/// many were not shown. Shared by `enqueue`, `run FILE` and `tokens`.
final class DiagnosticPrinter {
    /// Diagnostics of each severity printed per file, by default.
    static let defaultLimit = 100

    private let limit: Int
    private var rejectedShown = 0, rejectedHidden = 0
    private var warningsShown = 0, warningsHidden = 0
    private var file: String?

    /// A printer showing at most `limit` of each severity per file.
    init(limit: Int = DiagnosticPrinter.defaultLimit) {
        self.limit = limit
    }

    /// Prints `diagnostic`, or counts it once its file's share is used up.
    func report(_ diagnostic: IngestDiagnostic) {
        if diagnostic.file != file {
            finishFile()
            file = diagnostic.file
        }
        switch diagnostic.severity {
        case .rejected:
            guard rejectedShown < limit else { rejectedHidden += 1; return }
            rejectedShown += 1
        case .warning:
            guard warningsShown < limit else { warningsHidden += 1; return }
            warningsShown += 1
        }
        printError(diagnostic.description)
    }

    /// Ends the current file: one line saying how many of its diagnostics were not shown.
    func finishFile() {
        if let file {
            if rejectedHidden > 0 {
                printError("\(file): \(rejectedHidden) more rejected lines not shown (\(rejectedShown + rejectedHidden) rejected in all)")
            }
            if warningsHidden > 0 {
                printError("\(file): \(warningsHidden) more warnings not shown (\(warningsShown + warningsHidden) in all)")
            }
        }
        file = nil
        rejectedShown = 0; rejectedHidden = 0
        warningsShown = 0; warningsHidden = 0
    }
}
