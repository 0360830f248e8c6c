import Chunker
import JSON

/// The defaults a job line falls back on, fixed at enqueue time.
public struct JobDefaults: Sendable {
    /// Model for embed jobs without `model`. Default `text-embedding-3-small`.
    public var embeddingModel: String
    /// Model for generate jobs without `model`. Default `gpt-4o-mini`.
    public var chatModel: String
    /// `dimensions` for embed jobs without one (nil: the model's native size).
    public var dimensions: Int?
    /// `max_tokens` for generate jobs without one. Default 1024.
    public var maxTokens: Int
    /// `temperature` for generate jobs without one. Default 0.7.
    public var temperature: Double
    /// Chunk limits for embed jobs without a `chunk` field (`--chunk-tokens`,
    /// `--chunk-overlap`); nil (the default): such jobs are not chunked.
    public var chunking: ChunkLimits?

    /// Defaults as DESIGN states them.
    public init(embeddingModel: String = ModelCatalog.defaultEmbeddingModel, chatModel: String = ModelCatalog.defaultChatModel,
                dimensions: Int? = nil, maxTokens: Int = 1024, temperature: Double = 0.7, chunking: ChunkLimits? = nil) {
        self.chunking = chunking
        self.embeddingModel = embeddingModel
        self.chatModel = chatModel
        self.dimensions = dimensions
        self.maxTokens = maxTokens
        self.temperature = temperature
    }
}

/// Why a job line was rejected; `description` is the text after `FILE:LINE: `.
public struct JobLineError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What is wrong with the line, naming the field.
    public var reason: String
    public var description: String { reason }
    init(_ reason: String) { self.reason = reason }
}

/// Turns one JSONL line into a `JobSpec`: the native format
/// (`{"id", "type": "embed"|"generate", …}`) or an OpenAI Batch API request line
/// (`{"custom_id", "method": "POST", "url", "body"}`), with every field checked.
public struct JobLineParser: Sendable {
    /// The defaults for fields a line leaves out.
    public var defaults: JobDefaults

    /// A parser with the given defaults.
    public init(defaults: JobDefaults = JobDefaults()) { self.defaults = defaults }

    /// Parses and validates one line (without its newline).
    /// - Throws: `JobLineError` saying what is wrong, naming the field.
    public func parse(_ line: UnsafeRawBufferPointer) throws(JobLineError) -> JobSpec {
        JobSpec(try parseJob(line))
    }

    /// Parses and validates one line (without its newline) into the job's request,
    /// without the canonical JSON and hash of a `JobSpec` (for counting, not storing).
    /// - Throws: `JobLineError` saying what is wrong, naming the field.
    public func parseJob(_ line: UnsafeRawBufferPointer) throws(JobLineError) -> ParsedJob {
        if let offset = firstInvalidUTF8Offset(line) {
            throw JobLineError("invalid UTF-8 at byte \(offset + 1)")
        }
        let value: JSONValue
        do {
            value = try JSONParser.parse(line)
        } catch {
            throw JobLineError(error.description)
        }
        guard case .object = value else {
            throw JobLineError("a job must be a JSON object, got \(value.typeDescription)")
        }
        if value["custom_id"] != nil || value["body"] != nil || value["url"] != nil {
            return try parseBatchLine(value)
        }
        return try parseNativeLine(value)
    }

    // MARK: Native format

    private func parseNativeLine(_ object: JSONValue) throws(JobLineError) -> ParsedJob {
        let id = try requiredID(object, field: "id")
        guard let typeValue = object["type"] else {
            throw JobLineError("missing \"type\" (expected \"embed\" or \"generate\")")
        }
        guard case .string(let type) = typeValue else {
            throw JobLineError("\"type\" must be a string, got \(typeValue.typeDescription)")
        }
        if type == "embed" || type == "generate", case .object(let members) = object,
           let unknown = members.first(where: { !JobLineFields.accepts($0.key, type: type) }) {
            throw JobLineError(JobLineFields.rejection(of: unknown.key, type: type))
        }
        let metadata = try optionalObject(object, "metadata")
        switch type {
        case "embed":
            let input = try requiredText(object, "input", kind: "an embed job")
            let model = try optionalString(object, "model") ?? defaults.embeddingModel
            let dimensions = try embedDimensions(try optionalInt(object, "dimensions"), model: model)
            let request = JobRequest.embed(input: input, model: model, dimensions: dimensions)
            return ParsedJob(customID: id, request: request, metadata: metadata, chunking: try chunkLimits(object) ?? defaults.chunking)
        case "generate":
            let prompt = try requiredText(object, "prompt", kind: "a generate job")
            let system = try optionalString(object, "system")
            let context = try optionalString(object, "context")
            let model = try optionalString(object, "model") ?? defaults.chatModel
            let maxTokens = try checkedMaxTokens(try optionalInt(object, "max_tokens"))
            let temperature = try checkedTemperature(try optionalDouble(object, "temperature"))
            var messages: [JobMessage] = []
            if let system { messages.append(JobMessage(role: "system", content: system)) }
            if let context { messages.append(JobMessage(role: "user", content: "Context:\n\(context)")) }
            messages.append(JobMessage(role: "user", content: prompt))
            let request = JobRequest.generate(messages: messages, model: model, maxTokens: maxTokens, temperature: temperature)
            return ParsedJob(customID: id, request: request, metadata: metadata)
        default:
            throw JobLineError("unknown \"type\" \"\(type)\" (expected \"embed\" or \"generate\")")
        }
    }

