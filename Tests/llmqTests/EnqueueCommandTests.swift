import Foundation
import SQLite
import Testing
import TestSupport

struct EnqueueCommandTests {
    @Test func enqueueingTheExampleFileExitsZeroAndIsIdempotent() throws {
        let dir = try TemporaryDirectory()
        let db = dir.path("q.sqlite")
        let example = jobsFolder.appendingPathComponent("example.jsonl").path
        let first = try runLLMQ(["enqueue", "--db", db, example])
        #expect(first.status == 0)
        #expect(first.stdout == "added 14, updated 0, unchanged 0, rejected 0\n")
        #expect(first.stderr == "")
        let second = try runLLMQ(["enqueue", "--db", db, example])
        #expect(second.status == 0)
        #expect(second.stdout == "added 0, updated 0, unchanged 14, rejected 0\n")
    }

    @Test func rejectedLinesGoToStderrAndExit65() throws {
        let dir = try TemporaryDirectory()
        let file = dir.path("bad.jsonl")
        try """
            {"id": "a", "type": "embed", "input": "ok"}
            {"id": "b", "type": "embed", "input": ""}
            {"id": "c", "type": "generate", "prompt": "p", "temperature": 3}
            """.write(toFile: file, atomically: true, encoding: .utf8)
        let result = try runLLMQ(["enqueue", "--db", dir.path("q.sqlite"), file])
        #expect(result.status == 65)
        #expect(result.stdout == "added 1, updated 0, unchanged 0, rejected 2\n")
        #expect(result.stderr == """
            \(file):2: "input" must not be empty
            \(file):3: "temperature" must be between 0 and 2, got 3

            """)
    }

    @Test func standardInputIsReadForDash() throws {
        let dir = try TemporaryDirectory()
        let result = try runLLMQ(["enqueue", "--db", dir.path("q.sqlite"), "-", "--json"],
                                 stdin: "{\"id\": \"s\", \"type\": \"embed\", \"input\": \"from stdin\"}\n")
        #expect(result.status == 0)
        #expect(result.stdout == #"{"added":1,"updated":0,"metadata_updated":0,"unchanged":0,"rejected":0}"# + "\n")
    }

    @Test func missingFileExitsTwoAndChangesNothing() throws {
        let dir = try TemporaryDirectory()
        let db = dir.path("q.sqlite")
        let example = jobsFolder.appendingPathComponent("example.jsonl").path
        let result = try runLLMQ(["enqueue", "--db", db, example, dir.path("missing.jsonl")])
        #expect(result.status == 2)
        #expect(result.stderr == "llmq: error: cannot read job file \(dir.path("missing.jsonl")): No such file or directory\n")
        #expect(FileManager.default.fileExists(atPath: db) == false)
    }

    @Test func unwritableDatabasePathExitsTwo() throws {
        let dir = try TemporaryDirectory()
        let db = dir.path("no/such/folder/q.sqlite")
        let example = jobsFolder.appendingPathComponent("example.jsonl").path
        let result = try runLLMQ(["enqueue", "--db", db, example])
        #expect(result.status == 2)
        #expect(result.stderr == "llmq: error: cannot open database \(db): the folder \(dir.path("no/such/folder")) does not exist\n")
    }

    @Test func databaseFromANewerLLMQIsRefusedWithExitTwo() throws {
        let dir = try TemporaryDirectory()
        let db = dir.path("q.sqlite")
        try Connection(path: db).execute("PRAGMA user_version = 99")
        let result = try runLLMQ(["status", "--db", db])
        #expect(result.status == 2)
        #expect(result.stderr.contains("has schema version 99, but this llmq knows versions up to"))
    }

    @Test func badFlagValueExitsTwoNamingTheFlag() throws {
        let dir = try TemporaryDirectory()
        let example = jobsFolder.appendingPathComponent("example.jsonl").path
        let result = try runLLMQ(["enqueue", "--db", dir.path("q.sqlite"), "--dimensions", "0", example])
        #expect(result.status == 2)
        #expect(result.stderr == "llmq: error: --dimensions must be at least 1, got 0\n")
        let unknown = try runLLMQ(["enqueue", "--db", dir.path("q.sqlite"), "--frobnicate", example])
        #expect(unknown.status == 2)
        #expect(unknown.stderr.contains("Unknown option '--frobnicate'"))
        let noFile = try runLLMQ(["enqueue", "--db", dir.path("q.sqlite")])
        #expect(noFile.status == 2)
        #expect(noFile.stderr.contains("name at least one job file, '-' for standard input, or --files DIR"))
    }

    @Test func llmqDBEnvironmentVariableChoosesTheDatabase() throws {
        let dir = try TemporaryDirectory()
        let db = dir.path("env.sqlite")
        let example = jobsFolder.appendingPathComponent("example.jsonl").path
        let result = try runLLMQ(["enqueue", example], environment: ["LLMQ_DB": db])
        #expect(result.status == 0)
        #expect(FileManager.default.fileExists(atPath: db))
    }

    @Test func binaryCopiedAloneStillCreatesADatabaseAndCountsExactly() throws {
        let dir = try TemporaryDirectory()
        let copy = dir.url.appendingPathComponent("llmq")
        try FileManager.default.copyItem(at: llmqBinary(), to: copy)
        let db = dir.path("alone.sqlite")
        let example = jobsFolder.appendingPathComponent("example.jsonl").path
        let result = try runLLMQ(["enqueue", "--db", db, example], executable: copy, currentDirectory: dir.url)
        #expect(result.status == 0)
        let connection = try Connection(path: db)
        #expect(try connection.scalarInt("SELECT count(*) FROM sqlite_master WHERE name = 'jobs'") == 1)
        let tokens = try runLLMQ(["tokens", "--json", example], executable: copy, currentDirectory: dir.url)
        #expect(tokens.stdout.contains(#""exact":true"#), "the rank files travel with the binary: \(tokens.stdout)")
    }
}
