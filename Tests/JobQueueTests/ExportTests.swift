import Foundation
import Testing
@testable import JobQueue
@testable import SQLite
import TestSupport

struct ExportTests {
    static let embedLine = #"{"custom_id":"e1","kind":"embed","status":"succeeded","model":"text-embedding-3-small","attempts":0,"dimensions":3,"embedding":[0.1,-1e-08,3.4028235e+38],"usage":{"input_tokens":1},"error":null,"metadata":{"n":1,"source":"a.txt"}}"#
    static let generateLine = #"{"custom_id":"g1","kind":"generate","status":"succeeded","model":"gpt-4o-mini-2024-07-18","attempts":0,"content":"Hello.","refusal":null,"finish_reason":"stop","usage":{"input_tokens":9,"output_tokens":2},"error":null}"#
    static let refusalLine = #"{"custom_id":"g2","kind":"generate","status":"succeeded","model":"gpt-4o-mini-2024-07-18","attempts":0,"content":null,"refusal":"I can't help with that.","finish_reason":"stop","usage":{"input_tokens":9,"output_tokens":2},"error":null}"#
    static let failedLine = #"{"custom_id":"f1","kind":"embed","status":"failed","model":"text-embedding-3-small","attempts":1,"error":"400 bad input"}"#
    static let pendingLine = #"{"custom_id":"p1","kind":"embed","status":"pending","model":"text-embedding-3-small","attempts":0,"error":null}"#

    @Test func jsonlWritesEveryJobWithItsResultInIDOrder() throws {
        let dir = try TemporaryDirectory()
        let store = try exportFixture(in: dir)
        let lines = try exportLines(store)
        #expect(lines == [Self.embedLine, Self.generateLine, Self.refusalLine, Self.failedLine, Self.pendingLine])
    }

    @Test func jsonlFloatsParseBackToTheIdenticalBits() throws {
        let dir = try TemporaryDirectory()
        let store = try exportFixture(in: dir)
        let line = try #require(try exportLines(store, status: .succeeded)?.first)
        let floats = try #require(embeddingFloats(in: line))
        #expect(floats.map(\.bitPattern) == awkwardFloats.map(\.bitPattern))
    }

