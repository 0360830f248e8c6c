import Foundation
import SQLite
import Testing
import TestSupport

/// Job-file strictness end to end: byte-order marks, misspelled fields, floods of bad
/// lines, ids repeated across files, metadata-only changes.
struct InputStrictnessTests {
    @Test func aByteOrderMarkAtTheStartOfAFileIsSkipped() throws {
        let dir = try TemporaryDirectory()
        let file = dir.path("bom.jsonl")
        let text = "\u{FEFF}" + #"{"id": "a", "type": "embed", "input": "first"}"# + "\n" + #"{"id": "b", "type": "embed", "input": "second"}"# + "\n"
        try text.write(toFile: file, atomically: true, encoding: .utf8)
        let result = try runLLMQ(["enqueue", "--db", dir.path("q.sqlite"), file])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(result.stdout == "added 2, updated 0, unchanged 0, rejected 0\n")
        let tokens = try runLLMQ(["tokens", "--json", file])
        #expect(tokens.status == 0, "stderr: \(tokens.stderr)")
    }

    @Test func aByteOrderMarkElsewhereIsStillAnError() throws {
        let dir = try TemporaryDirectory()
        let file = dir.path("bom2.jsonl")
        try (#"{"id": "a", "type": "embed", "input": "first"}"# + "\n\u{FEFF}" + #"{"id": "b", "type": "embed", "input": "x"}"# + "\n")
            .write(toFile: file, atomically: true, encoding: .utf8)
        let result = try runLLMQ(["enqueue", "--db", dir.path("q.sqlite"), file])
        #expect(result.status == 65)
        #expect(result.stderr.hasPrefix("\(file):2: invalid JSON"), "stderr: \(result.stderr)")
    }

    @Test(arguments: [
        (#"{"id": "a", "type": "embed", "input": "x", "dimension": 512}"#, #"unknown field "dimension" (did you mean "dimensions"?)"#),
        (#"{"id": "a", "type": "generate", "prompt": "p", "max_token": 5}"#, #"unknown field "max_token" (did you mean "max_tokens"?)"#),
        (#"{"id": "a", "type": "generate", "prompt": "p", "temprature": 0.1}"#, #"unknown field "temprature" (did you mean "temperature"?)"#),
        (#"{"id": "a", "type": "embed", "input": "x", "meta": {"k": 1}}"#, #"unknown field "meta" (did you mean "metadata"?)"#),
        (#"{"id": "a", "type": "embed", "input": "x", "colour": "red"}"#,
         #"unknown field "colour" (embed jobs take "id", "type", "metadata", "input", "model", "dimensions", "chunk")"#),
        (#"{"id": "a", "type": "embed", "input": "x", "prompt": "p"}"#, #"field "prompt" belongs to generate jobs, not to embed jobs"#),
    ])
    func anUnknownFieldIsRejectedNamingItAndANearMatch(line: String, message: String) throws {
        let dir = try TemporaryDirectory()
        let file = dir.path("jobs.jsonl")
        try (line + "\n").write(toFile: file, atomically: true, encoding: .utf8)
        let result = try runLLMQ(["enqueue", "--db", dir.path("q.sqlite"), file])
        #expect(result.status == 65)
        #expect(result.stderr == "\(file):1: \(message)\n")
    }

    @Test func afterAHundredRejectedLinesInAFileTheRestAreCountedNotPrinted() throws {
        let dir = try TemporaryDirectory()
        let flood = dir.path("flood.bin")
        let good = dir.path("good.jsonl")
        try String(repeating: "\u{1}binary garbage\n", count: 350).write(toFile: flood, atomically: true, encoding: .utf8)
        try (String(repeating: "not json\n", count: 3) + #"{"id": "g", "type": "embed", "input": "ok"}"# + "\n")
            .write(toFile: good, atomically: true, encoding: .utf8)
        for command in [["enqueue", "--db", dir.path("q.sqlite")], ["tokens"]] {
            let result = try runLLMQ(command + [flood, good])
            #expect(result.status == 65)
            let lines = result.stderr.split(separator: "\n").map(String.init)
            #expect(lines.filter { $0.hasPrefix("\(flood):") }.count == 101, "stderr lines: \(lines.count)")
            #expect(lines.contains("\(flood): 250 more rejected lines not shown (350 rejected in all)"))
            #expect(lines.filter { $0.hasPrefix("\(good):") }.count == 3)
        }
    }

    @Test func anIdRepeatedAcrossFilesOfOneEnqueueIsReported() throws {
        let dir = try TemporaryDirectory()
        let first = dir.path("a.jsonl"), second = dir.path("b.jsonl")
        try #"{"id": "same", "type": "embed", "input": "from a"}"#.write(toFile: first, atomically: true, encoding: .utf8)
        try ("\n" + #"{"id": "same", "type": "embed", "input": "from b"}"#).write(toFile: second, atomically: true, encoding: .utf8)
        let result = try runLLMQ(["enqueue", "--db", dir.path("q.sqlite"), first, second])
        #expect(result.status == 0)
        #expect(result.stderr == "\(second):2: warning: id \"same\" is also on \(first):1; this later line wins\n")
        // A later enqueue of the second file alone is not a repeat.
        let again = try runLLMQ(["enqueue", "--db", dir.path("q.sqlite"), second])
        #expect(again.stderr == "")
    }

    @Test func aMetadataOnlyChangeIsReportedApartFromUnchanged() throws {
        let dir = try TemporaryDirectory()
        let db = dir.path("q.sqlite")
        let file = dir.path("jobs.jsonl")
        try #"{"id": "a", "type": "embed", "input": "x", "metadata": {"v": 1}}"#.write(toFile: file, atomically: true, encoding: .utf8)
        #expect(try runLLMQ(["enqueue", "--db", db, file]).stdout == "added 1, updated 0, unchanged 0, rejected 0\n")
        try #"{"id": "a", "type": "embed", "input": "x", "metadata": {"v": 2}}"#.write(toFile: file, atomically: true, encoding: .utf8)
        let changed = try runLLMQ(["enqueue", "--db", db, file])
        #expect(changed.stdout == "added 0, updated 0, metadata updated 1, unchanged 0, rejected 0\n")
        let json = try runLLMQ(["enqueue", "--db", db, "--json", file])
        #expect(json.stdout == #"{"added":0,"updated":0,"metadata_updated":0,"unchanged":1,"rejected":0}"# + "\n")
        let rows = try Connection(path: db).rows("SELECT status, metadata FROM jobs WHERE custom_id = 'a'")
        #expect(rows == [[.text("pending"), .text(#"{"v":2}"#)]])
    }
}
