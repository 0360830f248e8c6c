import Foundation
import Testing
@testable import JobQueue
@testable import SQLite
import TestSupport

struct EnqueueTests {
    static let corpus = """
        {"id": "a", "type": "embed", "input": "alpha"}
        {"id": "b", "type": "embed", "input": "beta", "metadata": {"n": 1}}
        {"id": "c", "type": "generate", "prompt": "gamma"}

        """

    @Test func countsAddedLines() throws {
        let dir = try TemporaryDirectory()
        let store = try JobStore(path: dir.path("q.sqlite"))
        let result = try enqueueText(Self.corpus, into: store)
        #expect(result.counts == counts(added: 3))
        #expect(result.diagnostics.isEmpty)
        #expect(try store.db.scalarInt("SELECT count(*) FROM jobs WHERE status = 'pending'") == 3)
        #expect(try store.db.rows("SELECT source_file, source_line FROM jobs WHERE custom_id = 'c'") == [[.text("jobs.jsonl"), .integer(3)]])
    }

    @Test func reEnqueueingTheSameFileIsANoOp() throws {
        let dir = try TemporaryDirectory()
        let store = try JobStore(path: dir.path("q.sqlite"))
        _ = try enqueueText(Self.corpus, into: store)
        try store.db.run("UPDATE jobs SET status = 'succeeded' WHERE custom_id = 'a'")
        let again = try enqueueText(Self.corpus, into: store)
        #expect(again.counts == counts(unchanged: 3))
        #expect(try store.db.scalarInt("SELECT count(*) FROM jobs WHERE status = 'succeeded'") == 1)
    }

    @Test func changedRequestGoesBackToPending() throws {
        let dir = try TemporaryDirectory()
        let store = try JobStore(path: dir.path("q.sqlite"))
        _ = try enqueueText(Self.corpus, into: store)
        try store.db.run("UPDATE jobs SET status = 'failed', attempts = 8, last_error = 'boom' WHERE custom_id = 'a'")
        let changed = Self.corpus.replacingOccurrences(of: "alpha", with: "alpha v2")
        let result = try enqueueText(changed, into: store)
        #expect(result.counts == counts(updated: 1, unchanged: 2))
        let row = try store.db.rows("SELECT status, attempts, last_error, request FROM jobs WHERE custom_id = 'a'")[0]
        #expect(row[0] == .text("pending"))
        #expect(row[1] == .integer(0))
        #expect(row[2] == .null)
        #expect(row[3] == .text(#"{"dimensions":1536,"input":"alpha v2","kind":"embed","model":"text-embedding-3-small"}"#))
    }

    @Test func changedMetadataIsStoredWithoutRequeueing() throws {
        let dir = try TemporaryDirectory()
        let store = try JobStore(path: dir.path("q.sqlite"))
        _ = try enqueueText(Self.corpus, into: store)
        try store.db.run("UPDATE jobs SET status = 'succeeded' WHERE custom_id = 'b'")
        let result = try enqueueText(Self.corpus.replacingOccurrences(of: #"{"n": 1}"#, with: #"{"n": 2}"#), into: store)
        #expect(result.counts == counts(metadataUpdated: 1, unchanged: 2))
        #expect(try store.db.rows("SELECT status, metadata FROM jobs WHERE custom_id = 'b'") == [[.text("succeeded"), .text(#"{"n":2}"#)]])
    }

    @Test func badLinesAreReportedWithLineNumbersAndGoodLinesLand() throws {
        let dir = try TemporaryDirectory()
        let store = try JobStore(path: dir.path("q.sqlite"))
        let text = """
            {"id": "ok-1", "type": "embed", "input": "x"}
            {"id": 2, "type": "embed", "input": "x"}

            not json at all
            {"id": "ok-2", "type": "generate", "prompt": "y"}
            """
        let result = try enqueueText(text, into: store, name: "mixed.jsonl")
        #expect(result.counts == counts(added: 2, rejected: 2))
        #expect(result.diagnostics.map(\.description) == [
            #"mixed.jsonl:2: "id" must be a string, got a number"#,
            "mixed.jsonl:4: invalid JSON: invalid literal (expected true, false or null) at byte 1",
        ])
    }

    @Test func oversizedLineIsRejectedAndReadingGoesOn() throws {
        let dir = try TemporaryDirectory()
        let store = try JobStore(path: dir.path("q.sqlite"))
        let long = String(repeating: "x", count: 10_000)
        let text = """
            {"id": "a", "type": "embed", "input": "\(long)"}
            {"id": "b", "type": "embed", "input": "short"}
            """
        let result = try enqueueText(text, into: store, maxLineBytes: 5_000)
        #expect(result.counts == counts(added: 1, rejected: 1))
        #expect(result.diagnostics.map(\.description) == ["jobs.jsonl:1: line is 10041 bytes, over the limit of 5000 bytes"])
        #expect(try store.db.scalarInt("SELECT count(*) FROM jobs WHERE custom_id = 'b'") == 1)
    }

