import Foundation
import Testing
@testable import JobQueue
import TestSupport

struct LineReaderTests {
    /// Reads `text` through a LineReader with a small buffer, so lines cross chunk edges.
    private func readAll(_ text: String, maxLineBytes: Int, chunkSize: Int = 4096) throws -> [String] {
        let dir = try TemporaryDirectory()
        let path = dir.path("lines.txt")
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        let fd = open(path, O_RDONLY)
        defer { close(fd) }
        let reader = LineReader(fd: fd, maxLineBytes: maxLineBytes, chunkSize: chunkSize)
        var out: [String] = []
        while let item = try reader.next() {
            switch item {
            case .line(let number, let bytes): out.append("\(number):\(String(decoding: bytes, as: UTF8.self).count)")
            case .oversized(let number, let count): out.append("\(number):oversized \(count)")
            }
        }
        return out
    }

    @Test func linesLongerThanTheBufferAreSkippedInConstantMemory() throws {
        let huge = String(repeating: "a", count: 50_000)
        let medium = String(repeating: "b", count: 6_000)
        let text = "short\n\(huge)\n\(medium)\nend"
        #expect(try readAll(text, maxLineBytes: 8_000) == ["1:5", "2:oversized 50000", "3:6000", "4:3"])
    }

    @Test func oversizedLastLineWithoutNewlineIsReported() throws {
        let text = "ok\n" + String(repeating: "z", count: 9_000)
        #expect(try readAll(text, maxLineBytes: 8_000) == ["1:2", "2:oversized 9000"])
    }

    @Test func emptyInputHasNoLines() throws {
        #expect(try readAll("", maxLineBytes: 100) == [])
        #expect(try readAll("\n", maxLineBytes: 100) == ["1:0"])
    }
}
