import Foundation
import Testing
import TestSupport

/// Small command-line promises: a zero `--max-stall`, the `fake-openai` fault and compute options.
@Suite(.serialized, .timeLimit(.minutes(2)))
struct CommandLineDetailsTests {
    @Test func aZeroMaxStallIsRejectedWithAClearMessage() async throws {
        let dir = try TemporaryDirectory()
        let db = dir.path("q.sqlite")
        let result = try await runLLMQInBackground(["run", "--db", db, "--max-stall", "0s"], environment: ["OPENAI_API_KEY": "sk-test"])
        #expect(result.status == 2)
        #expect(unstamped(result.stderr) == "llmq: error: --max-stall must be longer than 0, got \"0s\" "
            + "(how long a run may go without finishing a job before it exits 75)\n")
        #expect(!FileManager.default.fileExists(atPath: db))
    }

    @Test func fakeOpenAIRefusesAFaultItCannotReadNamingIt() throws {
        let fake = llmqBinary().deletingLastPathComponent().appendingPathComponent("fake-openai")
        let result = try runLLMQ(["--fault", "500*zero"], executable: fake)
        #expect(result.status != 0)
        #expect(result.stderr.contains("--fault: cannot read fault \"500*zero\": the count after '*' must be a whole number ≥ 1"),
                "stderr: \(result.stderr)")
    }

    @Test(arguments: ["0", "70000", "nan"])
    func fakeOpenAIRefusesAComputeTimeOutOfRangeNamingTheOption(value: String) throws {
        let fake = llmqBinary().deletingLastPathComponent().appendingPathComponent("fake-openai")
        let result = try runLLMQ(["--compute-ms-per-input", value], executable: fake)
        #expect(result.status != 0)
        #expect(result.stderr.contains("--compute-ms-per-input must be more than 0 and at most 60000, got"), "stderr: \(result.stderr)")
    }
}
