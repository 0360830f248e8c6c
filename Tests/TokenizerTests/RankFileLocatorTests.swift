import Foundation
import Testing
import Tokenizer

/// Where rank files come from: explicit dir, tiktoken's cache, a download; SHA-256 checks.
struct RankFileLocatorTests {
    /// A fetcher that serves fixed bytes and records the URLs asked for.
    final class FakeFetcher: RankFileFetcher {
        // Safe: `urls` is only touched under `lock`; `bytes` is immutable.
        let bytes: [UInt8]
        private let lock = NSLock()
        nonisolated(unsafe) private var urls: [String] = []

        init(bytes: [UInt8]) { self.bytes = bytes }

        func fetch(_ url: String) async throws -> [UInt8] {
            lock.withLock { urls.append(url) }
            return bytes
        }

        var requested: [String] { lock.withLock { urls } }
    }

    struct Offline: Error {}

    @Test func cacheFileNamesAreTheSHA1OfTheOfficialURL() {
        #expect(RankFileLocator.cacheFileName(for: .cl100kBase) == "9b5ad71b2ce5302211f9c61530b329a4922fc6a4")
        #expect(RankFileLocator.cacheFileName(for: .o200kBase) == "fb374d419588a4632f3f557e76b4b70aebbca790")
    }

    @Test func theCacheDirectoryFollowsTiktokensEnvironmentOrder() {
        let both = ["TIKTOKEN_CACHE_DIR": "/a", "DATA_GYM_CACHE_DIR": "/b", "TMPDIR": "/t"]
        #expect(RankFileLocator(environment: both).cacheDirectory == "/a")
        #expect(RankFileLocator(environment: ["DATA_GYM_CACHE_DIR": "/b", "TMPDIR": "/t"]).cacheDirectory == "/b")
        #expect(RankFileLocator(environment: ["TMPDIR": "/t"]).cacheDirectory == "/t/data-gym-cache")
        #expect(RankFileLocator(environment: [:]).cacheDirectory == "/tmp/data-gym-cache")
        #expect(RankFileLocator(environment: ["TIKTOKEN_CACHE_DIR": "", "DATA_GYM_CACHE_DIR": "/b"]).cacheDirectory == nil)
    }

