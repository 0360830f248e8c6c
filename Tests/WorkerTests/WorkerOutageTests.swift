import Testing
import JobQueue
import LLM
@testable import Worker

/// Outages are waits, configuration errors stop the run, and only failures that follow
/// particular inputs spend attempts (DESIGN's failure policy), against a scripted provider.
struct WorkerOutageTests {
    @Test func outageHandsJobsBackWithoutAnAttemptAndTheRunFinishesWhenTheServerReturns() async throws {
        let harness = try WorkerHarness(jobs: embedJobs(["a", "b", "c"]),
                                        script: Array(repeating: .fail(.serverUnavailable), count: 6))
        let report = try await harness.run()
        #expect(report.end == "drained")
        #expect(report.succeeded == 3)
        #expect(report.failed == 0)
        #expect(try harness.store.db.scalarInt("SELECT max(attempts) FROM jobs") == 0)
        #expect(report.requestOutcomes["HTTP 503"] == 6)
        #expect(report.requests == harness.provider.calls.count)
        // Every try after a failure waited for the shared pause, backing off 1, 2, 4, … s.
        // (The two halves of a split batch go together, after the same pause.)
        let gaps = zip(harness.provider.callTimes.dropFirst(), harness.provider.callTimes).map { $0 - $1 }
        #expect(Array(gaps.filter { $0 > 0 }.prefix(3)) == [1, 2, 4])
    }

    @Test func outageLongerThanMaxStallEndsTheRunWithNothingFailed() async throws {
        let harness = try WorkerHarness(jobs: embedJobs(["a", "b"]) + #"{"id": "g", "type": "generate", "prompt": "p"}"# + "\n",
                                        otherwise: .fail(.serverUnavailable))
        let report = try await harness.run()
        #expect(report.end == "stall")
        #expect(report.failed == 0)
        #expect(report.pendingLeft == 3)
        #expect(try harness.store.db.scalarInt("SELECT max(attempts) FROM jobs") == 0)
        #expect(try harness.store.db.scalarInt("SELECT count(*) FROM jobs WHERE status = 'pending' AND lease_owner IS NULL") == 3)
    }

    @Test func failureThatFollowsOneInputFailsOnlyThatJobAfterItsAttempts() async throws {
        let harness = try WorkerHarness(jobs: embedJobs(["a", "b", "c", "d", "e"]),
                                        otherwise: .failIfAnyInput(is: "c", .internalServerError))
        let report = try await harness.run(.test(maxAttempts: 3))
        #expect(report.end == "drained")
        #expect(try harness.statuses() == ["j1": "succeeded", "j2": "succeeded", "j3": "failed", "j4": "succeeded", "j5": "succeeded"])
        #expect(try harness.value("attempts", of: "j3") == .integer(3))
        #expect(try harness.value("last_error", of: "j3") == .text(LLMError.internalServerError.description))
        #expect(try harness.value("retry_next_run", of: "j3") == .integer(1))
        #expect(report.failed == 1)
        #expect(report.succeeded == 4)
    }

    @Test func loneJobLeftAfterItsBatchWasSplitDuringAnOutageVerdictFailsAfterItsAttempts() async throws {
        // The first batch fails before anything succeeded (an outage, by all it knows) and is
        // split, and split again: "a" succeeds, then "p" fails (each request takes time here,
        // so its failure comes after that success). Sent alone later, with nothing else in
        // flight, its failure must still count as following its input, not as an outage.
        let harness = try WorkerHarness(jobs: embedJobs(["a", "p", "b", "c"]), otherwise: .failIfAnyInput(is: "p", .internalServerError),
                                        latency: 0.05)
        let report = try await harness.run(WorkerOptions(concurrency: 1, batchSize: 4, maxAttempts: 3, maxStall: 600))
        #expect(report.end == "drained")
        #expect(try harness.statuses() == ["j1": "succeeded", "j2": "failed", "j3": "succeeded", "j4": "succeeded"])
        #expect(try harness.value("attempts", of: "j2") == .integer(3))
    }

