import Foundation
import Testing
@testable import JobQueue
@testable import SQLite
import TestSupport

/// Results are written with multi-row statements: every row of a batch that spans several
/// statements lands with its own text, span and vector, is logged for search and indexed
/// for reuse; a whole input replaces the chunk rows an earlier version left; the input a
/// worker passes is stored as the stored request's would be.
struct EmbeddingWriteTests {
    private static let owner = "test:1:write"

    private func vector(_ value: Float) -> [UInt8] { EmbeddingResult.littleEndianBytes([value, -value]) }

    private func result(_ job: ClaimedJob, value: Float, input: String? = nil) -> EmbeddingResult {
        var result = EmbeddingResult(jobID: job.id, requestHash: job.requestHash, model: "m", vector: vector(value), dimensions: 2,
                                     inputTokens: 3, reused: false)
        result.input = input
        return result
    }

    @Test func aBatchOfSeveralStatementsStoresEveryRowWithItsTextSpanAndVector() throws {
        let count = EmbeddingWriteStatements.rowsPerStatement * 2 + 13
        let inputs = (0..<count).map { "input \($0) — ünïcödé \(String(repeating: "🎉", count: $0 % 4))" }
        let queue = try QueueFixture(inputs.enumerated().map { #"{"id": "j\#($0)", "type": "embed", "input": "\#($1)"}"# + "\n" }.joined())
        let jobs = try queue.store.claim(kind: .embed, limit: count, owner: Self.owner, leaseSeconds: 60)
        #expect(jobs.count == count)
        // Half the results carry the input (as a worker's do), half leave it to the store.
        let written = try queue.store.complete(embeddings: jobs.enumerated().map { index, job in
            result(job, value: Float(index), input: index.isMultiple(of: 2) ? inputs[index] : nil)
        })
        #expect(written == count)
        let rows = try queue.store.db.rows("""
            SELECT j.custom_id, e.chunk, e.start, e.end, e.text, e.vector, e.input_tokens, e.job_hash = j.request_hash
            FROM embeddings e JOIN jobs j ON j.id = e.job_id ORDER BY e.job_id
            """)
        #expect(rows.count == count)
        for (index, row) in rows.enumerated() {
            #expect(row == [.text("j\(index)"), .integer(0), .integer(0), .integer(Int64(inputs[index].unicodeScalars.count)),
                            .text(inputs[index]), .blob(vector(Float(index))), .integer(3), .integer(1)])
        }
        #expect(try queue.store.db.scalarInt("SELECT count(*) FROM jobs WHERE status = 'succeeded'") == count)
        #expect(try queue.store.db.scalarInt("SELECT count(*) FROM search_changes WHERE removed = 0") == count)
        #expect(try queue.store.db.scalarInt("SELECT count(*) FROM vector_index_pending") == count)
        let found = try queue.store.storedVectors(forRequestHashes: jobs.map(\.requestHash))
        #expect(found.count == count)
        #expect(found[jobs[count - 1].requestHash]?.vector == vector(Float(count - 1)))
        try queue.store.mergeVectorIndex()
        #expect(try queue.openAnother().storedVector(forRequestHash: jobs[70].requestHash)?.vector == vector(70))
    }

    @Test func aWholeInputReplacesTheChunkRowsOfAnEarlierVersionAndLogsTheirRemoval() throws {
        let queue = try QueueFixture(#"{"id": "doc", "type": "embed", "input": "one two"}"# + "\n"
            + #"{"id": "other", "type": "embed", "input": "kept"}"# + "\n")
        var jobs = try queue.store.claim(kind: .embed, limit: 2, owner: Self.owner, leaseSeconds: 60)
        let doc = jobs[0]
        try queue.store.complete(embeddings: ["one ", "two"].enumerated().map { index, text in
            EmbeddingResult(jobID: doc.id, requestHash: doc.requestHash, model: "m", vector: vector(9)[...], dimensions: 2,
                            inputTokens: 1, reused: false,
                            chunk: EmbeddedChunk(index: index, start: index * 4, end: index * 4 + text.count, text: text,
                                                 inputHash: JobSpec.embedHash(input: text, model: doc.model, dimensions: doc.dimensions),
                                                 chunkCount: 2))
        } + [result(jobs[1], value: 4)])
        #expect(try queue.store.db.scalarInt("SELECT count(*) FROM embeddings") == 3)
        try queue.enqueue(#"{"id": "doc", "type": "embed", "input": "one two, unchunked"}"# + "\n")
        jobs = try queue.store.claim(kind: .embed, limit: 1, owner: Self.owner, leaseSeconds: 60)
        let before = try #require(try queue.store.db.scalarInt("SELECT count(*) FROM search_changes WHERE removed = 1"))
        #expect(try queue.store.complete(embeddings: [result(jobs[0], value: 7, input: "one two, unchunked")]) == 1)
        #expect(try queue.store.db.rows("SELECT j.custom_id, e.chunk, e.text FROM embeddings e JOIN jobs j ON j.id = e.job_id ORDER BY 1, 2")
            == [[.text("doc"), .integer(0), .text("one two, unchunked")], [.text("other"), .integer(0), .text("kept")]])
        #expect(try queue.store.db.scalarInt("SELECT count(*) FROM search_changes WHERE removed = 1") == before + 2,
                "both old chunks are logged as removed for search")
    }

    @Test func aResultForAJobThatFinishedMeanwhileWritesNothing() throws {
        let queue = try QueueFixture(#"{"id": "a", "type": "embed", "input": "alpha"}"# + "\n")
        let jobs = try queue.store.claim(kind: .embed, limit: 1, owner: Self.owner, leaseSeconds: 60)
        #expect(try queue.store.complete(embeddings: [result(jobs[0], value: 1)]) == 1)
        #expect(try queue.store.complete(embeddings: [result(jobs[0], value: 2)]) == 0)
        #expect(try queue.store.db.rows("SELECT vector FROM embeddings") == [[.blob(vector(1))]])
    }
}
