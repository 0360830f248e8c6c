import Foundation
import Testing
import Tokenizer

/// Where rank files come from: the built-in copies, or an override directory; SHA-256 checks.
struct RankFileLocatorTests {
    @Test(arguments: EncodingName.allCases)
    func theBuiltInRankFilesHaveTheOfficialSHA256(_ name: EncodingName) throws {
        let bytes = BuiltInRankFiles.bytes(name)
        #expect(bytes.count == (name == .cl100kBase ? 1_681_126 : 3_613_922))
        let encoding = try Encoding(name: name, rankFile: bytes, path: BuiltInRankFiles.source(name))
        #expect(encoding.vocabularySize == (name == .cl100kBase ? 100_256 : 199_998))
    }

    @Test func withoutAnOverrideTheBuiltInCopyIsUsed() throws {
        let file = try RankFileLocator(environment: [:]).locate(.o200kBase)
        #expect(file.source == "built-in o200k_base.tiktoken")
        #expect(file.bytes == BuiltInRankFiles.bytes(.o200kBase))
    }

    @Test func theOptionBeatsTheVariable() {
        let environment = ["LLMQ_TOKENIZER_DIR": "/env"]
        #expect(RankFileLocator(environment: environment).overridePath(for: .cl100kBase) == "/env/cl100k_base.tiktoken")
        #expect(RankFileLocator(tokenizerDirectory: "/opt", environment: environment).overridePath(for: .o200kBase)
            == "/opt/o200k_base.tiktoken")
        #expect(RankFileLocator(tokenizerDirectory: "", environment: ["LLMQ_TOKENIZER_DIR": ""]).overridePath(for: .o200kBase) == nil)
    }

    @Test func aFileInTheOverrideDirectoryWinsOverTheBuiltInCopy() throws {
        let explicit = try TemporaryDirectory()
        defer { explicit.remove() }
        try explicit.write(BuiltInRankFiles.bytes(.cl100kBase), to: "cl100k_base.tiktoken")
        let file = try RankFileLocator(environment: ["LLMQ_TOKENIZER_DIR": explicit.path]).locate(.cl100kBase)
        #expect(file.source == explicit.file("cl100k_base.tiktoken"))
    }

    @Test func anOverrideDirectoryWithoutTheFileFallsBackToTheBuiltInCopy() throws {
        let explicit = try TemporaryDirectory()
        defer { explicit.remove() }
        let file = try RankFileLocator(tokenizerDirectory: explicit.path).locate(.o200kBase)
        #expect(file.source == BuiltInRankFiles.source(.o200kBase))
    }

    @Test func aFileWithTheWrongSHA256IsRefusedWithPathAndBothHashes() async throws {
        let explicit = try TemporaryDirectory()
        defer { explicit.remove() }
        try explicit.write(Array("IQ== 0\n".utf8), to: "cl100k_base.tiktoken")
        let locator = RankFileLocator(tokenizerDirectory: explicit.path)
        let path = explicit.file("cl100k_base.tiktoken")
        let expected = "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7"
        let error = await #expect(throws: TokenizerError.self) {
            _ = try await EncodingStore().encoding(.cl100kBase, locator: locator)
        }
        #expect(error?.code == .checksumMismatch)
        #expect(error?.path == path)
        #expect(error?.expectedSHA256 == expected)
        let actual = try #require(error?.actualSHA256)
        #expect(actual.count == 64 && actual != expected)
        #expect(error?.description == "\(path): rank file for cl100k_base has SHA-256 \(actual), expected \(expected); "
            + "delete or replace the file (it is corrupt or not the official one)")
    }

    @Test func anUnreadableOverrideFileIsAFileSystemError() throws {
        let explicit = try TemporaryDirectory()
        defer { explicit.remove() }
        // A directory where the file should be exists but cannot be read as a file.
        try FileManager.default.createDirectory(atPath: explicit.file("o200k_base.tiktoken"), withIntermediateDirectories: true)
        let error = #expect(throws: TokenizerError.self) {
            _ = try RankFileLocator(tokenizerDirectory: explicit.path).locate(.o200kBase)
        }
        #expect(error?.code == .fileSystem)
        #expect(error?.description == "\(explicit.file("o200k_base.tiktoken")): cannot read the rank file")
    }
}