    // MARK: OpenAI Batch API format

    private static let embeddingBodyKeys: Set<String> = ["model", "input", "dimensions", "encoding_format", "user"]
    private static let chatBodyKeys: Set<String> = ["model", "messages", "max_tokens", "max_completion_tokens", "temperature", "user"]

    private func parseBatchLine(_ object: JSONValue) throws(JobLineError) -> ParsedJob {
        let id = try requiredID(object, field: "custom_id")
        let method = try optionalString(object, "method") ?? ""
        guard method == "POST" else {
            throw JobLineError("unsupported \"method\" \"\(method)\" (Batch API lines must use \"POST\")")
        }
        guard let url = try optionalString(object, "url") else {
            throw JobLineError("missing \"url\" (expected \"/v1/embeddings\" or \"/v1/chat/completions\")")
        }
        guard let body = object["body"] else { throw JobLineError("missing \"body\"") }
        guard case .object(let members) = body else {
            throw JobLineError("\"body\" must be an object, got \(body.typeDescription)")
        }
        let metadata = try optionalObject(object, "metadata")
        switch url {
        case "/v1/embeddings", "/embeddings":
            try rejectUnknownKeys(members, allowed: Self.embeddingBodyKeys)
            let input = try batchEmbeddingInput(body)
            let model = try optionalString(body, "model", prefix: "body.") ?? defaults.embeddingModel
            let dimensions = try embedDimensions(try optionalInt(body, "dimensions", prefix: "body."), model: model)
            let request = JobRequest.embed(input: input, model: model, dimensions: dimensions)
            return ParsedJob(customID: id, request: request, metadata: metadata, chunking: defaults.chunking)
        case "/v1/chat/completions", "/chat/completions":
            try rejectUnknownKeys(members, allowed: Self.chatBodyKeys)
            let messages = try batchMessages(body)
            let model = try optionalString(body, "model", prefix: "body.") ?? defaults.chatModel
            let completionTokens = try optionalInt(body, "max_completion_tokens", prefix: "body.")
            let legacyMaxTokens = try optionalInt(body, "max_tokens", prefix: "body.")
            let maxTokens = try checkedMaxTokens(completionTokens ?? legacyMaxTokens)
            let temperature = try checkedTemperature(try optionalDouble(body, "temperature", prefix: "body."))
            let request = JobRequest.generate(messages: messages, model: model, maxTokens: maxTokens, temperature: temperature)
            return ParsedJob(customID: id, request: request, metadata: metadata)
        default:
            throw JobLineError("unsupported \"url\" \"\(url)\" (expected \"/v1/embeddings\" or \"/v1/chat/completions\")")
        }
    }

    private func rejectUnknownKeys(_ members: [(key: String, value: JSONValue)], allowed: Set<String>) throws(JobLineError) {
        if let unknown = members.first(where: { !allowed.contains($0.key) }) {
            throw JobLineError("\"body.\(unknown.key)\" is not supported by llmq (supported: \(allowed.sorted().joined(separator: ", ")))")
        }
    }

    private func batchEmbeddingInput(_ body: JSONValue) throws(JobLineError) -> String {
        guard let input = body["input"] else { throw JobLineError("missing \"body.input\" for an embed job") }
        switch input {
        case .string(let text):
            guard !text.isEmpty else { throw JobLineError("\"body.input\" must not be empty") }
            return text
        case .array(let items):
            guard items.count == 1, case .string(let text) = items[0] else {
                throw JobLineError("\"body.input\" must be one string (llmq batches inputs itself: put one input per line), got an array of \(items.count)")
            }
            guard !text.isEmpty else { throw JobLineError("\"body.input\" must not be empty") }
            return text
        default:
            throw JobLineError("\"body.input\" must be a string, got \(input.typeDescription)")
        }
    }

    private func batchMessages(_ body: JSONValue) throws(JobLineError) -> [JobMessage] {
        guard let value = body["messages"] else { throw JobLineError("missing \"body.messages\" for a chat completion") }
        guard case .array(let items) = value, !items.isEmpty else {
            throw JobLineError("\"body.messages\" must be a non-empty array")
        }
        var messages: [JobMessage] = []
        for (index, item) in items.enumerated() {
            guard case .string(let role)? = item["role"], ["system", "developer", "user", "assistant"].contains(role) else {
                throw JobLineError("\"body.messages[\(index)].role\" must be \"system\", \"developer\", \"user\" or \"assistant\"")
            }
            guard case .string(let content)? = item["content"] else {
                throw JobLineError("\"body.messages[\(index)].content\" must be a string")
            }
            messages.append(JobMessage(role: role, content: content))
        }
        guard messages.contains(where: { $0.role == "user" && !$0.content.isEmpty }) else {
            throw JobLineError("\"body.messages\" needs a non-empty user message")
        }
        return messages
    }

