import CSQLite

/// SQLite's "copy the value now" destructor: the bound buffer may be freed after binding.
private let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
private let emptyText: StaticString = ""

/// A compiled SQL statement. Bind parameters (1-based, as SQLite counts), `step()` through
/// rows and read columns (0-based). Readers never force-unwrap: a NULL or a wrong type in
/// the database comes back as nil (optional readers) or a typed conversion by SQLite.
public final class Statement {
    let handle: OpaquePointer
    /// The SQL text this statement was compiled from.
    public let sql: String
    private unowned let connection: Connection

    init(connection: Connection, sql: String) throws {
        var statement: OpaquePointer?
        let rc = sqlite3_prepare_v3(connection.handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &statement, nil)
        guard rc == SQLITE_OK, let statement else {
            throw connection.error(rc, sql: sql)
        }
        self.handle = statement
        self.sql = sql
        self.connection = connection
    }

    deinit { sqlite3_finalize(handle) }

    // MARK: Binding

    /// Binds an integer to parameter `index` (1-based).
    public func bind(_ value: Int64, at index: Int32) throws {
        try check(sqlite3_bind_int64(handle, index, value))
    }

    /// Binds an integer to parameter `index` (1-based).
    public func bind(_ value: Int, at index: Int32) throws {
        try bind(Int64(value), at: index)
    }

    /// Binds a double to parameter `index` (1-based).
    public func bind(_ value: Double, at index: Int32) throws {
        try check(sqlite3_bind_double(handle, index, value))
    }

    /// Binds text to parameter `index` (1-based).
    public func bind(_ value: String, at index: Int32) throws {
        var value = value
        try value.withUTF8 { bytes in
            try bindText(utf8: UnsafeRawBufferPointer(bytes), at: index)
        }
    }

    /// Binds UTF-8 bytes as text to parameter `index` (1-based), without making a String.
    public func bindText(utf8 bytes: UnsafeRawBufferPointer, at index: Int32) throws {
        // A nil pointer would bind NULL; an empty string needs a real (empty) one.
        let base = (bytes.baseAddress ?? UnsafeRawPointer(emptyText.utf8Start)).assumingMemoryBound(to: CChar.self)
        try check(sqlite3_bind_text(handle, index, base, Int32(bytes.count), transient))
    }

    /// Binds UTF-8 text without copying it: the caller keeps `bytes` valid and unchanged
    /// until `reset()` (which clears every binding) or finalization. For hot paths.
    public func bindText(borrowedUTF8 bytes: UnsafeRawBufferPointer, at index: Int32) throws {
        let base = (bytes.baseAddress ?? UnsafeRawPointer(emptyText.utf8Start)).assumingMemoryBound(to: CChar.self)
        try check(sqlite3_bind_text(handle, index, base, Int32(bytes.count), nil))
    }

    /// Binds a blob without copying it, on the terms of `bindText(borrowedUTF8:at:)`.
    public func bindBlob(borrowed bytes: UnsafeRawBufferPointer, at index: Int32) throws {
        if let base = bytes.baseAddress {
            try check(sqlite3_bind_blob(handle, index, base, Int32(bytes.count), nil))
        } else {
            try check(sqlite3_bind_zeroblob(handle, index, 0))
        }
    }

    /// Binds a blob to parameter `index` (1-based). An empty array binds a zero-length blob.
    public func bind(_ value: [UInt8], at index: Int32) throws {
        try value.withUnsafeBytes { try bindBlob(bytes: $0, at: index) }
    }

    /// Binds raw bytes as a blob to parameter `index` (1-based).
    public func bindBlob(bytes: UnsafeRawBufferPointer, at index: Int32) throws {
        if let base = bytes.baseAddress {
            try check(sqlite3_bind_blob(handle, index, base, Int32(bytes.count), transient))
        } else {
            try check(sqlite3_bind_zeroblob(handle, index, 0))
        }
    }

    /// Binds NULL to parameter `index` (1-based).
    public func bindNull(at index: Int32) throws {
        try check(sqlite3_bind_null(handle, index))
    }

    /// Binds an optional value, NULL when nil.
    public func bind(_ value: Int64?, at index: Int32) throws {
        if let value { try bind(value, at: index) } else { try bindNull(at: index) }
    }

    /// Binds an optional value, NULL when nil.
    public func bind(_ value: Int?, at index: Int32) throws {
        if let value { try bind(value, at: index) } else { try bindNull(at: index) }
    }

    /// Binds an optional value, NULL when nil.
    public func bind(_ value: Double?, at index: Int32) throws {
        if let value { try bind(value, at: index) } else { try bindNull(at: index) }
    }

