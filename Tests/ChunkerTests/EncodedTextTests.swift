import Testing
import TestSupport
import Tokenizer

/// `EncodedText.exactCount` of any span equals encoding the span alone.
struct EncodedTextTests {
    /// Texts whose pieces change at a cut: runs of spaces before words and line ends,
    /// contractions, digits, punctuation runs, CJK and combining marks.
    static let tricky = [
        "a  b   c    \n\n  d\t\t e   ", "don't 'll 'S 'ſ 'VE they're", "1234567 89 0.5e10", "!!!??? ...\n\n\r\n--- x",
        "日本語のテキスト。次！", "e\u{301}e\u{301} \u{3000}\u{a0}x", "    let x = 1  // c\n\n\n    return x\n",
        String(repeating: " ", count: 100) + "x" + String(repeating: "ab", count: 50),
        String(repeating: "a", count: 5000), String(repeating: "!^%(*)&$#", count: 300),
        String(repeating: "国别外运相式必计化已关接下", count: 200),
    ]

    /// Long pieces of random letters: spans cut inside them at token ends of the whole text
    /// are counted without merging again, and must still be exact.
    static func randomLetters(_ random: inout SplitMix64) -> String {
        String((0..<3000).map { _ in Character(Unicode.Scalar(UInt8.random(in: 0x61...0x7A, using: &random))) })
    }

    @Test(arguments: [EncodingName.cl100kBase, .o200kBase])
    func everySpanCountsAsEncodingItAloneDoes(_ name: EncodingName) async throws {
        let encoding = try await EncodingStore.shared.encoding(name, locator: RankFileLocator())
        var random = SplitMix64(seed: 11)
        let texts = Self.tricky + (0..<3).map { _ in Self.randomLetters(&random) } + (0..<6).map { GeneratedDocuments.markdown(seed: UInt64($0)) }
            + (0..<3).map { GeneratedDocuments.code(seed: UInt64($0)) } + (try ChunkerTestData.corpus().prefix(40))
        var spans = 0
        for (index, text) in texts.enumerated() {
            let scalarStarts = Self.scalarStarts(text)
            encoding.withEncodedText(text) { encoded in
                let starts = Set(scalarStarts)
                let tokenEnds = encoded.tokenEnds.map(Int.init).filter(starts.contains)
                #expect(encoded.tokenEnds.count == encoding.count(text), "text \(index)")
                #expect(encoded.exactCount(from: 0, to: text.utf8.count) == encoding.count(text), "text \(index)")
                for round in 0..<60 {
                    // Half the spans from one token end to another, half anywhere.
                    let ends = round % 2 == 0 && !tokenEnds.isEmpty ? tokenEnds : scalarStarts
                    var start = ends.randomElement(using: &random)!
                    var end = ends.randomElement(using: &random)!
                    if start > end { swap(&start, &end) }
                    let bytes = Array(text.utf8)[start..<end]
                    let expected = encoding.count(String(decoding: bytes, as: UTF8.self))
                    #expect(encoded.exactCount(from: start, to: end) == expected, "text \(index), bytes \(start)..<\(end)")
                    spans += 1
                }
            }
        }
        #expect(spans == texts.count * 60)
    }

    /// Every UTF-8 offset where a scalar starts, and the end.
    static func scalarStarts(_ text: String) -> [Int] {
        var starts = [0]
        var offset = 0
        for scalar in text.unicodeScalars {
            offset += String(scalar).utf8.count
            starts.append(offset)
        }
        return starts
    }
}
