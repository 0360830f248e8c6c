import FakeOpenAI
import Foundation
import JobQueue
import JSON
import LLM
import SQLite
import Testing
@testable import Worker

/// `BatchRunner` against the fake server: packing limits, the token budget, the request
/// bodies it shares with the synchronous path, and the per-line policy.
@Suite(.timeLimit(.minutes(2)))
struct BatchRunnerTests {
    /// A fake server, a provider on it and a queue with `jobs`; runs `body`, then shuts down.
    func withBatchHarness(_ jobs: String, server options: FakeOpenAIOptions = FakeOpenAIOptions(),
                          _ body: (WorkerHarness, FakeOpenAIServer, OpenAIProvider) async throws -> Void) async throws {
        let harness = try WorkerHarness(jobs: jobs)
        let server = try await FakeOpenAIServer.start(options)
        let provider = try OpenAIProvider(config: OpenAIConfig(apiKey: "sk-test", baseURL: server.baseURL, environment: [:]))
        do {
            try await body(harness, server, provider)
        } catch {
            try? await provider.shutdown()
            await server.shutdown()
            throw error
        }
        try await provider.shutdown()
        await server.shutdown()
    }

    func runner(_ harness: WorkerHarness, _ provider: OpenAIProvider, options: BatchRunOptions? = nil,
                worker: WorkerOptions = .test()) throws -> BatchRunner {
        try BatchRunner(databasePath: harness.dir.path("q.sqlite"), api: provider,
                        options: options ?? BatchRunOptions(wait: true, pollInterval: 1, workDirectory: harness.dir.path("work")),
                        worker: worker, clock: harness.clock, random: { 0 })
    }

