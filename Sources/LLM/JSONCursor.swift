/// A forward-only reader over JSON bytes, for response shapes read without building a
/// tree: it validates what it reads, skips what the caller does not want, and reports
/// the byte offset of the first thing that is not JSON.
struct JSONCursor {
    typealias Failure = EmbeddingDecodingFailure

    private let bytes: UnsafeRawBufferPointer
    /// Offset of the next unread byte.
    private(set) var position: Int
    private var depth = 0
    /// Deeper nesting is refused rather than risking the stack.
    static let maxDepth = 64

    /// A reader of `bytes` starting at `position`.
    init(_ bytes: UnsafeRawBufferPointer, position: Int = 0) {
        self.bytes = bytes
        self.position = position
    }

    /// The next byte after whitespace, not consumed.
    mutating func peek() throws(Failure) -> UInt8 {
        while position < bytes.count {
            switch bytes[position] {
            case 0x20, 0x09, 0x0A, 0x0D: position += 1
            case let byte: return byte
            }
        }
        throw failure("unexpected end")
    }

    /// Checks that only whitespace is left.
    mutating func end() throws(Failure) {
        guard (try? peek()) == nil else { throw failure("unexpected data after the value") }
    }

    /// Reads an object, handing each member's key to `member`, which must read the value.
    mutating func object(_ member: (inout JSONCursor, String) throws(Failure) -> Void) throws(Failure) {
        try enter("{")
        if try peek() == UInt8(ascii: "}") {
            position += 1
        } else {
            while true {
                let key = try string()
                try expect(":")
                try member(&self, key)
                if try separator(closing: "}") { break }
            }
        }
        depth -= 1
    }

    /// Reads an array, calling `element` for each element, which must read it.
    mutating func array(_ element: (inout JSONCursor) throws(Failure) -> Void) throws(Failure) {
        try enter("[")
        if try peek() == UInt8(ascii: "]") {
            position += 1
        } else {
            while true {
                try element(&self)
                if try separator(closing: "]") { break }
            }
        }
        depth -= 1
    }

    /// Reads a string and returns the byte range between its quotes and whether it has
    /// escapes (see ``unescaped(_:)``).
    mutating func rawString() throws(Failure) -> (content: Range<Int>, escaped: Bool) {
        try expect("\"")
        let start = position
        var escaped = false
        while position < bytes.count {
            skipPlainStringBytes()
            guard position < bytes.count else { break }
            let byte = bytes[position]
            if byte == UInt8(ascii: "\"") {
                position += 1
                return (start..<(position - 1), escaped)
            }
            if byte == UInt8(ascii: "\\") {
                escaped = true
                position += 2
            } else if byte < 0x20 {
                throw failure("control character in a string")
            } else {
                position += 1
            }
        }
        throw failure("unterminated string")
    }

    /// Advances over string bytes that need no attention (not a quote, a backslash or a
    /// control character), 16 at a time: base64 vectors are long runs of them.
    private mutating func skipPlainStringBytes() {
        let quote = SIMD16<UInt8>(repeating: UInt8(ascii: "\""))
        let backslash = SIMD16<UInt8>(repeating: UInt8(ascii: "\\"))
        let space = SIMD16<UInt8>(repeating: 0x20)
        while position + 16 <= bytes.count {
            let chunk = bytes.loadUnaligned(fromByteOffset: position, as: SIMD16<UInt8>.self)
            if any((chunk .== quote) .| (chunk .== backslash) .| (chunk .< space)) { break }
            position += 16
        }
        while position < bytes.count {
            let byte = bytes[position]
            if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") || byte < 0x20 { return }
            position += 1
        }
    }

    /// Calls `body` with the bytes at `range` (from ``rawString()``).
    func withBytes<T>(in range: Range<Int>, _ body: (UnsafeRawBufferPointer) throws(Failure) -> T) throws(Failure) -> T {
        try body(UnsafeRawBufferPointer(rebasing: bytes[range]))
    }

