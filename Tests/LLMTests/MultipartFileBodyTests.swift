import FakeOpenAI
import Foundation
@testable import LLM
import NIOCore
import Testing
import TestSupport

/// Uploads stream the file from disk in chunks: the multipart layout, the chunk bound and
/// a round trip of a file several chunks long.
struct MultipartFileBodyTests {
    /// Every chunk the body streams, in order.
    func chunks(_ body: MultipartFileBody) async throws -> [ByteBuffer] {
        var result: [ByteBuffer] = []
        for try await chunk in MultipartFileBody.Chunks(body: body) { result.append(chunk) }
        return result
    }

    @Test func theFileIsStreamedInBoundedChunksBetweenTheFieldsAndTheClosingBoundary() async throws {
        let dir = try TemporaryDirectory()
        let path = dir.path("in.jsonl")
        let content = String(repeating: "0123456789", count: 10) + "\n"  // 101 bytes
        try Data(content.utf8).write(to: URL(fileURLWithPath: path))
        let body = try MultipartFileBody(path: path, filename: "in.jsonl", fields: [("purpose", "batch")],
                                         fileContentType: "application/jsonl", boundary: "B", chunkSize: 16)
        let parts = try await chunks(body)
        #expect(parts.count == 2 + 7, "the head, 101 bytes in chunks of 16, the tail")
        #expect(parts.dropFirst().dropLast().allSatisfy { $0.readableBytes <= 16 })
        let whole = parts.map { String(buffer: $0) }.joined()
        #expect(whole == "--B\r\nContent-Disposition: form-data; name=\"purpose\"\r\n\r\nbatch\r\n"
            + "--B\r\nContent-Disposition: form-data; name=\"file\"; filename=\"in.jsonl\"\r\nContent-Type: application/jsonl\r\n\r\n"
            + content + "\r\n--B--\r\n")
        #expect(whole.utf8.count == body.length)
        #expect(body.contentType == "multipart/form-data; boundary=B")
        // Each attempt reads the file again from its start.
        #expect(try await chunks(body).map { String(buffer: $0) }.joined() == whole)
    }

    @Test func aMissingOrChangedFileIsReportedWithItsPath() async throws {
        let dir = try TemporaryDirectory()
        let missing = dir.path("missing.jsonl")
        #expect(throws: LLMError.self) {
            _ = try MultipartFileBody(path: missing, filename: "m.jsonl", fields: [], fileContentType: "application/jsonl")
        }
        do {
            _ = try MultipartFileBody(path: missing, filename: "m.jsonl", fields: [], fileContentType: "application/jsonl")
        } catch {
            #expect(error.description.contains("cannot read \(missing): No such file or directory"))
        }
        let path = dir.path("shrinks.jsonl")
        try Data(repeating: 0x61, count: 100).write(to: URL(fileURLWithPath: path))
        let body = try MultipartFileBody(path: path, filename: "s.jsonl", fields: [], fileContentType: "application/jsonl", chunkSize: 64)
        try Data(repeating: 0x61, count: 10).write(to: URL(fileURLWithPath: path))
        await #expect {
            _ = try await chunks(body)
        } throws: { error in
            (error as? FileOutput.Failure)?.message == "\(path) changed while it was uploaded (10 of 100 bytes read)"
        }
    }

    @Test func anUploadSeveralChunksLongArrivesByteForByte() async throws {
        try await withFakeProvider { fake in
            let dir = try TemporaryDirectory()
            let path = dir.path("big.jsonl")
            var text = ""
            var number = 0
            while text.utf8.count < 3 << 20 {
                text += #"{"custom_id":"l\#(number)","method":"POST","url":"/v1/embeddings","body":{"model":"text-embedding-3-small","input":["text \#(number)"]}}"# + "\n"
                number += 1
            }
            try Data(text.utf8).write(to: URL(fileURLWithPath: path))
            let file = try await fake.provider.uploadBatchFile(path: path, filename: "big.jsonl")
            #expect(file.bytes == text.utf8.count)
            #expect(fake.server.fileContents(file.id) == Array(text.utf8))
        }
    }
}
