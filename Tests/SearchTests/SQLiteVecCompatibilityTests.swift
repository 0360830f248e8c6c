import Foundation
@testable import Search
import SQLite
import Testing

/// sqlite-vec's `vec_distance_cosine` over `embeddings.vector` (the README's query) ranks
/// exactly as `llmq search` does. Needs the `sqlite-vec` PyPI wheel (`pip install
/// sqlite-vec`), whose `vec0.so` is found through python3; skipped where it is absent.
struct SQLiteVecCompatibilityTests {
    /// `vec0.so` of the installed wheel, nil when python3 or the wheel is missing.
    static let extensionPath: String? = {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", "import sqlite_vec, sys; sys.stdout.write(sqlite_vec.loadable_path())"]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return nil }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { return nil }
        let path = String(decoding: data, as: UTF8.self) + ".so"
        return FileManager.default.fileExists(atPath: path) ? path : nil
    }()

    /// The README's query: the k nearest by cosine to the vector of `like`, ties by id.
    static let readmeQuery = """
        SELECT j.custom_id, 1 - vec_distance_cosine(e.vector, (SELECT vector FROM embeddings WHERE job_id =
                                                                (SELECT id FROM jobs WHERE custom_id = ?1))) AS score
        FROM embeddings e JOIN jobs j ON j.id = e.job_id
        WHERE e.model = ?2 AND e.dimensions = ?3 AND j.custom_id <> ?1
        ORDER BY score DESC, j.custom_id LIMIT ?4
        """

    @Test(.enabled(if: extensionPath != nil, "the sqlite-vec wheel is not installed (pip install sqlite-vec): sqlite-vec comparison skipped"))
    func sqliteVecGivesTheSameTopK() async throws {
        let fixture = try SearchFixture()
        var random = UnitVectors(seed: 21)
        for index in 0..<300 { try fixture.add("doc-\(index)", random.vector(1536), model: "text-embedding-3-small") }
        let connection = try Connection(path: fixture.path)
        try connection.loadExtension(try #require(Self.extensionPath))
        let kind = VectorKind(model: "text-embedding-3-small", dimensions: 1536)
        for like in ["doc-0", "doc-123", "doc-299"] {
            let rows = try connection.rows(Self.readmeQuery, .text(like), .text(kind.model), .integer(1536), .integer(10))
            let theirs = rows.compactMap { row -> String? in if case .text(let id) = row[0] { return id } else { return nil } }
            let key = try #require(try fixture.rows.job(customID: like)).id
            let vector = try #require(try fixture.rows.vector(of: VectorKey(jobID: key, chunk: 0))).vector
            let ours = try await fixture.search.search(vector, kind: kind, options: SearchOptions(k: 10, excluding: VectorKey(jobID: key, chunk: 0)))
            #expect(ours.map(\.text.customID) == theirs)
            for (hit, row) in zip(ours, rows) {
                if case .double(let score) = row[1] { #expect(abs(Double(hit.score) - score) < 1e-5) }
            }
        }
    }
}