    /// Reads a string.
    mutating func string() throws(Failure) -> String {
        let (content, escaped) = try rawString()
        if !escaped { return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[content]), as: UTF8.self) }
        return String(decoding: try unescaped(content), as: UTF8.self)
    }

    /// The bytes of the string content at `content` with its escapes resolved (UTF-8).
    func unescaped(_ content: Range<Int>) throws(Failure) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(content.count)
        var index = content.lowerBound
        while index < content.upperBound {
            let byte = bytes[index]
            index += 1
            guard byte == UInt8(ascii: "\\") else {
                out.append(byte)
                continue
            }
            guard index < content.upperBound else { throw failure("bad escape") }
            let kind = bytes[index]
            index += 1
            switch kind {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(kind)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = try hex4(at: index, end: content.upperBound)
                index += 4
                if (0xD800..<0xDC00).contains(scalar), index + 6 <= content.upperBound,
                   bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") {
                    let low = try hex4(at: index + 2, end: content.upperBound)
                    if (0xDC00..<0xE000).contains(low) {
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                        index += 6
                    }
                }
                out.append(contentsOf: String(Character(Unicode.Scalar(scalar) ?? "\u{FFFD}")).utf8)
            default: throw failure("bad escape")
            }
        }
        return out
    }

    /// Reads a number that must be an integer.
    mutating func integer() throws(Failure) -> Int {
        let span = try numberSpan()
        guard let value = Int(String(decoding: UnsafeRawBufferPointer(rebasing: bytes[span]), as: UTF8.self)) else {
            throw failure("expected an integer")
        }
        return value
    }

    /// Reads a number.
    mutating func number() throws(Failure) -> Double {
        let span = try numberSpan()
        guard let value = Double(String(decoding: UnsafeRawBufferPointer(rebasing: bytes[span]), as: UTF8.self)) else {
            throw failure("bad number")
        }
        return value
    }

    /// Reads and discards any value.
    mutating func skipValue() throws(Failure) {
        switch try peek() {
        case UInt8(ascii: "{"): try object { cursor, _ throws(Failure) in try cursor.skipValue() }
        case UInt8(ascii: "["): try array { cursor throws(Failure) in try cursor.skipValue() }
        case UInt8(ascii: "\""): _ = try rawString()
        case UInt8(ascii: "t"): try literal("true")
        case UInt8(ascii: "f"): try literal("false")
        case UInt8(ascii: "n"): try literal("null")
        default: _ = try numberSpan()
        }
    }

    // MARK: - Pieces

    private mutating func expect(_ character: Unicode.Scalar) throws(Failure) {
        guard try peek() == UInt8(ascii: character) else { throw failure("expected '\(character)'") }
        position += 1
    }

    private mutating func enter(_ opening: Unicode.Scalar) throws(Failure) {
        try expect(opening)
        depth += 1
        guard depth <= Self.maxDepth else { throw failure("nested too deeply") }
    }

    /// After a member or element: true at the closing bracket, false after a comma.
    private mutating func separator(closing: Unicode.Scalar) throws(Failure) -> Bool {
        let byte = try peek()
        position += 1
        if byte == UInt8(ascii: ",") { return false }
        if byte == UInt8(ascii: closing) { return true }
        position -= 1
        throw failure("expected ',' or '\(closing)'")
    }

    private mutating func literal(_ word: String) throws(Failure) {
        for expected in word.utf8 {
            guard position < bytes.count, bytes[position] == expected else { throw failure("bad literal") }
            position += 1
        }
    }

    /// The bytes of a JSON number (sign, digits, fraction, exponent), checked by grammar.
    private mutating func numberSpan() throws(Failure) -> Range<Int> {
        _ = try peek()
        let start = position
        func digits() -> Int {
            let first = position
            while position < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[position]) { position += 1 }
            return position - first
        }
        if bytes[position] == UInt8(ascii: "-") { position += 1 }
        guard digits() > 0 else { throw failure("expected a value") }
        if position < bytes.count, bytes[position] == UInt8(ascii: ".") {
            position += 1
            guard digits() > 0 else { throw failure("bad number") }
        }
        if position < bytes.count, bytes[position] | 0x20 == UInt8(ascii: "e") {
            position += 1
            if position < bytes.count, bytes[position] == UInt8(ascii: "+") || bytes[position] == UInt8(ascii: "-") { position += 1 }
            guard digits() > 0 else { throw failure("bad number") }
        }
        return start..<position
    }

    private func hex4(at index: Int, end: Int) throws(Failure) -> UInt32 {
        guard index + 4 <= end else { throw failure("bad \\u escape") }
        var value: UInt32 = 0
        for offset in 0..<4 {
            let byte = bytes[index + offset]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw failure("bad \\u escape")
            }
            value = value << 4 | UInt32(digit)
        }
        return value
    }

    private func failure(_ reason: String) -> Failure {
        Failure("invalid JSON at byte \(position): \(reason)")
    }
}
