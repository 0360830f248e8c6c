import NIOCore

/// A scripted way for the next created batch to end, queued with
/// ``FakeOpenAIServer/enqueueBatchOutcomes(_:)`` and taken in order, one per batch.
public enum FakeBatchOutcome: Sendable, Hashable {
    /// The batch fails validation with this error (`line` names an input line, 1-based).
    case validationFailure(code: String, message: String, line: Int?)
    /// The batch fails as when the organisation's enqueued-token limit is reached.
    case tokenLimitExceeded
    /// The output file is cut in the middle of its last line.
    case truncatedOutput
    /// The output file gets a line that is not JSON.
    case garbageOutputLine
    /// The output file repeats its first line.
    case duplicatedOutputLine
    /// The output file gets a line for a `custom_id` that was never sent.
    case unknownCustomID
}

/// A stored file of the Files API.
struct FakeFile: Sendable {
    var id: String
    var filename: String
    var purpose: String
    var bytes: ByteBuffer
    var createdAt: Int
}

/// One batch of the Batches API and what the fake knows about its progress.
struct FakeBatch: Sendable {
    var id: String
    var endpoint: String
    var inputFileID: String
    var metadata: [String: String]
    var status: String = "validating"
    var model: String?
    var createdAt: Int
    /// Batch-clock seconds at creation.
    var createdClock: Double
    var expiresAt: Int
    var outputFileID: String?
    var errorFileID: String?
    var errors: [FakeBatchError] = []
    /// The input lines, validated, in input order.
    var lines: [FakeBatchLine] = []
    /// Line indices in the order they are run (shuffled).
    var order: [Int] = []
    /// Lines run so far (a prefix of `order`).
    var done = 0
    var failedCount = 0
    var tokens = 0
    var outcome: FakeBatchOutcome?
    var timestamps: [String: Int] = [:]

    var isFinal: Bool { ["completed", "failed", "expired", "cancelled"].contains(status) }
}

/// One parsed input line.
struct FakeBatchLine: Sendable {
    var customID: String
    var body: ByteBuffer
    var tokens: Int
    /// Embedding inputs of the line (empty for other endpoints).
    var inputs: [String]
}

/// An entry of a batch's `errors.data`.
struct FakeBatchError: Sendable {
    var code: String
    var message: String
    var line: Int?
    var param: String?
}
