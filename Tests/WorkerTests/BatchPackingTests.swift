import FakeOpenAI
import Foundation
import JobQueue
import LLM
import SQLite
import Testing
@testable import Worker

/// Packing a page of jobs at a time: what spans pages behaves as one batch.
extension BatchRunnerTests {
    @Test func identicalInputsOnDifferentPagesShareOneInputOfTheBatch() async throws {
        // Job i sends "text number (i % 1,200)": the twins of the first 1,200 jobs are read
        // one or two pages later, some after their input's line was written (page 2, from
        // page 1), some while it is still the open line (page 3, from the end of page 2).
        let count = 2 * 1_200
        #expect(BatchRunner.packingPage == 1_000)
        let jobs = (0..<count).map { #"{"id": "e\#($0)", "type": "embed", "input": "text number \#($0 % 1_200)"}"# }
        try await withBatchHarness(jobs.joined(separator: "\n")) { harness, server, provider in
            let options = BatchRunOptions(wait: true, pollInterval: 1, keepFiles: true, workDirectory: harness.dir.path("work"))
            let report = try await runner(harness, provider, options: options, worker: WorkerOptions(batchSize: 512)).run()
            #expect(report.succeeded == count && report.failed == 0)
            #expect(report.submitted == 1)
            let sent = server.batchEmbeddedInputs()
            #expect(sent.count == 1_200 && Set(sent).count == 1_200, "each text once")
            #expect(inputLines(server).first?.count == 3, "lines of 512, 512 and 176 inputs")
            let pairs = try harness.store.db.scalarInt("""
                SELECT count(DISTINCT json_extract(j.request, '$.input') || hex(e.vector)) FROM jobs j JOIN embeddings e ON e.job_id = j.id
                """)
            #expect(pairs == 1_200, "twins hold the same vector")
            #expect(try harness.store.db.scalarInt("SELECT count(*) FROM embeddings") == count)
        }
    }
}
