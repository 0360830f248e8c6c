/// An error of the job queue, with a code callers can switch on and a message that says
/// what went wrong and what to do about it.
public struct JobQueueError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure this is.
    public struct Code: RawRepresentable, Hashable, Sendable {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        /// A file could not be opened or read.
        public static let io = Code(rawValue: "io")
        /// The database is of a newer schema than this binary knows.
        public static let schemaTooNew = Code(rawValue: "schema-too-new")
        /// The database could not be opened, migrated or written.
        public static let database = Code(rawValue: "database")
        /// A stored row is not what llmq wrote.
        public static let corruptRow = Code(rawValue: "corrupt-row")
    }

    /// What kind of failure.
    public let code: Code
    /// The full message, naming the file, job or statement involved.
    public let message: String
    /// The underlying error, when there is one.
    public let underlying: (any Error & Sendable)?

    /// An error with a message and, optionally, its cause.
    public init(_ code: Code, _ message: String, underlying: (any Error & Sendable)? = nil) {
        self.code = code
        self.message = message
        self.underlying = underlying
    }

    public var description: String {
        if let underlying { return "\(message): \(underlying)" }
        return message
    }
}
