/// Which part of a job's input a vector was made from: one row of `embeddings`.
public struct EmbeddedChunk: Sendable, Equatable {
    /// `embeddings.chunk`: 0-based index of the chunk in its job.
    public var index: Int
    /// Span in the job's input, in Unicode code points (end exclusive).
    public var start: Int
    public var end: Int
    /// The chunk's text, exactly what was embedded.
    public var text: String
    /// SHA-256 of the embed request of `text` alone (`JobSpec.embedHash`): the key that
    /// finds this vector again for any chunk or job with the same (model, dimensions, text).
    public var inputHash: [UInt8]
    /// How many chunks the job's input has: the job is done once each of them has a row
    /// for its current request; rows of a higher index (left from an earlier version of
    /// the input) are then deleted.
    public var chunkCount: Int

    /// A chunk row to store.
    public init(index: Int, start: Int, end: Int, text: String, inputHash: [UInt8], chunkCount: Int) {
        self.index = index
        self.start = start
        self.end = end
        self.text = text
        self.inputHash = inputHash
        self.chunkCount = chunkCount
    }
}