    @Test func jobFailedOnTransientErrorsIsTriedAgainByTheNextRun() async throws {
        let harness = try WorkerHarness(jobs: embedJobs(["a", "b", "c", "d", "e"]), otherwise: .failIfAnyInput(is: "e", .internalServerError))
        let first = try await harness.run(.test(maxAttempts: 2))
        #expect(first.failed == 1)
        #expect(try harness.statuses()["j5"] == "failed")
        let triesInTheFirstRun = harness.provider.embeddedInputs.filter { $0.contains("e") }.count
        // A job the API refused stays failed: only `llmq retry --failed` brings it back.
        try harness.enqueue(#"{"id": "refused", "type": "embed", "input": "x"}"# + "\n")
        let refused = try #require(try harness.store.db.scalarInt("SELECT id FROM jobs WHERE custom_id = 'refused'"))
        try harness.store.fail(jobID: Int64(refused), error: "HTTP 400")
        try harness.enqueue(#"{"id": "new", "type": "embed", "input": "f"}"# + "\n")
        let second = try await harness.run(.test(maxAttempts: 2))
        #expect(second.failed == 1)
        #expect(second.succeeded == 1)
        #expect(try harness.statuses()["j5"] == "failed")
        #expect(try harness.statuses()["new"] == "succeeded")
        #expect(harness.provider.embeddedInputs.filter { $0.contains("e") }.count > triesInTheFirstRun)
        #expect(try harness.statuses()["refused"] == "failed")
        #expect(!harness.provider.embeddedInputs.contains(["x"]))
    }

    @Test func requestLevel400RepeatedByBothHalvesStopsTheRunWithNothingFailed() async throws {
        let harness = try WorkerHarness(jobs: embedJobs(["a", "b", "c", "d"]), otherwise: .fail(.invalid("No connected db.")))
        let report = try await harness.run()
        #expect(report.end == "configuration")
        #expect(harness.provider.embeddedInputs == [["a", "b", "c", "d"], ["a", "b"], ["c", "d"]])
        #expect(report.failed == 0)
        #expect(report.pendingLeft == 4)
        #expect(report.fatalError?.contains("No connected db") == true)
        #expect(report.fatalError?.contains("both halves of a batch of 4 inputs were refused with the same message") == true)
        #expect(try harness.store.db.scalarInt("SELECT count(*) FROM jobs WHERE status = 'pending' AND attempts = 0") == 4)
    }

    @Test func sameRefusalOfThreeSingleRequestsBeforeAnySuccessStopsTheRunWithNothingFailed() async throws {
        let jobs = (1...5).map { #"{"id": "g\#($0)", "type": "generate", "prompt": "p\#($0)"}"# }.joined(separator: "\n") + "\n"
        let harness = try WorkerHarness(jobs: jobs, otherwise: .fail(.invalid("No connected db.")))
        let report = try await harness.run(WorkerOptions(concurrency: 1, batchSize: 4, maxStall: 60))
        #expect(report.end == "configuration")
        #expect(report.fatalError?.contains("three jobs in a row were refused with the same message") == true)
        #expect(harness.provider.calls.count == 3)
        #expect(report.failed == 0)
        #expect(try harness.statuses().values.allSatisfy { $0 == "pending" })
    }

    @Test(arguments: [
        LLMError(kind: .invalidRequest(message: "This model does not support specifying dimensions of 4000.", param: "dimensions"),
                 status: 400, apiMessage: "This model does not support specifying dimensions of 4000.", requestParameter: "dimensions"),
        LLMError(kind: .endpointNotFound, status: 404, apiMessage: "Not Found"),
        LLMError(kind: .unknownModel, status: 404, apiMessage: "The model `x` does not exist", apiCode: "model_not_found"),
    ])
    func configurationErrorStopsTheRunAtOnceWithNothingFailed(error: LLMError) async throws {
        let harness = try WorkerHarness(jobs: embedJobs(["a", "b", "c"]) + #"{"id": "g", "type": "generate", "prompt": "p"}"# + "\n",
                                        otherwise: .fail(error))
        let report = try await harness.run(WorkerOptions(concurrency: 1, batchSize: 4, maxStall: 60))
        #expect(report.end == "configuration")
        #expect(report.fatalError == error.description)
        #expect(harness.provider.calls.count == 1)
        #expect(report.failed == 0)
        #expect(try harness.statuses().values.allSatisfy { $0 == "pending" })
    }

    @Test func outageMonitorTellsAnOutageFromAFailureThatFollowsInputs() {
        var monitor = OutageMonitor()
        // Nothing has succeeded: an outage, the pause doubling once per pause.
        #expect(monitor.failed(jobIDs: [1], sentAt: 10, reason: "HTTP 500", now: 11, random: 0) == .outage(pause: 1))
        #expect(monitor.failed(jobIDs: [2], sentAt: 10, reason: "HTTP 500", now: 11.5, random: 0) == .outage(pause: 0.5))
        #expect(monitor.failed(jobIDs: [2], sentAt: 12, reason: "connection refused", now: 12, random: 0) == .outage(pause: 2))
        #expect(monitor.recentSummary(now: 12) == "2 HTTP 500 in the last minute")
        // Another request succeeded while this one was in flight: it follows its inputs.
        monitor.succeeded(now: 20, jobIDs: [3])
        #expect(monitor.pauseRemaining(now: 20) == 0)
        #expect(monitor.failed(jobIDs: [4], sentAt: 19, reason: "HTTP 500", now: 21, random: 0) == .followsInputs)
        // Job 1 failed only during the outage, which is over: that said nothing about its input.
        #expect(monitor.failed(jobIDs: [1], sentAt: 30, reason: "HTTP 500", now: 31, random: 0) == .outage(pause: 1))
        // Job 4 first failed while the server worked, and a request succeeded since: it follows its input.
        monitor.succeeded(now: 35, jobIDs: [6])
        #expect(monitor.failed(jobIDs: [4], sentAt: 40, reason: "HTTP 500", now: 41, random: 0) == .followsInputs)
        // Job 7's failure was found by bisection after its sibling succeeded (at 35): its next
        // failure, alone and after that success, still follows its input.
        monitor.noteFailureFollowsInputs(jobIDs: [7])
        #expect(monitor.failed(jobIDs: [7], sentAt: 50, reason: "HTTP 500", now: 51, random: 0) == .followsInputs)
    }
}
