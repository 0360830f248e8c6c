import Testing
import Tokenizer

/// Exact counts when a rank file is found, byte upper bounds (with one notice) otherwise.
struct TokenCounterTests {
    @Test func aLoadedModelCountsExactlyWithoutNotice() async throws {
        let locator = RankFileLocator(tokenizerDirectory: TestData.directory, environment: ["TIKTOKEN_CACHE_DIR": ""])
        let loaded = try await TokenCounter.load(model: "text-embedding-3-small", locator: locator, store: EncodingStore())
        #expect(loaded.notice == nil)
        #expect(loaded.counter.count("hello world") == TokenCount(tokens: 2, isExact: true))
    }

    @Test func withoutARankFileCountsAreUTF8ByteUpperBoundsWithANotice() async throws {
        let empty = try TemporaryDirectory()
        defer { empty.remove() }
        let locator = RankFileLocator(environment: ["TIKTOKEN_CACHE_DIR": empty.path])
        let loaded = try await TokenCounter.load(model: "gpt-4o-mini", locator: locator, store: EncodingStore())
        #expect(loaded.counter.count("héllo") == TokenCount(tokens: 6, isExact: false))
        let notice = try #require(loaded.notice)
        #expect(notice.contains("upper bounds"))
    }

    @Test func aFailedDownloadFallsBackToUpperBounds() async throws {
        let empty = try TemporaryDirectory()
        defer { empty.remove() }
        let offline = ClosureRankFileFetcher { _ in throw RankFileLocatorTests.Offline() }
        let locator = RankFileLocator(environment: ["TIKTOKEN_CACHE_DIR": empty.path], fetcher: offline)
        let loaded = try await TokenCounter.load(model: "gpt-4o", locator: locator, store: EncodingStore())
        #expect(!loaded.counter.isExact)
        #expect(loaded.notice != nil)
    }

    @Test func anUnknownModelFallsBackToUpperBounds() async throws {
        let locator = RankFileLocator(tokenizerDirectory: TestData.directory, environment: [:])
        let loaded = try await TokenCounter.load(model: "llama-3", locator: locator, store: EncodingStore())
        #expect(!loaded.counter.isExact)
    }

    @Test func aCorruptRankFileIsAnErrorNotAnUpperBound() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write(Array("IQ== 0\n".utf8), to: "o200k_base.tiktoken")
        let locator = RankFileLocator(tokenizerDirectory: directory.path, environment: ["TIKTOKEN_CACHE_DIR": ""])
        let error = await #expect(throws: TokenizerError.self) {
            _ = try await TokenCounter.load(model: "gpt-4o-mini", locator: locator, store: EncodingStore())
        }
        #expect(error?.code == .checksumMismatch)
    }

    @Test func theStoreLoadsEachEncodingOncePerProcess() async throws {
        let store = EncodingStore()
        let locator = RankFileLocator(tokenizerDirectory: TestData.directory, environment: ["TIKTOKEN_CACHE_DIR": ""])
        async let first = store.encoding(.cl100kBase, locator: locator)
        async let second = store.encoding(forModel: "gpt-4", locator: locator)
        let (a, b) = try await (first, second)
        #expect(a.name == b.name)
        // A later call with a locator that finds nothing still gets the loaded encoding.
        let nowhere = RankFileLocator(environment: ["TIKTOKEN_CACHE_DIR": ""])
        #expect(try await store.encoding(.cl100kBase, locator: nowhere).encode("hello world") == [15339, 1917])
    }
}
