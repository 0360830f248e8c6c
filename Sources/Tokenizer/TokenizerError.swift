/// An error of the Tokenizer module, with the context a user needs to fix it.
public struct TokenizerError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure this is; extensible, compare with `==`.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        let name: String

        /// A rank file's SHA-256 is not the one the encoding requires.
        public static let checksumMismatch = Code(name: "checksumMismatch")
        /// A rank file does not parse (`base64 rank` per line).
        public static let malformedRankFile = Code(name: "malformedRankFile")
        /// Reading or writing a file failed.
        public static let fileSystem = Code(name: "fileSystem")
        /// No encoding is known for a model name.
        public static let unknownModel = Code(name: "unknownModel")
        /// A token id has no bytes in the encoding.
        public static let unknownToken = Code(name: "unknownToken")

        /// The code's name.
        public var description: String { name }
    }

    /// What kind of failure this is.
    public var code: Code
    /// What went wrong and how to remedy it.
    public var message: String
    /// The file (or URL) concerned, when there is one.
    public var path: String?
    /// The expected SHA-256 hex digest, for `checksumMismatch`.
    public var expectedSHA256: String?
    /// The actual SHA-256 hex digest, for `checksumMismatch`.
    public var actualSHA256: String?
    /// The underlying error, when there is one.
    public var underlying: (any Error & Sendable)?

    /// Creates an error.
    public init(
        _ code: Code, message: String, path: String? = nil, expectedSHA256: String? = nil,
        actualSHA256: String? = nil, underlying: (any Error & Sendable)? = nil
    ) {
        self.code = code
        self.message = message
        self.path = path
        self.expectedSHA256 = expectedSHA256
        self.actualSHA256 = actualSHA256
        self.underlying = underlying
    }

    /// A one-line description: the path, the message and the underlying error.
    public var description: String {
        var text = path.map { "\($0): \(message)" } ?? message
        if let underlying { text += " (\(underlying))" }
        return text
    }
}
