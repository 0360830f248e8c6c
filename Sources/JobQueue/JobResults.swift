/// A vector to store for an embed job.
public struct EmbeddingResult: Sendable {
    /// The job.
    public var jobID: Int64
    /// The request hash the job was claimed with (the result is dropped if it changed).
    public var requestHash: [UInt8]
    /// The model that answered.
    public var model: String
    /// `dimensions` little-endian float32 values (a slice, so the vectors of one response
    /// can share its packed buffer instead of each holding a copy).
    public var vector: ArraySlice<UInt8>
    /// Number of float32 values in `vector`.
    public var dimensions: Int
    /// Tokens charged for this input (its share of the request's usage), when known.
    public var inputTokens: Int?
    /// True when copied from an identical earlier input rather than paid for.
    public var reused: Bool
    /// True when the input was cut to the model's token limit before embedding.
    public var truncated: Bool
    /// The exact token count of the job's input (as enqueued), stored in `jobs.input_tokens`
    /// with the result when given.
    public var countedTokens: Int?
    /// The part of the input this vector was made from; nil for the whole input as
    /// enqueued (chunk 0, its text read from the stored request), which completes the job.
    public var chunk: EmbeddedChunk?
    /// The job's whole input as its stored request has it, for the whole-input row, when
    /// the caller holds it (else it is read from the stored request).
    public var input: String?

    public init(jobID: Int64, requestHash: [UInt8], model: String, vector: ArraySlice<UInt8>, dimensions: Int, inputTokens: Int?,
                reused: Bool, truncated: Bool = false, countedTokens: Int? = nil, chunk: EmbeddedChunk? = nil) {
        self.chunk = chunk
        self.jobID = jobID
        self.requestHash = requestHash
        self.model = model
        self.vector = vector
        self.dimensions = dimensions
        self.inputTokens = inputTokens
        self.reused = reused
        self.truncated = truncated
        self.countedTokens = countedTokens
    }

    /// The row that stores `vector` for `part` of job `jobID` (nil: its whole input, or
    /// `wholeRow` when the whole input is stored with a span of its own, as a cut input is),
    /// by the one rule both run modes follow: the job's exact token count (`exactTokens`)
    /// is stored with a whole-input row only, since a chunk's count is not the job's.
    public init(jobID: Int64, requestHash: [UInt8], part: EmbeddedChunk?, wholeRow: EmbeddedChunk? = nil, exactTokens: Int?,
                model: String, vector: ArraySlice<UInt8>, dimensions: Int, inputTokens: Int?, reused: Bool, truncated: Bool = false) {
        self.init(jobID: jobID, requestHash: requestHash, model: model, vector: vector, dimensions: dimensions,
                  inputTokens: inputTokens, reused: reused, truncated: truncated,
                  countedTokens: part == nil ? exactTokens : nil, chunk: part ?? wholeRow)
    }

    /// A result whose vector is a whole array.
    public init(jobID: Int64, requestHash: [UInt8], model: String, vector: [UInt8], dimensions: Int, inputTokens: Int?, reused: Bool,
                truncated: Bool = false) {
        self.init(jobID: jobID, requestHash: requestHash, model: model, vector: vector[...], dimensions: dimensions,
                  inputTokens: inputTokens, reused: reused, truncated: truncated)
    }

    /// Packs floats as little-endian float32 bytes (the layout sqlite-vec reads).
    public static func littleEndianBytes(_ floats: [Float]) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: floats.count * 4)
        bytes.withUnsafeMutableBytes { raw in
            for (i, value) in floats.enumerated() {
                raw.storeBytes(of: value.bitPattern.littleEndian, toByteOffset: i * 4, as: UInt32.self)
            }
        }
        return bytes
    }

    /// Unpacks little-endian float32 bytes.
    public static func floats(fromLittleEndian bytes: [UInt8]) -> [Float] {
        bytes.withUnsafeBytes { raw in
            (0..<(bytes.count / 4)).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self))) }
        }
    }
}

/// A chat completion to store for a generate job.
public struct GenerationResult: Sendable {
    public var jobID: Int64
    public var requestHash: [UInt8]
    /// The model that answered (the resolved snapshot name).
    public var model: String
    /// The reply text; nil when the model refused or returned none.
    public var content: String?
    /// The refusal text, when the model refused.
    public var refusal: String?
    public var finishReason: String?
    public var inputTokens: Int?
    public var outputTokens: Int?

    public init(jobID: Int64, requestHash: [UInt8], model: String, content: String?, refusal: String?, finishReason: String?,
                inputTokens: Int?, outputTokens: Int?) {
        self.jobID = jobID
        self.requestHash = requestHash
        self.model = model
        self.content = content
        self.refusal = refusal
        self.finishReason = finishReason
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
    }
}

/// What happened to a job whose try failed with a retryable error.
public enum RetryOutcome: Sendable, Equatable {
    /// Back to pending, available again at the given time.
    case rescheduled
    /// Out of attempts: failed with the error.
    case failed
    /// The job was no longer this worker's (changed or finished elsewhere); nothing written.
    case gone
}
