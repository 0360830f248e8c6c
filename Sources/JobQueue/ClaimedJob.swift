import Chunker

/// A job a worker holds a lease on, with everything needed to send it. A chunked job is
/// sent as one copy per chunk, each with its `part`.
public struct ClaimedJob: Sendable, Equatable {
    /// `jobs.id`.
    public var id: Int64
    /// The user's id.
    public var customID: String
    /// embed or generate.
    public var kind: JobKind
    /// The model the request goes to.
    public var model: String
    /// embed: the vector size asked for (nil: the model's own).
    public var dimensions: Int?
    /// The stored request, decoded; nil when the stored text is not one llmq wrote.
    public var request: JobRequest?
    /// SHA-256 of the stored request: the result is only written while it still matches,
    /// so a request changed by a re-enqueue in the meantime is never given an old result.
    public var requestHash: [UInt8]
    /// Attempts already used (retryable failures in earlier claims).
    public var attempts: Int
    /// Token count stored for the input, when known.
    public var inputTokens: Int?
    /// Whether `inputTokens` is exact (else an upper bound).
    public var tokensExact: Bool
    /// Set by a worker that cut the input to the model's token limit before sending.
    public var inputTruncated = false
    /// embed: the request's chunk limits (nil: one vector for the whole input).
    public var chunking: ChunkLimits?
    /// Set by a worker on the copy of a chunked job that embeds one chunk: which chunk
    /// (`request` then holds the chunk's text).
    public var part: EmbeddedChunk?

    /// The key of "never pay twice" for what this job sends: the chunk's hash, else the
    /// request hash.
    public var inputHash: [UInt8] { part?.inputHash ?? requestHash }
}

extension ClaimedJob {
    /// The row that stores `vector` for what this copy sends (its chunk, else the whole
    /// input, spanned by `wholeRow` when given); `inputTokens` is its share of the usage
    /// the API charged.
    public func embeddingResult(model: String, vector: ArraySlice<UInt8>, dimensions: Int, inputTokens: Int?, reused: Bool,
                                truncated: Bool = false, wholeRow: EmbeddedChunk? = nil) -> EmbeddingResult {
        var result = EmbeddingResult(jobID: id, requestHash: requestHash, part: part, wholeRow: wholeRow,
                                     exactTokens: tokensExact ? self.inputTokens : nil, model: model, vector: vector,
                                     dimensions: dimensions, inputTokens: inputTokens, reused: reused, truncated: truncated)
        if result.chunk == nil, !inputTruncated, case .embed(let input, _, _)? = request { result.input = input }
        return result
    }

    /// The row that copies a vector stored before for the same (model, dimensions, text):
    /// never paying twice, in either run mode.
    public func reusedResult(_ stored: (model: String, dimensions: Int, vector: [UInt8])) -> EmbeddingResult {
        embeddingResult(model: stored.model, vector: stored.vector[...], dimensions: stored.dimensions, inputTokens: 0, reused: true)
    }
}
