/// Pieces of JSON that lines are built from (export lines, `llmq tokens` and `search` output),
/// written straight into the buffer (no intermediate `JSONValue`), with members in a fixed order.
extension JSONWriter {
    /// Appends `"key":`, preceded by a comma unless it is the object's first member.
    public mutating func key(_ key: String, first: Bool = false) {
        if !first { raw(",") }
        write(string: key)
        raw(":")
    }

    /// Appends `"key":` and a string (or `null`), comma first unless `first`.
    public mutating func member(_ key: String, _ value: String?, first: Bool = false) {
        self.key(key, first: first)
        write(string: value)
    }

    /// Appends `"key":` and an integer (or `null`), comma first unless `first`.
    public mutating func member(_ key: String, integer value: Int?, first: Bool = false) {
        self.key(key, first: first)
        write(integer: value)
    }

    /// Appends `"key":` and `true` or `false`, comma first unless `first`.
    public mutating func member(_ key: String, bool value: Bool, first: Bool = false) {
        self.key(key, first: first)
        raw(value ? "true" : "false")
    }

    /// Appends a string, or `null`.
    public mutating func write(string: String?) {
        if let string { write(string: string) } else { raw("null") }
    }

    /// Appends an integer, or `null`.
    public mutating func write(integer: Int?) {
        if let integer { raw(String(integer)) } else { raw("null") }
    }

    /// Appends an array of float32 values, each in Swift's shortest form that reads back
    /// as the same `Float` (its `description`, not the wider `Double`'s), so a parser that
    /// reads the text as Float gets the identical bit pattern. JSON has no NaN or infinity:
    /// those are written as `null`.
    public mutating func write(floats: [Float]) {
        raw("[")
        for (i, value) in floats.enumerated() {
            if i > 0 { raw(",") }
            raw(value.isFinite ? value.description : "null")
        }
        raw("]")
    }
}
