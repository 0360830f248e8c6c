import Testing
import Tokenizer

/// Known ids, round trips and long inputs.
struct EncodingTests {
    @Test func helloWorldGivesTheKnownCl100kIds() throws {
        #expect(try TestData.encoding(.cl100kBase).encode("hello world") == [15339, 1917])
    }

    @Test func helloWorldGivesTheKnownO200kIds() throws {
        #expect(try TestData.encoding(.o200kBase).encode("hello world") == [24912, 2375])
    }

    @Test(arguments: EncodingName.allCases)
    func encodeThenDecodeRoundTripsTheBytes(_ name: EncodingName) throws {
        let encoding = try TestData.encoding(name)
        let texts = [
            "", "hello world", "e\u{301} vs \u{e9}", "👨‍👩‍👧‍👦 family", "日本語のテキスト",
            "  mixed\r\n\twhitespace \u{3000}\u{a0}x", "don'T 'ſ 12345 <|endoftext|>",
        ] + (try TestData.corpus().prefix(100))
        for (index, text) in texts.enumerated() {
            let difference = firstDifference(try encoding.decode(encoding.encode(text)), Array(text.utf8))
            #expect(difference == nil, "text \(index): \(difference ?? "")")
        }
    }

    @Test(arguments: EncodingName.allCases)
    func specialTokenTextIsCountedAsOrdinaryText(_ name: EncodingName) throws {
        let ids = try TestData.encoding(name).encode("<|endoftext|>")
        #expect(ids.count > 1)
        #expect(!ids.contains(name == .cl100kBase ? 100257 : 199999))
    }

    /// Counts from tiktoken 0.14.0 `encode_ordinary`: (text, cl100k_base, o200k_base).
    static let longLines: [(text: String, cl100k: Int, o200k: Int)] = [
        (String(repeating: "a", count: 40_000), 5000, 5000),
        (String(repeating: "A", count: 40_000), 5000, 5000),
        (String(repeating: "7", count: 40_000), 13334, 13334),
        (String(repeating: " ", count: 40_000) + "x", 314, 314),
        (String(repeating: "\u{e9}", count: 40_000), 40000, 40000),
        (String(repeating: "ab", count: 20_000), 20000, 10000),
        (String(repeating: "Ab", count: 20_000), 20000, 20000),
    ]

    @Test(arguments: EncodingName.allCases)
    func aFortyThousandCharacterLineOfOneLetterEncodesWithTiktokensCount(_ name: EncodingName) throws {
        let encoding = try TestData.encoding(name)
        for line in Self.longLines {
            let ids = encoding.encode(line.text)
            #expect(ids.count == (name == .cl100kBase ? line.cl100k : line.o200k))
            #expect(encoding.count(line.text) == ids.count)
            #expect(firstDifference(try encoding.decode(ids), Array(line.text.utf8)) == nil)
        }
    }

    @Test(arguments: EncodingName.allCases)
    func oneEncodingCountsTheSameFromManyTasksAtOnce(_ name: EncodingName) async throws {
        let encoding = try TestData.encoding(name)
        let documents = Array(try TestData.corpus().prefix(150))
        let expected = documents.reduce(0) { $0 + encoding.count($1) }
        let totals = await withTaskGroup(of: Int.self) { group in
            for _ in 0..<3 {
                group.addTask { documents.reduce(0) { $0 + encoding.count($1) } }
            }
            return await group.reduce(into: [Int]()) { $0.append($1) }
        }
        #expect(totals == Array(repeating: expected, count: 3))
    }

    @Test func unknownTokenIdsAreRefusedWhenDecoding() throws {
        let encoding = try TestData.encoding(.cl100kBase)
        #expect(throws: TokenizerError.self) { try encoding.decode([100257]) }
        #expect(throws: TokenizerError.self) { try encoding.decode([-1]) }
    }
}
