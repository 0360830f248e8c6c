import FakeOpenAI
import Foundation
import LLM
import Testing
import TestSupport

/// A download whose `Content-Encoding: gzip` body cannot be inflated: refused at once,
/// with an error that names the file and says what was wrong.
struct BatchDownloadInflationTests {
    /// Uploads a one-line file to `fake`, downloads it, and returns the error the download met.
    func downloadError(_ fake: FakeHarness) async throws -> LLMError {
        let dir = try TemporaryDirectory()
        let path = dir.path("in.jsonl")
        try Data(#"{"custom_id":"l0","method":"POST","url":"/v1/embeddings","body":{"model":"m","input":["x"]}}"#.utf8 + [10])
            .write(to: URL(fileURLWithPath: path))
        let file = try await fake.provider.uploadBatchFile(path: path, filename: "in.jsonl")
        let error = await captureLLMError { try await fake.provider.downloadFile(id: file.id, to: dir.path("out.jsonl")) }
        let refused = try #require(error)
        #expect(refused.description.contains("the compressed body of GET /files/\(file.id)/content could not be inflated"))
        return refused
    }

    @Test func aGzipDownloadPastTheInflationRatioIsRefusedAsADecompressionBomb() async throws {
        try await withFakeProvider(server: FakeOpenAIOptions(gzipFileContentFault: .bomb(inflatedBytes: 8 << 20))) { fake in
            let error = try await downloadError(fake)
            #expect(error.kind == .unparseableResponse)
            #expect(error.description.contains(
                "it inflates to more than 100 bytes per compressed byte, the limit that keeps a decompression bomb out"))
            #expect(error.retries == 0 && fake.sleeper.delays.isEmpty, "the same bytes would come again: not retried")
        }
    }

    @Test func aCorruptGzipDownloadIsRefusedNamingTheInflaterError() async throws {
        try await withFakeProvider(server: FakeOpenAIOptions(gzipFileContentFault: .corrupt)) { fake in
            let error = try await downloadError(fake)
            #expect(error.kind == .unparseableResponse)
            #expect(error.description.contains("its compressed data is invalid (inflationError("), "\(error)")
            #expect(error.retries == 0)
        }
    }
}
