import FakeOpenAI
import Foundation
import Testing
import TestSupport

/// `llmq run` as a real process against a fake that enforces its per-minute limit over
/// 10-second windows while its headers report per-minute figures.
@Suite(.serialized, .timeLimit(.minutes(2)))
struct RunPacingEndToEndTests {
    @Test func aTenSecondWindowIsKeptWithFewerThanOnePercentOfRequestsAnswered429() async throws {
        // 3,000 jobs of about 14 tokens (the fake counts UTF-8 bytes / 4): 1.3 windows'
        // budget at 200,000 tokens a minute, so the run spans two windows in about 13 s.
        let server = try await FakeOpenAIServer.start(FakeOpenAIOptions(
            latency: .milliseconds(20), tokensPerMinute: 200_000, rateWindow: .seconds(10), recordRequests: false))
        defer { Task { await server.shutdown() } }
        let dir = try TemporaryDirectory()
        let db = dir.path("q.sqlite")
        let corpus = dir.path("jobs.jsonl")
        try writeEmbedCorpus(corpus, count: 3_000)
        let result = try await runLLMQInBackground(
            ["run", "--db", db, "--quiet", "--batch-size", "16", corpus], environment: fakeEnvironment(server))
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(try statusCounts(db) == ["succeeded": 3_000])
        let stats = server.stats()
        #expect(stats.tokensCharged > 200_000 / 6, "the run must outlast one window's budget")
        #expect(stats.succeeded >= 188)
        #expect(Double(stats.rateLimited) < 0.01 * Double(stats.requests), "\(stats.rateLimited) of \(stats.requests) answered 429")
    }
}
