import Chunker
import JSON

/// A chat message as sent to the API: exactly a role and its content.
public struct JobMessage: Sendable, Equatable {
    /// `system`, `developer`, `user` or `assistant`.
    public var role: String
    /// The message text.
    public var content: String

    /// A message with the given role and text.
    public init(role: String, content: String) {
        self.role = role
        self.content = content
    }
}

/// A job's request as stored in `jobs.request`, decoded for sending.
public enum JobRequest: Sendable, Equatable {
    /// Embed one input.
    case embed(input: String, model: String, dimensions: Int?)
    /// One chat completion. `messages` has no system message when the job gave none,
    /// so a run's `--system-prompt` can be put in front.
    case generate(messages: [JobMessage], model: String, maxTokens: Int, temperature: Double)

    /// The canonical JSON value stored for this request. Members are built in key order,
    /// so the canonical writer has nothing to sort.
    public var json: JSONValue {
        switch self {
        case .embed(let input, let model, let dimensions):
            var members: [(key: String, value: JSONValue)] = []
            members.reserveCapacity(5)
            if let dimensions { members.append(("dimensions", .number(JSONNumber(Int64(dimensions))))) }
            members.append(contentsOf: [("input", .string(input)), ("kind", .string("embed")), ("model", .string(model))])
            return .object(members)
        case .generate(let messages, let model, let maxTokens, let temperature):
            return .object([
                ("kind", .string("generate")), ("max_tokens", .number(JSONNumber(Int64(maxTokens)))),
                ("messages", .array(messages.map { .object([("content", .string($0.content)), ("role", .string($0.role))]) })),
                ("model", .string(model)), ("temperature", .number(JSONNumber(temperature))),
            ])
        }
    }

    /// The request's hash, as stored in `jobs.request_hash`: for an embed request the key
    /// of "never pay twice" (the same model, dimensions and input always hash alike).
    public var hash: [UInt8] { JobSpec.canonical(json).hash }

    /// The canonical JSON value stored for this request with `chunking` (an embed job's
    /// `"chunk": {"max_tokens", "overlap_tokens"}` member; none when nil).
    public func json(chunking: ChunkLimits?) -> JSONValue {
        guard let chunking, case .object(var members) = json else { return json }
        members.insert(("chunk", .object([
            ("max_tokens", .number(JSONNumber(Int64(chunking.maxTokens)))),
            ("overlap_tokens", .number(JSONNumber(Int64(chunking.overlapTokens)))),
        ])), at: 0)  // first in key order
        return .object(members)
    }

    /// The chunk limits of a stored request (its `"chunk"` member), nil when it has none
    /// or they are not ones llmq wrote.
    public static func chunking(ofStored value: JSONValue) -> ChunkLimits? {
        guard let chunk = value["chunk"], case .number(let maxTokens)? = chunk["max_tokens"], let max = maxTokens.integer else { return nil }
        var overlap: Int64 = 0
        if case .number(let value)? = chunk["overlap_tokens"], let given = value.integer { overlap = given }
        return try? ChunkLimits(maxTokens: Int(max), overlapTokens: Int(overlap))
    }

    /// A stored request and its chunk limits, decoded as `init?(stored:)` and
    /// `chunking(ofStored:)` decode the parsed text, but read straight from the text's UTF-8
    /// bytes for an embed request (the claim decodes every job it hands out; a `JSONValue`
    /// tree per job was most of that). Anything else, or anything unusual, goes the parsed way.
    public static func decodeStored(utf8 bytes: UnsafeRawBufferPointer) -> (request: JobRequest?, chunking: ChunkLimits?) {
        if let embed = try? decodeStoredEmbed(bytes) { return embed }
        let stored = try? JSONParser.parse(bytes)
        return (stored.flatMap(JobRequest.init(stored:)), stored.flatMap(chunking(ofStored:)))
    }

    /// The fast path of ``decodeStored(utf8:)``: an embed request of only the members llmq
    /// writes, each once; else nil (or a throw) for the parsed way to decide.
    private static func decodeStoredEmbed(_ bytes: UnsafeRawBufferPointer) throws -> (request: JobRequest?, chunking: ChunkLimits?)? {
        var cursor = JSONCursor(bytes)
        var kind: String?, model: String?, input: String?, dimensions: Int?
        var chunk: (max: Int?, overlap: Int?)?
        var plain = true
        try cursor.object { cursor, key throws(JSONSyntaxError) in
            guard plain else { return try cursor.skipValue() }
            switch key {
            case "kind" where kind == nil: kind = try cursor.string()
            case "model" where model == nil: model = try cursor.string()
            case "input" where input == nil: input = try cursor.string()
            case "dimensions" where dimensions == nil: dimensions = try cursor.integer()
            case "chunk" where chunk == nil:
                var limits: (max: Int?, overlap: Int?) = (nil, nil)
                try cursor.object { cursor, key throws(JSONSyntaxError) in
                    switch key {
                    case "max_tokens" where limits.max == nil: limits.max = try cursor.integer()
                    case "overlap_tokens" where limits.overlap == nil: limits.overlap = try cursor.integer()
                    default:
                        plain = false
                        try cursor.skipValue()
                    }
                }
                chunk = limits
            default:
                plain = false
                try cursor.skipValue()
            }
        }
        try cursor.end()
        guard plain, kind == "embed", let model, let input else { return nil }
        let chunking = chunk.flatMap { limits in
            limits.max.flatMap { try? ChunkLimits(maxTokens: $0, overlapTokens: limits.overlap ?? 0) }
        }
        return (.embed(input: input, model: model, dimensions: dimensions), chunking)
    }

    /// Decodes a stored request. Returns nil when the text is not a request llmq wrote
    /// (the caller fails that job with a clear message instead of crashing).
    public init?(storedJSON text: String) {
        guard let request = Array(text.utf8).withUnsafeBytes({ Self.decodeStored(utf8: $0).request }) else { return nil }
        self = request
    }

    /// Decodes a stored request's parsed JSON (see `init?(storedJSON:)`).
    public init?(stored value: JSONValue) {
        guard case .string(let kind)? = value["kind"], case .string(let model)? = value["model"] else { return nil }
        switch kind {
        case "embed":
            guard case .string(let input)? = value["input"] else { return nil }
            var dimensions: Int?
            if case .number(let n)? = value["dimensions"], let d = n.integer { dimensions = Int(d) }
            self = .embed(input: input, model: model, dimensions: dimensions)
        case "generate":
            guard case .array(let list)? = value["messages"], case .number(let maxTokens)? = value["max_tokens"],
                  let maxTokensValue = maxTokens.integer, case .number(let temperature)? = value["temperature"] else { return nil }
            var messages: [JobMessage] = []
            for item in list {
                guard case .string(let role)? = item["role"], case .string(let content)? = item["content"] else { return nil }
                messages.append(JobMessage(role: role, content: content))
            }
            self = .generate(messages: messages, model: model, maxTokens: Int(maxTokensValue), temperature: temperature.double)
        default:
            return nil
        }
    }
}