    @Test func openAIBatchWritesTheBatchOutputShape() throws {
        let dir = try TemporaryDirectory()
        let store = try exportFixture(in: dir)
        let lines = try exportLines(store, format: .openAIBatch)
        #expect(lines == [
            #"{"id":"batch_req_1","custom_id":"e1","response":{"status_code":200,"request_id":null,"body":{"object":"list","data":[{"object":"embedding","index":0,"embedding":[0.1,-1e-08,3.4028235e+38]}],"model":"text-embedding-3-small","usage":{"prompt_tokens":1,"total_tokens":1}}},"error":null}"#,
            #"{"id":"batch_req_2","custom_id":"g1","response":{"status_code":200,"request_id":null,"body":{"id":"chatcmpl-llmq-2","object":"chat.completion","created":1700000000,"model":"gpt-4o-mini-2024-07-18","choices":[{"index":0,"message":{"role":"assistant","content":"Hello.","refusal":null},"logprobs":null,"finish_reason":"stop"}],"usage":{"prompt_tokens":9,"completion_tokens":2,"total_tokens":11}}},"error":null}"#,
            #"{"id":"batch_req_3","custom_id":"g2","response":{"status_code":200,"request_id":null,"body":{"id":"chatcmpl-llmq-3","object":"chat.completion","created":1700000000,"model":"gpt-4o-mini-2024-07-18","choices":[{"index":0,"message":{"role":"assistant","content":null,"refusal":"I can't help with that."},"logprobs":null,"finish_reason":"stop"}],"usage":{"prompt_tokens":9,"completion_tokens":2,"total_tokens":11}}},"error":null}"#,
            #"{"id":"batch_req_4","custom_id":"f1","response":null,"error":{"code":"job_failed","message":"400 bad input"}}"#,
        ])
    }

    @Test func openAIBatchLinesAreValidJSONObjects() throws {
        let dir = try TemporaryDirectory()
        let store = try exportFixture(in: dir)
        for line in try #require(try exportLines(store, format: .openAIBatch)) {
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            #expect(object?["custom_id"] is String)
        }
    }

    @Test func openAIBatchWritesUnfinishedJobsOnlyWhenTheirStatusIsAskedFor() throws {
        let dir = try TemporaryDirectory()
        let store = try exportFixture(in: dir)
        #expect(try exportLines(store, format: .openAIBatch, status: .pending) == [
            #"{"id":"batch_req_5","custom_id":"p1","response":null,"error":{"code":"not_finished","message":"the job is pending"}}"#,
        ])
    }

    @Test func kindAndStatusFilterTheJobs() throws {
        let dir = try TemporaryDirectory()
        let store = try exportFixture(in: dir)
        #expect(try exportLines(store, kind: .generate) == [Self.generateLine, Self.refusalLine])
        #expect(try exportLines(store, kind: .embed) == [Self.embedLine, Self.failedLine, Self.pendingLine])
        #expect(try exportLines(store, status: .failed) == [Self.failedLine])
        #expect(try exportLines(store, kind: .generate, status: .failed) == [])
        #expect(try exportLines(store, format: .openAIBatch, kind: .embed, status: .succeeded)?.count == 1)
    }

    @Test func orderFollowsJobIDsNotCustomIDsAndRepeats() throws {
        let dir = try TemporaryDirectory()
        let store = try JobStore(path: dir.path("q.sqlite"))
        _ = try enqueueText("""
            {"id": "zeta", "type": "embed", "input": "1"}
            {"id": "alpha", "type": "generate", "prompt": "2"}
            {"id": "mu", "type": "embed", "input": "3"}

            """, into: store)
        let first = try exportLines(store)
        #expect(first?.map { $0.split(separator: "\"")[3] } == ["zeta", "alpha", "mu"])
        #expect(try exportLines(store) == first)
    }

    @Test func aJobSentBackToPendingExportsNoStaleResult() throws {
        let dir = try TemporaryDirectory()
        let store = try exportFixture(in: dir)
        _ = try store.retry(customIDs: ["e1"], failedOnly: false)
        let line = try #require(try exportLines(store)?.first)
        #expect(line == #"{"custom_id":"e1","kind":"embed","status":"pending","model":"text-embedding-3-small","attempts":0,"error":null,"metadata":{"n":1,"source":"a.txt"}}"#)
    }

    @Test func everyStoredVectorRoundTripsBitExact() throws {
        let dir = try TemporaryDirectory()
        let store = try JobStore(path: dir.path("q.sqlite"))
        let jobs = (0..<20).map { #"{"id": "v\#($0)", "type": "embed", "input": "text \#($0)", "dimensions": 64}"# }
        _ = try enqueueText(jobs.joined(separator: "\n") + "\n", into: store)
        var generator = SystemRandomNumberGenerator()
        var stored: [String: [UInt32]] = [:]
        let claimed = try store.claim(kind: .embed, limit: 20, owner: "test", leaseSeconds: 60)
        let special: [Float] = [0, -0.0, .leastNonzeroMagnitude, -.leastNormalMagnitude, .greatestFiniteMagnitude, 1 / 3, 16_777_217]
        let results = claimed.map { job in
            var floats = special
            while floats.count < 64 {
                let candidate = Float(bitPattern: UInt32.random(in: .min ... .max, using: &generator))
                if candidate.isFinite { floats.append(candidate) }
            }
            stored[job.customID] = floats.map(\.bitPattern)
            return EmbeddingResult(jobID: job.id, requestHash: job.requestHash, model: "text-embedding-3-small",
                                   vector: EmbeddingResult.littleEndianBytes(floats), dimensions: 64, inputTokens: 2, reused: false)
        }
        #expect(try store.complete(embeddings: results) == 20)
        let lines = try #require(try exportLines(store))
        #expect(lines.count == 20)
        for line in lines {
            let id = String(line.split(separator: "\"")[3])
            #expect(embeddingFloats(in: line)?.map(\.bitPattern) == stored[id], "job \(id)")
        }
    }

    @Test func aVectorOfTheWrongSizeIsReportedWithItsJob() throws {
        let dir = try TemporaryDirectory()
        let store = try exportFixture(in: dir)
        try store.db.run("UPDATE embeddings SET dimensions = 4")
        #expect(throws: JobQueueError.self) { try exportLines(store) }
    }
}
