/// A forward-only, strict reader over JSON bytes: the one JSON reader of the project. Hot
/// paths (response bodies, batch output lines) read the members they want straight from the
/// bytes and skip the rest; ``value()`` builds a ``JSONValue`` tree (``JSONParser``). Whatever
/// it reads or skips is checked against RFC 8259, and every failure is a ``JSONSyntaxError``
/// with the byte offset where reading stopped.
///
/// Typical use: `try cursor.object { cursor, key in switch key { case "model": model = try
/// cursor.string() … default: try cursor.skipValue() } }` then `try cursor.end()`.
public struct JSONCursor {
    /// The bytes read.
    let bytes: UnsafeRawBufferPointer
    /// Offset of the next unread byte. A caller may move it back to the start of a value it
    /// recorded earlier (e.g. from a skipped embedding) to read that value later.
    public var position: Int
    var depth = 0
    /// Objects and arrays nested deeper than this are refused rather than risking the stack.
    public let maxDepth: Int

    /// A reader of `bytes` starting at `position`.
    public init(_ bytes: UnsafeRawBufferPointer, position: Int = 0, maxDepth: Int = 64) {
        self.bytes = bytes
        self.position = position
        self.maxDepth = maxDepth
    }

    /// The next byte after whitespace, not consumed.
    /// - Throws: "unexpected end of input" when only whitespace is left.
    public mutating func peek() throws(JSONSyntaxError) -> UInt8 {
        skipWhitespace()
        guard position < bytes.count else { throw fail("unexpected end of input") }
        return bytes[position]
    }

    /// Checks that only whitespace is left.
    public mutating func end() throws(JSONSyntaxError) {
        skipWhitespace()
        if position != bytes.count { throw fail("unexpected data after the JSON value") }
    }

    /// Reads an object, handing each member's key to `member`, which must read the value
    /// (or skip it with ``skipValue()``).
    public mutating func object(_ member: (inout JSONCursor, String) throws(JSONSyntaxError) -> Void) throws(JSONSyntaxError) {
        guard try peek() == UInt8(ascii: "{") else { throw fail("expected an object") }
        try enter()
        skipWhitespace()
        if position < bytes.count, bytes[position] == UInt8(ascii: "}") {
            position += 1
        } else {
            while true {
                skipWhitespace()
                guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else { throw fail("expected a string key") }
                let key = try string()
                skipWhitespace()
                guard position < bytes.count, bytes[position] == UInt8(ascii: ":") else { throw fail("expected ':' after a key") }
                position += 1
                try member(&self, key)
                if try closes(UInt8(ascii: "}"), "object") { break }
            }
        }
        depth -= 1
    }

    /// Reads an array, calling `element` for each element, which must read it.
    public mutating func array(_ element: (inout JSONCursor) throws(JSONSyntaxError) -> Void) throws(JSONSyntaxError) {
        guard try peek() == UInt8(ascii: "[") else { throw fail("expected an array") }
        try enter()
        skipWhitespace()
        if position < bytes.count, bytes[position] == UInt8(ascii: "]") {
            position += 1
        } else {
            while true {
                try element(&self)
                if try closes(UInt8(ascii: "]"), "array") { break }
            }
        }
        depth -= 1
    }

    /// Reads a `true` or `false`.
    public mutating func bool() throws(JSONSyntaxError) -> Bool {
        switch try peek() {
        case UInt8(ascii: "t"): try literal("true"); return true
        case UInt8(ascii: "f"): try literal("false"); return false
        default: throw fail("expected true or false")
        }
    }

    /// Reads a `null` if one comes next and says so; otherwise reads nothing.
    public mutating func null() throws(JSONSyntaxError) -> Bool {
        guard try peek() == UInt8(ascii: "n") else { return false }
        try literal("null")
        return true
    }

    /// Reads and discards any value, checking it all the same.
    public mutating func skipValue() throws(JSONSyntaxError) {
        switch try peek() {
        case UInt8(ascii: "{"): try object { cursor, _ throws(JSONSyntaxError) in try cursor.skipValue() }
        case UInt8(ascii: "["): try array { cursor throws(JSONSyntaxError) in try cursor.skipValue() }
        case UInt8(ascii: "\""): _ = try rawString()
        case UInt8(ascii: "t"): try literal("true")
        case UInt8(ascii: "f"): try literal("false")
        case UInt8(ascii: "n"): try literal("null")
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): _ = try numberSpan()
        default: throw fail("unexpected character")
        }
    }

    /// Reads any value into a tree; objects keep their members in order.
    public mutating func value() throws(JSONSyntaxError) -> JSONValue {
        switch try peek() {
        case UInt8(ascii: "{"):
            var members: [(key: String, value: JSONValue)] = []
            try object { cursor, key throws(JSONSyntaxError) in members.append((key, try cursor.value())) }
            return .object(members)
        case UInt8(ascii: "["):
            var elements: [JSONValue] = []
            try array { cursor throws(JSONSyntaxError) in elements.append(try cursor.value()) }
            return .array(elements)
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"), UInt8(ascii: "f"): return .bool(try bool())
        case UInt8(ascii: "n"): try literal("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try number())
        default: throw fail("unexpected character")
        }
    }

    // MARK: - Pieces

    /// An error at the current position.
    func fail(_ reason: String) -> JSONSyntaxError {
        JSONSyntaxError(reason: reason, offset: min(position, bytes.count))
    }

    @inline(__always)
    mutating func skipWhitespace() {
        while position < bytes.count {
            switch bytes[position] {
            case 0x20, 0x09, 0x0A, 0x0D: position += 1
            default: return
            }
        }
    }

    /// Steps over the opening bracket at `position`, one level deeper.
    private mutating func enter() throws(JSONSyntaxError) {
        depth += 1
        if depth > maxDepth { throw fail("nesting deeper than \(maxDepth) levels") }
        position += 1
    }

    /// After a member or element: true at the closing bracket, false after a comma.
    /// `kind` is "object" or "array".
    private mutating func closes(_ closing: UInt8, _ kind: String) throws(JSONSyntaxError) -> Bool {
        skipWhitespace()
        guard position < bytes.count else { throw fail("unterminated \(kind)") }
        switch bytes[position] {
        case UInt8(ascii: ","): position += 1; return false
        case closing: position += 1; return true
        default: throw fail("expected ',' or '\(Character(Unicode.Scalar(closing)))' in an \(kind)")
        }
    }

    /// Reads `word` (`true`, `false` or `null`), starting at `position`.
    private mutating func literal(_ word: StaticString) throws(JSONSyntaxError) {
        let count = word.utf8CodeUnitCount
        guard position + count <= bytes.count else { throw fail("unexpected end of input") }
        let expected = UnsafeRawBufferPointer(start: word.utf8Start, count: count)
        for i in 0..<count where bytes[position + i] != expected[i] {
            throw fail("invalid literal (expected true, false or null)")
        }
        position += count
    }
}
