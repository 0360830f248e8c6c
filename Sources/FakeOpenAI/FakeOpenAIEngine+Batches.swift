import Foundation
import JSON
import NIOCore
import NIOFoundationCompat

extension FakeOpenAIEngine {
    static let batchEndpoints = ["/v1/responses", "/v1/chat/completions", "/v1/embeddings", "/v1/completions", "/v1/moderations",
                                 "/v1/images/generations", "/v1/images/edits", "/v1/videos"]

    /// Answers `POST /v1/batches`, `GET /v1/batches[/{id}]` and `POST /v1/batches/{id}/cancel`.
    func batches(_ request: FakeRequest) -> FakeHTTPResponse {
        let parts = request.path.split(separator: "/").map(String.init)  // ["v1", "batches", id?, "cancel"?]
        switch (request.method, parts.count) {
        case ("POST", 2): return createBatch(request.body)
        case ("GET", 2):
            let clock = batchClock()
            return store.withLock { store in
                let ids = store.batches.keys.sorted { Self.sequence($0) > Self.sequence($1) }
                for id in ids { advance(id, clock: clock, in: &store) }
                return Self.page(ids.compactMap { store.batches[$0].map(Self.batchObject) }, ids: ids, query: request.query,
                                 defaultLimit: 20, maxLimit: 100)
            }
        case ("GET", 3), ("POST", 4):
            guard parts.count == 3 || parts[3] == "cancel" else {
                return FakeErrorResponses.error(status: 404, message: "Invalid URL (\(request.method) \(request.path))",
                                                type: "invalid_request_error")
            }
            let id = parts[2]
            let clock = batchClock()
            return store.withLock { store in
                guard store.batches[id] != nil else {
                    return FakeErrorResponses.error(status: 404, message: "No batch found with id '\(id)'.",
                                                    type: "invalid_request_error", param: "batch_id")
                }
                advance(id, clock: clock, in: &store)
                if parts.count == 4 {
                    guard let batch = store.batches[id], !batch.isFinal, batch.status != "cancelling" else {
                        let status = store.batches[id]?.status ?? ""
                        return FakeErrorResponses.error(status: 409, message: "Cannot cancel a batch with status '\(status)'.",
                                                        type: "invalid_request_error")
                    }
                    store.batches[id]?.status = "cancelling"
                    store.batches[id]?.timestamps["cancelling_at"] = Self.unixNow()
                }
                return Self.json(Self.batchObject(store.batches[id]!))
            }
        default:
            return FakeErrorResponses.error(status: 404, message: "Invalid URL (\(request.method) \(request.path))",
                                            type: "invalid_request_error")
        }
    }

    /// Seconds on the batch clock: wall time plus what tests advanced it by.
    func batchClock() -> Double {
        Date().timeIntervalSince1970 + store.withLock { $0.batchClockOffset }
    }

    private func createBatch(_ body: ByteBuffer) -> FakeHTTPResponse {
        guard let value = body.withUnsafeReadableBytes({ try? JSONParser.parse($0) }) else { return Self.unparseableBody() }
        guard let fileID = value["input_file_id"]?.stringValue else {
            return FakeErrorResponses.error(status: 400, message: "Missing required parameter: 'input_file_id'.",
                                            type: "invalid_request_error", param: "input_file_id")
        }
        guard let endpoint = value["endpoint"]?.stringValue, Self.batchEndpoints.contains(endpoint) else {
            return FakeErrorResponses.error(
                status: 400, message: "Invalid 'endpoint': expected one of \(Self.batchEndpoints.joined(separator: ", ")).",
                type: "invalid_request_error", param: "endpoint")
        }
        guard value["completion_window"]?.stringValue == "24h" else {
            return FakeErrorResponses.error(status: 400, message: "Invalid 'completion_window': only '24h' is supported.",
                                            type: "invalid_request_error", param: "completion_window")
        }
        var metadata: [String: String] = [:]
        if case .object(let members)? = value["metadata"] {
            for (key, item) in members {
                guard let text = item.stringValue, key.count <= 64, text.count <= 512 else {
                    return FakeErrorResponses.error(status: 400, message: "Invalid 'metadata': keys at most 64 characters, string values at most 512.",
                                                    type: "invalid_request_error", param: "metadata")
                }
                metadata[key] = text
            }
            guard members.count <= 16 else {
                return FakeErrorResponses.error(status: 400, message: "Invalid 'metadata': at most 16 keys.",
                                                type: "invalid_request_error", param: "metadata")
            }
        }
        let clock = batchClock()
        return store.withLock { store in
            guard let file = store.files[fileID], file.purpose == "batch" else {
                return FakeErrorResponses.error(
                    status: 400, message: "Cannot find file \(fileID), or project does not have access to it.",
                    type: "invalid_request_error", param: "input_file_id")
            }
            store.nextObjectID += 1
            let now = Self.unixNow()
            var batch = FakeBatch(id: "batch_fake\(store.nextObjectID)", endpoint: endpoint, inputFileID: file.id, metadata: metadata,
                                  createdAt: now, createdClock: clock, expiresAt: now + 86_400)
            batch.outcome = store.batchOutcomes.isEmpty ? nil : store.batchOutcomes.removeFirst()
            store.batches[batch.id] = batch
            store.stats.batchesCreated += 1
            return Self.json(Self.batchObject(batch))
        }
    }

