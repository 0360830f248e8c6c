import Crypto
import JSON

/// A validated job line, ready to store: its id, kind, model and the canonical request
/// that is fixed at enqueue time (and hashed, so re-enqueueing can tell a changed request).
public struct JobSpec: Sendable, Equatable {
    /// The user's id for the job (`id`, or `custom_id` in Batch API lines).
    public var customID: String
    /// embed or generate.
    public var kind: JobKind
    /// The model the request goes to.
    public var model: String
    /// embed: the vector size asked for (the model's native size when not given and
    /// known); nil for generate jobs and unknown models without `dimensions`.
    public var dimensions: Int?
    /// The canonical request JSON (sorted keys, no whitespace).
    public var request: String
    /// SHA-256 of `request`. For embed jobs this is also the key of "never pay twice":
    /// the same (model, dimensions, input) always has the same hash.
    public var requestHash: [UInt8]
    /// The line's `metadata` object as canonical JSON, when given.
    public var metadata: String?

    /// Builds a spec from its request; the hash is computed here.
    public init(customID: String, kind: JobKind, model: String, dimensions: Int?, request: JSONValue, metadata: JSONValue?) {
        self.customID = customID
        self.kind = kind
        self.model = model
        self.dimensions = dimensions
        (self.request, self.requestHash) = Self.canonical(request)
        self.metadata = metadata.map(JSONWriter.canonical)
    }

    /// The canonical JSON text of a request and its SHA-256: the one rule every request
    /// hash is made by.
    static func canonical(_ request: JSONValue) -> (text: String, hash: [UInt8]) {
        var writer = JSONWriter()
        writer.write(request)
        return (writer.string, Array(SHA256.hash(data: writer.bytes)))
    }

    /// The hash of embedding `input` alone with `model` and `dimensions`: the request hash
    /// of an unchunked embed job with that input, and the key a chunk's vector is stored
    /// and found by, so a text is never paid for twice whether it is a job or a chunk.
    public static func embedHash(input: String, model: String, dimensions: Int?) -> [UInt8] {
        JobRequest.embed(input: input, model: model, dimensions: dimensions).hash
    }
}
