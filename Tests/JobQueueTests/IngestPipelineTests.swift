import Foundation
import Testing
@testable import JobQueue
import TestSupport

/// The reading thread hands over every line in order, and stopping early never leaves it
/// blocked (the descriptor is free to close once `cancel()` returns).
struct IngestPipelineTests {
    private func source(lines: Int, in dir: TemporaryDirectory) throws -> JobSource {
        let path = dir.path("jobs.jsonl")
        let text = (1...lines).map { $0 == 7 ? "oops" : #"{"id": "j\#($0)", "type": "embed", "input": "t\#($0)"}"# }.joined(separator: "\n")
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return JobSource(name: "jobs.jsonl", fd: open(path, O_RDONLY))
    }

    @Test func everyLineArrivesInOrderThenTheEnd() throws {
        let dir = try TemporaryDirectory()
        let source = try source(lines: 1_000, in: dir)
        defer { close(source.fd) }
        let pipeline = IngestPipeline(source: source, parser: JobLineParser(), maxLineBytes: 1 << 20, chunkSize: 10, depth: 2)
        var lines: [Int] = []
        var rejectedLines: [Int] = []
        while true {
            let chunk = pipeline.next()
            for item in chunk.items {
                switch item {
                case .job(let spec, let line):
                    #expect(spec.customID == "j\(line)")
                    lines.append(line)
                case .diagnostic(let diagnostic): rejectedLines.append(diagnostic.line)
                }
            }
            pipeline.recycle(chunk)
            guard let end = chunk.end else { continue }
            guard case .finished(let rejected) = end else {
                Issue.record("reading failed")
                break
            }
            #expect(rejected == 1)
            break
        }
        #expect(lines == Array(1...1_000).filter { $0 != 7 })
        #expect(rejectedLines == [7])
    }

    @Test func aFileOfBadLinesStillComesInChunks() throws {
        let dir = try TemporaryDirectory()
        let path = dir.path("bad.jsonl")
        try Data(String(repeating: "not json\n", count: 95).utf8).write(to: URL(fileURLWithPath: path))
        let source = JobSource(name: "bad.jsonl", fd: open(path, O_RDONLY))
        defer { close(source.fd) }
        let pipeline = IngestPipeline(source: source, parser: JobLineParser(), maxLineBytes: 1 << 20, chunkSize: 10, depth: 2)
        var sizes: [Int] = []
        while true {
            let chunk = pipeline.next()
            sizes.append(chunk.items.count)
            if chunk.end != nil { break }
        }
        #expect(sizes == Array(repeating: 10, count: 9) + [5])
    }

    @Test func cancellingAfterOneChunkStopsTheReader() throws {
        let dir = try TemporaryDirectory()
        let source = try source(lines: 5_000, in: dir)
        defer { close(source.fd) }
        let pipeline = IngestPipeline(source: source, parser: JobLineParser(), maxLineBytes: 1 << 20, chunkSize: 10, depth: 2)
        #expect(pipeline.next().items.count == 10)
        pipeline.cancel()
        pipeline.cancel()  // a second call returns at once
    }
}
