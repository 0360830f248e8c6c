extension Connection {
    /// Runs `sql` with `arguments` bound to ?1, ?2, … and discards any rows.
    public func run(_ sql: String, _ arguments: SQLiteValue...) throws {
        let statement = try cachedStatement(sql)
        defer { statement.reset() }
        try statement.bind(arguments)
        try statement.run()
    }

    /// Runs `sql` with `arguments` bound and returns every row as `SQLiteValue`s.
    /// For small result sets (status, tests); hot paths step a `Statement` themselves.
    public func rows(_ sql: String, _ arguments: SQLiteValue...) throws -> [[SQLiteValue]] {
        let statement = try cachedStatement(sql)
        defer { statement.reset() }
        try statement.bind(arguments)
        var rows: [[SQLiteValue]] = []
        while try statement.step() {
            rows.append((0..<statement.columnCount).map { statement.value(at: $0) })
        }
        return rows
    }

    /// Runs `sql` and returns the first column of the first row as an integer, nil when
    /// there is no row or the value is NULL.
    public func scalarInt(_ sql: String, _ arguments: SQLiteValue...) throws -> Int? {
        let statement = try cachedStatement(sql)
        defer { statement.reset() }
        try statement.bind(arguments)
        guard try statement.step() else { return nil }
        return statement.optionalInt(at: 0)
    }
}
