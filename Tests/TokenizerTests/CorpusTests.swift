import Testing
import Tokenizer

/// Exactness against tiktoken 0.14.0 on the shared dev corpus.
struct CorpusTests {
    @Test(arguments: EncodingName.allCases)
    func devCorpusCountsMatchTiktokenExactly(_ name: EncodingName) throws {
        let encoding = try TestData.encoding(name)
        let documents = try TestData.corpus()
        let expected = try TestData.lines("dev-corpus.\(name.rawValue).counts").map { Int($0) }
        try #require(documents.count == expected.count)
        var mismatches = [String]()
        for (index, document) in documents.enumerated() {
            let count = encoding.count(document)
            if count != expected[index] {
                mismatches.append("line \(index + 1): got \(count), expected \(expected[index].map(String.init) ?? "?")")
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches.count) mismatching lines:\n\(mismatches.prefix(40).joined(separator: "\n"))")
    }

    @Test(arguments: EncodingName.allCases)
    func encodeAgreesWithCountOnTheCorpus(_ name: EncodingName) throws {
        let encoding = try TestData.encoding(name)
        for document in try TestData.corpus().prefix(200) {
            #expect(encoding.encode(document).count == encoding.count(document))
        }
    }
}
