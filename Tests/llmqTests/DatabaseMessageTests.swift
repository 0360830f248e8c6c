import Foundation
import SQLite
import Testing
import TestSupport

#if canImport(Glibc)
import Glibc
#endif

/// What every command says about a database it cannot use: missing (read-only commands
/// refuse it and make no file), in a missing folder, read-only, not a database.
struct DatabaseMessageTests {
    private let example = jobsFolder.appendingPathComponent("example.jsonl").path

    static let readOnlyCommands: [[String]] = [["status"], ["status", "--json"], ["export"], ["tokens", "--queue"], ["retry", "--failed"], ["retry", "x"], ["search", "--like", "x"]]

    @Test(arguments: readOnlyCommands)
    func aReadOnlyCommandRefusesADatabaseThatDoesNotExistAndMakesNoFile(_ command: [String]) throws {
        let dir = try TemporaryDirectory()
        let db = dir.path("mistyped.sqlite")
        let result = try runLLMQ(command + ["--db", db])
        #expect(result.status == 2)
        #expect(result.stderr == "llmq: error: no database at \(db) (check --db or LLMQ_DB; enqueue or run makes one)\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.url.path) == [])
    }

    @Test(arguments: readOnlyCommands)
    func aReadOnlyCommandNamesAMissingFolder(_ command: [String]) throws {
        let dir = try TemporaryDirectory()
        let db = dir.path("no/such/q.sqlite")
        let result = try runLLMQ(command + ["--db", db])
        #expect(result.status == 2)
        #expect(result.stderr == "llmq: error: no database at \(db): the folder \(dir.path("no/such")) does not exist (check --db or LLMQ_DB)\n")
    }

    static let everyCommand: [[String]] = [["status"], ["export"], ["tokens", "--queue"], ["retry", "--failed"], ["enqueue", jobsFolder.appendingPathComponent("example.jsonl").path]]

    @Test func runSaysTheSameWithATimestampLikeTheRestOfItsCronLog() throws {
        let dir = try TemporaryDirectory()
        let db = dir.path("q.sqlite")
        try String(repeating: "this is not a database\n", count: 400).write(toFile: db, atomically: true, encoding: .utf8)
        let result = try runLLMQ(["run", "--db", db, example], environment: ["OPENAI_API_KEY": "sk-test"])
        #expect(result.status == 2)
        #expect(unstamped(result.stderr) == "llmq: error: \(db) is not an llmq database, or it is damaged (SQLite: file is not a database)\n",
                "stderr: \(result.stderr)")
    }

    @Test(arguments: everyCommand)
    func aFileThatIsNotADatabaseExitsTwoEverywhere(_ command: [String]) throws {
        let dir = try TemporaryDirectory()
        let db = dir.path("q.sqlite")
        try String(repeating: "this is not a database\n", count: 400).write(toFile: db, atomically: true, encoding: .utf8)
        let result = try runLLMQ(command + ["--db", db])
        #expect(result.status == 2)
        #expect(result.stderr == "llmq: error: \(db) is not an llmq database, or it is damaged (SQLite: file is not a database)\n")
    }

    @Test(arguments: everyCommand)
    func aDamagedDatabaseExitsTwoEverywhere(_ command: [String]) throws {
        let dir = try TemporaryDirectory()
        let db = dir.path("q.sqlite")
        #expect(try runLLMQ(["enqueue", "--db", db, example]).status == 0)
        // Keep the 100-byte file header, overwrite everything after it (the schema included).
        let handle = try FileHandle(forUpdating: URL(fileURLWithPath: db))
        let size = try handle.seekToEnd()
        try handle.seek(toOffset: 100)
        try handle.write(contentsOf: Data(repeating: 0xA5, count: Int(size) - 100))
        try handle.close()
        let result = try runLLMQ(command + ["--db", db])
        #expect(result.status == 2, "stderr: \(result.stderr)")
        #expect(result.stderr.hasPrefix("llmq: error: \(db) is not an llmq database, or it is damaged (SQLite: "), "stderr: \(result.stderr)")
        #expect(!result.stderr.contains("while running"), "no SQL in the message: \(result.stderr)")
    }

    @Test func aReadOnlyDatabaseIsNamedWithoutSQL() throws {
        let dir = try TemporaryDirectory()
        let db = dir.path("q.sqlite")
        #expect(try runLLMQ(["enqueue", "--db", db, example]).status == 0)
        try FileManager.default.setAttributes([.posixPermissions: 0o444], ofItemAtPath: db)
        try FileManager.default.setAttributes([.posixPermissions: 0o777], ofItemAtPath: dir.url.path)
        defer { try? FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: dir.url.path) }
        let other = try TemporaryDirectory()
        try writeEmbedCorpus(other.path("new.jsonl"), count: 2, prefix: "new")
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: other.url.path)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: other.path("new.jsonl"))
        let result = try runAsUnprivilegedUser(["enqueue", "--db", db, other.path("new.jsonl")])
        #expect(result.status == 2, "stderr: \(result.stderr)")
        #expect(result.stderr == "llmq: error: cannot write database \(db): it is read-only (check the permissions of the file and its folder)\n")
    }

    /// Runs llmq as a user that file permissions apply to: as root (CI), through
    /// `setpriv` as nobody, since root may write any file.
    private func runAsUnprivilegedUser(_ arguments: [String]) throws -> ProcessResult {
        guard getuid() == 0 else { return try runLLMQ(arguments) }
        return try runLLMQ(["--reuid=65534", "--regid=65534", "--clear-groups", llmqBinary().path] + arguments,
                           executable: URL(fileURLWithPath: "/usr/bin/setpriv"))
    }
}