    /// Moves batch `id` along to where it is at `clock`: validation, lines run, expiry, cancellation.
    func advance(_ id: String, clock: Double, in store: inout Store) {
        guard var batch = store.batches[id], !batch.isFinal else { return }
        defer { store.batches[id] = batch }
        if batch.status == "validating" {
            validate(&batch, in: &store)
            if batch.isFinal { return }
        }
        if batch.status == "cancelling" {
            finish(&batch, status: "cancelled", in: &store)
            return
        }
        let elapsed = clock - batch.createdClock
        let seconds = options.batchCompletionSeconds
        let target = seconds <= 0 ? batch.lines.count : min(batch.lines.count, Int(Double(batch.lines.count) * max(0, elapsed) / seconds))
        if target > batch.done { batch.done = target }
        if batch.done == batch.lines.count {
            finish(&batch, status: "completed", in: &store)
        } else if elapsed >= 86_400 {
            finish(&batch, status: "expired", in: &store)
        }
    }

    private func validate(_ batch: inout FakeBatch, in store: inout Store) {
        func fail(_ errors: [FakeBatchError]) {
            batch.errors = errors
            batch.status = "failed"
            batch.timestamps["failed_at"] = Self.unixNow()
        }
        let content = store.files[batch.inputFileID]?.bytes ?? ByteBuffer()
        var lines: [FakeBatchLine] = []
        var seen: Set<String> = []
        var model: String?
        var errors: [FakeBatchError] = []
        let text = content.readableBytesView.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        for (offset, raw) in text.enumerated() where !raw.isEmpty {
            let number = offset + 1
            guard let line = try? JSONParser.parse(Array(raw)), let customID = line["custom_id"]?.stringValue,
                  let body = line["body"], case .object = body else {
                errors.append(FakeBatchError(code: "invalid_json_line", message: "This line is not parseable as valid JSON.", line: number))
                continue
            }
            if !seen.insert(customID).inserted {
                errors.append(FakeBatchError(
                    code: "duplicate_custom_id",
                    message: "The custom_id for this request is a duplicate of another request. The custom_id parameter must be unique for each request in a batch.",
                    line: number))
            }
            if line["method"]?.stringValue != "POST" {
                errors.append(FakeBatchError(code: "invalid_method", message: "The method must be POST.", line: number))
            }
            if line["url"]?.stringValue.map({ batch.endpoint.hasPrefix($0) || $0.hasPrefix(batch.endpoint) }) != true {
                errors.append(FakeBatchError(code: "url_mismatch",
                                             message: "The URL provided for this request does not prefix-match the batch endpoint.", line: number))
            }
            let lineModel = body["model"]?.stringValue
            if model == nil { model = lineModel }
            if lineModel != model {
                errors.append(FakeBatchError(code: "model_mismatch", message: "All requests in a batch must use the same model.", line: number))
            }
            let inputs = body["input"]?.arrayValue?.compactMap(\.stringValue) ?? body["input"]?.stringValue.map { [$0] } ?? []
            lines.append(FakeBatchLine(customID: customID, body: ByteBuffer(string: JSONWriter.canonical(body)), tokens: Self.promptTokens(of: body),
                                       inputs: inputs))
        }
        if lines.isEmpty, errors.isEmpty {
            errors.append(FakeBatchError(code: "empty_file", message: "The input file is empty.", line: nil))
        }
        if lines.count > 50_000 {
            errors.append(FakeBatchError(code: "too_many_tasks", message: "The batch has \(lines.count) requests; at most 50,000 are allowed.", line: nil))
        }
        batch.model = model
        batch.tokens = lines.reduce(0) { $0 + $1.tokens }
        if !errors.isEmpty { return fail(Array(errors.prefix(100))) }
        switch batch.outcome {
        case .validationFailure(let code, let message, let line)?:
            return fail([FakeBatchError(code: code, message: message, line: line)])
        case .tokenLimitExceeded?:
            return fail([Self.tokenLimitError(model: model ?? "", limit: options.enqueuedTokenLimit ?? batch.tokens)])
        default: break
        }
        if let limit = options.enqueuedTokenLimit {
            let enqueued = store.batches.values.filter { $0.id != batch.id && $0.model == model && ["in_progress", "finalizing"].contains($0.status) }
                .reduce(0) { $0 + $1.tokens }
            if enqueued + batch.tokens > limit { return fail([Self.tokenLimitError(model: model ?? "", limit: limit)]) }
        }
        var order = Array(lines.indices)
        var state = UInt64(Self.sequence(batch.id)) &* 0x9E37_79B9_7F4A_7C15 | 1
        for index in stride(from: order.count - 1, to: 0, by: -1) {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            order.swapAt(index, Int((state >> 33) % UInt64(index + 1)))
        }
        batch.lines = lines
        batch.order = order
        batch.status = "in_progress"
        batch.timestamps["in_progress_at"] = Self.unixNow()
    }

