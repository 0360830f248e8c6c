import Testing
import JobQueue
import LLM
@testable import Worker

/// The failure policy of DESIGN.md, one row at a time, against a scripted provider.
struct WorkerFailureTests {
    @Test func badInputInABatchIsIsolatedByBisection() async throws {
        let message = "'bad' is not a valid input"
        let harness = try WorkerHarness(jobs: embedJobs(["one", "two", "bad", "four"]), otherwise: .failIfAnyInput(is: "bad", .invalid(message)))
        let report = try await harness.run()
        #expect(harness.provider.embeddedInputs == [["one", "two", "bad", "four"], ["one", "two"], ["bad", "four"], ["bad"], ["four"]])
        #expect(try harness.statuses() == ["j1": "succeeded", "j2": "succeeded", "j3": "failed", "j4": "succeeded"])
        guard case .text(let lastError) = try harness.value("last_error", of: "j3") else {
            Issue.record("no last_error")
            return
        }
        #expect(lastError.contains(message))
        #expect(lastError.contains("HTTP 400"))
        #expect(report.failed == 1)
        #expect(report.succeeded == 3)
        #expect(report.end == "drained")
    }

    @Test func invalidGenerateRequestFailsThatJob() async throws {
        let harness = try WorkerHarness(jobs: #"{"id": "g", "type": "generate", "prompt": "p"}"# + "\n",
                                        otherwise: .fail(.invalid("max_tokens is too large")))
        let report = try await harness.run()
        #expect(report.failed == 1)
        // Sent twice: before any request succeeded, a 4xx might be about the request.
        #expect(harness.provider.calls.count == 2)
        #expect(try harness.statuses() == ["g": "failed"])
    }

    @Test func inputOverTheTokenLimitFailsWithoutBeingSent() async throws {
        let harness = try WorkerHarness(jobs: embedJobs(["short", "long"]))
        try harness.store.db.run("UPDATE jobs SET input_tokens = 9000, tokens_exact = 1 WHERE custom_id = 'j2'")
        let report = try await harness.run()
        #expect(harness.provider.embeddedInputs == [["short"]])
        #expect(report.failed == 1)
        #expect(try harness.value("last_error", of: "j2")
                == .text("input is 9000 tokens, over the 8192-token limit of text-embedding-3-small: shorten or split it, run with --truncate, or enqueue it with --chunk-tokens N to embed it in chunks of at most N tokens"))
    }

    @Test func unreadableStoredRequestFailsWithAClearMessage() async throws {
        let harness = try WorkerHarness(jobs: embedJobs(["a"]) + #"{"id": "g", "type": "generate", "prompt": "p"}"# + "\n")
        try harness.store.db.run("UPDATE jobs SET request = '{}'")
        let report = try await harness.run()
        #expect(report.failed == 2)
        #expect(harness.provider.calls.isEmpty)
        #expect(try harness.value("last_error", of: "j1")
                == .text("the stored request is not an embed request llmq can read; re-enqueue the job"))
        #expect(try harness.value("last_error", of: "g")
                == .text("the stored request is not a generate request llmq can read; re-enqueue the job"))
    }

    @Test(arguments: [LLMError.quota, LLMError.badKey])
    func accountErrorsStopTheRunAndLeaveJobsPending(error: LLMError) async throws {
        let harness = try WorkerHarness(jobs: embedJobs(["a", "b", "c"]) + #"{"id": "g", "type": "generate", "prompt": "p"}"# + "\n",
                                        otherwise: .fail(error))
        let report = try await harness.run()
        #expect(report.end == "fatal")
        #expect(report.fatalError == error.description)
        #expect(report.failed == 0)
        #expect(report.pendingLeft == 4)
        #expect(try harness.statuses().values.allSatisfy { $0 == "pending" })
        #expect(try harness.store.db.scalarInt("SELECT count(*) FROM jobs WHERE attempts > 0 OR lease_owner IS NOT NULL") == 0)
    }

    /// An embed job whose input fails while a generate job succeeds: its failure follows its input.
    static let failingInputAndAGoodJob = embedJobs(["a"]) + #"{"id": "g", "type": "generate", "prompt": "p"}"# + "\n"

    @Test func retryableErrorReschedulesTheJobWithBackoff() async throws {
        let harness = try WorkerHarness(jobs: Self.failingInputAndAGoodJob, otherwise: .failIfAnyInput(is: "a", .internalServerError))
        let report = try await harness.run(.test(maxDuration: 2))
        #expect(report.end == "max-duration")
        #expect(report.failed == 0)
        #expect(try harness.statuses() == ["j1": "pending", "g": "succeeded"])
        #expect(try harness.value("attempts", of: "j1") == .integer(1))
        // Rescheduled 2 s (the first job backoff) after its last try.
        let tries = harness.provider.embeddedInputs.count
        #expect(tries >= 2)
        let embedTimes = zip(harness.provider.calls, harness.provider.callTimes).filter { call, _ in
            if case .embed = call { true } else { false }
        }
        let lastTry = try #require(embedTimes.last?.1)
        #expect(try harness.value("available_at", of: "j1") == .double(lastTry + 2))
        guard case .text(let lastError) = try harness.value("last_error", of: "j1") else {
            Issue.record("no last_error")
            return
        }
        #expect(lastError.contains("HTTP 500"))
    }

    @Test func jobFailsWithTheLastErrorAfterMaxAttempts() async throws {
        let harness = try WorkerHarness(jobs: Self.failingInputAndAGoodJob, otherwise: .failIfAnyInput(is: "a", .internalServerError))
        let report = try await harness.run(.test(maxAttempts: 3))
        #expect(report.end == "drained")
        #expect(report.failed == 1)
        #expect(try harness.statuses() == ["j1": "failed", "g": "succeeded"])
        #expect(try harness.value("attempts", of: "j1") == .integer(3))
        #expect(try harness.value("last_error", of: "j1") == .text(LLMError.internalServerError.description))
    }

    @Test func rateLimitReleasesTheJobWithoutCountingAnAttempt() async throws {
        let harness = try WorkerHarness(jobs: embedJobs(["a"]), script: [.fail(.rateLimit(after: 2))])
        let report = try await harness.run()
        #expect(report.end == "drained")
        #expect(report.succeeded == 1)
        #expect(report.retried == 1)
        #expect(report.rateLimited == 1)
        #expect(harness.provider.callTimes.map { $0 - harness.start } == [0, 2])
        #expect(try harness.value("attempts", of: "j1") == .integer(0))
    }

    @Test func maxDurationEndsTheRunWithJobsLeftPending() async throws {
        let harness = try WorkerHarness(jobs: embedJobs(["a", "b"]) + #"{"id": "g", "type": "generate", "prompt": "p"}"# + "\n",
                                        otherwise: .fail(.serverUnavailable))
        let report = try await harness.run(.test(maxDuration: 5))
        #expect(report.end == "max-duration")
        #expect(report.pendingLeft == 3)
        #expect(report.failed == 0)
        #expect(harness.clock.now() - harness.start >= 5)
    }

    @Test func runStopsAfterAStallOfRateLimits() async throws {
        let harness = try WorkerHarness(jobs: embedJobs(["a"]), otherwise: .fail(.rateLimit(after: 1)))
        let report = try await harness.run()
        #expect(report.end == "stall")
        #expect(report.pendingLeft == 1)
        #expect(report.failed == 0)
        #expect(report.rateLimited == harness.provider.calls.count)
        #expect(harness.clock.now() - harness.start == 60)
        #expect(try harness.value("attempts", of: "j1") == .integer(0))
    }
}
