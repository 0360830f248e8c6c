import Foundation
import Testing
import TestSupport

/// The expected figures of `jobs/example.jsonl` were computed with tiktoken 0.14.0 over the
/// built-in rank files (`encode_ordinary`; generate jobs by the cookbook's chat convention:
/// 3 per message + role + content, + 3): embed text-embedding-3-small 9 jobs, 180 tokens
/// (164 with o200k_base), in 2 requests (doc-0006 asks for 512 dimensions); generate
/// gpt-4o-mini 5 jobs, 141 prompt tokens, max_tokens summing to 285.
struct TokensCommandTests {
    private let example = jobsFolder.appendingPathComponent("example.jsonl").path

    private func json(_ text: String) throws -> [String: Any] {
        let value = try JSONSerialization.jsonObject(with: Data(text.utf8))
        return try #require(value as? [String: Any])
    }

    private func models(_ summary: [String: Any]) throws -> [[String: Any]] {
        try #require(summary["models"] as? [[String: Any]])
    }

    @Test func theExampleFilePrintsExactFiguresPerKindAndModel() throws {
        let result = try runLLMQ(["tokens", example])
        #expect(result.status == 0)
        #expect(result.stderr == "")
        #expect(result.stdout == """
            kind      model                   jobs  tokens  max output  requests  over 8192  est. cost (USD)
            embed     text-embedding-3-small     9     180           -         2          0  0.0000036
            generate  gpt-4o-mini                5     141         285         5          -  up to 0.00019215
            total                               14     321                     7             up to 0.00019575

            """)
    }

    @Test func jsonSummaryCarriesTheSameFiguresAndCosts() throws {
        let result = try runLLMQ(["tokens", "--json", example])
        #expect(result.status == 0)
        let summary = try json(result.stdout)
        #expect(summary["jobs"] as? Int == 14)
        #expect(summary["tokens"] as? Int == 321)
        #expect(summary["requests"] as? Int == 7)
        #expect(summary["rejected"] as? Int == 0)
        #expect(summary["exact"] as? Bool == true)
        #expect(abs((summary["cost_usd"] as? Double ?? 0) - 0.00019575) < 1e-12)
        let rows = try models(summary)
        #expect(rows.count == 2)
        #expect(rows[0]["kind"] as? String == "embed")
        #expect(rows[0]["model"] as? String == "text-embedding-3-small")
        #expect(rows[0]["tokens"] as? Int == 180)
        #expect(rows[0]["requests"] as? Int == 2)
        #expect(rows[0]["over_limit"] as? Int == 0)
        #expect(abs((rows[0]["cost_usd"] as? Double ?? 0) - 0.0000036) < 1e-12)
        #expect(rows[0]["cost_is_upper_bound"] as? Bool == false)
        #expect(rows[1]["model"] as? String == "gpt-4o-mini")
        #expect(rows[1]["tokens"] as? Int == 141)
        #expect(rows[1]["max_output_tokens"] as? Int == 285)
        #expect(rows[1]["requests"] as? Int == 5)
        #expect(abs((rows[1]["cost_usd"] as? Double ?? 0) - 0.00019215) < 1e-12)
        #expect(rows[1]["cost_is_upper_bound"] as? Bool == true)
    }

    @Test func perJobPrintsOneJSONLinePerJob() throws {
        let result = try runLLMQ(["tokens", "--per-job", example])
        #expect(result.status == 0)
        let lines = result.stdout.split(separator: "\n")
        #expect(lines.count == 14)
        #expect(lines.first == #"{"id":"doc-0001","kind":"embed","model":"text-embedding-3-small","tokens":19,"exact":true}"#)
        #expect(lines.last == #"{"id":"batch-chat-1","kind":"generate","model":"gpt-4o-mini","tokens":22,"exact":true,"max_tokens":80}"#)
    }

    @Test func encodingFlagCountsEveryJobWithThatEncoding() throws {
        let result = try runLLMQ(["tokens", "--json", "--encoding", "o200k_base", example])
        #expect(result.status == 0)
        let rows = try models(try json(result.stdout))
        #expect(rows[0]["tokens"] as? Int == 164)
        #expect(rows[1]["tokens"] as? Int == 141)
        let bad = try runLLMQ(["tokens", "--encoding", "p50k_base", example])
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("--encoding"))
    }

    @Test func priceFlagOverridesAndAddsModels() throws {
        let dir = try TemporaryDirectory()
        let file = dir.path("jobs.jsonl")
        try """
            {"id": "a", "type": "embed", "input": "hello world"}
            {"id": "b", "type": "embed", "input": "hello world", "model": "my-embedder"}
            {"id": "c", "type": "embed", "input": "hello world", "model": "other-embedder"}
            """.write(toFile: file, atomically: true, encoding: .utf8)
        let result = try runLLMQ(["tokens", "--json", "--price", "text-embedding-3-small=1000000", "--price", "my-embedder=500000,1", file])
        #expect(result.status == 0)
        let summary = try json(result.stdout)
        let rows = try models(summary)
        #expect(rows.map { $0["model"] as? String } == ["my-embedder", "other-embedder", "text-embedding-3-small"])
        #expect(rows[2]["cost_usd"] as? Double == 2)
        #expect(rows[1]["cost_usd"] is NSNull)
        #expect(summary["unpriced_models"] as? [String] == ["other-embedder"])
        let text = try runLLMQ(["tokens", file])
        #expect(text.stdout.contains("unknown"))
    }

    @Test func badPriceSyntaxExits2NamingTheFlagAndValue() throws {
        for value in ["gpt-4o-mini", "gpt-4o-mini=abc", "=1", "m=1,2,3", "m=-1"] {
            let result = try runLLMQ(["tokens", "--price", value, example])
            #expect(result.status == 2)
            #expect(result.stderr.contains("--price"))
            #expect(result.stderr.contains("\"\(value)\""))
            #expect(result.stdout == "")
        }
    }

    @Test func rejectedLinesAreReportedWithFileAndLineAndExit65() throws {
        let dir = try TemporaryDirectory()
        let file = dir.path("bad.jsonl")
        try """
            {"id": "a", "type": "embed", "input": "ok"}
            {"id": "b", "type": "embed", "input": ""}

            not json
            """.write(toFile: file, atomically: true, encoding: .utf8)
        let result = try runLLMQ(["tokens", "--json", file])
        #expect(result.status == 65)
        #expect(result.stderr.hasPrefix("\(file):2: \"input\" must not be empty\n\(file):4: "))
        let summary = try json(result.stdout)
        #expect(summary["jobs"] as? Int == 1)
        #expect(summary["rejected"] as? Int == 2)
        #expect(!FileManager.default.fileExists(atPath: dir.path("llmq.sqlite")))
    }

    @Test func standardInputIsCountedWithoutCreatingADatabase() throws {
        let dir = try TemporaryDirectory()
        let result = try runLLMQ(["tokens", "--per-job", "-"], stdin: #"{"id": "s", "type": "embed", "input": "hello world"}"# + "\n",
                                 currentDirectory: dir.url)
        #expect(result.status == 0)
        #expect(result.stdout == #"{"id":"s","kind":"embed","model":"text-embedding-3-small","tokens":2,"exact":true}"# + "\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.url.path).isEmpty)
    }

    @Test func queueFlagCountsThePendingJobsOfTheDatabase() throws {
        let dir = try TemporaryDirectory()
        let db = dir.path("q.sqlite")
        #expect(try runLLMQ(["enqueue", "--db", db, example]).status == 0)
        let result = try runLLMQ(["tokens", "--queue", "--db", db, "--json"])
        #expect(result.status == 0)
        let summary = try json(result.stdout)
        #expect(summary["jobs"] as? Int == 14)
        #expect(summary["tokens"] as? Int == 321)
        #expect(summary["requests"] as? Int == 7)
        let both = try runLLMQ(["tokens", "--queue", "--db", db, example])
        #expect(both.status == 2)
        let missing = try runLLMQ(["tokens", "--queue", "--db", dir.path("none.sqlite")])
        #expect(missing.status == 2)
        #expect(!FileManager.default.fileExists(atPath: dir.path("none.sqlite")))
    }

    @Test func queueFlagCountsAChunkedJobByItsStoredChunkSettings() throws {
        let dir = try TemporaryDirectory()
        let db = dir.path("q.sqlite")
        let jobs = dir.path("docs.jsonl")
        let lines: [[String: Any]] = [
            ["id": "guide", "type": "embed", "input": longDocument("guide", sections: 6)],
            ["id": "short", "type": "embed", "input": "a short note"],
            ["id": "own", "type": "embed", "input": longDocument("own", sections: 3), "chunk": ["max_tokens": 60]],
        ]
        let text = try lines.map { String(decoding: try JSONSerialization.data(withJSONObject: $0), as: UTF8.self) }.joined(separator: "\n") + "\n"
        try text.write(toFile: jobs, atomically: true, encoding: .utf8)
        #expect(try runLLMQ(["enqueue", "--db", db, "--chunk-tokens", "100", jobs]).status == 0)
        let fromFile = try json(try runLLMQ(["tokens", "--chunk-tokens", "100", "--json", jobs]).stdout)
        let result = try runLLMQ(["tokens", "--queue", "--db", db, "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let fromQueue = try json(result.stdout)
        let fileRow = try #require(try models(fromFile).first)
        let queueRow = try #require(try models(fromQueue).first)
        let chunks = try #require(fileRow["chunks"] as? Int)
        #expect(chunks > 3, "the two long documents are cut into several chunks each")
        #expect(queueRow["chunks"] as? Int == chunks)
        #expect(queueRow["tokens"] as? Int == fileRow["tokens"] as? Int)
        #expect(queueRow["requests"] as? Int == fileRow["requests"] as? Int)
        let perJob = try runLLMQ(["tokens", "--queue", "--db", db, "--per-job"]).stdout.split(separator: "\n")
        #expect(perJob.count == 3)
        #expect(perJob.allSatisfy { $0.contains(#""chunks":"#) }, "every job got --chunk-tokens or its own chunk field: \(perJob)")
    }

    @Test func countsAreExactWithNoEnvironmentNoOverrideAndNoNetwork() throws {
        let empty = try TemporaryDirectory()
        // Only an override folder without rank files: the built-in copies must serve.
        let result = try runLLMQ(["tokens", "--json", example], environment: ["LLMQ_TOKENIZER_DIR": empty.url.path],
                                 inheritEnvironment: false)
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let summary = try json(result.stdout)
        #expect(summary["exact"] as? Bool == true)
        #expect(summary["tokens"] as? Int == 321)
        #expect(result.stderr.isEmpty, "stderr: \(result.stderr)")
    }

    @Test func anUnknownModelIsFlaggedAsUpperBoundsWithoutBlamingRankFiles() throws {
        let dir = try TemporaryDirectory()
        let file = dir.path("llama.jsonl")
        try #"{"id": "a", "type": "embed", "input": "hello world", "model": "llama-3"}"#
            .write(toFile: file, atomically: true, encoding: .utf8)
        let json = try runLLMQ(["tokens", "--json", file])
        #expect(json.status == 0)
        let summary = try self.json(json.stdout)
        #expect(summary["exact"] as? Bool == false)
        #expect(try models(summary).first?["tokens"] as? Int == 11)
        #expect(json.stderr == "llmq: note: token counts for llama-3 are upper bounds (UTF-8 bytes), not exact: "
            + "no tiktoken encoding is known for model 'llama-3' (llmq knows cl100k_base and o200k_base models)\n")
        let text = try runLLMQ(["tokens", file])
        #expect(text.stdout.contains("≤: upper bound (UTF-8 bytes): no tiktoken encoding is known for the model, see the note on stderr"))
        #expect(!text.stdout.contains("rank file"))
    }

    @Test func overLongEmbeddingInputsAreReportedAndNotSent() throws {
        let dir = try TemporaryDirectory()
        let file = dir.path("long.jsonl")
        let long = String(repeating: "word ", count: 9_000)
        try """
            {"id": "long", "type": "embed", "input": "\(long)"}
            {"id": "short", "type": "embed", "input": "hello world"}
            """.write(toFile: file, atomically: true, encoding: .utf8)
        let result = try runLLMQ(["tokens", "--json", file])
        let rows = try models(try json(result.stdout))
        #expect(rows[0]["over_limit"] as? Int == 1)
        #expect(rows[0]["requests"] as? Int == 1)
        #expect((rows[0]["tokens"] as? Int ?? 0) > 8_192)
        let perJob = try runLLMQ(["tokens", "--per-job", file])
        #expect(perJob.stdout.split(separator: "\n").first?.hasSuffix(#""exact":true,"over_limit":true}"#) == true)
    }

    @Test func batchFlagsChangeTheRequestCount() throws {
        let result = try runLLMQ(["tokens", "--json", "--batch-size", "3", example])
        let rows = try models(try json(result.stdout))
        #expect(rows[0]["requests"] as? Int == 4)  // 8 inputs at 1536 dimensions → 3+3+2, 1 at 512
        let tokensBound = try runLLMQ(["tokens", "--json", "--max-batch-tokens", "40", example])
        #expect(try models(try json(tokensBound.stdout))[0]["requests"] as? Int == 7)  // 1536 dimensions: 19+18, 17, 32, 31, 17+17, 9; 512: 20
        #expect(try runLLMQ(["tokens", "--batch-size", "2049", example]).status == 2)
    }
}
