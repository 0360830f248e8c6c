import Foundation
import SQLite
import Testing
import TestSupport

struct RetryCommandTests {
    static let jobs = """
        {"id": "a", "type": "embed", "input": "alpha"}
        {"id": "b", "type": "embed", "input": "beta"}
        {"id": "c", "type": "generate", "prompt": "gamma"}

        """

    @Test func retryFailedRequeuesEveryFailedJobWithAttemptsReset() throws {
        let dir = try TemporaryDirectory()
        let db = try enqueuedDatabase(Self.jobs, in: dir)
        try markFailed("a", error: "boom", db: db)
        try markFailed("c", error: "boom", db: db)
        let result = try runLLMQ(["retry", "--db", db, "--failed"])
        #expect(result.status == 0)
        #expect(result.stdout == "requeued 2\n")
        let rows = try Connection(path: db).rows("SELECT custom_id, status, attempts FROM jobs ORDER BY id")
        #expect(rows == [
            [.text("a"), .text("pending"), .integer(0)],
            [.text("b"), .text("pending"), .integer(0)],
            [.text("c"), .text("pending"), .integer(0)],
        ])
    }

    @Test func retryOfNamedIDsReportsUnknownOnesAndStillSucceeds() throws {
        let dir = try TemporaryDirectory()
        let db = try enqueuedDatabase(Self.jobs, in: dir)
        try markFailed("b", error: "boom", db: db)
        let result = try runLLMQ(["retry", "--db", db, "b", "x"])
        #expect(result.status == 0)
        #expect(result.stdout == "requeued 1\n")
        #expect(result.stderr.contains(#"llmq: unknown job id "x""#))
    }

    @Test func retryOfOnlyUnknownIDsExitsTwo() throws {
        let dir = try TemporaryDirectory()
        let db = try enqueuedDatabase(Self.jobs, in: dir)
        let result = try runLLMQ(["retry", "--db", db, "x", "y"])
        #expect(result.status == 2)
        #expect(result.stdout == "requeued 0\n")
        #expect(result.stderr.contains(#"llmq: unknown job id "x""#))
        #expect(result.stderr.contains(#"llmq: unknown job id "y""#))
    }

    @Test func helpOfExportAndRetryCarriesAnExample() throws {
        for command in ["export", "retry"] {
            let result = try runLLMQ([command, "--help"])
            #expect(result.status == 0)
            #expect(result.stdout.contains("Example: llmq \(command)"))
        }
    }
}
