import Testing
@testable import JobQueue
@testable import SQLite

struct ClaimTests {
    static let owner = "host:1:a"
    static let other = "host:2:b"

    @Test func claimMarksJobsRunningWithOwnerAndLease() throws {
        let queue = try QueueFixture(embedLines(3))
        let jobs = try queue.store.claim(kind: .embed, limit: 2, owner: Self.owner, leaseSeconds: 60)
        #expect(jobs.map(\.customID) == ["e1", "e2"])
        #expect(jobs[0].request == .embed(input: "input-1", model: "text-embedding-3-small", dimensions: 1536))
        #expect(jobs[0].attempts == 0)
        for id in ["e1", "e2"] {
            #expect(try queue.status(id) == "running")
            #expect(try queue.value("lease_owner", of: id) == .text(Self.owner))
            #expect(try queue.value("lease_expires_at", of: id) == .double(queue.clock.now + 60))
        }
        #expect(try queue.status("e3") == "pending")
        #expect(try queue.store.leaseOwners() == [Self.owner])
    }

    @Test func claimOfAKindWithNothingRunnableIsEmpty() throws {
        let queue = try QueueFixture(embedLines(2))
        #expect(try queue.store.claim(kind: .generate, limit: 5, owner: Self.owner, leaseSeconds: 60).isEmpty)
        #expect(try queue.store.claim(kind: .embed, limit: 0, owner: Self.owner, leaseSeconds: 60).isEmpty)
    }

    @Test func twoConnectionsNeverClaimTheSameJob() throws {
        let queue = try QueueFixture(embedLines(20))
        let second = try queue.openAnother()
        var first: [Int64] = []
        var other: [Int64] = []
        for round in 0..<12 {
            if round.isMultiple(of: 2) {
                first += try queue.store.claim(kind: .embed, limit: 3, owner: Self.owner, leaseSeconds: 60).map(\.id)
            } else {
                other += try second.claim(kind: .embed, limit: 3, owner: Self.other, leaseSeconds: 60).map(\.id)
            }
        }
        #expect(Set(first).isDisjoint(with: other))
        #expect(Set(first + other).count == 20)
        #expect(first.count + other.count == 20)
    }

    @Test func embedClaimTakesOneModelAndDimensionsGroup() throws {
        let lines = """
            {"id": "a", "type": "embed", "input": "x"}
            {"id": "b", "type": "embed", "input": "x", "dimensions": 256}
            {"id": "c", "type": "embed", "input": "y"}
            {"id": "d", "type": "embed", "input": "x", "model": "text-embedding-3-large"}
            {"id": "e", "type": "embed", "input": "z", "dimensions": 256}

            """
        let queue = try QueueFixture(lines)
        let claim = { try queue.store.claim(kind: .embed, limit: 10, owner: Self.owner, leaseSeconds: 60).map(\.customID) }
        #expect(try claim() == ["a", "c"])
        #expect(try claim() == ["b", "e"])
        #expect(try claim() == ["d"])
        #expect(try claim() == [])
    }

    @Test func jobIsNotClaimedBeforeItsAvailableTime() throws {
        let queue = try QueueFixture(embedLines(1))
        try queue.store.db.run("UPDATE jobs SET available_at = ?1", .double(queue.clock.now + 30))
        #expect(try queue.store.claim(kind: .embed, limit: 1, owner: Self.owner, leaseSeconds: 60).isEmpty)
        let summary = try queue.store.pendingSummary()
        #expect(summary.runnable == 0 && summary.pending == 1 && summary.nextAvailableAt == queue.clock.now + 30)
        queue.clock.advance(29)
        #expect(try queue.store.claim(kind: .embed, limit: 1, owner: Self.owner, leaseSeconds: 60).isEmpty)
        queue.clock.advance(1)
        #expect(try queue.store.claim(kind: .embed, limit: 1, owner: Self.owner, leaseSeconds: 60).map(\.customID) == ["e1"])
    }

