import Foundation
import Testing
@testable import Chunker
import Tokenizer

/// The chunker's promises, checked over the tokenizer's test corpus and generated
/// Markdown and code, at several limits.
struct ChunkerPropertyTests {
    static let limits: [(Int, Int)] = [(8, 0), (40, 0), (512, 0), (40, 10), (300, 60)]

    private func documents() throws -> [String] {
        var documents = try ChunkerTestData.corpus()
        for seed in 1...40 as ClosedRange<UInt64> {
            documents.append(GeneratedDocuments.markdown(seed: seed))
            documents.append(GeneratedDocuments.code(seed: seed))
        }
        return documents
    }

    /// The strongest boundary level at each byte offset of `text` (nil: no boundary).
    private func levels(of text: String) -> [Int: BoundaryLevel] {
        var text = text
        let boundaries = text.withUTF8 { Boundaries(scanning: $0) }
        var result: [Int: BoundaryLevel] = [:]
        for level in BoundaryLevel.allCases { for position in boundaries.positions[level.rawValue] { result[Int(position)] = level } }
        return result
    }

    private func isSingleScalar(_ text: String) -> Bool { text.unicodeScalars.count == 1 }

    @Test(arguments: limits)
    func everyChunkFitsItsSpanIsExactAndItsCountIsTheEncodersOwn(maxTokens: Int, overlap: Int) async throws {
        let encoding = try await ChunkerTestData.cl100k()
        let chunker = Chunker(encoding: encoding)
        let limits = try ChunkLimits(maxTokens: maxTokens, overlapTokens: overlap)
        for document in try documents() {
            let chunks = chunker.chunks(of: document, limits: limits)
            if document.isEmpty {
                #expect(chunks.isEmpty)
                continue
            }
            let scalars = Array(document.unicodeScalars)
            let bytes = Array(document.utf8)
            for chunk in chunks {
                let text = chunk.text(in: document)
                #expect(chunk.tokens == encoding.count(text))
                #expect(chunk.tokens <= maxTokens || isSingleScalar(text), "a chunk of \(chunk.tokens) tokens: \(text.debugDescription)")
                var fromScalars = String.UnicodeScalarView()
                fromScalars.append(contentsOf: scalars[chunk.start..<chunk.end])
                #expect(String(fromScalars) == text)
                #expect(Array(text.utf8) == Array(bytes[chunk.byteStart..<chunk.byteEnd]))
                #expect(!text.isEmpty)
            }
            #expect(chunks.first?.byteStart == 0)
            #expect(chunks.last?.byteEnd == bytes.count)
            for (previous, next) in zip(chunks, chunks.dropFirst()) {
                #expect(next.byteEnd > previous.byteEnd)
                #expect(next.byteStart <= previous.byteEnd && next.byteStart > previous.byteStart)
            }
            #expect(chunker.chunks(of: document, limits: limits) == chunks, "the same output twice")
        }
    }