    private static func tokenLimitError(model: String, limit: Int) -> FakeBatchError {
        FakeBatchError(
            code: "token_limit_exceeded",
            message: "Enqueued token limit reached for \(model) in organization org-fake. Limit: \(limit) enqueued tokens. Please try again once some in_progress batches have been completed.",
            line: nil)
    }

    /// Runs the done lines and writes the output and error files.
    private func finish(_ batch: inout FakeBatch, status: String, in store: inout Store) {
        var output = ByteBuffer()
        var errors = ByteBuffer()
        var completed = 0
        var failed = 0
        var firstOutput: ByteBuffer?
        for (position, index) in batch.order.enumerated() {
            let line = batch.lines[index]
            store.nextObjectID += 1
            let lineID = "batch_req_fake\(store.nextObjectID)"
            var out = ByteBuffer()
            out.writeString("{\"id\":\"\(lineID)\",\"custom_id\":\(Self.jsonString(line.customID)),")
            guard position < batch.done else {
                // Cancelled lines that never ran appear in neither file.
                guard status == "expired" else { continue }
                out.writeString("\"response\":null,\"error\":{\"code\":\"batch_expired\",\"message\":\"This request could not be executed before the completion window expired.\"}}\n")
                errors.writeBuffer(&out)
                failed += 1
                continue
            }
            var response = runBatchLine(line.body, endpoint: batch.endpoint)
            if batch.endpoint == "/v1/embeddings" { store.batchEmbeddedInputs += line.inputs }
            out.writeString("\"response\":{\"status_code\":\(response.status),\"request_id\":\"req_fake\(lineID)\",\"body\":")
            out.writeBuffer(&response.body)
            out.writeString("},\"error\":null}\n")
            if response.status == 200 {
                if firstOutput == nil { firstOutput = out }
                output.writeBuffer(&out)
                completed += 1
            } else {
                errors.writeBuffer(&out)
                failed += 1
            }
        }
        switch batch.outcome {
        case .truncatedOutput?:
            if output.readableBytes > 10 { output.moveWriterIndex(to: output.writerIndex - min(40, output.readableBytes / 2)) }
        case .garbageOutputLine?: output.writeString("{\"id\": <<garbage>>\n")
        case .duplicatedOutputLine?: if var first = firstOutput { output.writeBuffer(&first) }
        case .unknownCustomID?:
            output.writeString("{\"id\":\"batch_req_x\",\"custom_id\":\"not-sent-by-anyone\",\"response\":{\"status_code\":200,\"request_id\":\"req_x\",\"body\":{}},\"error\":null}\n")
        default: break
        }
        if output.readableBytes > 0 { batch.outputFileID = storeGenerated(output, filename: "batch_\(batch.id)_output.jsonl", in: &store) }
        if errors.readableBytes > 0 { batch.errorFileID = storeGenerated(errors, filename: "batch_\(batch.id)_error.jsonl", in: &store) }
        batch.failedCount = failed
        batch.done = completed + failed
        batch.status = status
        batch.timestamps["\(status)_at"] = Self.unixNow()
        if status == "completed" { batch.timestamps["finalizing_at"] = Self.unixNow() }
        store.stats.batchLinesRun += batch.lines.count == 0 ? 0 : min(batch.done, batch.lines.count)
    }

