import Testing
@testable import JobQueue
@testable import SQLite
import TestSupport

struct JobStoreRetryTests {
    @Test func retryWithoutIDsRequeuesEveryFailedJobWithAttemptsReset() throws {
        let dir = try TemporaryDirectory()
        let store = try exportFixture(in: dir)
        let result = try store.retry(customIDs: nil, failedOnly: true)
        #expect(result.requeued == 1)
        #expect(try store.db.rows("SELECT status, attempts FROM jobs WHERE custom_id = 'f1'") == [[.text("pending"), .integer(0)]])
    }

    @Test func namedIDsAreRequeuedUnknownOnesReportedAndRepeatsCountedOnce() throws {
        let dir = try TemporaryDirectory()
        let store = try exportFixture(in: dir)
        let result = try store.retry(customIDs: ["f1", "nope", "f1", "g1"], failedOnly: false)
        #expect(result.requeued == 2)
        #expect(result.unknown == ["nope"])
        #expect(result.skipped.isEmpty)
    }

    @Test func failedOnlySkipsNamedJobsThatDidNotFail() throws {
        let dir = try TemporaryDirectory()
        let store = try exportFixture(in: dir)
        let result = try store.retry(customIDs: ["f1", "g1"], failedOnly: true)
        #expect(result.requeued == 1)
        #expect(result.skipped.map(\.customID) == ["g1"])
        #expect(result.skipped.map(\.status) == [.succeeded])
    }
}
