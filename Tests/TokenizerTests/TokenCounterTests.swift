import Testing
import Tokenizer

/// Exact counts for every known model (rank files built in), byte upper bounds (with one
/// notice) only for a model llmq knows no encoding for.
struct TokenCounterTests {
    @Test(arguments: ["text-embedding-3-small", "gpt-4o-mini"])
    func aKnownModelCountsExactlyWithNothingBesideTheBinary(_ model: String) async throws {
        let loaded = try await TokenCounter.load(model: model, locator: RankFileLocator(), store: EncodingStore())
        #expect(loaded.notice == nil)
        #expect(loaded.counter.count("hello world") == TokenCount(tokens: 2, isExact: true))
    }

    @Test func anUnknownModelFallsBackToUpperBoundsWithANoticeThatNamesTheModelNotRankFiles() async throws {
        let loaded = try await TokenCounter.load(model: "llama-3", locator: RankFileLocator(), store: EncodingStore())
        #expect(!loaded.counter.isExact)
        #expect(loaded.counter.count("héllo") == TokenCount(tokens: 6, isExact: false))
        #expect(loaded.notice == "token counts for llama-3 are upper bounds (UTF-8 bytes), not exact: "
            + "no tiktoken encoding is known for model 'llama-3' (llmq knows cl100k_base and o200k_base models)")
    }

    @Test func aCorruptRankFileIsAnErrorNotAnUpperBound() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write(Array("IQ== 0\n".utf8), to: "o200k_base.tiktoken")
        let locator = RankFileLocator(tokenizerDirectory: directory.path)
        let error = await #expect(throws: TokenizerError.self) {
            _ = try await TokenCounter.load(model: "gpt-4o-mini", locator: locator, store: EncodingStore())
        }
        #expect(error?.code == .checksumMismatch)
    }

    @Test func theStoreLoadsEachEncodingOncePerProcess() async throws {
        let store = EncodingStore()
        let locator = RankFileLocator()
        async let first = store.encoding(.cl100kBase, locator: locator)
        async let second = store.encoding(forModel: "gpt-4", locator: locator)
        let (a, b) = try await (first, second)
        #expect(a.name == b.name)
        // A later call with a locator whose override is corrupt still gets the loaded encoding.
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write(Array("junk".utf8), to: "cl100k_base.tiktoken")
        let corrupt = RankFileLocator(tokenizerDirectory: directory.path)
        #expect(try await store.encoding(.cl100kBase, locator: corrupt).encode("hello world") == [15339, 1917])
    }
}