    /// One input line's answer, as the synchronous endpoint would give it (no rate limits:
    /// the Batch API has its own pool).
    private func runBatchLine(_ body: ByteBuffer, endpoint: String) -> FakeHTTPResponse {
        if let marker = options.failBatchLinesContaining, String(buffer: body).contains(marker) {
            return FakeErrorResponses.error(status: 500, message: "The server had an error while processing your request. Sorry about that!",
                                            type: "server_error")
        }
        switch endpoint {
        case "/v1/embeddings": return embeddings(body, fromBatch: true)
        case "/v1/chat/completions": return chatCompletion(body, fromBatch: true)
        default: return FakeErrorResponses.error(status: 404, message: "Invalid URL (POST \(endpoint))", type: "invalid_request_error")
        }
    }

    private static func promptTokens(of body: JSONValue) -> Int {
        if let inputs = body["input"]?.arrayValue { return inputs.reduce(0) { $0 + FakeOpenAIServer.estimatedTokens($1.stringValue ?? "") } }
        if let input = body["input"]?.stringValue { return FakeOpenAIServer.estimatedTokens(input) }
        let messages = body["messages"]?.arrayValue ?? []
        return messages.reduce(3) { $0 + 4 + FakeOpenAIServer.estimatedTokens($1["content"]?.stringValue ?? "") }
    }

    static func sequence(_ id: String) -> Int { Int(id.drop { !$0.isNumber }) ?? 0 }

    static func batchObject(_ batch: FakeBatch) -> JSONValue {
        func time(_ key: String) -> JSONValue { batch.timestamps[key].map { .number(JSONNumber($0)) } ?? .null }
        let counted = batch.status != "validating" && !(batch.status == "failed" && batch.lines.isEmpty)
        let total = counted ? batch.lines.count : 0
        let completed = batch.isFinal ? batch.done - batch.failedCount : (counted ? batch.done : 0)
        var object: [String: JSONValue] = [
            "id": .string(batch.id), "object": .string("batch"), "endpoint": .string(batch.endpoint),
            "model": batch.model.map(JSONValue.string) ?? .null, "input_file_id": .string(batch.inputFileID),
            "completion_window": .string("24h"), "status": .string(batch.status),
            "output_file_id": batch.outputFileID.map(JSONValue.string) ?? .null,
            "error_file_id": batch.errorFileID.map(JSONValue.string) ?? .null,
            "created_at": .number(JSONNumber(batch.createdAt)), "expires_at": .number(JSONNumber(batch.expiresAt)),
            "request_counts": .object(["total": .number(JSONNumber(total)), "completed": .number(JSONNumber(completed)),
                                       "failed": .number(JSONNumber(batch.isFinal ? batch.failedCount : 0))]),
            "metadata": .object(batch.metadata.mapValues(JSONValue.string)),
            "errors": batch.errors.isEmpty ? .null : .object([
                "object": .string("list"),
                "data": .array(batch.errors.map { error in
                    .object(["code": .string(error.code), "message": .string(error.message),
                             "param": error.param.map(JSONValue.string) ?? .null,
                             "line": error.line.map { .number(JSONNumber($0)) } ?? .null])
                }),
            ]),
        ]
        for key in ["in_progress_at", "finalizing_at", "completed_at", "failed_at", "expired_at", "cancelling_at", "cancelled_at"] {
            object[key] = time(key)
        }
        return .object(object)
    }
}
