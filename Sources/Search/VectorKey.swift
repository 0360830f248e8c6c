/// One stored vector's identity: its job (`embeddings.job_id`) and chunk (0 for an
/// unchunked job).
public struct VectorKey: Hashable, Sendable, Comparable {
    /// `jobs.id` of the vector's job.
    public var jobID: Int64
    /// The chunk index within the job, 0-based.
    public var chunk: Int32

    /// The key of `jobID`'s chunk `chunk`.
    public init(jobID: Int64, chunk: Int32) {
        self.jobID = jobID
        self.chunk = chunk
    }

    public static func < (lhs: VectorKey, rhs: VectorKey) -> Bool {
        (lhs.jobID, lhs.chunk) < (rhs.jobID, rhs.chunk)
    }
}

/// The model and size of a set of stored vectors: one search looks at one kind.
public struct VectorKind: Hashable, Sendable, CustomStringConvertible {
    /// `embeddings.model`.
    public var model: String
    /// `embeddings.dimensions`.
    public var dimensions: Int

    /// The kind of `model` vectors of `dimensions` values.
    public init(model: String, dimensions: Int) {
        self.model = model
        self.dimensions = dimensions
    }

    /// `model (dimensions dims)`.
    public var description: String { "\(model) (\(dimensions) dims)" }
}
