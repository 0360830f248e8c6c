import Foundation
import JobQueue
import LLM

/// `llmq run --batch-api`: sends the queue through the OpenAI Batch API beside the
/// synchronous ``Worker``. It takes jobs from the same `JobStore` (pending → running,
/// owned by a batch) and writes results through the same completion statements, so never
/// paying twice and one transaction per chunk of results hold for both. One run
/// reconciles what a killed run left, collects final batches, submits pending jobs and,
/// with `wait`, polls until nothing is left. A single-use object: make one per run.
public actor BatchRunner {
    let store: JobStore
    let api: any BatchAPI
    let options: BatchRunOptions
    let worker: WorkerOptions
    let estimator: any TokenEstimator
    let clock: any WorkerClock
    let random: @Sendable () -> Double
    let log: @Sendable (String) -> Void
    let databaseID: String
    var report = BatchRunReport()
    let startedAt: Double
    /// Set by ``stop()``: the run ends at the next step boundary.
    var stopRequested = false
    /// The `--wait` pause in progress, cut short by ``stop()``.
    private var pause: Task<Void, any Error>?

    /// A runner over the database at `databasePath` (created and migrated when needed).
    /// - Parameters:
    ///   - worker: the flags batch mode shares with a synchronous run (inputs per line,
    ///     tokens per line, per-input limit, attempts, system prompt).
    ///   - log: receives one line per notable event (submitted, collected, reconciled).
    /// - Throws: `JobQueueError` when the database cannot be opened.
    public init(databasePath: String, api: any BatchAPI, options: BatchRunOptions, worker: WorkerOptions,
                estimator: any TokenEstimator = ByteCountEstimator(), clock: any WorkerClock = SystemWorkerClock(),
                random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) },
                log: @escaping @Sendable (String) -> Void = { _ in }) throws {
        store = try JobStore(path: databasePath, now: { clock.now() })
        databaseID = try store.batchDatabaseID()
        self.api = api
        self.options = options
        self.worker = worker
        self.estimator = estimator
        self.clock = clock
        self.random = random
        self.log = log
        startedAt = clock.now()
    }

    /// Reconciles, collects, submits and (with `wait`) polls; returns what it did. API
    /// failures end the run in the report (`fatal`, `unreachable`), never by throwing.
    /// - Throws: database failures.
    public func run() async throws -> BatchRunReport {
        try FileManager.default.createDirectory(atPath: options.workDirectory, withIntermediateDirectories: true)
        do {
            try await reconcile()
            while !stopRequested {
                try await collect()
                if stopRequested { break }
                try await submit()
                let inFlight = try store.batchRows(uncollected: true).count
                let summary = try store.pendingSummary()
                if !options.wait || (inFlight == 0 && summary.pending == 0) { break }
                if let maxDuration = options.maxDuration, clock.now() - startedAt >= maxDuration {
                    report.end = "max-duration"
                    break
                }
                try await progressLine()
                if stopRequested { break }
                let interval = options.pollInterval
                let pause = Task { [clock] in try await clock.sleep(seconds: interval) }
                self.pause = pause
                try? await pause.value
                self.pause = nil
            }
            if stopRequested { report.end = "signal" }
        } catch let error as LLMError {
            if case .wrongDimensions = error.kind {
                report.end = "configuration"
            } else {
                report.end = error.isFatalForRun ? "fatal" : "unreachable"
            }
            report.error = error.description
            log("stopping: \(error)")
        } catch BatchRunStop.refused(let message) {
            report.end = "refused"
            report.error = message
        }
        _ = try? store.mergeVectorIndex()
        report.inFlight = try store.batchRows(uncollected: true).count
        report.pendingLeft = try store.pendingSummary().pending
        if report.end == "drained", report.inFlight > 0 { report.end = "submitted" }
        // The work folder beside the database goes once nothing is left in it (rmdir
        // removes only an empty folder: a download or input file kept by a failure stays).
        _ = rmdir(options.workDirectory)
        return report
    }

    /// Asks the run to end (SIGINT/SIGTERM): the step under way (a poll, a batch's
    /// collection, a submission) finishes, a `--wait` pause is cut short, and the run
    /// returns with `end == "signal"`, everything left for the next run. Returns false
    /// when a stop was asked for already.
    @discardableResult
    public func stop() -> Bool {
        defer { stopRequested = true }
        pause?.cancel()
        return !stopRequested
    }

    /// One `--wait` progress line: batches in flight, lines done, and an ETA when known.
    private func progressLine() async throws {
        let rows = try store.batchRows(uncollected: true)
        guard !rows.isEmpty else { return }
        let total = rows.reduce(0) { $0 + $1.total }
        let done = rows.reduce(0) { $0 + $1.completed + $1.failed }
        var line = "batches: \(rows.count) in flight, \(done)/\(total) lines done"
        let elapsed = clock.now() - startedAt
        if done > 0, total > done, elapsed > 0 {
            line += ", ETA \(Int((Double(total - done) * elapsed / Double(done)).rounded())) s"
        }
        log(line)
    }

    /// The metadata that tags a batch with this database and submission.
    func metadata(for submission: Int64) -> [String: String] {
        ["llmq_db": databaseID, "llmq_submission": String(submission), "llmq_db_name": String(options.databaseName.prefix(200))]
    }

    /// The input file name of a submission: names the database and the submission, so an
    /// orphan upload can be found again.
    func inputFileName(for submission: Int64) -> String { "llmq-\(databaseID)-\(submission).jsonl" }

    /// A temporary file path in the work directory.
    func workPath(_ name: String) -> String { (options.workDirectory as NSString).appendingPathComponent(name) }

    /// Deletes remote files unless `--keep-files`; a failure only logs (the file expires on its own).
    func deleteRemoteFiles(_ ids: [String?]) async {
        guard !options.keepFiles else { return }
        for id in ids.compactMap({ $0 }) {
            do {
                try await api.deleteFile(id: id)
            } catch {
                log("could not delete file \(id) (it expires on its own): \(error)")
            }
        }
    }
}
