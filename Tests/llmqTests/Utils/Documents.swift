import FakeOpenAI
import Foundation
import SQLite
import TestSupport
import Testing
import Tokenizer

/// A long Markdown document with `sections` sections of several paragraphs each; the
/// paragraphs are distinct (seeded by `name`) so chunks rarely repeat.
func longDocument(_ name: String, sections: Int, edited: Int? = nil) -> String {
    var text = "# \(name)\n\n"
    for section in 0..<sections {
        text += "## Section \(section) of \(name)\n\n"
        for paragraph in 0..<4 {
            let marker = edited == section * 4 + paragraph ? " This paragraph was edited." : ""
            text += (0..<6).map { "Sentence \($0) of paragraph \(paragraph) in section \(section) of \(name) talks about queues and vectors." }
                .joined(separator: " ") + marker + "\n\n"
        }
        if section % 3 == 1 {
            text += "```swift\nfunc section\(section)() -> Int {\n    # not a heading\n    return \(section)\n}\n```\n\n"
        }
    }
    return text
}

/// `docs/` in `dir`: alpha.md (12 sections), guide/beta.md (9, paragraph `edited` changed)
/// and a short note.txt; returns its path.
func writeDocumentFolder(_ dir: TemporaryDirectory, edited: Int? = nil) throws -> String {
    let folder = dir.path("docs")
    try FileManager.default.createDirectory(atPath: folder + "/guide", withIntermediateDirectories: true)
    try longDocument("alpha", sections: 12).write(toFile: folder + "/alpha.md", atomically: false, encoding: .utf8)
    try longDocument("beta", sections: 9, edited: edited).write(toFile: folder + "/guide/beta.md", atomically: false, encoding: .utf8)
    try "A short note.\n".write(toFile: folder + "/note.txt", atomically: false, encoding: .utf8)
    return folder
}

/// After beta.md's paragraph `edited` was changed and the folder run again: only the
/// changed chunks (one or two) were `sent`, every job succeeded and beta's chunks are its
/// new text in order.
func expectOnlyChangedChunksSent(_ db: String, before: Set<String>, sent: [String], edited: Int,
                                 sourceLocation: SourceLocation = #_sourceLocation) throws {
    let after = try storedChunks(db)
    let changed = Set(after.map(\.text)).subtracting(before)
    #expect(!changed.isEmpty && changed.count <= 2, "one edited paragraph changes one or two chunks", sourceLocation: sourceLocation)
    #expect(Set(sent) == changed, "only the changed chunks are sent", sourceLocation: sourceLocation)
    #expect(try statusCounts(db) == ["succeeded": 3], sourceLocation: sourceLocation)
    let beta = after.filter { $0.customID == "guide/beta.md" }
    #expect(beta.map(\.text).joined() == longDocument("beta", sections: 9, edited: edited), sourceLocation: sourceLocation)
    #expect(beta.map(\.chunk) == Array(0..<beta.count), sourceLocation: sourceLocation)
}

/// One stored chunk: its job's id and input, index, span, text and vector.
struct StoredChunk: Equatable {
    var customID: String
    var input: String
    var chunk: Int
    var start: Int
    var end: Int
    var text: String
    var model: String
    var dimensions: Int
    var vector: [UInt8]
}

/// Every `embeddings` row with its job's input, by custom id and chunk.
func storedChunks(_ db: String) throws -> [StoredChunk] {
    let connection = try Connection(path: db)
    return try connection.rows("""
        SELECT j.custom_id, json_extract(j.request, '$.input'), e.chunk, e.start, e.end, e.text, e.model, e.dimensions, e.vector
        FROM embeddings e JOIN jobs j ON j.id = e.job_id ORDER BY j.custom_id, e.chunk
        """).map { row in
        guard case .text(let id) = row[0], case .text(let input) = row[1], case .integer(let chunk) = row[2],
              case .integer(let start) = row[3], case .integer(let end) = row[4], case .text(let text) = row[5],
              case .text(let model) = row[6], case .integer(let dimensions) = row[7], case .blob(let vector) = row[8] else {
            throw FixtureError(message: "unexpected embeddings row \(row)")
        }
        return StoredChunk(customID: id, input: input, chunk: Int(chunk), start: Int(start), end: Int(end), text: text,
                           model: model, dimensions: Int(dimensions), vector: vector)
    }
}

/// The code points `start..<end` of `text`.
func codePoints(_ text: String, _ start: Int, _ end: Int) -> String {
    var view = String.UnicodeScalarView()
    view.append(contentsOf: Array(text.unicodeScalars)[start..<end])
    return String(view)
}

/// cl100k_base from the rank files llmq ships.
func testCL100k() async throws -> Encoding {
    try await EncodingStore.shared.encoding(.cl100kBase, locator: RankFileLocator())
}
