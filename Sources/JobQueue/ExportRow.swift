/// One job as `export` sees it: the job's columns and, for a succeeded job, its stored result.
public struct ExportRow: Sendable {
    /// `jobs.id`; export order.
    public var jobID: Int64
    /// The user's id.
    public var customID: String
    public var kind: JobKind
    public var status: JobStatus
    /// The model the job's request names.
    public var model: String
    /// Attempts used so far.
    public var attempts: Int
    /// `jobs.last_error`: nil unless the last try failed.
    public var lastError: String?
    /// The job line's `metadata` object as stored (canonical JSON text), if any.
    public var metadata: String?
    /// The stored vector; only for succeeded embed jobs.
    public var embedding: StoredEmbedding?
    /// The stored chat completion; only for succeeded generate jobs.
    public var generation: GenerationResult?
    /// When the result was stored (unix seconds), when there is one.
    public var resultCreatedAt: Double?

    /// The model that answered when there is a result, else the one the request names.
    public var resultModel: String { embedding?.model ?? generation?.model ?? model }
}

/// A row of `embeddings`, with its vector checked to hold `dimensions` float32 values.
public struct StoredEmbedding: Sendable, Equatable {
    /// The model that answered.
    public var model: String
    public var dimensions: Int
    /// The vector, unpacked from its little-endian float32 blob.
    public var vector: [Float]
    /// Tokens charged for the input, when known.
    public var inputTokens: Int?
    /// True when the input was cut to the model's token limit (`run --truncate`).
    public var truncated = false
    /// A chunked job's chunks, in order (then `vector` is empty and `inputTokens` their
    /// sum); nil for an unchunked job.
    public var chunks: [ExportChunk]?
}

/// One chunk of a chunked job's stored result: its index, span (code points, end
/// exclusive), text and vector.
public struct ExportChunk: Sendable, Equatable {
    public var index: Int
    public var start: Int
    public var end: Int
    public var text: String
    public var vector: [Float]
}

extension StoredEmbedding {
    /// Adds the next chunk of a chunked job's result, summing the token counts.
    mutating func add(_ chunk: ExportChunk, inputTokens tokens: Int?) {
        chunks?.append(chunk)
        if let tokens { inputTokens = (inputTokens ?? 0) + tokens }
    }
}