    /// Binds an optional value, NULL when nil.
    public func bind(_ value: String?, at index: Int32) throws {
        if let value { try bind(value, at: index) } else { try bindNull(at: index) }
    }

    /// Binds an optional value, NULL when nil.
    public func bind(_ value: [UInt8]?, at index: Int32) throws {
        if let value { try bind(value, at: index) } else { try bindNull(at: index) }
    }

    /// Binds a list of values to parameters 1, 2, 3, … in order.
    public func bind(_ values: [SQLiteValue]) throws {
        for (offset, value) in values.enumerated() {
            try bind(value, at: Int32(offset + 1))
        }
    }

    /// Binds one `SQLiteValue` to parameter `index` (1-based).
    public func bind(_ value: SQLiteValue, at index: Int32) throws {
        switch value {
        case .integer(let v): try bind(v, at: index)
        case .double(let v): try bind(v, at: index)
        case .text(let v): try bind(v, at: index)
        case .blob(let v): try bind(v, at: index)
        case .null: try bindNull(at: index)
        }
    }

    // MARK: Stepping

    /// Advances to the next row. Returns true when a row is available, false when done.
    /// - Throws: `SQLiteError` with the statement text (constraint violation, busy, …);
    ///   the statement is reset so it can be reused.
    @discardableResult
    public func step() throws -> Bool {
        let rc = sqlite3_step(handle)
        switch rc {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default:
            let error = connection.error(rc, sql: sql)
            sqlite3_reset(handle)
            throw error
        }
    }

    /// Steps until done, ignoring rows: for INSERT/UPDATE/DELETE.
    public func run() throws {
        while try step() {}
    }

    /// Resets the statement to run again and clears its bindings.
    public func reset() {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
    }

    // MARK: Reading columns (0-based)

    /// The number of columns in a result row.
    public var columnCount: Int32 { sqlite3_column_count(handle) }

    /// Whether column `index` of the current row is NULL.
    public func isNull(at index: Int32) -> Bool {
        sqlite3_column_type(handle, index) == SQLITE_NULL
    }

    /// Column `index` as an integer (SQLite converts; NULL reads as 0).
    public func int64(at index: Int32) -> Int64 { sqlite3_column_int64(handle, index) }

    /// Column `index` as an Int (SQLite converts; NULL reads as 0).
    public func int(at index: Int32) -> Int { Int(sqlite3_column_int64(handle, index)) }

    /// Column `index` as an integer, nil when NULL.
    public func optionalInt(at index: Int32) -> Int? {
        isNull(at: index) ? nil : int(at: index)
    }

    /// Column `index` as a double (SQLite converts; NULL reads as 0).
    public func double(at index: Int32) -> Double { sqlite3_column_double(handle, index) }

    /// Column `index` as a double, nil when NULL.
    public func optionalDouble(at index: Int32) -> Double? {
        isNull(at: index) ? nil : double(at: index)
    }

    /// Column `index` as text, nil when NULL.
    public func string(at index: Int32) -> String? {
        guard let text = sqlite3_column_text(handle, index) else { return nil }
        let count = Int(sqlite3_column_bytes(handle, index))
        return String(decoding: UnsafeBufferPointer(start: text, count: count), as: UTF8.self)
    }

    /// Column `index` as bytes, nil when NULL (an empty blob reads as `[]`).
    public func blob(at index: Int32) -> [UInt8]? {
        if isNull(at: index) { return nil }
        let count = Int(sqlite3_column_bytes(handle, index))
        guard count > 0, let base = sqlite3_column_blob(handle, index) else { return [] }
        return Array(UnsafeRawBufferPointer(start: base, count: count))
    }

    /// Calls `body` with the bytes of column `index` without copying them; the buffer is
    /// only valid inside `body`. An empty or NULL value gives an empty buffer.
    public func withBlob<T>(at index: Int32, _ body: (UnsafeRawBufferPointer) throws -> T) rethrows -> T {
        let count = Int(sqlite3_column_bytes(handle, index))
        let base = sqlite3_column_blob(handle, index)
        return try body(UnsafeRawBufferPointer(start: count > 0 ? base : nil, count: count))
    }

    /// Column `index` as a `SQLiteValue`, whatever its storage class.
    public func value(at index: Int32) -> SQLiteValue {
        switch sqlite3_column_type(handle, index) {
        case SQLITE_INTEGER: return .integer(int64(at: index))
        case SQLITE_FLOAT: return .double(double(at: index))
        case SQLITE_TEXT: return string(at: index).map(SQLiteValue.text) ?? .null
        case SQLITE_BLOB: return blob(at: index).map(SQLiteValue.blob) ?? .null
        default: return .null
        }
    }

    private func check(_ rc: Int32) throws {
        if rc != SQLITE_OK { throw connection.error(rc, sql: sql) }
    }
}
