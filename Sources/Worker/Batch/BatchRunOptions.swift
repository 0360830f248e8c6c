/// How `llmq run --batch-api` works. Every default is the documented one.
public struct BatchRunOptions: Sendable {
    /// Keep polling until nothing is in flight or pending (`--wait`). Default false.
    public var wait: Bool
    /// Seconds between polls with `wait` (`--poll-interval`). Default 60.
    public var pollInterval: Double
    /// Stop waiting after this many seconds (`--max-duration`); in-flight batches are left
    /// for the next run. Default none.
    public var maxDuration: Double?
    /// Prompt tokens per model llmq keeps enqueued at most (`--max-enqueued-tokens`);
    /// nil: only what a `token_limit_exceeded` taught. Default none.
    public var maxEnqueuedTokens: Int?
    /// Keep the uploaded input and downloaded output files at the API (`--keep-files`). Default false.
    public var keepFiles: Bool
    /// The Batch API's limits per batch: lines, bytes of the input file, embedding inputs.
    public var maxLines: Int
    public var maxFileBytes: Int
    public var maxInputs: Int
    /// Collections of a batch whose output has unreadable lines before its unread lines'
    /// jobs go back to pending. Default 3.
    public var maxCollectAttempts: Int
    /// Where input files are written and output files downloaded (beside the database).
    public var workDirectory: String
    /// The database's file name, put in each batch's metadata for people reading it.
    public var databaseName: String

    /// Options with the documented defaults.
    public init(wait: Bool = false, pollInterval: Double = 60, maxDuration: Double? = nil, maxEnqueuedTokens: Int? = nil,
                keepFiles: Bool = false, maxLines: Int = 50_000, maxFileBytes: Int = 190_000_000, maxInputs: Int = 50_000,
                maxCollectAttempts: Int = 3, workDirectory: String, databaseName: String = "llmq.sqlite") {
        self.wait = wait
        self.pollInterval = pollInterval
        self.maxDuration = maxDuration
        self.maxEnqueuedTokens = maxEnqueuedTokens
        self.keepFiles = keepFiles
        self.maxLines = maxLines
        self.maxFileBytes = maxFileBytes
        self.maxInputs = maxInputs
        self.maxCollectAttempts = maxCollectAttempts
        self.workDirectory = workDirectory
        self.databaseName = databaseName
    }
}

/// What a batch-mode run did, for the summary and the exit code.
public struct BatchRunReport: Sendable, Equatable {
    /// Batches created in this run.
    public var submitted = 0
    /// Batches whose results were stored in this run.
    public var collected = 0
    /// Jobs that got their result (vectors copied from earlier inputs included).
    public var succeeded = 0
    public var reusedVectors = 0
    public var failed = 0
    /// Jobs handed back to pending (lines that never ran, a failed batch, a 5xx line).
    public var requeued = 0
    /// Batches still in flight at the end.
    public var inFlight = 0
    /// Pending jobs left at the end.
    public var pendingLeft = 0
    /// Output lines llmq could not use: unknown or repeated `custom_id`, unreadable.
    public var unknownLines = 0
    public var duplicateLines = 0
    public var unreadableLines = 0
    /// Why the run ended: drained, submitted, max-duration, signal, unreachable, fatal,
    /// refused (the input file), configuration (vectors of another length than asked for).
    public var end = "drained"
    /// The fatal, outage or configuration message, when the run ended on one.
    public var error: String?

    public init() {}
}
