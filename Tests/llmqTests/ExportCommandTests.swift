import Foundation
import SQLite
import Testing
import TestSupport

struct ExportCommandTests {
    static let jobs = """
        {"id": "a", "type": "embed", "input": "alpha", "metadata": {"k": "v"}}
        {"id": "b", "type": "generate", "prompt": "beta"}
        {"id": "c", "type": "embed", "input": "gamma"}

        """

    @Test func exportWritesOneLinePerJobToStandardOutput() throws {
        let dir = try TemporaryDirectory()
        let db = try enqueuedDatabase(Self.jobs, in: dir)
        try storeVector([0.1, -1e-8, 3.4028235e38], for: "a", db: db)
        try markFailed("c", error: "400 too long", db: db)
        let result = try runLLMQ(["export", "--db", db])
        #expect(result.status == 0)
        #expect(result.stderr.isEmpty)
        #expect(result.stdout == """
            {"custom_id":"a","kind":"embed","status":"succeeded","model":"text-embedding-3-small","attempts":0,"dimensions":3,"embedding":[0.1,-1e-08,3.4028235e+38],"usage":{"input_tokens":4},"error":null,"metadata":{"k":"v"}}
            {"custom_id":"b","kind":"generate","status":"pending","model":"gpt-4o-mini","attempts":0,"error":null}
            {"custom_id":"c","kind":"embed","status":"failed","model":"text-embedding-3-small","attempts":8,"error":"400 too long"}

            """)
    }

    @Test func exportWritesTheOpenAIBatchShapeToAFile() throws {
        let dir = try TemporaryDirectory()
        let db = try enqueuedDatabase(Self.jobs, in: dir)
        try storeVector([1, 2], for: "a", db: db)
        try markFailed("c", error: "400 too long", db: db)
        let out = dir.path("out.jsonl")
        try Data("old content that must go\n".utf8).write(to: URL(fileURLWithPath: out))
        let result = try runLLMQ(["export", "--db", db, "--format", "openai-batch", "-o", out])
        #expect(result.status == 0)
        #expect(result.stdout.isEmpty)
        let written = try String(contentsOfFile: out, encoding: .utf8)
        #expect(written == """
            {"id":"batch_req_1","custom_id":"a","response":{"status_code":200,"request_id":null,"body":{"object":"list","data":[{"object":"embedding","index":0,"embedding":[1.0,2.0]}],"model":"text-embedding-3-small","usage":{"prompt_tokens":4,"total_tokens":4}}},"error":null}
            {"id":"batch_req_3","custom_id":"c","response":null,"error":{"code":"job_failed","message":"400 too long"}}

            """)
    }

    @Test func exportFiltersByKindAndStatus() throws {
        let dir = try TemporaryDirectory()
        let db = try enqueuedDatabase(Self.jobs, in: dir)
        let result = try runLLMQ(["export", "--db", db, "--kind", "embed", "--status", "pending"])
        #expect(result.status == 0)
        #expect(result.stdout.split(separator: "\n").map { $0.split(separator: "\"")[3] } == ["a", "c"])
    }

    @Test func everyExportedVectorParsesBackBitExact() throws {
        let dir = try TemporaryDirectory()
        let db = try enqueuedDatabase(Self.jobs, in: dir)
        var generator = SystemRandomNumberGenerator()
        var vector: [Float] = [.leastNonzeroMagnitude, -0.0, .greatestFiniteMagnitude, 1e-45, 0.3]
        while vector.count < 1536 {
            let candidate = Float(bitPattern: UInt32.random(in: .min ... .max, using: &generator))
            if candidate.isFinite { vector.append(candidate) }
        }
        try storeVector(vector, for: "a", db: db)
        let result = try runLLMQ(["export", "--db", db, "--status", "succeeded"])
        #expect(result.status == 0)
        let line = try #require(result.stdout.split(separator: "\n").first)
        let start = try #require(line.range(of: #""embedding":["#))
        let end = try #require(line[start.upperBound...].firstIndex(of: "]"))
        let parsed = line[start.upperBound..<end].split(separator: ",").map { Float($0)?.bitPattern }
        #expect(parsed == vector.map { $0.bitPattern })
    }

    @Test func aBadFormatExitsTwoNamingTheFlag() throws {
        let dir = try TemporaryDirectory()
        let result = try runLLMQ(["export", "--db", dir.path("q.sqlite"), "--format", "xml"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("--format"))
        #expect(result.stdout.isEmpty)
    }

    @Test func aBadKindOrStatusExitsTwoNamingTheFlag() throws {
        let dir = try TemporaryDirectory()
        let kind = try runLLMQ(["export", "--db", dir.path("q.sqlite"), "--kind", "chat"])
        #expect(kind.status == 2)
        #expect(kind.stderr.contains("--kind"))
        let status = try runLLMQ(["export", "--db", dir.path("q.sqlite"), "--status", "done"])
        #expect(status.status == 2)
        #expect(status.stderr.contains("--status"))
    }

    @Test func anUnwritableOutputExitsTwoNamingTheFile() throws {
        let dir = try TemporaryDirectory()
        let db = try enqueuedDatabase(Self.jobs, in: dir)
        let out = dir.path("no-such-folder/out.jsonl")
        let result = try runLLMQ(["export", "--db", db, "-o", out])
        #expect(result.status == 2)
        #expect(result.stderr.contains(out))
        #expect(result.stdout.isEmpty)
    }
}