    func embedJobs(_ count: Int, marker: (Int) -> String = { _ in "" }) -> String {
        (0..<count).map { #"{"id": "e\#($0)", "type": "embed", "input": "text number \#($0)\#(marker($0))"}"# }.joined(separator: "\n")
    }

    /// The lines of every batch input file the server has kept.
    func inputLines(_ server: FakeOpenAIServer) -> [[JSONValue]] {
        server.batchInputFileIDs().map { id in
            let text = String(decoding: server.fileContents(id) ?? [], as: UTF8.self)
            return text.split(separator: "\n").compactMap { try? JSONParser.parse(String($0)) }
        }
    }

    @Test func batchesStayWithinTheirLineAndInputLimits() async throws {
        try await withBatchHarness(embedJobs(25)) { harness, server, provider in
            let options = BatchRunOptions(wait: true, pollInterval: 1, keepFiles: true, maxLines: 4, maxInputs: 8,
                                          workDirectory: harness.dir.path("work"))
            let report = try await runner(harness, provider, options: options, worker: WorkerOptions(batchSize: 2)).run()
            #expect(report.succeeded == 25 && report.failed == 0)
            let files = inputLines(server)
            #expect(files.count == 4)
            for lines in files {
                #expect(lines.count <= 4)
                #expect(lines.reduce(0) { $0 + ($1["body"]?["input"]?.arrayValue?.count ?? 0) } <= 8)
                #expect(lines.allSatisfy { ($0["body"]?["input"]?.arrayValue?.count ?? 0) <= 2 })
            }
        }
    }

    @Test func theByteLimitSplitsAFileAndTheRestWaitsForTheNextBatch() async throws {
        try await withBatchHarness(embedJobs(6)) { harness, server, provider in
            // Room for two lines of one input each.
            let options = BatchRunOptions(wait: true, pollInterval: 1, keepFiles: true, maxFileBytes: 400,
                                          workDirectory: harness.dir.path("work"))
            let report = try await runner(harness, provider, options: options, worker: WorkerOptions(batchSize: 1)).run()
            #expect(report.succeeded == 6)
            #expect(report.submitted == 3)
            for id in server.batchInputFileIDs() { #expect((server.fileContents(id)?.count ?? 0) <= 400) }
        }
    }

    @Test func theEnqueuedTokenBudgetHoldsBackWorkUntilEarlierBatchesFinish() async throws {
        try await withBatchHarness(embedJobs(6)) { harness, server, provider in
            let options = BatchRunOptions(wait: false, maxEnqueuedTokens: 30, workDirectory: harness.dir.path("work"))
            let first = try await runner(harness, provider, options: options, worker: WorkerOptions(batchSize: 1)).run()
            // Each input is about 14 tokens (one per byte without rank files): two fit under 30.
            #expect(first.submitted == 1)
            #expect(first.pendingLeft > 0)
            #expect(first.inFlight == 1)
            let tokens = try harness.store.enqueuedBatchTokens(model: "text-embedding-3-small")
            #expect(tokens <= 30 && tokens > 14)
            var runs = 1
            var last = first
            while last.pendingLeft > 0 || last.inFlight > 0, runs < 10 {
                last = try await runner(harness, provider, options: options, worker: WorkerOptions(batchSize: 1)).run()
                runs += 1
            }
            #expect(try harness.statuses().values.allSatisfy { $0 == "succeeded" })
            #expect(server.stats().batchesCreated > 1)
        }
    }

    @Test func generateLinesCarryTheBodyTheSynchronousPathSends() async throws {
        let job = #"{"id": "g1", "type": "generate", "system": "Be terse.", "context": "ctx", "prompt": "Say hi", "max_tokens": 12, "temperature": 0.3}"#
        try await withBatchHarness(job) { harness, server, provider in
            let options = BatchRunOptions(wait: true, pollInterval: 1, keepFiles: true, workDirectory: harness.dir.path("work"))
            _ = try await runner(harness, provider, options: options).run()
            let line = try #require(inputLines(server).first?.first)
            #expect(line["url"]?.stringValue == "/v1/chat/completions")
            #expect(line["custom_id"]?.stringValue?.hasPrefix("llmq-") == true)
            // The same job sent synchronously.
            try harness.store.db.run("UPDATE jobs SET status = 'pending'")
            let worker = Worker(options: .test(), queue: harness.queue, provider: provider, pacer: harness.pacer, clock: harness.clock)
            _ = try await worker.run()
            let sync = try #require(server.recordedRequests().last { $0.path == "/v1/chat/completions" }?.body)
            #expect(line["body"] == sync)
            let reply = try harness.value("status", of: "g1")
            #expect(reply == .text("succeeded"))
        }
    }

    @Test func aRejectedInputIsIsolatedBySplittingItsLineAndOnlyItFails() async throws {
        let jobs = embedJobs(8) { $0 == 5 ? " POISON" : "" }
        try await withBatchHarness(jobs, server: FakeOpenAIOptions(rejectInputsContaining: "POISON")) { harness, server, provider in
            let report = try await runner(harness, provider).run()
            #expect(report.failed == 1)
            let statuses = try harness.statuses()
            #expect(statuses["e5"] == "failed")
            #expect(statuses.filter { $0.value == "succeeded" }.count == 7)
            guard case .text(let error) = try harness.value("last_error", of: "e5") else {
                Issue.record("no error stored")
                return
            }
            #expect(error.contains("maximum context length is 8192 tokens"))
            #expect(server.stats().embeddingInputs == 0)
        }
    }

    @Test func aServerErrorOnALineIsRetriedAsAnAttemptUntilTheJobRunsOutOfAttempts() async throws {
        let jobs = embedJobs(3) { $0 == 1 ? " FLAKY" : "" }
        try await withBatchHarness(jobs, server: FakeOpenAIOptions(failBatchLinesContaining: "FLAKY")) { harness, _, provider in
            let report = try await runner(harness, provider, worker: WorkerOptions(batchSize: 1, maxAttempts: 2)).run()
            #expect(report.succeeded == 2 && report.failed == 1)
            #expect(try harness.value("attempts", of: "e1") == .integer(2))
            guard case .text(let error) = try harness.value("last_error", of: "e1") else {
                Issue.record("no error stored")
                return
            }
            #expect(error.contains("The server failed (HTTP 500"))
        }
    }

    /// An embed job line for `input`, cut into chunks of at most `maxTokens` (UTF-8 bytes
    /// here: the runner has no rank files).
    func chunkedJob(_ id: String, _ input: String, maxTokens: Int) throws -> String {
        let line: [String: Any] = ["id": id, "type": "embed", "input": input, "chunk": ["max_tokens": maxTokens]]
        return String(decoding: try JSONSerialization.data(withJSONObject: line, options: [.sortedKeys]), as: UTF8.self)
    }

    func paragraphs(_ name: String, _ count: Int) -> String {
        (0..<count).map { "Paragraph \($0) of \(name) is about queues." }.joined(separator: "\n\n")
    }

    /// (chunk, text) of every stored row of job `id`, in chunk order.
    func chunkRows(_ harness: WorkerHarness, _ id: String) throws -> [[SQLiteValue]] {
        try harness.store.db.rows("""
            SELECT e.chunk, e.start, e.end, e.text FROM embeddings e JOIN jobs j ON j.id = e.job_id WHERE j.custom_id = ?1 ORDER BY e.chunk
            """, .text(id))
    }

    @Test func aChunkedJobOverTheBatchInputLimitIsSentAcrossBatchesEachChunkOnce() async throws {
        let document = paragraphs("doc", 11)
        let jobs = try chunkedJob("doc", document, maxTokens: 40) + "\n" + embedJobs(3)
        try await withBatchHarness(jobs) { harness, server, provider in
            let options = BatchRunOptions(wait: true, pollInterval: 1, keepFiles: true, maxInputs: 4, workDirectory: harness.dir.path("work"))
            let report = try await runner(harness, provider, options: options).run()
            #expect(report.failed == 0)
            #expect(try harness.statuses().values.allSatisfy { $0 == "succeeded" })
            let rows = try chunkRows(harness, "doc")
            #expect(rows.count == 11, "one chunk per paragraph: \(rows)")
            #expect(rows.map { $0[0] } == (0..<11).map { .integer(Int64($0)) })
            let texts = rows.compactMap { row -> String? in if case .text(let text) = row[3] { return text } else { return nil } }
            #expect(texts.joined() == document)
            for row in rows {
                guard case .integer(let start) = row[1], case .integer(let end) = row[2], case .text(let text) = row[3] else { continue }
                #expect(Array(document.unicodeScalars)[Int(start)..<Int(end)].map(String.init).joined() == text)
            }
            // Every chunk and input once, in batches of at most 4 inputs.
            let sent = server.batchEmbeddedInputs()
            #expect(sent.count == 14 && Set(sent).count == 14)
            #expect(Set(sent).isSuperset(of: texts))
            for lines in inputLines(server) {
                #expect(lines.reduce(0) { $0 + ($1["body"]?["input"]?.arrayValue?.count ?? 0) } <= 4)
            }
        }
    }

    @Test func chunksStoredOrInFlightInAnotherBatchAreNotSentAgain() async throws {
        let first = paragraphs("shared", 4) + "\n\n"  // so b's first four chunks are these exactly
        try await withBatchHarness(try chunkedJob("a", first, maxTokens: 40), server: FakeOpenAIOptions(batchCompletionSeconds: 3_600)) {
            harness, server, provider in
            let options = BatchRunOptions(wait: false, keepFiles: true, workDirectory: harness.dir.path("work"))
            var report = try await runner(harness, provider, options: options).run()
            #expect(report.submitted == 1 && report.inFlight == 1)
            // b repeats a's four paragraphs (in flight) and adds two; c repeats one of b's new ones.
            try harness.enqueue(try chunkedJob("b", first + paragraphs("new", 2), maxTokens: 40) + "\n"
                                + (try chunkedJob("c", "Paragraph 1 of new is about queues.", maxTokens: 40)))
            report = try await runner(harness, provider, options: options).run()
            #expect(report.submitted == 1)
            let packed = inputLines(server).map { lines in lines.reduce(0) { $0 + ($1["body"]?["input"]?.arrayValue?.count ?? 0) } }
            #expect(packed == [4, 2], "a's four chunks, then only b's two new ones (c's is one of them)")
            server.advanceBatchClock(by: 3_600)
            for _ in 0..<3 {
                report = try await runner(harness, provider, options: options).run()
                if report.inFlight == 0 && report.pendingLeft == 0 { break }
                server.advanceBatchClock(by: 3_600)
            }
            #expect(try harness.statuses() == ["a": "succeeded", "b": "succeeded", "c": "succeeded"])
            #expect(server.batchEmbeddedInputs().count == 6, "nothing is sent twice")
            #expect(try chunkRows(harness, "b").count == 6)
            #expect(try chunkRows(harness, "c").count == 1)
        }
    }

    @Test func aStopDuringTheWaitPauseEndsTheRunWithTheBatchLeftForTheNextRun() async throws {
        try await withBatchHarness(embedJobs(5), server: FakeOpenAIOptions(batchCompletionSeconds: 3_600)) { harness, server, provider in
            // A poll interval longer than the clock's parking threshold: the pause lasts until stopped.
            let options = BatchRunOptions(wait: true, pollInterval: 3_600, workDirectory: harness.dir.path("work"))
            let batchRunner = try runner(harness, provider, options: options)
            let run = Task { try await batchRunner.run() }
            await harness.clock.untilParked()
            #expect(await batchRunner.stop())
            #expect(await !batchRunner.stop(), "a second stop is told it is one")
            let report = try await run.value
            #expect(report.end == "signal")
            #expect(report.submitted == 1 && report.inFlight == 1)
            #expect(try harness.statuses().values.allSatisfy { $0 == "running" })
            server.advanceBatchClock(by: 3_600)
            let next = try await runner(harness, provider).run()
            #expect(next.collected == 1 && next.submitted == 0)
            #expect(try harness.statuses().values.allSatisfy { $0 == "succeeded" })
        }
    }
}
