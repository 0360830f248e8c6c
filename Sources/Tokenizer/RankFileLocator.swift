import Crypto
import Foundation

/// Finds the rank file of an encoding at run time, in this order:
/// 1. an explicit directory (`--tokenizer-dir`, else `LLMQ_TOKENIZER_DIR`) holding
///    `cl100k_base.tiktoken` / `o200k_base.tiktoken`;
/// 2. tiktoken's own cache (`TIKTOKEN_CACHE_DIR`, else `DATA_GYM_CACHE_DIR`, else
///    `<tmp>/data-gym-cache`; an empty value disables the cache), file named the SHA-1 hex
///    of the official URL, so a machine that already used tiktoken needs nothing;
/// 3. a one-time download with the injected fetcher into that cache (written to
///    `<path>.<uuid>.tmp`, then renamed).
///
/// Every file is checked against the encoding's SHA-256; a mismatch is an error, never a
/// silent miscount.
public struct RankFileLocator: Sendable {
    /// The `--tokenizer-dir` option, if given; it wins over `LLMQ_TOKENIZER_DIR`.
    public var tokenizerDirectory: String?
    /// The process environment (injected so tests need not mutate the real one).
    public var environment: [String: String]
    /// Downloads missing files; nil means never download.
    public var fetcher: (any RankFileFetcher)?

    /// Creates a locator.
    ///
    /// - Parameters:
    ///   - tokenizerDirectory: the `--tokenizer-dir` option; default none.
    ///   - environment: usually `ProcessInfo.processInfo.environment`.
    ///   - fetcher: the downloader; default none (no download).
    public init(
        tokenizerDirectory: String? = nil, environment: [String: String],
        fetcher: (any RankFileFetcher)? = nil
    ) {
        self.tokenizerDirectory = tokenizerDirectory
        self.environment = environment
        self.fetcher = fetcher
    }

    /// A rank file's verified bytes and where they came from.
    public struct LocatedFile: Sendable {
        /// The file's contents, SHA-256 checked.
        public var bytes: [UInt8]
        /// The path read, or the URL downloaded.
        public var source: String
    }

    /// The explicit directory: `tokenizerDirectory`, else `LLMQ_TOKENIZER_DIR`; nil when
    /// neither is set or both are empty.
    public var explicitDirectory: String? {
        if let tokenizerDirectory, !tokenizerDirectory.isEmpty { return tokenizerDirectory }
        if let variable = environment["LLMQ_TOKENIZER_DIR"], !variable.isEmpty { return variable }
        return nil
    }

    /// tiktoken's cache directory, or nil when caching is disabled (an empty
    /// `TIKTOKEN_CACHE_DIR` / `DATA_GYM_CACHE_DIR`).
    public var cacheDirectory: String? {
        let directory: String
        if let value = environment["TIKTOKEN_CACHE_DIR"] {
            directory = value
        } else if let value = environment["DATA_GYM_CACHE_DIR"] {
            directory = value
        } else {
            directory = Self.join(temporaryDirectory, "data-gym-cache")
        }
        return directory.isEmpty ? nil : directory
    }

    /// The system temporary directory as Python's `tempfile.gettempdir()` picks it:
    /// `TMPDIR`, `TEMP`, `TMP`, else `/tmp`.
    public var temporaryDirectory: String {
        for key in ["TMPDIR", "TEMP", "TMP"] {
            if let value = environment[key], !value.isEmpty { return value }
        }
        return "/tmp"
    }

    /// tiktoken's cache file name for `encoding`: the SHA-1 hex of its URL.
    public static func cacheFileName(for encoding: EncodingName) -> String {
        RankFile.hex(Insecure.SHA1.hash(data: Array(encoding.url.utf8)))
    }

    /// The files looked at, in order (without the download).
    public func candidatePaths(for encoding: EncodingName) -> [String] {
        var paths = [String]()
        if let explicitDirectory { paths.append(Self.join(explicitDirectory, encoding.fileName)) }
        if let cacheDirectory { paths.append(Self.join(cacheDirectory, Self.cacheFileName(for: encoding))) }
        return paths
    }

    /// Finds, checks and returns the rank file of `encoding`.
    ///
    /// - Throws: `TokenizerError` `checksumMismatch` (a file or download with the wrong
    ///   SHA-256), `fileSystem` (a file exists but cannot be read), `downloadFailed`, or
    ///   `rankFileUnavailable` when no file exists and there is no fetcher.
    public func locate(_ encoding: EncodingName) async throws(TokenizerError) -> LocatedFile {
        for path in candidatePaths(for: encoding) {
            if let bytes = try Self.read(path) {
                try RankFile.verify(bytes, encoding: encoding, path: path)
                return LocatedFile(bytes: bytes, source: path)
            }
        }
        guard let fetcher else {
            throw TokenizerError(
                .rankFileUnavailable,
                message: "no \(encoding.fileName) found (looked at: "
                    + "\(candidatePaths(for: encoding).joined(separator: ", ")))"
                    + "; use --tokenizer-dir or LLMQ_TOKENIZER_DIR")
        }
        let bytes: [UInt8]
        do {
            bytes = try await fetcher.fetch(encoding.url)
        } catch {
            throw TokenizerError(
                .downloadFailed, message: "downloading the \(encoding.rawValue) rank file failed",
                path: encoding.url, underlying: DescribedError(error))
        }
        try RankFile.verify(bytes, encoding: encoding, path: encoding.url)
        if let cacheDirectory {
            // Best effort, like a cache should be: the verified bytes are used either way.
            try? Self.writeAtomically(bytes, to: Self.join(cacheDirectory, Self.cacheFileName(for: encoding)))
        }
        return LocatedFile(bytes: bytes, source: encoding.url)
    }

    /// The file's bytes, or nil when it does not exist.
    static func read(_ path: String) throws(TokenizerError) -> [UInt8]? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw TokenizerError(.fileSystem, message: "cannot read the rank file", path: path)
        }
        return [UInt8](data)
    }

    /// Writes `bytes` to `<path>.<uuid>.tmp` and renames that to `path`.
    static func writeAtomically(_ bytes: [UInt8], to path: String) throws {
        let directory = (path as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let temporary = "\(path).\(UUID().uuidString).tmp"
        try Data(bytes).write(to: URL(fileURLWithPath: temporary))
        guard rename(temporary, path) == 0 else {
            try? FileManager.default.removeItem(atPath: temporary)
            throw TokenizerError(.fileSystem, message: "cannot rename \(temporary) into place", path: path)
        }
    }

    static func join(_ directory: String, _ name: String) -> String {
        (directory as NSString).appendingPathComponent(name)
    }
}
