import Foundation
import Testing
import JobQueue
@testable import Worker

/// Stops from outside the run (signals) and leases left by other workers.
struct WorkerStopTests {
    @Test func signalStopsTheRunAndHandsInFlightJobsBackAfterTheGrace() async throws {
        let harness = try WorkerHarness(jobs: embedJobs(["a", "b"]) + #"{"id": "g", "type": "generate", "prompt": "p"}"# + "\n",
                                        otherwise: .hang)
        // An earlier answer said the server sends no limits, so both units go at once
        // (before that, the worker keeps one request in flight).
        await harness.pacer.didReceive(status: 200, rateLimits: nil, retryAfter: nil)
        let worker = harness.makeWorker()
        let run = Task { try await worker.run() }
        var yields = 0
        while harness.provider.calls.count < 2, yields < 1_000_000 {
            yields += 1
            await Task.yield()
        }
        #expect(harness.provider.calls.count == 2)
        await worker.stopGracefully()
        let report = try await run.value
        #expect(report.end == "signal")
        #expect(report.pendingLeft == 3)
        #expect(report.retried == 3)
        #expect(report.failed == 0)
        #expect(harness.clock.now() - harness.start == WorkerOptions.test().shutdownGrace)
        #expect(try harness.store.db.scalarInt("SELECT count(*) FROM jobs WHERE status = 'pending' AND attempts = 0 AND lease_owner IS NULL") == 3)
    }

    @Test func jobsOfADeadLocalWorkerAreTakenBackAtOnce() async throws {
        let harness = try WorkerHarness(jobs: embedJobs(["a", "b"]))
        let dead = LeaseOwner(host: ProcessInfo.processInfo.hostName, pid: Int32.max, nonce: "gone")
        #expect(dead.isDeadLocalProcess)
        _ = try harness.store.claim(kind: .embed, limit: 2, owner: dead.description, leaseSeconds: 3600)
        let report = try await harness.run()
        #expect(report.succeeded == 2)
        #expect(harness.clock.now() == harness.start)
    }

    @Test func leasesOfAWorkerOnAnotherHostAreLeftUntilTheyExpire() async throws {
        let harness = try WorkerHarness(jobs: embedJobs(["a", "b"]))
        let elsewhere = LeaseOwner(host: "another-host", pid: 1, nonce: "x")
        _ = try harness.store.claim(kind: .embed, limit: 2, owner: elsewhere.description, leaseSeconds: 3600)
        let report = try await harness.run()
        #expect(report.end == "drained")
        #expect(report.succeeded == 0)
        #expect(harness.provider.calls.isEmpty)
        #expect(try harness.statuses() == ["j1": "running", "j2": "running"])
    }
}
