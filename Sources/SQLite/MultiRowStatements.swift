/// One multi-row statement, `HEAD VALUES (…), (…) TAIL`, compiled once for each row count
/// asked for and then reused. Writing many rows with one statement instead of one each
/// saves the per-statement work (and, on a table with triggers, SQLite's statement
/// journal copies each page the statement changes once per statement, not once per row).
public final class MultiRowStatements {
    private let connection: Connection
    private let head: String
    private let tail: String
    private let values: (Int) -> String
    private var compiled: [Int: Statement] = [:]

    /// Statements on `connection` made of `head`, the `VALUES` list and `tail`; `values`
    /// gives row `r`'s parenthesised list (0-based rows).
    public init(_ connection: Connection, head: String, tail: String = "", values: @escaping (Int) -> String) {
        self.connection = connection
        self.head = head
        self.tail = tail
        self.values = values
    }

    /// Statements whose rows are `columns` anonymous parameters each, bound in order:
    /// row `r`, column `c` (both 0-based) is parameter `r * columns + c + 1`.
    public convenience init(_ connection: Connection, head: String, tail: String = "", columns: Int) {
        let row = "(" + Array(repeating: "?", count: columns).joined(separator: ",") + ")"
        self.init(connection, head: head, tail: tail, values: { _ in row })
    }

    /// The statement for `rows` rows, reset with its bindings cleared.
    /// - Throws: `SQLiteError` when it does not compile (or has too many parameters).
    public func statement(rows: Int) throws -> Statement {
        if let statement = compiled[rows] {
            statement.reset()
            return statement
        }
        let list = (0..<rows).map(values).joined(separator: ", ")
        let statement = try connection.prepare("\(head) VALUES \(list) \(tail)")
        compiled[rows] = statement
        return statement
    }
}
