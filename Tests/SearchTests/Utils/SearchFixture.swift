import Foundation
import JSON
import Synchronization
import JobQueue
@testable import Search
import SQLite
import TestSupport

/// A database with vectors written straight into `jobs` and `embeddings` (as a run would
/// leave them), its scan file, and the search over both; notes are recorded.
final class SearchFixture {
    let dir: TemporaryDirectory
    let path: String
    let store: JobStore
    private let recorded = NoteLog()

    init(blockBytes: Int = 64 << 10) throws {
        dir = try TemporaryDirectory()
        path = dir.path("q.sqlite")
        store = try JobStore(path: path)
        self.blockBytes = blockBytes
    }

    /// Vectors per block in the scan file: small, so tests see many blocks.
    var blockBytes: Int

    var rows: StoredVectors { StoredVectors(store) }
    var notes: [String] { recorded.lines }
    var scanPath: String { ScanFileStore.path(forDatabase: path) }

    var scanStore: ScanFileStore {
        var files = ScanFileStore(rows: rows, note: { [recorded] in recorded.append($0) })
        files.blockBytes = blockBytes
        return files
    }

    var search: VectorSearch { VectorSearch(store: scanStore) }

    /// Stores (or replaces) job `id`'s vector, as a succeeded embed job of `input`.
    @discardableResult
    func add(_ id: String, _ vector: [Float], model: String = "m", input: String? = nil) throws -> Int64 {
        let request = JobRequest.embed(input: input ?? "text of \(id)", model: model, dimensions: vector.count)
        let db = store.db
        try db.run("""
            INSERT INTO jobs (custom_id, kind, status, model, dimensions, request, request_hash, created_at, updated_at)
            VALUES (?1, 'embed', 'succeeded', ?2, ?3, ?4, ?5, 0, 0)
            ON CONFLICT (custom_id) DO UPDATE SET request = excluded.request, request_hash = excluded.request_hash
            """, .text(id), .text(model), .integer(Int64(vector.count)), .text(JSONWriter.canonical(request.json)), .blob(request.hash))
        let jobID = try requireValue(db.scalarInt("SELECT id FROM jobs WHERE custom_id = ?1", .text(id)))
        try db.run("""
            INSERT OR REPLACE INTO embeddings (job_id, chunk, start, end, text, model, dimensions, vector, input_hash, created_at, job_hash)
            VALUES (?1, 0, 0, length(?6), ?6, ?2, ?3, ?4, ?5, 0, ?5)
            """, .integer(Int64(jobID)), .text(model), .integer(Int64(vector.count)), .blob(littleEndian(vector)), .blob(request.hash),
            .text(input ?? "text of \(id)"))
        return Int64(jobID)
    }

    /// The hits' ids, best first.
    func ids(_ query: [Float], k: Int, model: String = "m", prefix: String? = nil, minScore: Float = -.infinity) async throws -> [String] {
        try await search.search(query, kind: VectorKind(model: model, dimensions: query.count),
                                options: SearchOptions(k: k, minScore: minScore, idPrefix: prefix)).map(\.text.customID)
    }
}

/// Notes told by the scan-file store, kept for the test to check.
final class NoteLog: Sendable {
    private let stored = Mutex<[String]>([])

    func append(_ line: String) { stored.withLock { $0.append(line) } }
    var lines: [String] { stored.withLock { $0 } }
}

struct MissingValue: Error {}

func requireValue<T>(_ value: T?) throws -> T {
    guard let value else { throw MissingValue() }
    return value
}

/// Floats as little-endian float32 bytes (the `embeddings.vector` layout).
func littleEndian(_ vector: [Float]) -> [UInt8] {
    var bytes: [UInt8] = []
    bytes.reserveCapacity(vector.count * 4)
    for value in vector { withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes.append(contentsOf: $0) } }
    return bytes
}

/// A seeded stream of unit vectors (and random numbers, for shuffling).
struct UnitVectors: RandomNumberGenerator {
    var source: SplitMix64

    init(seed: UInt64) { source = SplitMix64(seed: seed) }

    mutating func next() -> UInt64 { source.next() }

    mutating func vector(_ dimensions: Int) -> [Float] {
        var values = (0..<dimensions).map { _ in Float(Int32(truncatingIfNeeded: next() >> 32)) / 2_147_483_648 }
        let norm = values.reduce(0) { $0 + Double($1) * Double($1) }.squareRoot()
        for index in values.indices { values[index] = Float(Double(values[index]) / norm) }
        return values
    }
}

/// The exact top-k by brute force in double precision: best first, ties by id bytes.
func bruteForce(_ vectors: [(id: String, vector: [Float])], query: [Float], k: Int) -> [String] {
    let qNorm = query.reduce(0) { $0 + Double($1) * Double($1) }.squareRoot()
    let scored = vectors.map { item -> (String, Double) in
        let dot = zip(item.vector, query).reduce(0) { $0 + Double($1.0) * Double($1.1) }
        let norm = item.vector.reduce(0) { $0 + Double($1) * Double($1) }.squareRoot()
        return (item.id, dot / (norm * qNorm))
    }
    return scored.sorted { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0.utf8.lexicographicallyPrecedes($1.0.utf8) }.prefix(k).map(\.0)
}
