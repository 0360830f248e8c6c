import Testing
@testable import JobQueue
@testable import SQLite

/// The store's side of packing a batch: claiming, reading the claimed jobs a page at a
/// time, recording where each went, finding inputs in flight.
struct BatchPackingStoreTests {
    func group(_ queue: QueueFixture) throws -> BatchGroup {
        try #require(try queue.store.pendingBatchGroups().first)
    }

    func entry(_ job: ClaimedJob, line: String) -> BatchEntry {
        BatchEntry(jobID: job.id, line: line, position: 0, inputHash: job.inputHash, tokens: 3, part: nil)
    }

    @Test func claimedJobsAreReadAPageAtATimeAndInputsInFlightAreFoundByHash() throws {
        let queue = try QueueFixture(embedLines(5))
        let (first, ids) = try queue.store.beginSubmission(try group(queue), endpoint: "/v1/embeddings", limit: 3)
        #expect(ids.count == 3)
        let jobs = try queue.store.batchClaimedJobs(ids.prefix(2), submission: first.id)
            + queue.store.batchClaimedJobs(ids.dropFirst(2), submission: first.id)
        #expect(jobs.map(\.customID) == ["e1", "e2", "e3"])
        #expect(try queue.store.batchClaimedJobs(ids, submission: first.id + 1).isEmpty, "another submission owns none of them")
        try queue.store.recordPacking(first.id, entries: jobs.map { entry($0, line: "llmq-\(first.id)-0") }, release: [],
                                      lineCount: 1, inputs: 3, tokens: 9)
        let (second, rest) = try queue.store.beginSubmission(try group(queue), endpoint: "/v1/embeddings", limit: 3)
        let others = try queue.store.batchClaimedJobs(rest, submission: second.id)
        let probe = [jobs[1].inputHash, others[0].inputHash, [UInt8](repeating: 7, count: 32)]
        #expect(try queue.store.batchSentInputs(probe, excluding: second.id) == [jobs[1].inputHash])
        #expect(try queue.store.batchSentInputs(probe, excluding: first.id).isEmpty, "a batch's own inputs are not in flight elsewhere")
    }

    @Test func aJobARequeueTookBackFromABatchInFlightIsRecordedForItsNewBatch() throws {
        let queue = try QueueFixture(embedLines(1))
        let (first, ids) = try queue.store.beginSubmission(try group(queue), endpoint: "/v1/embeddings", limit: 10)
        let job = try #require(try queue.store.batchClaimedJobs(ids, submission: first.id).first)
        try queue.store.recordPacking(first.id, entries: [entry(job, line: "llmq-\(first.id)-0")], release: [], lineCount: 1, inputs: 1,
                                      tokens: 3)
        // What a re-enqueue of a changed input does: the job is pending again, its old batch's row stays.
        try queue.store.db.run("UPDATE jobs SET status = 'pending', lease_owner = NULL")
        let (second, again) = try queue.store.beginSubmission(try group(queue), endpoint: "/v1/embeddings", limit: 10)
        #expect(again == ids)
        try queue.store.recordPacking(second.id, entries: [entry(job, line: "llmq-\(second.id)-0")], release: [], lineCount: 1,
                                      inputs: 1, tokens: 3)
        let rows = try queue.store.db.rows("SELECT submission_id, line FROM batch_jobs")
        #expect(rows == [[.integer(second.id), .text("llmq-\(second.id)-0")]])
    }
}
