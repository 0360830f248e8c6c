/// Why bytes are not the JSON a reader expected, with the byte offset where reading stopped.
public struct JSONSyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What was wrong ("unterminated string", "expected an integer", …).
    public var reason: String
    /// Byte offset in the input (0-based).
    public var offset: Int

    /// An error at `offset` (0-based).
    public init(reason: String, offset: Int) {
        self.reason = reason
        self.offset = offset
    }

    /// "invalid JSON: REASON at byte N", N counted from 1.
    public var description: String { "invalid JSON: \(reason) at byte \(offset + 1)" }
}
