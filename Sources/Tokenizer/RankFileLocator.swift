import Foundation

/// Picks the rank file of an encoding: an override directory (`--tokenizer-dir`, else
/// `LLMQ_TOKENIZER_DIR`) holding `cl100k_base.tiktoken` / `o200k_base.tiktoken` when it
/// has the file, else the copy built into llmq (`BuiltInRankFiles`). Nothing is ever
/// downloaded, so no command waits on the network.
///
/// `Encoding.init` checks whatever is picked against the encoding's SHA-256: a wrong file
/// in an override directory is an error, never a silent miscount nor a silent fallback.
public struct RankFileLocator: Sendable {
    /// The `--tokenizer-dir` option, if given; it wins over `LLMQ_TOKENIZER_DIR`.
    public var tokenizerDirectory: String?
    /// The process environment (injected so tests need not mutate the real one).
    public var environment: [String: String]

    /// Creates a locator.
    ///
    /// - Parameters:
    ///   - tokenizerDirectory: the `--tokenizer-dir` option; default none.
    ///   - environment: usually `ProcessInfo.processInfo.environment`.
    public init(tokenizerDirectory: String? = nil, environment: [String: String] = [:]) {
        self.tokenizerDirectory = tokenizerDirectory
        self.environment = environment
    }

    /// A rank file's bytes and where they came from.
    public struct LocatedFile: Sendable {
        /// The file's contents (not yet checked: `Encoding.init` checks the SHA-256).
        public var bytes: [UInt8]
        /// The path read, or `BuiltInRankFiles.source(_:)` for the built-in copy.
        public var source: String
    }

    /// The override directory: `tokenizerDirectory`, else `LLMQ_TOKENIZER_DIR`; nil when
    /// neither is set or both are empty.
    public var explicitDirectory: String? {
        if let tokenizerDirectory, !tokenizerDirectory.isEmpty { return tokenizerDirectory }
        if let variable = environment["LLMQ_TOKENIZER_DIR"], !variable.isEmpty { return variable }
        return nil
    }

    /// The override file looked at first, if there is an override directory.
    public func overridePath(for encoding: EncodingName) -> String? {
        explicitDirectory.map { ($0 as NSString).appendingPathComponent(encoding.fileName) }
    }

    /// The rank file of `encoding`: the override file when it exists, else the built-in copy.
    ///
    /// - Throws: `TokenizerError` `fileSystem` when an override file exists but cannot be read.
    public func locate(_ encoding: EncodingName) throws(TokenizerError) -> LocatedFile {
        if let path = overridePath(for: encoding), let bytes = try Self.read(path) {
            return LocatedFile(bytes: bytes, source: path)
        }
        return LocatedFile(bytes: BuiltInRankFiles.bytes(encoding), source: BuiltInRankFiles.source(encoding))
    }

    /// The file's bytes, or nil when it does not exist.
    static func read(_ path: String) throws(TokenizerError) -> [UInt8]? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw TokenizerError(.fileSystem, message: "cannot read the rank file", path: path)
        }
        return [UInt8](data)
    }
}
