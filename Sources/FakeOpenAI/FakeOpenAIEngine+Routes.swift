import Foundation
import JSON
import NIOCore
import NIOFoundationCompat

extension FakeOpenAIEngine {
    /// Answers `POST /v1/embeddings` with the real shapes and limits; `fromBatch`: a Batch
    /// API line, run without the per-minute limits and counted apart (the caller holds the lock);
    /// `azure`: an Azure route, whose deployment is the model and whose 429s are Azure's.
    func embeddings(_ body: ByteBuffer, fromBatch: Bool = false, azure: FakeAzureRoute? = nil) -> FakeHTTPResponse {
        guard let request = FakeWire.EmbeddingsRequest(body) else {
            return Self.unparseableBody()
        }
        guard let model = azure?.deployment ?? request.model, !model.isEmpty else { return Self.missingModel() }
        if let unknown = unknownModel(model) { return unknown }
        guard case .strings(let inputs)? = request.input, !inputs.isEmpty, inputs.count <= 2048,
            !inputs.contains(where: \.isEmpty)
        else {
            return FakeErrorResponses.invalidInput()
        }
        if let refusal = options.quirks.inputCapRefusal(count: inputs.count) { return refusal }
        let native = FakeOpenAIServer.nativeDimensions(of: model)
        let dimensions = options.quirks.ignoresDimensions ? native : request.dimensions ?? native
        guard (1...native).contains(dimensions) else {
            return FakeErrorResponses.error(
                status: 400, message: "This model does not support specifying dimensions of \(dimensions).",
                type: "invalid_request_error", param: "dimensions"
            )
        }
        var tokens = 0
        for input in inputs {
            let count = FakeOpenAIServer.estimatedTokens(input)
            if let marker = options.rejectInputsContaining, input.contains(marker) {
                let requested = max(8193, count)
                return FakeErrorResponses.error(
                    status: 400,
                    message: "This model's maximum context length is 8192 tokens, however you requested \(requested) "
                        + "tokens (\(requested) in your prompt; 0 for the completion). Please reduce your prompt; "
                        + "or completion length. (fake-openai: input contains the marker '\(marker)')",
                    type: "invalid_request_error"
                )
            }
            if let marker = options.failInputsContaining, input.contains(marker) {
                return FakeErrorResponses.error(
                    status: 500, message: "The server had an error while processing your request. Sorry about that! "
                        + "(fake-openai: input contains the marker '\(marker)')", type: "server_error"
                )
            }
            tokens += count
        }
        var headers: [(String, String)] = []
        if !fromBatch {
            switch admit(tokens: tokens, model: model) {
            case .failure(let rejection): return azure.map { Self.azureRateLimited(rejection, route: $0) } ?? rejection.response(model: model)
            case .success(let granted): headers = granted
            }
            store.withLock { $0.stats.embeddingInputs += inputs.count }
        }
        let encoding = options.forceEncoding ?? (request.encodingFormat == "base64" ? .base64 : .float)
        var out = ByteBuffer()
        out.reserveCapacity(inputs.count * (encoding == .base64 ? 8_300 : 16_000) + 256)
        out.writeString("{\"object\":\"list\",\"data\":[")
        let order = options.reverseEmbeddingOrder ? Array(inputs.indices.reversed()) : Array(inputs.indices)
        for (position, index) in order.enumerated() {
            if position > 0 { out.writeString(",") }
            out.writeString("{\"object\":\"embedding\",\"index\":\(index),\"embedding\":")
            let vector = FakeOpenAIServer.embedding(for: inputs[index], model: model, dimensions: dimensions)
            Self.write(vector, encoding: encoding, to: &out)
            out.writeString("}")
        }
        out.writeString("],\"model\":")
        out.writeString(Self.jsonString(model))
        let usage = options.quirks.usageInCharacters ? inputs.reduce(0) { $0 + $1.count } : tokens
        out.writeString(",\"usage\":{\"prompt_tokens\":\(usage),\"total_tokens\":\(usage)}}")
        return FakeHTTPResponse(status: 200, headers: [("content-type", "application/json")] + headers, body: out)
    }

