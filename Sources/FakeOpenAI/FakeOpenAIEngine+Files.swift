import Foundation
import JSON
import NIOCore
import NIOFoundationCompat

extension FakeOpenAIEngine {
    /// Answers `POST /v1/files`, `GET /v1/files[/{id}[/content]]` and `DELETE /v1/files/{id}`.
    func files(_ request: FakeRequest) -> FakeHTTPResponse {
        let parts = request.path.split(separator: "/").map(String.init)  // ["v1", "files", id?, "content"?]
        switch (request.method, parts.count) {
        case ("POST", 2): return uploadFile(request)
        case ("GET", 2): return listFiles(request)
        case ("GET", 3), ("DELETE", 3), ("GET", 4):
            guard parts.count == 3 || parts[3] == "content" else {
                return FakeErrorResponses.error(status: 404, message: "Invalid URL (\(request.method) \(request.path))",
                                                type: "invalid_request_error")
            }
            let id = parts[2]
            return store.withLock { store -> FakeHTTPResponse in
                guard let file = store.files[id] else {
                    return FakeErrorResponses.error(status: 404, message: "No such File object: \(id)",
                                                    type: "invalid_request_error", param: "id")
                }
                if request.method == "DELETE" {
                    store.files[id] = nil
                    store.stats.filesDeleted += 1
                    return Self.json(.object(["id": .string(id), "object": .string("file"), "deleted": .bool(true)]))
                }
                if parts.count == 4 {
                    if let gzip = options.gzipFileContentFault?.body ?? (options.gzipFileContent ? FakeGzip.stored(file.bytes) : nil) {
                        return FakeHTTPResponse(status: 200, headers: [("content-type", "application/octet-stream"),
                                                                       ("content-encoding", "gzip")],
                                                body: gzip)
                    }
                    return FakeHTTPResponse(status: 200, headers: [("content-type", "application/octet-stream")], body: file.bytes)
                }
                return Self.json(Self.fileObject(file))
            }
        default:
            return FakeErrorResponses.error(status: 404, message: "Invalid URL (\(request.method) \(request.path))",
                                            type: "invalid_request_error")
        }
    }

    private func uploadFile(_ request: FakeRequest) -> FakeHTTPResponse {
        guard let parts = FakeMultipart.parse(request.body, contentType: request.headers["content-type"]) else {
            return FakeErrorResponses.error(status: 400, message: "Expected a multipart/form-data body with 'file' and 'purpose'.",
                                            type: "invalid_request_error")
        }
        guard let filePart = parts.first(where: { $0.name == "file" }) else {
            return FakeErrorResponses.error(status: 400, message: "Missing required parameter: 'file'.",
                                            type: "invalid_request_error", param: "file", code: "missing_required_parameter")
        }
        let purpose = parts.first(where: { $0.name == "purpose" }).map { String(buffer: $0.body) } ?? ""
        guard ["assistants", "batch", "fine-tune", "vision", "user_data", "evals"].contains(purpose) else {
            return FakeErrorResponses.error(
                status: 400, message: "'\(purpose)' is not one of ['assistants', 'batch', 'fine-tune', 'vision', 'user_data', 'evals'] - 'purpose'",
                type: "invalid_request_error", param: "purpose")
        }
        let filename = filePart.filename ?? "file"
        if purpose == "batch" {
            guard filename.hasSuffix(".jsonl") else {
                return FakeErrorResponses.error(status: 400, message: "Invalid file format for Batch API. Must be .jsonl",
                                                type: "invalid_request_error", param: "file")
            }
            guard filePart.body.readableBytes <= options.maxBatchFileBytes else {
                return FakeErrorResponses.error(status: 400, message: "File is too large.", type: "invalid_request_error",
                                                param: "file")
            }
        }
        let file = store.withLock { store -> FakeFile in
            store.nextObjectID += 1
            let file = FakeFile(id: "file-fake\(store.nextObjectID)", filename: filename, purpose: purpose, bytes: filePart.body,
                                createdAt: Self.unixNow())
            store.files[file.id] = file
            store.stats.filesUploaded += 1
            return file
        }
        return Self.json(Self.fileObject(file))
    }

    private func listFiles(_ request: FakeRequest) -> FakeHTTPResponse {
        let files = store.withLock { store in
            store.files.values.filter { request.query["purpose"] == nil || $0.purpose == request.query["purpose"] }
        }
        let sorted = files.sorted { ($0.createdAt, $0.id.count, $0.id) > ($1.createdAt, $1.id.count, $1.id) }
        return Self.page(sorted.map(Self.fileObject), ids: sorted.map(\.id), query: request.query, defaultLimit: 10_000,
                         maxLimit: 10_000)
    }

    /// A stored output or error file made by a batch.
    func storeGenerated(_ bytes: ByteBuffer, filename: String, in store: inout Store) -> String {
        store.nextObjectID += 1
        let file = FakeFile(id: "file-fake\(store.nextObjectID)", filename: filename, purpose: "batch_output", bytes: bytes,
                            createdAt: Self.unixNow())
        store.files[file.id] = file
        return file.id
    }

    static func fileObject(_ file: FakeFile) -> JSONValue {
        .object([
            "id": .string(file.id), "object": .string("file"), "bytes": .number(JSONNumber(file.bytes.readableBytes)),
            "created_at": .number(JSONNumber(file.createdAt)), "expires_at": .number(JSONNumber(file.createdAt + 2_592_000)),
            "filename": .string(file.filename), "purpose": .string(file.purpose), "status": .string("processed"),
            "status_details": .null,
        ])
    }

    /// One cursor page of a list (`after`, `limit`), newest first as given.
    static func page(_ items: [JSONValue], ids: [String], query: [String: String], defaultLimit: Int, maxLimit: Int) -> FakeHTTPResponse {
        let limit = query["limit"].flatMap(Int.init) ?? defaultLimit
        guard (1...maxLimit).contains(limit) else {
            return FakeErrorResponses.error(status: 400, message: "Invalid 'limit': expected a value between 1 and \(maxLimit).",
                                            type: "invalid_request_error", param: "limit")
        }
        var start = 0
        if let after = query["after"] {
            guard let index = ids.firstIndex(of: after) else {
                return FakeErrorResponses.error(status: 400, message: "No such object: \(after)", type: "invalid_request_error",
                                                param: "after")
            }
            start = index + 1
        }
        let end = min(ids.count, start + limit)
        let slice = start < end ? Array(items[start..<end]) : []
        let first = start < end ? JSONValue.string(ids[start]) : .null
        let last = start < end ? JSONValue.string(ids[end - 1]) : .null
        return json(.object(["object": .string("list"), "data": .array(slice), "first_id": first, "last_id": last,
                             "has_more": .bool(end < ids.count)]))
    }

    static func json(_ value: JSONValue, status: Int = 200) -> FakeHTTPResponse {
        FakeErrorResponses.json(value, status: status)
    }

    static func unixNow() -> Int { Int(Date().timeIntervalSince1970) }
}
