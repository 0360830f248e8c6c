import AsyncHTTPClient
import Foundation
import JSON
import NIOCore

#if canImport(Glibc)
import Glibc
#endif

extension OpenAIProvider: BatchAPI {
    /// Uploads with `POST /files` (multipart: `purpose=batch`, then the file, streamed from
    /// disk: the file is never held in memory).
    /// - Throws: ``LLMError``; `.invalidRequest` with the API's words for a refused file
    ///   ("File is too large."), `.connection` when the local file cannot be read.
    public func uploadBatchFile(path: String, filename: String) async throws -> RemoteFile {
        let upload = try MultipartFileBody(path: path, filename: filename, fields: [("purpose", "batch")],
                                           fileContentType: "application/jsonl")
        let reply = try await send(OutgoingRequest(path: "/files", upload: upload, contentType: upload.contentType,
                                                   timeout: max(config.timeout, Duration.seconds(600))))
        return try reply.decode("the file object") { value throws(JSONFieldError) in try BatchWire.file(value) }
    }

    /// `POST /batches` with `completion_window: 24h`, sent once (never retried).
    public func createBatch(inputFileID: String, endpoint: String, metadata: [String: String]) async throws -> RemoteBatch {
        let body = BatchWire.createBatch(inputFileID: inputFileID, endpoint: endpoint, metadata: metadata)
        let reply = try await send(OutgoingRequest(path: "/batches", body: body), maxRetries: 0)
        return try reply.decode("the batch object") { value throws(JSONFieldError) in try BatchWire.batch(value) }
    }

    /// `GET /batches/{id}`.
    public func retrieveBatch(id: String) async throws -> RemoteBatch {
        let reply = try await send(OutgoingRequest(method: .GET, path: "/batches/\(Self.pathComponent(id))"))
        return try reply.decode("the batch object") { value throws(JSONFieldError) in try BatchWire.batch(value) }
    }

    /// `POST /batches/{id}/cancel`.
    public func cancelBatch(id: String) async throws -> RemoteBatch {
        let reply = try await send(OutgoingRequest(path: "/batches/\(Self.pathComponent(id))/cancel", body: ByteBuffer()))
        return try reply.decode("the batch object") { value throws(JSONFieldError) in try BatchWire.batch(value) }
    }

    /// `GET /batches?limit=N[&after=ID]`.
    public func listBatches(after: String?, limit: Int) async throws -> RemotePage<RemoteBatch> {
        var path = "/batches?limit=\(limit)"
        if let after { path += "&after=\(Self.pathComponent(after))" }
        let reply = try await send(OutgoingRequest(method: .GET, path: path))
        return try reply.decode("the list of batches") { value throws(JSONFieldError) in
            try BatchWire.page(value, id: \.id) { item, path throws(JSONFieldError) in try BatchWire.batch(item, path: path) }
        }
    }

    /// `GET /files?purpose=P&limit=N[&after=ID]`.
    public func listFiles(purpose: String, after: String?, limit: Int) async throws -> RemotePage<RemoteFile> {
        var path = "/files?purpose=\(Self.pathComponent(purpose))&limit=\(limit)"
        if let after { path += "&after=\(Self.pathComponent(after))" }
        let reply = try await send(OutgoingRequest(method: .GET, path: path))
        return try reply.decode("the list of files") { value throws(JSONFieldError) in
            try BatchWire.page(value, id: \.id) { item, path throws(JSONFieldError) in try BatchWire.file(item, path: path) }
        }
    }

    /// `GET /files/{id}/content`, streamed to `path`; a download cut off is retried from the start.
    public func downloadFile(id: String, to path: String) async throws -> Int {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw LLMError(kind: .connection, detail: "cannot create \(path): \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        _ = try await send(OutgoingRequest(method: .GET, path: "/files/\(Self.pathComponent(id))/content",
                                           timeout: max(config.timeout, Duration.seconds(1800))), download: fd)
        return Int(lseek(fd, 0, SEEK_END))
    }

    /// `DELETE /files/{id}`; a 404 (already gone) is fine.
    public func deleteFile(id: String) async throws {
        do {
            _ = try await send(OutgoingRequest(method: .DELETE, path: "/files/\(Self.pathComponent(id))"))
        } catch let error as LLMError where error.status == 404 {
            return
        }
    }

    /// `text` safe inside a URL path or query.
    static func pathComponent(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-_."))) ?? text
    }
}