    @Test func expiredLeaseIsReclaimed() throws {
        let queue = try QueueFixture(embedLines(2))
        _ = try queue.store.claim(kind: .embed, limit: 1, owner: Self.owner, leaseSeconds: 60)
        queue.clock.advance(60)
        #expect(try queue.store.reclaimExpiredLeases() == 0)
        queue.clock.advance(1)
        #expect(try queue.store.reclaimExpiredLeases() == 1)
        #expect(try queue.status("e1") == "pending")
        #expect(try queue.value("lease_owner", of: "e1") == .null)
        #expect(try queue.value("attempts", of: "e1") == .integer(0))
        let again = try queue.openAnother().claim(kind: .embed, limit: 5, owner: Self.other, leaseSeconds: 60)
        #expect(again.map(\.customID) == ["e1", "e2"])
    }

    @Test func renewLeasesExtendsOnlyTheOwnersLeases() throws {
        let queue = try QueueFixture(embedLines(2))
        let start = queue.clock.now
        _ = try queue.store.claim(kind: .embed, limit: 1, owner: Self.owner, leaseSeconds: 60)
        _ = try queue.store.claim(kind: .embed, limit: 1, owner: Self.other, leaseSeconds: 60)
        queue.clock.advance(50)
        #expect(try queue.store.renewLeases(owner: Self.owner, leaseSeconds: 60) == 1)
        #expect(try queue.value("lease_expires_at", of: "e1") == .double(start + 110))
        #expect(try queue.value("lease_expires_at", of: "e2") == .double(start + 60))
        queue.clock.advance(20)
        #expect(try queue.store.reclaimExpiredLeases() == 1)
        #expect(try queue.status("e1") == "running")
        #expect(try queue.status("e2") == "pending")
    }

    @Test func releaseHandsJobsBackWithoutCountingAnAttempt() throws {
        let queue = try QueueFixture(embedLines(3))
        let jobs = try queue.store.claim(kind: .embed, limit: 3, owner: Self.owner, leaseSeconds: 60)
        #expect(try queue.store.release(owner: Self.other) == 0)
        #expect(try queue.store.release(owner: Self.other, ids: [jobs[0].id]) == 0)
        #expect(try queue.store.release(owner: Self.owner, ids: [jobs[0].id], availableAt: queue.clock.now + 5) == 1)
        #expect(try queue.status("e1") == "pending")
        #expect(try queue.value("available_at", of: "e1") == .double(queue.clock.now + 5))
        #expect(try queue.status("e2") == "running")
        #expect(try queue.store.release(owner: Self.owner) == 2)
        for id in ["e1", "e2", "e3"] {
            #expect(try queue.value("attempts", of: id) == .integer(0))
            #expect(try queue.value("lease_owner", of: id) == .null)
        }
    }

    @Test func retryLaterCountsAttemptsAndFailsAtMaxAttempts() throws {
        let queue = try QueueFixture(embedLines(1))
        for attempt in 1...3 {
            let job = try #require(try queue.store.claim(kind: .embed, limit: 1, owner: Self.owner, leaseSeconds: 60).first)
            #expect(job.attempts == attempt - 1)
            let outcome = try queue.store.retryLater(jobID: job.id, error: "boom \(attempt)", availableAt: queue.clock.now, maxAttempts: 3)
            #expect(outcome == (attempt < 3 ? .rescheduled : .failed))
            #expect(try queue.value("attempts", of: "e1") == .integer(Int64(attempt)))
        }
        #expect(try queue.status("e1") == "failed")
        #expect(try queue.value("last_error", of: "e1") == .text("boom 3"))
        #expect(try queue.value("finished_at", of: "e1") == .double(queue.clock.now))
        #expect(try queue.store.retryLater(jobID: 1, error: "late", availableAt: 0, maxAttempts: 3) == .gone)
        #expect(try queue.value("last_error", of: "e1") == .text("boom 3"))
    }

