import CSQLite

/// A SQLite result code. Extended codes (`SQLITE_BUSY_SNAPSHOT`, …) keep their primary
/// code in the low byte, so `error.code.primary == .busy` matches every flavour of busy.
public struct ResultCode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The raw (possibly extended) SQLite result code.
    public let rawValue: Int32
    /// Wraps a raw SQLite result code.
    public init(rawValue: Int32) { self.rawValue = rawValue }

    /// The primary result code (the low 8 bits).
    public var primary: ResultCode { ResultCode(rawValue: rawValue & 0xFF) }

    public static let ok = ResultCode(rawValue: SQLITE_OK)
    public static let error = ResultCode(rawValue: SQLITE_ERROR)
    public static let busy = ResultCode(rawValue: SQLITE_BUSY)
    public static let locked = ResultCode(rawValue: SQLITE_LOCKED)
    public static let readOnly = ResultCode(rawValue: SQLITE_READONLY)
    public static let cantOpen = ResultCode(rawValue: SQLITE_CANTOPEN)
    public static let corrupt = ResultCode(rawValue: SQLITE_CORRUPT)
    public static let notADatabase = ResultCode(rawValue: SQLITE_NOTADB)
    public static let full = ResultCode(rawValue: SQLITE_FULL)
    public static let constraint = ResultCode(rawValue: SQLITE_CONSTRAINT)
    public static let misuse = ResultCode(rawValue: SQLITE_MISUSE)
    public static let row = ResultCode(rawValue: SQLITE_ROW)
    public static let done = ResultCode(rawValue: SQLITE_DONE)

    /// SQLite's English text for the code (`sqlite3_errstr`), e.g. "file is not a database".
    public var reason: String {
        sqlite3_errstr(rawValue).map { String(cString: $0) } ?? "unknown"
    }

    public var description: String {
        "SQLite error \(rawValue) (\(reason))"
    }
}

/// An error from SQLite: its result code, its message and, when there was one, the
/// statement that failed (so a log names the query, not just "constraint failed").
public struct SQLiteError: Error, Sendable, CustomStringConvertible {
    /// The (possibly extended) result code.
    public let code: ResultCode
    /// SQLite's own message (`sqlite3_errmsg`) or ours.
    public let message: String
    /// The SQL being prepared or run, when known.
    public let sql: String?
    /// The database file, when known.
    public let path: String?

    /// Makes an error with the given context.
    public init(code: ResultCode, message: String, sql: String? = nil, path: String? = nil) {
        self.code = code
        self.message = message
        self.sql = sql
        self.path = path
    }

    public var description: String {
        var text = "\(message) [SQLite code \(code.rawValue)]"
        if let path { text += " in \(path)" }
        if let sql { text += " while running: \(sql.count > 200 ? String(sql.prefix(200)) + "…" : sql)" }
        return text
    }
}
