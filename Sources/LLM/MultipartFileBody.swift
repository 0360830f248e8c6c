import AsyncHTTPClient
import NIOCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A `multipart/form-data` body whose file part is read from disk chunk by chunk while it
/// is sent, so uploading a 200 MB batch input file never holds the file in memory. Each
/// attempt (a retry included) reads the file again from its start.
struct MultipartFileBody: Sendable {
    /// The form fields and the file part's headers, sent before the file.
    let head: ByteBuffer
    /// The closing boundary, sent after the file.
    let tail: ByteBuffer
    let path: String
    /// The file's size when the body was made; a file that changes meanwhile fails the upload.
    let fileBytes: Int
    let chunkSize: Int
    /// The `Content-Type` header naming the boundary.
    let contentType: String

    /// A body with `fields` (name, value) and then the file at `path` as part `file`.
    /// - Throws: ``LLMError`` `.connection` when the file cannot be read.
    init(path: String, filename: String, fields: [(name: String, value: String)], fileContentType: String,
         boundary: String = "llmq-\(UInt64.random(in: 0...UInt64.max))", chunkSize: Int = 1 << 20) throws(LLMError) {
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw LLMError(kind: .connection, detail: "cannot read \(path): \(String(cString: strerror(errno)))")
        }
        var head = ByteBuffer()
        for field in fields {
            head.writeString("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(field.name)\"\r\n\r\n\(field.value)\r\n")
        }
        head.writeString("--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"\(filename)\"\r\n")
        head.writeString("Content-Type: \(fileContentType)\r\n\r\n")
        self.head = head
        tail = ByteBuffer(string: "\r\n--\(boundary)--\r\n")
        self.path = path
        fileBytes = Int(info.st_size)
        self.chunkSize = max(1, chunkSize)
        contentType = "multipart/form-data; boundary=\(boundary)"
    }

    /// Bytes the body sends in all.
    var length: Int { head.readableBytes + fileBytes + tail.readableBytes }

    /// The body as AsyncHTTPClient streams it (with its length, so no chunked encoding).
    func requestBody() -> HTTPClientRequest.Body {
        .stream(Chunks(body: self), length: .known(Int64(length)))
    }

    /// The body's bytes: the head, the file in chunks of at most `chunkSize`, the tail.
    struct Chunks: AsyncSequence, Sendable {
        typealias Element = ByteBuffer
        let body: MultipartFileBody

        func makeAsyncIterator() -> Iterator { Iterator(body) }
    }

    /// Reads the file on demand; closes it when done or dropped.
    final class Iterator: AsyncIteratorProtocol {
        private enum Stage { case head, file, tail, done }
        private let body: MultipartFileBody
        private var stage = Stage.head
        private var fd: Int32 = -1
        private var sent = 0

        init(_ body: MultipartFileBody) { self.body = body }

        deinit { if fd >= 0 { close(fd) } }

        func next() async throws -> ByteBuffer? {
            switch stage {
            case .head:
                fd = open(body.path, O_RDONLY | O_CLOEXEC)
                guard fd >= 0 else {
                    throw FileOutput.Failure(message: "cannot read \(body.path): \(String(cString: strerror(errno)))")
                }
                stage = .file
                return body.head
            case .file:
                guard sent < body.fileBytes else {
                    stage = .tail
                    return try await next()
                }
                var chunk = ByteBuffer()
                let wanted = min(body.chunkSize, body.fileBytes - sent)
                let count = chunk.writeWithUnsafeMutableBytes(minimumWritableBytes: wanted) { raw in
                    var got = 0
                    while got < wanted {
                        let n = read(fd, raw.baseAddress! + got, wanted - got)
                        if n < 0, errno == EINTR { continue }
                        guard n > 0 else { break }
                        got += n
                    }
                    return got
                }
                guard count == wanted else {
                    throw FileOutput.Failure(
                        message: "\(body.path) changed while it was uploaded (\(sent + count) of \(body.fileBytes) bytes read)")
                }
                sent += count
                return chunk
            case .tail:
                stage = .done
                close(fd)
                fd = -1
                return body.tail
            case .done:
                return nil
            }
        }
    }
}