    /// Answers `POST /v1/chat/completions` with a deterministic reply (`fromBatch`: without
    /// the per-minute limits; `azure`: as for ``embeddings(_:fromBatch:azure:)``).
    func chatCompletion(_ body: ByteBuffer, fromBatch: Bool = false, azure: FakeAzureRoute? = nil) -> FakeHTTPResponse {
        guard let request = FakeWire.ChatRequest(body) else {
            return Self.unparseableBody()
        }
        guard let model = azure?.deployment ?? request.model, !model.isEmpty else { return Self.missingModel() }
        if let unknown = unknownModel(model) { return unknown }
        guard let messages = request.messages, !messages.isEmpty else {
            return FakeErrorResponses.error(
                status: 400, message: "Invalid 'messages': empty array. Expected an array with minimum length 1, "
                    + "but got an empty array instead.", type: "invalid_request_error", param: "messages",
                code: "empty_array"
            )
        }
        if let temperature = request.temperature, !(0...2).contains(temperature) {
            return FakeErrorResponses.error(
                status: 400, message: "Invalid 'temperature': decimal above maximum value. Expected a value <= 2, "
                    + "but got \(temperature) instead.", type: "invalid_request_error", param: "temperature",
                code: "decimal_above_max_value"
            )
        }
        let maxTokens = request.maxCompletionTokens ?? request.maxTokens ?? 4096
        guard maxTokens >= 1 else {
            return FakeErrorResponses.error(
                status: 400, message: "Invalid 'max_tokens': integer below minimum value. Expected a value >= 1, "
                    + "but got \(maxTokens) instead.", type: "invalid_request_error", param: "max_tokens",
                code: "integer_below_min_value"
            )
        }
        let pairs = messages.map { (role: $0.role, content: $0.content ?? "") }
        let promptTokens = pairs.reduce(3) { $0 + 4 + FakeOpenAIServer.estimatedTokens($1.content) }
        var headers: [(String, String)] = []
        if !fromBatch {
            switch admit(tokens: promptTokens + maxTokens, model: model) {
            case .failure(let rejection): return azure.map { Self.azureRateLimited(rejection, route: $0) } ?? rejection.response(model: model)
            case .success(let granted): headers = granted
            }
        }
        let reply = FakeOpenAIServer.chatReply(messages: pairs, model: model, maxTokens: maxTokens)
        let response: JSONValue = .object([
            "id": .string("chatcmpl-fake"), "object": .string("chat.completion"),
            "created": .number(JSONNumber(Date().timeIntervalSince1970.rounded(.down))), "model": .string(model),
            "choices": .array([
                .object([
                    "index": .number(0),
                    "message": .object([
                        "role": .string("assistant"), "content": .string(reply.content), "refusal": .null,
                    ]),
                    "logprobs": .null, "finish_reason": .string(reply.finishReason),
                ])
            ]),
            "usage": .object([
                "prompt_tokens": .number(JSONNumber(promptTokens)),
                "completion_tokens": .number(JSONNumber(reply.completionTokens)),
                "total_tokens": .number(JSONNumber(promptTokens + reply.completionTokens)),
            ]),
        ])
        return FakeErrorResponses.json(response, status: 200, headers: headers)
    }

    /// OpenAI's 404 for a model the server does not serve (``FakeOpenAIOptions/knownModels``).
    func unknownModel(_ model: String) -> FakeHTTPResponse? {
        guard let known = options.knownModels, !known.contains(model) else { return nil }
        return FakeErrorResponses.error(
            status: 404, message: "The model `\(model)` does not exist or you do not have access to it.",
            type: "invalid_request_error", code: "model_not_found"
        )
    }

    static func missingModel() -> FakeHTTPResponse {
        FakeErrorResponses.error(status: 400, message: "you must provide a model parameter", type: "invalid_request_error")
    }

    static func unparseableBody() -> FakeHTTPResponse {
        FakeErrorResponses.error(
            status: 400,
            message: "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your "
                + "HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON.",
            type: "invalid_request_error"
        )
    }

    static func write(_ vector: [Float], encoding: FakeEmbeddingEncoding, to out: inout ByteBuffer) {
        switch encoding {
        case .base64:
            out.writeString("\"")
            let littleEndian = vector.map { Float(bitPattern: $0.bitPattern.littleEndian) }
            out.writeBytes(littleEndian.withUnsafeBytes { Data($0).base64EncodedData() })
            out.writeString("\"")
        case .float:
            out.writeString("[")
            for (index, value) in vector.enumerated() {
                if index > 0 { out.writeString(",") }
                out.writeString(value.description)
            }
            out.writeString("]")
        }
    }

    static func jsonString(_ text: String) -> String {
        var writer = JSONWriter(reserve: text.utf8.count + 2)
        writer.write(string: text)
        return writer.string
    }
}
