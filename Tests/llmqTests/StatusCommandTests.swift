import Foundation
import Testing
import TestSupport

struct StatusCommandTests {
    @Test func statusShowsCountsPerKindAndStatus() throws {
        let dir = try TemporaryDirectory()
        let db = dir.path("q.sqlite")
        let example = jobsFolder.appendingPathComponent("example.jsonl").path
        _ = try runLLMQ(["enqueue", "--db", db, example])
        let result = try runLLMQ(["status", "--db", db])
        #expect(result.status == 0)
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines[0].split(separator: " ") == ["kind", "pending", "running", "succeeded", "failed", "total"])
        #expect(lines[1].split(separator: " ") == ["embed", "9", "0", "0", "0", "9"])
        #expect(lines[2].split(separator: " ") == ["generate", "5", "0", "0", "0", "5"])
        #expect(lines[3].split(separator: " ") == ["all", "14", "0", "0", "0", "14"])
        #expect(result.stdout.contains("oldest pending: doc-0001"))
    }

    @Test func statusJSONIsOneObject() throws {
        let dir = try TemporaryDirectory()
        let db = dir.path("q.sqlite")
        _ = try runLLMQ(["enqueue", "--db", db, jobsFolder.appendingPathComponent("example.jsonl").path])
        let result = try runLLMQ(["status", "--db", db, "--json"])
        #expect(result.status == 0)
        let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        let jobs = object?["jobs"] as? [String: [String: Int]]
        #expect(jobs?["embed"]?["pending"] == 9)
        #expect(jobs?["generate"]?["pending"] == 5)
        #expect((object?["total"] as? [String: Int])?["all"] == 14)
    }

    @Test func helpCarriesAnExampleForEveryCommand() throws {
        for command in [[], ["enqueue"], ["run"], ["status"], ["retry"], ["export"], ["tokens"], ["demo"]] {
            let result = try runLLMQ(command + ["--help"])
            #expect(result.status == 0)
            #expect(result.stdout.contains("Example: llmq"))
        }
    }
}