    // MARK: Field helpers

    private static let chunkKeys: Set<String> = ["max_tokens", "overlap_tokens"]

    /// The line's `"chunk": {"max_tokens": N, "overlap_tokens": M}`, checked; nil when absent.
    private func chunkLimits(_ object: JSONValue) throws(JobLineError) -> ChunkLimits? {
        guard let value = object["chunk"], value != .null else { return nil }
        guard case .object(let members) = value else {
            throw JobLineError("\"chunk\" must be an object like {\"max_tokens\": 512, \"overlap_tokens\": 50}, got \(value.typeDescription)")
        }
        if let unknown = members.first(where: { !Self.chunkKeys.contains($0.key) }) {
            throw JobLineError("unknown field \"chunk.\(unknown.key)\" (\"chunk\" takes \"max_tokens\" and \"overlap_tokens\")")
        }
        guard let maxTokens = try optionalInt(value, "max_tokens", prefix: "chunk.") else {
            throw JobLineError("missing \"chunk.max_tokens\"")
        }
        let overlap = try optionalInt(value, "overlap_tokens", prefix: "chunk.") ?? 0
        do {
            return try ChunkLimits(maxTokens: maxTokens, overlapTokens: overlap)
        } catch {
            throw JobLineError("\"chunk.\(error.field.rawValue)\" \(error.rule)")
        }
    }

    private func requiredID(_ object: JSONValue, field: String) throws(JobLineError) -> String {
        guard let value = object[field] else { throw JobLineError("missing \"\(field)\"") }
        guard case .string(let id) = value else {
            throw JobLineError("\"\(field)\" must be a string, got \(value.typeDescription)")
        }
        guard !id.isEmpty else { throw JobLineError("\"\(field)\" must not be empty") }
        return id
    }

    private func requiredText(_ object: JSONValue, _ key: String, kind: String) throws(JobLineError) -> String {
        guard let text = try optionalString(object, key) else {
            throw JobLineError("missing \"\(key)\" for \(kind)")
        }
        guard !text.isEmpty else { throw JobLineError("\"\(key)\" must not be empty") }
        return text
    }

    private func optionalString(_ object: JSONValue, _ key: String, prefix: String = "") throws(JobLineError) -> String? {
        guard let value = object[key], value != .null else { return nil }
        guard case .string(let text) = value else {
            throw JobLineError("\"\(prefix)\(key)\" must be a string, got \(value.typeDescription)")
        }
        return text
    }

    private func optionalInt(_ object: JSONValue, _ key: String, prefix: String = "") throws(JobLineError) -> Int? {
        guard let value = object[key], value != .null else { return nil }
        guard case .number(let number) = value, let integer = number.integer, let result = Int(exactly: integer) else {
            throw JobLineError("\"\(prefix)\(key)\" must be an integer, got \(value.typeDescription)")
        }
        return result
    }

    private func optionalDouble(_ object: JSONValue, _ key: String, prefix: String = "") throws(JobLineError) -> Double? {
        guard let value = object[key], value != .null else { return nil }
        guard case .number(let number) = value else {
            throw JobLineError("\"\(prefix)\(key)\" must be a number, got \(value.typeDescription)")
        }
        return number.double
    }

    private func optionalObject(_ object: JSONValue, _ key: String) throws(JobLineError) -> JSONValue? {
        guard let value = object[key], value != .null else { return nil }
        guard case .object = value else {
            throw JobLineError("\"\(key)\" must be an object, got \(value.typeDescription)")
        }
        return value
    }

    private func embedDimensions(_ given: Int?, model: String) throws(JobLineError) -> Int? {
        let native = ModelCatalog.nativeDimensions(of: model)
        guard let requested = given ?? defaults.dimensions else { return native }
        if !ModelCatalog.acceptsDimensions(model), requested != native {
            throw JobLineError("\"dimensions\" is not supported by \(model) (only text-embedding-3 models take it)")
        }
        if let native {
            guard (1...native).contains(requested) else {
                throw JobLineError("\"dimensions\" must be between 1 and \(native) for \(model), got \(requested)")
            }
        } else if requested < 1 {
            throw JobLineError("\"dimensions\" must be at least 1, got \(requested)")
        }
        return requested
    }

    private func checkedMaxTokens(_ given: Int?) throws(JobLineError) -> Int {
        let value = given ?? defaults.maxTokens
        guard value >= 1 else { throw JobLineError("\"max_tokens\" must be at least 1, got \(value)") }
        return value
    }

    private func checkedTemperature(_ given: Double?) throws(JobLineError) -> Double {
        let value = given ?? defaults.temperature
        guard (0...2).contains(value) else {
            throw JobLineError("\"temperature\" must be between 0 and 2, got \(JSONWriter.canonical(.number(JSONNumber(value))))")
        }
        return value
    }
}
