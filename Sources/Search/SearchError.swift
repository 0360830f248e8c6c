/// What went wrong in a search, with the message a user needs to put it right.
public struct SearchError: Error, Sendable, CustomStringConvertible {
    /// The kind of failure; extensible.
    public struct Code: RawRepresentable, Hashable, Sendable {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }

        /// The request cannot be answered as asked (no vectors, an ambiguous kind, an
        /// unknown `--like` id, a bad argument): the user changes the command.
        public static let badRequest = Code(rawValue: "bad_request")
        /// The database holds something llmq did not write (a vector of the wrong size).
        public static let database = Code(rawValue: "database")
        /// The scan file cannot be written or read (a full disk, an unwritable folder).
        public static let scanFile = Code(rawValue: "scan_file")
    }

    /// The kind of failure.
    public var code: Code
    /// What happened and how to remedy it.
    public var message: String
    /// The error underneath (an SQLite or file-system error), when there is one.
    public var underlying: (any Error & Sendable)?

    /// An error of `code` saying `message`.
    public init(_ code: Code, _ message: String, underlying: (any Error & Sendable)? = nil) {
        self.code = code
        self.message = message
        self.underlying = underlying
    }

    public var description: String {
        underlying.map { "\(message): \($0)" } ?? message
    }
}