    @Test func repeatedIDInOneFileWarnsAndTheLaterLineWins() throws {
        let dir = try TemporaryDirectory()
        let store = try JobStore(path: dir.path("q.sqlite"))
        let text = """
            {"id": "a", "type": "embed", "input": "first"}
            {"id": "b", "type": "embed", "input": "other"}
            {"id": "a", "type": "embed", "input": "second"}
            """
        let result = try enqueueText(text, into: store, name: "dup.jsonl")
        #expect(result.diagnostics.map(\.description) == [#"dup.jsonl:3: warning: id "a" repeats line 1; this later line wins"#])
        #expect(result.counts == counts(added: 2, updated: 1))
        let request = try store.db.rows("SELECT request FROM jobs WHERE custom_id = 'a'")[0][0]
        #expect(request == .text(#"{"dimensions":1536,"input":"second","kind":"embed","model":"text-embedding-3-small"}"#))
        // Enqueueing the same file again later is not a repeat within one file.
        let again = try enqueueText("{\"id\": \"a\", \"type\": \"embed\", \"input\": \"second\"}\n", into: store, name: "dup.jsonl")
        #expect(again.diagnostics.isEmpty)
        #expect(again.counts == counts(unchanged: 1))
    }

    /// Lines are written 64 to a statement: repeats inside one statement and across two,
    /// known ids among new ones, and rejected lines in between keep their outcomes and
    /// their place in the diagnostics.
    @Test func linesWrittenManyPerStatementKeepTheirOutcomesAndOrder() throws {
        let dir = try TemporaryDirectory()
        let store = try JobStore(path: dir.path("q.sqlite"))
        _ = try enqueueText(#"{"id": "known-same", "type": "embed", "input": "k"}"# + "\n"
                            + #"{"id": "known-changed", "type": "embed", "input": "old"}"# + "\n", into: store, name: "earlier.jsonl")
        var lines = (1...200).map { #"{"id": "n\#($0)", "type": "embed", "input": "text \#($0)"}"# }
        lines[4] = #"{"id": "n3", "type": "embed", "input": "repeat in the same statement"}"#   // line 5 repeats line 3
        lines[9] = "not json"                                                                  // line 10
        lines[99] = #"{"id": "n20", "type": "embed", "input": "text 20"}"#                     // line 100 repeats line 20, same input
        lines[129] = #"{"id": "known-same", "type": "embed", "input": "k"}"#                   // line 130
        lines[130] = #"{"id": "known-changed", "type": "embed", "input": "new"}"#              // line 131
        let result = try enqueueText(lines.joined(separator: "\n") + "\n", into: store, name: "big.jsonl")
        #expect(result.diagnostics.map(\.description) == [
            #"big.jsonl:5: warning: id "n3" repeats line 3; this later line wins"#,
            "big.jsonl:10: invalid JSON: invalid literal (expected true, false or null) at byte 1",
            #"big.jsonl:100: warning: id "n20" repeats line 20; this later line wins"#,
        ])
        // 200 lines: 1 rejected, 2 repeats (1 changed input, 1 the same), 2 known ids.
        #expect(result.counts == counts(added: 195, updated: 2, unchanged: 2, rejected: 1))
        #expect(try store.db.rows("SELECT request FROM jobs WHERE custom_id = 'n3'")[0][0]
                == .text(#"{"dimensions":1536,"input":"repeat in the same statement","kind":"embed","model":"text-embedding-3-small"}"#))
        #expect(try store.db.rows("SELECT source_file, source_line FROM jobs WHERE custom_id IN ('n20', 'known-changed') ORDER BY custom_id")
                == [[.text("big.jsonl"), .integer(131)], [.text("big.jsonl"), .integer(100)]])
        #expect(try store.db.scalarInt("SELECT count(*) FROM jobs") == 2 + 195)
    }

    @Test func crlfLineEndingsAndMissingFinalNewlineAreAccepted() throws {
        let dir = try TemporaryDirectory()
        let store = try JobStore(path: dir.path("q.sqlite"))
        let text = "{\"id\": \"a\", \"type\": \"embed\", \"input\": \"x\"}\r\n\r\n{\"id\": \"b\", \"type\": \"embed\", \"input\": \"y\"}"
        let result = try enqueueText(text, into: store)
        #expect(result.counts == counts(added: 2))
        #expect(result.diagnostics.isEmpty)
    }

    @Test func manyLinesSpanSeveralTransactions() throws {
        let dir = try TemporaryDirectory()
        let store = try JobStore(path: dir.path("q.sqlite"))
        let n = JobStore.ingestTransactionLines + 123
        var text = ""
        for i in 0..<n { text += "{\"id\": \"d\(i)\", \"type\": \"embed\", \"input\": \"text \(i)\"}\n" }
        let result = try enqueueText(text, into: store)
        #expect(result.counts == counts(added: n))
        #expect(try store.db.scalarInt("SELECT count(*) FROM jobs") == n)
        #expect(store.db.isInTransaction == false)
    }

    @Test func statusCountsKindsAndStatuses() throws {
        let dir = try TemporaryDirectory()
        let store = try JobStore(path: dir.path("q.sqlite"))
        _ = try enqueueText(Self.corpus, into: store)
        try store.db.run("UPDATE jobs SET status = 'failed', last_error = 'HTTP 400: bad input' WHERE custom_id = 'b'")
        let status = try store.status()
        #expect(status.count(.embed, .pending) == 1)
        #expect(status.count(.embed, .failed) == 1)
        #expect(status.count(.generate, .pending) == 1)
        #expect(status.total == 3)
        #expect(status.oldestPending?.customID == "a")
        #expect(status.topErrors == [QueueStatus.ErrorCount(message: "HTTP 400: bad input", jobs: 1)])
    }

    private func counts(added: Int = 0, updated: Int = 0, metadataUpdated: Int = 0, unchanged: Int = 0, rejected: Int = 0) -> EnqueueCounts {
        var counts = EnqueueCounts()
        counts.added = added
        counts.updated = updated
        counts.metadataUpdated = metadataUpdated
        counts.unchanged = unchanged
        counts.rejected = rejected
        return counts
    }
}
