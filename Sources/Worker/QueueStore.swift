import JobQueue

/// The job store behind an actor, so the worker's concurrent tasks share one SQLite
/// connection safely. Every call is one short statement or transaction.
public actor QueueStore {
    private let store: JobStore

    /// Opens (creating and migrating when needed) the database at `path`.
    public init(path: String, now: @escaping @Sendable () -> Double) throws {
        store = try JobStore(path: path, now: now)
    }

    public func claim(kind: JobKind, limit: Int, owner: String, leaseSeconds: Double) throws -> [ClaimedJob] {
        try store.claim(kind: kind, limit: limit, owner: owner, leaseSeconds: leaseSeconds)
    }

    public func renewLeases(owner: String, leaseSeconds: Double) throws {
        try store.renewLeases(owner: owner, leaseSeconds: leaseSeconds)
    }

    public func reclaimExpiredLeases() throws -> Int { try store.reclaimExpiredLeases() }

    public func leaseOwners() throws -> [String] { try store.leaseOwners() }

    @discardableResult
    public func release(owner: String, ids: [Int64]? = nil, availableAt: Double? = nil) throws -> Int {
        try store.release(owner: owner, ids: ids, availableAt: availableAt)
    }

    @discardableResult
    public func complete(embeddings: [EmbeddingResult]) throws -> Int { try store.complete(embeddings: embeddings) }

    @discardableResult
    public func complete(generation: GenerationResult) throws -> Bool { try store.complete(generation: generation) }

    public func storedVectors(forRequestHashes hashes: [[UInt8]]) throws -> [[UInt8]: (model: String, dimensions: Int, vector: [UInt8])] {
        try store.storedVectors(forRequestHashes: hashes)
    }

    public func mergeVectorIndex() throws { try store.mergeVectorIndex() }

    public func recordTokenCounts(_ counts: [(jobID: Int64, tokens: Int)]) throws { try store.recordTokenCounts(counts) }

    public func unfinishedModels() throws -> Set<String> { try store.unfinishedModels() }

    public func fail(jobID: Int64, error: String, requestHash: [UInt8]? = nil) throws {
        try store.fail(jobID: jobID, error: error, requestHash: requestHash)
    }

    public func retryLater(jobID: Int64, error: String, availableAt: Double, maxAttempts: Int,
                           requestHash: [UInt8]? = nil) throws -> RetryOutcome {
        try store.retryLater(jobID: jobID, error: error, availableAt: availableAt, maxAttempts: maxAttempts, requestHash: requestHash)
    }

    public func requeueTransientFailures() throws -> Int { try store.requeueTransientFailures() }

    public func pendingSummary() throws -> (runnable: Int, pending: Int, nextAvailableAt: Double?) {
        try store.pendingSummary()
    }
}
