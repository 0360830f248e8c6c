import Chunker
import JSON

/// A validated job line before it is made ready to store: its id, request and metadata.
public struct ParsedJob: Sendable, Equatable {
    /// The user's id for the job (`id`, or `custom_id` in Batch API lines).
    public var customID: String
    /// The request, with defaults filled in.
    public var request: JobRequest
    /// The line's `metadata` object, when given.
    public var metadata: JSONValue?
    /// embed: how the input is cut into chunks, each embedded on its own; nil: one vector
    /// for the whole input. Part of the request (a change re-queues the job).
    public var chunking: ChunkLimits?

    /// A parsed job.
    public init(customID: String, request: JobRequest, metadata: JSONValue?, chunking: ChunkLimits? = nil) {
        self.customID = customID
        self.request = request
        self.metadata = metadata
        self.chunking = chunking
    }
}

extension JobSpec {
    /// The spec to store for `job`: kind, model and dimensions from its request, and the
    /// request's canonical JSON and hash.
    public init(_ job: ParsedJob) {
        switch job.request {
        case .embed(_, let model, let dimensions):
            self.init(customID: job.customID, kind: .embed, model: model, dimensions: dimensions,
                      request: job.request.json(chunking: job.chunking), metadata: job.metadata)
        case .generate(_, let model, _, _):
            self.init(customID: job.customID, kind: .generate, model: model, dimensions: nil,
                      request: job.request.json, metadata: job.metadata)
        }
    }
}
