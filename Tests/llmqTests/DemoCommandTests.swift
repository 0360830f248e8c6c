import Foundation
import Testing
import TestSupport

/// `llmq demo` flags and what it leaves behind.
@Suite(.serialized, .timeLimit(.minutes(2)))
struct DemoCommandTests {
    private let demoJobs = jobsFolder.appendingPathComponent("demo.jsonl").path

    @Test func demoWithoutDbLeavesNoDatabaseInTheTemporaryFolder() async throws {
        let dir = try TemporaryDirectory()
        let result = try await runLLMQInBackground(["demo", "--quiet", "--batch-size", "32", "--jobs", demoJobs],
                                                   environment: ["TMPDIR": dir.url.path])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(result.stdout.contains("(temporary: removed at the end; --db PATH keeps one)"))
        #expect(result.stdout.contains("some replies"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.url.path) == [])
    }

    @Test func theInjected429sFlagIsAcceptedAsItsMessageNamesIt() async throws {
        let dir = try TemporaryDirectory()
        let db = dir.path("demo.sqlite")
        let result = try await runLLMQInBackground(["demo", "--db", db, "--quiet", "--injected-429s", "1", "--jobs", demoJobs])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(result.stdout.contains("(1 scripted 429s first)"))
        #expect(result.stdout.contains("1 answered 429"))
        #expect(FileManager.default.fileExists(atPath: db), "--db keeps the database")
        let negative = try runLLMQ(["demo", "--db", dir.path("other.sqlite"), "--injected-429s=-1"])
        #expect(negative.status == 2)
        #expect(negative.stderr.contains("--injected-429s must be 0 or more, got -1"), "stderr: \(negative.stderr)")
    }
}
