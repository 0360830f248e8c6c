/// The OpenAI Files and Batches APIs, for `llmq run --batch-api`: an optional capability
/// of a provider, apart from ``LLMProvider``. Every method throws ``LLMError`` (mapped and
/// retried as the synchronous calls are) and `CancellationError`.
public protocol BatchAPI: Sendable {
    /// Uploads the JSONL file at `path` as `filename` with `purpose=batch`.
    func uploadBatchFile(path: String, filename: String) async throws -> RemoteFile
    /// Creates a batch of the uploaded file's requests for `endpoint` (`/v1/embeddings`),
    /// tagged with `metadata`. Not retried: the API has no idempotency key, so a retry could
    /// create a second batch; the caller reconciles by listing instead.
    func createBatch(inputFileID: String, endpoint: String, metadata: [String: String]) async throws -> RemoteBatch
    /// The batch as it is now.
    func retrieveBatch(id: String) async throws -> RemoteBatch
    /// Asks the API to cancel the batch (it goes `cancelling`, then `cancelled`).
    func cancelBatch(id: String) async throws -> RemoteBatch
    /// One page of the account's batches, newest first, after the batch `after`.
    func listBatches(after: String?, limit: Int) async throws -> RemotePage<RemoteBatch>
    /// One page of the account's files of `purpose`, after the file `after`.
    func listFiles(purpose: String, after: String?, limit: Int) async throws -> RemotePage<RemoteFile>
    /// Streams the content of file `id` into the file at `path` (created or replaced),
    /// never holding it whole; returns its size in bytes.
    func downloadFile(id: String, to path: String) async throws -> Int
    /// Deletes file `id`; a file that is already gone (404) is not an error.
    func deleteFile(id: String) async throws
}

/// A file of the Files API.
public struct RemoteFile: Sendable, Hashable {
    public var id: String
    public var filename: String
    public var purpose: String
    public var bytes: Int
    public var createdAt: Int

    public init(id: String, filename: String, purpose: String, bytes: Int, createdAt: Int) {
        self.id = id
        self.filename = filename
        self.purpose = purpose
        self.bytes = bytes
        self.createdAt = createdAt
    }
}

/// A batch of the Batches API, with the fields llmq reads.
public struct RemoteBatch: Sendable, Hashable {
    /// One entry of the batch's `errors.data` (validation, the enqueued-token limit).
    public struct Failure: Sendable, Hashable {
        public var code: String?
        public var message: String?
        public var param: String?
        /// The input line it is about (1-based), when it names one.
        public var line: Int?
    }

    public var id: String
    /// `validating`, `failed`, `in_progress`, `finalizing`, `completed`, `expired`, `cancelling`, `cancelled`.
    public var status: String
    public var endpoint: String
    public var model: String?
    public var inputFileID: String
    public var outputFileID: String?
    public var errorFileID: String?
    public var total: Int
    public var completed: Int
    public var failed: Int
    public var createdAt: Int
    public var expiresAt: Int?
    public var metadata: [String: String]
    public var errors: [Failure]

    /// Whether the batch will not change any more (`completed`, `expired`, `cancelled`, `failed`).
    public var isFinal: Bool { Self.finalStatuses.contains(status) }

    /// The statuses a batch ends in.
    public static let finalStatuses: Set<String> = ["completed", "expired", "cancelled", "failed"]

    public init(id: String, status: String, endpoint: String, model: String? = nil, inputFileID: String, outputFileID: String? = nil,
                errorFileID: String? = nil, total: Int = 0, completed: Int = 0, failed: Int = 0, createdAt: Int = 0,
                expiresAt: Int? = nil, metadata: [String: String] = [:], errors: [Failure] = []) {
        self.id = id
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
        self.metadata = metadata
        self.errors = errors
    }
}

/// One page of a cursor-paginated list.
public struct RemotePage<Item: Sendable & Hashable>: Sendable, Hashable {
    public var items: [Item]
    /// Whether another page follows (ask with `after:` the last item's id).
    public var hasMore: Bool
    public var lastID: String?

    public init(items: [Item], hasMore: Bool, lastID: String?) {
        self.items = items
        self.hasMore = hasMore
        self.lastID = lastID
    }
}
