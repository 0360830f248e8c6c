import Chunker
import Crypto
import Testing
@testable import JobQueue

/// The signature that decides "unchanged" keeps the format databases already store.
struct FileSignatureTests {
    @Test func theSignatureIsTheSHA256OfTheDocumentedText() throws {
        let chunked = JobDefaults(embeddingModel: "text-embedding-3-small", chunking: try ChunkLimits(maxTokens: 512, overlapTokens: 64))
        let cases: [(bytes: Int, seconds: Int, nanoseconds: Int, defaults: JobDefaults, dimensions: Int?, text: String)] = [
            (0, 0, 0, JobDefaults(), nil, "0|0.0|text-embedding-3-small|-1|-"),
            (1234, 1_764_633_600, 987_654_321, chunked, 1536, "1234|1764633600.987654321|text-embedding-3-small|1536|512/64"),
            (Int.max, -1, 5, JobDefaults(embeddingModel: "m"), 7, "\(Int.max)|-1.5|m|7|-"),
        ]
        for item in cases {
            var signature = JobStore.FileSignature(model: item.defaults.embeddingModel, dimensions: item.dimensions, defaults: item.defaults)
            let entry = FolderEntry(folder: "a/", depth: 1, directory: "/docs/a", name: "b.md", bytes: item.bytes,
                                    modifiedSeconds: item.seconds, modifiedNanoseconds: item.nanoseconds)
            #expect(signature(entry).bytes == Array(SHA256.hash(data: Array(item.text.utf8))), "\(item.text)")
            #expect(entry.path == "/docs/a/b.md")
            #expect(entry.relativePath == "a/b.md")
        }
    }
}
