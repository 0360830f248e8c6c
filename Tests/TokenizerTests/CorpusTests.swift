import Testing
import Tokenizer

/// Exactness against tiktoken 0.14.0 on the committed corpora (made by
/// `scripts/make-tokenizer-corpus.py`): the curated dev corpus and a generated one.
struct CorpusTests {
    /// Compares counts per line; a failure names at most 10 lines, never a document.
    private func expectCounts(_ corpus: String, _ name: EncodingName) throws {
        let encoding = try TestData.encoding(name)
        let documents = try TestData.corpus(corpus)
        let expected = try TestData.expectedCounts(corpus, name)
        try #require(documents.count == expected.count, "\(corpus): \(documents.count) documents, \(expected.count) counts")
        var mismatches = [String]()
        for (index, document) in documents.enumerated() {
            let count = encoding.count(document)
            if count != expected[index] {
                mismatches.append("line \(index + 1): got \(count), expected \(expected[index])")
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches.count) mismatching lines: \(mismatches.prefix(10).joined(separator: "; "))")
    }

    @Test(arguments: EncodingName.allCases)
    func devCorpusCountsMatchTiktokenExactly(_ name: EncodingName) throws {
        try expectCounts("dev-corpus", name)
    }

    @Test(arguments: EncodingName.allCases)
    func generatedCorpusCountsMatchTiktokenExactly(_ name: EncodingName) throws {
        try expectCounts("generated-corpus", name)
    }

    @Test(arguments: EncodingName.allCases)
    func generatedCorpusTokenIdsMatchTiktokenExactly(_ name: EncodingName) throws {
        let encoding = try TestData.encoding(name)
        let documents = try TestData.corpus("generated-corpus")
        let expected = try TestData.expectedTokens("generated-corpus", name)
        try #require(documents.count == expected.count)
        var mismatches = [String]()
        for (index, document) in documents.enumerated() {
            if let difference = firstDifference(encoding.encode(document), expected[index]) {
                mismatches.append("line \(index + 1): \(difference)")
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches.count) mismatching lines: \(mismatches.prefix(5).joined(separator: "; "))")
    }

    @Test(arguments: EncodingName.allCases)
    func encodeAgreesWithCountOnTheCorpus(_ name: EncodingName) throws {
        let encoding = try TestData.encoding(name)
        var mismatches = [Int]()
        for (index, document) in try TestData.corpus().prefix(200).enumerated()
        where encoding.encode(document).count != encoding.count(document) {
            mismatches.append(index + 1)
        }
        #expect(mismatches.isEmpty, "encode and count differ on lines \(mismatches.prefix(10))")
    }
}