    @Test func retryLaterSchedulesTheJobForLater() throws {
        let queue = try QueueFixture(embedLines(1))
        let job = try #require(try queue.store.claim(kind: .embed, limit: 1, owner: Self.owner, leaseSeconds: 60).first)
        #expect(try queue.store.retryLater(jobID: job.id, error: "503", availableAt: queue.clock.now + 4, maxAttempts: 8) == .rescheduled)
        #expect(try queue.status("e1") == "pending")
        #expect(try queue.value("last_error", of: "e1") == .text("503"))
        #expect(try queue.store.claim(kind: .embed, limit: 1, owner: Self.owner, leaseSeconds: 60).isEmpty)
        queue.clock.advance(4)
        #expect(try queue.store.claim(kind: .embed, limit: 1, owner: Self.owner, leaseSeconds: 60).count == 1)
    }

    @Test func completeWritesVectorAndSuccessTogether() throws {
        let queue = try QueueFixture(embedLines(2))
        let jobs = try queue.store.claim(kind: .embed, limit: 2, owner: Self.owner, leaseSeconds: 60)
        let bytes = EmbeddingResult.littleEndianBytes([1, -2.5])
        let written = try queue.store.complete(embeddings: jobs.map {
            EmbeddingResult(jobID: $0.id, requestHash: $0.requestHash, model: "m", vector: bytes, dimensions: 2, inputTokens: 3, reused: false)
        })
        #expect(written == 2)
        #expect(try queue.status("e1") == "succeeded")
        #expect(try queue.value("lease_owner", of: "e1") == .null)
        #expect(try queue.store.db.rows("SELECT model, dimensions, vector, input_tokens FROM embeddings WHERE job_id = ?1", .integer(jobs[0].id))
                == [[.text("m"), .integer(2), .blob(bytes), .integer(3)]])
    }

    @Test func completeIsDroppedWhenAReEnqueueChangedTheRequest() throws {
        let lines = #"""
            {"id": "e", "type": "embed", "input": "old"}
            {"id": "g", "type": "generate", "prompt": "old"}

            """#
        let queue = try QueueFixture(lines)
        let embed = try #require(try queue.store.claim(kind: .embed, limit: 1, owner: Self.owner, leaseSeconds: 60).first)
        let generate = try #require(try queue.store.claim(kind: .generate, limit: 1, owner: Self.owner, leaseSeconds: 60).first)
        try queue.enqueue(lines.replacingOccurrences(of: "old", with: "new"))

        let written = try queue.store.complete(embeddings: [EmbeddingResult(
            jobID: embed.id, requestHash: embed.requestHash, model: "m", vector: [0, 0, 0, 0], dimensions: 1, inputTokens: 1, reused: false)])
        let stored = try queue.store.complete(generation: GenerationResult(
            jobID: generate.id, requestHash: generate.requestHash, model: "m", content: "stale", refusal: nil, finishReason: "stop",
            inputTokens: 1, outputTokens: 1))
        #expect(written == 0)
        #expect(stored == false)
        #expect(try queue.status("e") == "pending")
        #expect(try queue.status("g") == "pending")
        #expect(try queue.store.db.scalarInt("SELECT count(*) FROM embeddings") == 0)
        #expect(try queue.store.db.scalarInt("SELECT count(*) FROM generations") == 0)
    }

    @Test func completeStoresAGeneration() throws {
        let queue = try QueueFixture(#"{"id": "g", "type": "generate", "prompt": "hi"}"# + "\n")
        let job = try #require(try queue.store.claim(kind: .generate, limit: 1, owner: Self.owner, leaseSeconds: 60).first)
        #expect(try queue.store.complete(generation: GenerationResult(
            jobID: job.id, requestHash: job.requestHash, model: "m", content: "hello", refusal: nil, finishReason: "stop",
            inputTokens: 5, outputTokens: 2)))
        #expect(try queue.status("g") == "succeeded")
        #expect(try queue.store.db.rows("SELECT content, finish_reason, input_tokens, output_tokens FROM generations")
                == [[.text("hello"), .text("stop"), .integer(5), .integer(2)]])
    }

    @Test func storedVectorIsFoundByRequestHash() throws {
        let queue = try QueueFixture(embedLines(1) + #"{"id": "same", "type": "embed", "input": "input-1"}"# + "\n")
        let jobs = try queue.store.claim(kind: .embed, limit: 2, owner: Self.owner, leaseSeconds: 60)
        #expect(jobs[0].requestHash == jobs[1].requestHash)
        #expect(try queue.store.storedVector(forRequestHash: jobs[0].requestHash) == nil)
        let bytes = EmbeddingResult.littleEndianBytes([0.5])
        try queue.store.complete(embeddings: [EmbeddingResult(
            jobID: jobs[0].id, requestHash: jobs[0].requestHash, model: "m", vector: bytes, dimensions: 1, inputTokens: 1, reused: false)])
        let stored = try #require(try queue.store.storedVector(forRequestHash: jobs[1].requestHash))
        #expect(stored.model == "m")
        #expect(stored.dimensions == 1)
        #expect(stored.vector == bytes)
        #expect(try queue.store.storedVector(forRequestHash: [UInt8](repeating: 0, count: 32)) == nil)
    }

    @Test func failSetsLastError() throws {
        let queue = try QueueFixture(embedLines(1))
        let job = try #require(try queue.store.claim(kind: .embed, limit: 1, owner: Self.owner, leaseSeconds: 60).first)
        try queue.store.fail(jobID: job.id, error: "input too long")
        #expect(try queue.status("e1") == "failed")
        #expect(try queue.value("last_error", of: "e1") == .text("input too long"))
        #expect(try queue.value("lease_owner", of: "e1") == .null)
    }

    @Test func failIsDroppedWhenAReEnqueueChangedTheRequest() throws {
        let lines = #"{"id": "e", "type": "embed", "input": "old"}"# + "\n"
        let queue = try QueueFixture(lines)
        let job = try #require(try queue.store.claim(kind: .embed, limit: 1, owner: Self.owner, leaseSeconds: 60).first)
        try queue.enqueue(lines.replacingOccurrences(of: "old", with: "new"))
        try queue.store.fail(jobID: job.id, error: "the old input was invalid", requestHash: job.requestHash)
        #expect(try queue.status("e") == "pending")
        #expect(try queue.value("last_error", of: "e") == .null)
        #expect(try queue.value("attempts", of: "e") == .integer(0))
    }

    @Test func retryLaterOfAReplacedRequestIsGone() throws {
        let lines = #"{"id": "e", "type": "embed", "input": "old"}"# + "\n"
        let queue = try QueueFixture(lines)
        let job = try #require(try queue.store.claim(kind: .embed, limit: 1, owner: Self.owner, leaseSeconds: 60).first)
        try queue.enqueue(lines.replacingOccurrences(of: "old", with: "new"))
        _ = try queue.openAnother().claim(kind: .embed, limit: 1, owner: Self.other, leaseSeconds: 60)
        let outcome = try queue.store.retryLater(jobID: job.id, error: "503", availableAt: 0, maxAttempts: 8, requestHash: job.requestHash)
        #expect(outcome == .gone)
        #expect(try queue.status("e") == "running")
        #expect(try queue.value("lease_owner", of: "e") == .text(Self.other))
        #expect(try queue.value("attempts", of: "e") == .integer(0))
    }

    @Test func retryRequeuesFailedJobs() throws {
        let queue = try QueueFixture(embedLines(3))
        try queue.store.db.run("UPDATE jobs SET status = 'failed', attempts = 8, last_error = 'x' WHERE custom_id IN ('e1', 'e2')")
        try queue.store.db.run("UPDATE jobs SET status = 'succeeded' WHERE custom_id = 'e3'")

        let named = try queue.store.retry(customIDs: ["e1", "e3", "nope"], failedOnly: true)
        #expect(named.requeued == 1)
        #expect(named.unknown == ["nope"])
        #expect(try queue.status("e1") == "pending")
        #expect(try queue.value("attempts", of: "e1") == .integer(0))
        #expect(try queue.status("e3") == "succeeded")

        #expect(try queue.store.retry(customIDs: ["e3"], failedOnly: false).requeued == 1)
        #expect(try queue.status("e3") == "pending")

        #expect(try queue.store.retry(customIDs: nil, failedOnly: true).requeued == 1)
        #expect(try queue.status("e2") == "pending")
        let summary = try queue.store.pendingSummary()
        #expect(summary.runnable == 3 && summary.pending == 3 && summary.nextAvailableAt == 0)
    }
}
