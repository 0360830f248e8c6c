import FakeOpenAI
import Foundation
import SQLite
import Testing
import TestSupport

/// The README's cron lines, run as written by /bin/sh with the real binary against the
/// fake server: a night without new files still resumes the queue.
@Suite(.serialized, .timeLimit(.minutes(2)))
struct NightlyCronTests {
    /// The command of every line of the README's ```cron blocks (the five schedule
    /// fields dropped).
    private func readmeCronCommands() throws -> [String] {
        let readme = try String(contentsOf: repositoryRoot.appendingPathComponent("README.md"), encoding: .utf8)
        var commands: [String] = []
        var inCron = false
        for line in readme.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("```") {
                inCron = line == "```cron"
                continue
            }
            guard inCron, !line.isEmpty, !line.hasPrefix("#") else { continue }
            commands.append(line.split(separator: " ", maxSplits: 5).last.map(String.init) ?? "")
        }
        return commands
    }

    /// A README cron command made to run here: the corpus folder, the built binary and a
    /// test key in place of the README's.
    private func localized(_ command: String, folder: String) -> String {
        command.replacingOccurrences(of: "/srv/corpus", with: folder)
            .replacingOccurrences(of: "/usr/local/bin/llmq", with: llmqBinary().path)
            .replacingOccurrences(of: "sk-...", with: "sk-test-not-a-real-key")
    }

    private func runShell(_ command: String, server: FakeOpenAIServer) async throws -> ProcessResult {
        try await runLLMQInBackground(["-c", command], environment: ["OPENAI_BASE_URL": server.baseURL],
                                      executable: URL(fileURLWithPath: "/bin/sh"))
    }

    /// One cron night of `command`: a Batch API line runs again while it exits 75 (its
    /// batches are in flight), as the hourly cron line does.
    private func night(_ command: String, folder: String, server: FakeOpenAIServer) async throws -> ProcessResult {
        var result = try await runShell(localized(command, folder: folder), server: server)
        for _ in 0..<5 where command.contains("--batch-api") && result.status == 75 {
            result = try await runShell(localized(command, folder: folder), server: server)
        }
        return result
    }

    /// The file a cron command appends its output to (`>> FILE`).
    private func logName(_ command: String) -> String {
        command.components(separatedBy: ">> ").dropFirst().first?.split(separator: " ").first.map(String.init) ?? "llmq.log"
    }

    @Test func theReadmeCronLinesResumeTheQueueOnANightWithoutNewFiles() async throws {
        let commands = try readmeCronCommands()
        try #require(!commands.isEmpty, "the README has no ```cron block")
        let server = try await FakeOpenAIServer.start()
        defer { Task { await server.shutdown() } }
        for command in commands {
            let dir = try TemporaryDirectory()
            try FileManager.default.createDirectory(atPath: dir.path("new-docs"), withIntermediateDirectories: true)
            // Work left by an earlier night (e.g. one that exited 75).
            try writeEmbedCorpus(dir.path("earlier.jsonl"), count: 27)
            #expect(try runLLMQ(["enqueue", "--db", dir.path("corpus.sqlite"), dir.path("earlier.jsonl")]).status == 0)

            let first = try await night(command, folder: dir.url.path, server: server)
            let log = (try? String(contentsOfFile: dir.path(logName(command)), encoding: .utf8)) ?? first.stderr
            #expect(first.status == 0, "\(command)\nlog: \(log)")
            #expect(try statusCounts(dir.path("corpus.sqlite")) == ["succeeded": 27], "\(command)")
            guard command.contains("new-docs/*.jsonl") else { continue }
            #expect(log.contains("llmq: note: no job file matches new-docs/*.jsonl"), "log: \(log)")

            // The next night brings a file: it is enqueued and run.
            try writeEmbedCorpus(dir.path("new-docs/monday.jsonl"), count: 5, prefix: "monday")
            let next = try await night(command, folder: dir.url.path, server: server)
            #expect(next.status == 0, "log: \((try? String(contentsOfFile: dir.path(logName(command)), encoding: .utf8)) ?? next.stderr)")
            #expect(try statusCounts(dir.path("corpus.sqlite")) == ["succeeded": 32])
        }
    }

    @Test func aMissingFileAmongSeveralIsReportedAndTheOthersAndTheQueueStillRun() async throws {
        let server = try await FakeOpenAIServer.start()
        defer { Task { await server.shutdown() } }
        let dir = try TemporaryDirectory()
        let db = dir.path("q.sqlite")
        try writeEmbedCorpus(dir.path("a.jsonl"), count: 3, prefix: "a")
        try writeEmbedCorpus(dir.path("b.jsonl"), count: 4, prefix: "b")
        let result = try await runLLMQInBackground(
            ["run", "--db", db, "--quiet", dir.path("a.jsonl"), dir.path("missing.jsonl"), dir.path("b.jsonl")],
            environment: fakeEnvironment(server))
        #expect(result.status == 65, "stderr: \(result.stderr)")
        #expect(result.stderr.contains("llmq: cannot read job file \(dir.path("missing.jsonl")): No such file or directory; "
            + "skipped (the other files and the queue are still run)"), "stderr: \(result.stderr)")
        #expect(try statusCounts(db) == ["succeeded": 7])
    }

    @Test func aGlobThatMatchedNothingIsANoteAndTheQueueStillRuns() async throws {
        let server = try await FakeOpenAIServer.start()
        defer { Task { await server.shutdown() } }
        let dir = try TemporaryDirectory()
        let db = dir.path("q.sqlite")
        try writeEmbedCorpus(dir.path("a.jsonl"), count: 3, prefix: "a")
        #expect(try runLLMQ(["enqueue", "--db", db, dir.path("a.jsonl")]).status == 0)
        let result = try await runLLMQInBackground(["run", "--db", db, "--quiet", dir.path("new-docs/*.jsonl")],
                                                   environment: fakeEnvironment(server))
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(unstamped(result.stderr) == "llmq: note: no job file matches \(dir.path("new-docs/*.jsonl")); nothing new to enqueue from it\n")
        #expect(try statusCounts(db) == ["succeeded": 3])
    }
}
