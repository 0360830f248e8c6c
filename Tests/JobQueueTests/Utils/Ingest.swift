import Foundation
@testable import JobQueue
import TestSupport

/// Enqueues `text` as if it were a file named `name`, collecting diagnostics.
func enqueueText(_ text: String, into store: JobStore, name: String = "jobs.jsonl", parser: JobLineParser = JobLineParser(),
                 maxLineBytes: Int = 8 << 20) throws -> (counts: EnqueueCounts, diagnostics: [IngestDiagnostic]) {
    let dir = try TemporaryDirectory()
    let path = dir.path("input.jsonl")
    try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    let fd = open(path, O_RDONLY)
    defer { close(fd) }
    let ingestID = try store.beginIngest(sources: [name])
    var diagnostics: [IngestDiagnostic] = []
    let counts = try store.enqueue(JobSource(name: name, fd: fd), ingestID: ingestID, parser: parser, maxLineBytes: maxLineBytes) {
        diagnostics.append($0)
    }
    return (counts, diagnostics)
}

/// Parses one line with the default parser, returning the rejection reason or nil.
func rejection(_ line: String, parser: JobLineParser = JobLineParser()) -> String? {
    var line = line
    return line.withUTF8 { bytes -> String? in
        do throws(JobLineError) {
            _ = try parser.parse(UnsafeRawBufferPointer(bytes))
            return nil
        } catch {
            return error.reason
        }
    }
}

/// Parses one line that must be valid.
func spec(_ line: String, parser: JobLineParser = JobLineParser()) throws -> JobSpec {
    var line = line
    return try line.withUTF8 { bytes in try parser.parse(UnsafeRawBufferPointer(bytes)) }
}