    @Test(arguments: [8, 40, 512])
    func withoutOverlapTheChunksConcatenateToTheInputAndCutAtTheStrongestBoundary(maxTokens: Int) async throws {
        let chunker = Chunker(encoding: try await ChunkerTestData.cl100k())
        let limits = try ChunkLimits(maxTokens: maxTokens)
        for document in try documents() {
            let chunks = chunker.chunks(of: document, limits: limits)
            #expect(chunks.map { $0.text(in: document) }.joined() == document)
            let levels = levels(of: document)
            for chunk in chunks {
                // No chunk holds a boundary stronger than the ones it starts and ends at.
                let startLevel = chunk.byteStart == 0 ? BoundaryLevel.heading1 : (levels[chunk.byteStart] ?? .grapheme)
                let endLevel = chunk.byteEnd == document.utf8.count ? BoundaryLevel.heading1 : (levels[chunk.byteEnd] ?? .grapheme)
                let inside = levels.filter { $0.key > chunk.byteStart && $0.key < chunk.byteEnd }.map(\.value).max()
                if let inside {
                    #expect(inside <= min(startLevel, endLevel),
                            "a \(inside) boundary inside a chunk cut at \(startLevel)…\(endLevel): \(chunk.text(in: document).debugDescription)")
                }
            }
        }
    }

    @Test func aFenceThatFitsIsNeverSplit() async throws {
        let chunker = Chunker(encoding: try await ChunkerTestData.cl100k())
        for seed in 1...60 as ClosedRange<UInt64> {
            let document = GeneratedDocuments.markdown(seed: seed)
            let chunks = chunker.chunks(of: document, limits: try ChunkLimits(maxTokens: 200))
            let cuts = Set(chunks.dropFirst().map(\.byteStart))
            // Fences: from the opening line's start to after the closing line.
            let bytes = Array(document.utf8)
            var offset = 0
            var fences: [Range<Int>] = []
            var openAt: Int?
            for line in document.split(separator: "\n", omittingEmptySubsequences: false) {
                if line.hasPrefix("```") {
                    if let start = openAt {
                        fences.append(start..<min(bytes.count, offset + line.utf8.count + 1))
                        openAt = nil
                    } else {
                        openAt = offset
                    }
                }
                offset += line.utf8.count + 1
            }
            #expect(!fences.isEmpty || !document.contains("```"))
            let encoding = try #require(chunker.encoding)
            for fence in fences {
                let fenceText = String(decoding: bytes[fence], as: UTF8.self)
                guard encoding.count(fenceText) <= 200 else { continue }
                #expect(!cuts.contains { $0 > fence.lowerBound && $0 < fence.upperBound }, "a fitting fence was cut: \(fenceText.debugDescription)")
            }
        }
    }

    @Test(arguments: [(40, 10), (300, 60), (64, 63)])
    func overlapIsAtMostTheLimitAndStartsOnABoundary(maxTokens: Int, overlap: Int) async throws {
        let encoding = try await ChunkerTestData.cl100k()
        let chunker = Chunker(encoding: encoding)
        var overlapped = 0
        for seed in 1...30 as ClosedRange<UInt64> {
            let document = GeneratedDocuments.markdown(seed: seed)
            let levels = levels(of: document)
            let chunks = chunker.chunks(of: document, limits: try ChunkLimits(maxTokens: maxTokens, overlapTokens: overlap))
            let bytes = Array(document.utf8)
            for (previous, next) in zip(chunks, chunks.dropFirst()) where next.byteStart < previous.byteEnd {
                overlapped += 1
                let shared = String(decoding: bytes[next.byteStart..<previous.byteEnd], as: UTF8.self)
                #expect(encoding.count(shared) <= overlap)
                #expect(levels[next.byteStart] != nil, "an overlap starts off a boundary: \(shared.debugDescription)")
            }
        }
        #expect(overlapped > 0, "the overlap takes effect")
    }

    @Test func aShortTextIsOneChunkAndEmptyTextNone() async throws {
        let chunker = Chunker(encoding: try await ChunkerTestData.cl100k())
        #expect(chunker.chunks(of: "", limits: try ChunkLimits(maxTokens: 5)).isEmpty)
        #expect(chunker.chunks(of: "hello world", limits: try ChunkLimits(maxTokens: 5))
            == [Chunk(byteStart: 0, byteEnd: 11, start: 0, end: 11, tokens: 2)])
    }

    @Test func aHeadingStartsTheNextChunk() async throws {
        let chunker = Chunker(encoding: try await ChunkerTestData.cl100k())
        let text = "# One\n\nFirst part of the text. It goes on.\n\n## Two\n\nSecond part here, and more words.\n"
        let chunks = chunker.chunks(of: text, limits: try ChunkLimits(maxTokens: 14))
        #expect(chunks.map { $0.text(in: text) } == ["# One\n\nFirst part of the text. It goes on.\n\n", "## Two\n\nSecond part here, and more words.\n"])
    }

    @Test func aGraphemeClusterIsNotCutUnlessItAloneIsTooLong() async throws {
        let chunker = Chunker(encoding: try await ChunkerTestData.cl100k())
        let family = "👨‍👩‍👧‍👦"
        let text = String(repeating: family, count: 6)
        for chunk in chunker.chunks(of: text, limits: try ChunkLimits(maxTokens: 30)) {
            #expect(chunk.text(in: text).allSatisfy { $0 == Character(family) })
        }
        let zalgo = "e" + String(repeating: "\u{301}", count: 40)
        let pieces = chunker.chunks(of: zalgo, limits: try ChunkLimits(maxTokens: 4))
        #expect(pieces.count > 1)
        #expect(pieces.map { $0.text(in: zalgo) }.joined() == zalgo)
    }

    @Test func limitsOutOfRangeAreRefusedNamingTheField() {
        let cases: [(Int, Int, String)] = [
            (0, 0, "max_tokens must be between 1 and 8192, got 0"),
            (8193, 0, "max_tokens must be between 1 and 8192, got 8193"),
            (10, 10, "overlap_tokens must be less than max_tokens (10), got 10"),
            (10, -1, "overlap_tokens must be at least 0, got -1"),
        ]
        for (maxTokens, overlap, message) in cases {
            #expect(throws: ChunkLimitsError.self) { try ChunkLimits(maxTokens: maxTokens, overlapTokens: overlap) }
            do {
                _ = try ChunkLimits(maxTokens: maxTokens, overlapTokens: overlap)
            } catch {
                #expect(error.description == message)
            }
        }
    }
}

/// Without rank files the chunker counts UTF-8 bytes, a safe upper bound.
struct ChunkerUpperBoundTests {
    @Test func withoutAnEncodingEveryChunkHasAtMostTheLimitInBytes() async throws {
        let exact = try await ChunkerTestData.cl100k()
        let chunker = Chunker(encoding: nil)
        for seed in 1...10 as ClosedRange<UInt64> {
            let document = GeneratedDocuments.markdown(seed: seed)
            let chunks = chunker.chunks(of: document, limits: try ChunkLimits(maxTokens: 300))
            #expect(chunks.map { $0.text(in: document) }.joined() == document)
            for chunk in chunks {
                #expect(chunk.tokens == chunk.byteEnd - chunk.byteStart)
                #expect(chunk.tokens <= 300)
                #expect(exact.count(chunk.text(in: document)) <= chunk.tokens)
            }
        }
    }
}