    @Test func theExplicitDirectoryComesFirstAndTheOptionBeatsTheVariable() {
        let environment = ["LLMQ_TOKENIZER_DIR": "/env", "TIKTOKEN_CACHE_DIR": "/cache"]
        #expect(RankFileLocator(environment: environment).candidatePaths(for: .cl100kBase)
            == ["/env/cl100k_base.tiktoken", "/cache/9b5ad71b2ce5302211f9c61530b329a4922fc6a4"])
        #expect(RankFileLocator(tokenizerDirectory: "/opt", environment: environment).candidatePaths(for: .o200kBase)
            == ["/opt/o200k_base.tiktoken", "/cache/fb374d419588a4632f3f557e76b4b70aebbca790"])
    }

    @Test func aFileInTheExplicitDirectoryWinsOverTheCache() async throws {
        let explicit = try TemporaryDirectory(), cache = try TemporaryDirectory()
        defer { explicit.remove(); cache.remove() }
        try explicit.write(try TestData.bytes("cl100k_base.tiktoken"), to: "cl100k_base.tiktoken")
        try cache.write([1, 2, 3], to: RankFileLocator.cacheFileName(for: .cl100kBase))
        let locator = RankFileLocator(
            tokenizerDirectory: explicit.path, environment: ["TIKTOKEN_CACHE_DIR": cache.path])
        let file = try await locator.locate(.cl100kBase)
        #expect(file.source == explicit.file("cl100k_base.tiktoken"))
    }

    @Test func tiktokensCacheIsUsedWhenTheExplicitDirectoryLacksTheFile() async throws {
        let explicit = try TemporaryDirectory(), cache = try TemporaryDirectory()
        defer { explicit.remove(); cache.remove() }
        let name = RankFileLocator.cacheFileName(for: .o200kBase)
        try cache.write(try TestData.bytes("o200k_base.tiktoken"), to: name)
        let fetcher = FakeFetcher(bytes: [])
        let locator = RankFileLocator(
            environment: ["LLMQ_TOKENIZER_DIR": explicit.path, "DATA_GYM_CACHE_DIR": cache.path], fetcher: fetcher)
        let file = try await locator.locate(.o200kBase)
        #expect(file.source == cache.file(name))
        #expect(fetcher.requested.isEmpty)
    }

    @Test func aMissingFileIsDownloadedOnceIntoTheCache() async throws {
        let cache = try TemporaryDirectory()
        defer { cache.remove() }
        let fetcher = FakeFetcher(bytes: try TestData.bytes("cl100k_base.tiktoken"))
        let locator = RankFileLocator(
            environment: ["TIKTOKEN_CACHE_DIR": cache.file("nested/dir")], fetcher: fetcher)
        let first = try await locator.locate(.cl100kBase)
        #expect(first.source == EncodingName.cl100kBase.url)
        let cached = cache.file("nested/dir/9b5ad71b2ce5302211f9c61530b329a4922fc6a4")
        #expect(FileManager.default.contents(atPath: cached).map { [UInt8]($0) } == fetcher.bytes)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: cache.file("nested/dir"))
        #expect(leftovers == ["9b5ad71b2ce5302211f9c61530b329a4922fc6a4"])
        let second = try await locator.locate(.cl100kBase)
        #expect(second.source == cached)
        #expect(fetcher.requested == ["https://openaipublic.blob.core.windows.net/encodings/cl100k_base.tiktoken"])
    }

    @Test func anEmptyTiktokenCacheDirDownloadsWithoutCaching() async throws {
        let fallback = try TemporaryDirectory()
        defer { fallback.remove() }
        let fetcher = FakeFetcher(bytes: try TestData.bytes("o200k_base.tiktoken"))
        let locator = RankFileLocator(
            environment: ["TIKTOKEN_CACHE_DIR": "", "DATA_GYM_CACHE_DIR": fallback.path, "TMPDIR": fallback.path],
            fetcher: fetcher)
        #expect(locator.candidatePaths(for: .o200kBase).isEmpty)
        let file = try await locator.locate(.o200kBase)
        #expect(file.source == EncodingName.o200kBase.url)
        #expect(try FileManager.default.contentsOfDirectory(atPath: fallback.path).isEmpty)
    }

    @Test func aFileWithTheWrongSHA256IsRefusedWithPathAndBothHashes() async throws {
        let explicit = try TemporaryDirectory()
        defer { explicit.remove() }
        try explicit.write(Array("IQ== 0\n".utf8), to: "cl100k_base.tiktoken")
        let locator = RankFileLocator(tokenizerDirectory: explicit.path, environment: ["TIKTOKEN_CACHE_DIR": ""])
        let path = explicit.file("cl100k_base.tiktoken")
        let expected = "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7"
        let error = await #expect(throws: TokenizerError.self) {
            _ = try await locator.locate(.cl100kBase)
        }
        #expect(error?.code == .checksumMismatch)
        #expect(error?.path == path)
        #expect(error?.expectedSHA256 == expected)
        let actual = try #require(error?.actualSHA256)
        #expect(actual.count == 64 && actual != expected)
        #expect(error?.description == "\(path): rank file for cl100k_base has SHA-256 \(actual), expected \(expected); "
            + "delete or replace the file (it is corrupt or not the official one)")
    }

    @Test func aDownloadWithTheWrongSHA256IsRefusedAndNotCached() async throws {
        let cache = try TemporaryDirectory()
        defer { cache.remove() }
        let locator = RankFileLocator(
            environment: ["TIKTOKEN_CACHE_DIR": cache.path], fetcher: FakeFetcher(bytes: Array("junk".utf8)))
        await #expect {
            _ = try await locator.locate(.o200kBase)
        } throws: { error in
            (error as? TokenizerError)?.code == .checksumMismatch
                && (error as? TokenizerError)?.path == EncodingName.o200kBase.url
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: cache.path).isEmpty)
    }

    @Test func withoutFileOrFetcherTheRankFileIsUnavailable() async throws {
        let cache = try TemporaryDirectory()
        defer { cache.remove() }
        let locator = RankFileLocator(environment: ["TIKTOKEN_CACHE_DIR": cache.path])
        await #expect {
            _ = try await locator.locate(.cl100kBase)
        } throws: { error in
            (error as? TokenizerError)?.code == .rankFileUnavailable
        }
    }
}
