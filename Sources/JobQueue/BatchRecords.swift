/// A group of pending jobs that can share one batch: one kind, model and (embed) vector size.
public struct BatchGroup: Sendable, Hashable {
    public var kind: JobKind
    public var model: String
    public var dimensions: Int?
    /// Runnable pending jobs in the group.
    public var pending: Int

    public init(kind: JobKind, model: String, dimensions: Int?, pending: Int) {
        self.kind = kind
        self.model = model
        self.dimensions = dimensions
        self.pending = pending
    }
}

/// Where a batch llmq submits is on its way (see `batch_submissions.state`).
public enum SubmissionState: String, Sendable {
    case packing, packed, uploaded, creating, submitted, collected, abandoned
}

/// A row of `batch_submissions` that is not finished.
public struct BatchSubmission: Sendable, Equatable {
    public var id: Int64
    public var state: SubmissionState
    public var kind: JobKind
    public var endpoint: String
    public var model: String
    public var dimensions: Int?
    public var lines: Int
    public var inputs: Int
    public var tokens: Int
    public var inputFileID: String?
    public var batchID: String?
    public var collectAttempts: Int
    public var createdAt: Double

    /// The `lease_owner` of this submission's jobs.
    public var owner: String { Self.owner(id) }

    /// The `lease_owner` of submission `id`'s jobs: `batch:<id>`.
    public static func owner(_ id: Int64) -> String { "batch:\(id)" }
}

/// A row of the public `batches` table.
public struct BatchRow: Sendable, Equatable {
    public var id: String
    public var submissionID: Int64
    public var status: String
    public var endpoint: String
    public var model: String
    public var inputFileID: String
    public var outputFileID: String?
    public var errorFileID: String?
    public var total: Int
    public var completed: Int
    public var failed: Int
    public var createdAt: Double
    public var expiresAt: Double?
    public var errors: String?
    public var collectedAt: Double?

    public init(id: String, submissionID: Int64, status: String, endpoint: String, model: String, inputFileID: String,
                outputFileID: String? = nil, errorFileID: String? = nil, total: Int = 0, completed: Int = 0, failed: Int = 0,
                createdAt: Double, expiresAt: Double? = nil, errors: String? = nil, collectedAt: Double? = nil) {
        self.id = id
        self.submissionID = submissionID
        self.status = status
        self.endpoint = endpoint
        self.model = model
        self.inputFileID = inputFileID
        self.outputFileID = outputFileID
        self.errorFileID = errorFileID
        self.total = total
        self.completed = completed
        self.failed = failed
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.errors = errors
        self.collectedAt = collectedAt
    }
}

/// What one input of a packed line sends for a job: the whole input, or one chunk of a
/// chunked job (a row of `batch_jobs`).
public struct BatchEntry: Sendable {
    public var jobID: Int64
    /// The input line's `custom_id` and the input's index in it.
    public var line: String
    public var position: Int
    /// The chunk's hash, else the job's request hash: what "in flight" means for never paying twice.
    public var inputHash: [UInt8]
    /// The input's token count (or upper bound).
    public var tokens: Int?
    /// The chunk sent; nil for the whole input. Its text is not stored (its span is).
    public var part: EmbeddedChunk?

    public init(jobID: Int64, line: String, position: Int, inputHash: [UInt8], tokens: Int?, part: EmbeddedChunk?) {
        self.jobID = jobID
        self.line = line
        self.position = position
        self.inputHash = inputHash
        self.tokens = tokens
        self.part = part
    }
}

/// A job's place in a submitted batch: its input line and index in that line, and for a
/// chunked job which chunk (one per chunk sent).
public struct BatchLineJob: Sendable {
    public var jobID: Int64
    public var position: Int
    public var requestHash: [UInt8]
    public var attempts: Int
    /// The job's stored token count, and whether it is exact.
    public var inputTokens: Int?
    public var tokensExact: Bool
    /// The token count (or bound) of what the entry sent (the chunk's, for a chunk).
    public var sentTokens: Int?
    /// The chunk sent, its text read back from the job's input; nil for the whole input.
    public var part: EmbeddedChunk?

    /// The row that stores `vector` for what this entry sent, by the rule a synchronous run follows.
    public func embeddingResult(model: String, vector: ArraySlice<UInt8>, dimensions: Int, inputTokens: Int?,
                                reused: Bool) -> EmbeddingResult {
        EmbeddingResult(jobID: jobID, requestHash: requestHash, part: part, exactTokens: tokensExact ? self.inputTokens : nil,
                        model: model, vector: vector, dimensions: dimensions, inputTokens: inputTokens, reused: reused)
    }
}

/// Everything one chunk of collected lines changes, written in one transaction.
public struct BatchResultChunk: Sendable {
    public var embeddings: [EmbeddingResult] = []
    public var generations: [GenerationResult] = []
    /// Jobs failed for good (a 400 on their own line): id, message, request hash.
    public var failures: [(jobID: Int64, message: String, requestHash: [UInt8])] = []
    /// Jobs with a retryable failure (a 5xx line): counted as an attempt.
    public var retries: [(jobID: Int64, message: String, availableAt: Double, requestHash: [UInt8])] = []
    /// Jobs whose request never ran (expired, cancelled, absent): back to pending, no attempt.
    public var releases: [Int64] = []
    /// Embed jobs of a line that got a 400: resent at most this many inputs per line.
    public var splits: [(jobID: Int64, maxInputs: Int)] = []

    public init() {}

    /// Whether nothing is in the chunk.
    public var isEmpty: Bool {
        embeddings.isEmpty && generations.isEmpty && failures.isEmpty && retries.isEmpty && releases.isEmpty && splits.isEmpty
    }

    /// Jobs the chunk touches.
    public var count: Int { embeddings.count + generations.count + failures.count + retries.count + releases.count }
}

/// What applying a chunk did.
public struct BatchChunkOutcome: Sendable, Equatable {
    public var succeeded = 0
    public var failed = 0
    public var retried = 0
    public var released = 0

    public init() {}
}
