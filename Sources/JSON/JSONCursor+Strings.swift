/// Strings: a SIMD scan for the end of plain runs (base64 vectors are long runs of them),
/// escapes resolved strictly (a lone surrogate is refused, as it cannot be a Swift string).
extension JSONCursor {
    /// Reads a string.
    public mutating func string() throws(JSONSyntaxError) -> String {
        let (start, closed) = try openString()
        if closed { return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<(position - 1)]), as: UTF8.self) }
        var scratch = [UInt8](UnsafeRawBufferPointer(rebasing: bytes[start..<position]))
        try decodeStringRest(into: &scratch)
        return String(decoding: scratch, as: UTF8.self)
    }

    /// Reads a string and returns the byte range between its quotes and whether it has
    /// escapes (see ``unescaped(_:)``); the content is checked but not copied.
    public mutating func rawString() throws(JSONSyntaxError) -> (content: Range<Int>, escaped: Bool) {
        let (start, closed) = try openString()
        if !closed {
            var scratch: [UInt8] = []
            try decodeStringRest(into: &scratch)
        }
        return (start..<(position - 1), !closed)
    }

    /// Steps over a string's opening quote and the plain bytes after it: returns where its
    /// content starts and whether that was all of it (then `position` is past the closing quote).
    private mutating func openString() throws(JSONSyntaxError) -> (start: Int, closed: Bool) {
        guard try peek() == UInt8(ascii: "\"") else { throw fail("expected a string") }
        position += 1
        let start = position
        skipPlainStringBytes()
        guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else { return (start, false) }
        position += 1
        return (start, true)
    }

    /// The UTF-8 of the string content at `content` (from ``rawString()``) with its escapes resolved.
    public func unescaped(_ content: Range<Int>) throws(JSONSyntaxError) -> [UInt8] {
        var cursor = JSONCursor(bytes, position: content.lowerBound, maxDepth: maxDepth)
        var out: [UInt8] = []
        out.reserveCapacity(content.count)
        try cursor.decodeStringRest(into: &out)
        return out
    }

    /// Calls `body` with the bytes at `range` (e.g. a string's content from ``rawString()``).
    public func withBytes<T, Failure: Error>(in range: Range<Int>, _ body: (UnsafeRawBufferPointer) throws(Failure) -> T) throws(Failure) -> T {
        try body(UnsafeRawBufferPointer(rebasing: bytes[range]))
    }

    /// Appends the string's bytes from `position` up to its closing quote, escapes
    /// resolved, and steps over the quote.
    private mutating func decodeStringRest(into scratch: inout [UInt8]) throws(JSONSyntaxError) {
        while position < bytes.count {
            let byte = bytes[position]
            switch byte {
            case UInt8(ascii: "\""):
                position += 1
                return
            case UInt8(ascii: "\\"):
                position += 1
                guard position < bytes.count else { throw fail("unterminated string") }
                let escape = bytes[position]
                position += 1
                switch escape {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): scratch.append(escape)
                case UInt8(ascii: "b"): scratch.append(0x08)
                case UInt8(ascii: "f"): scratch.append(0x0C)
                case UInt8(ascii: "n"): scratch.append(0x0A)
                case UInt8(ascii: "r"): scratch.append(0x0D)
                case UInt8(ascii: "t"): scratch.append(0x09)
                case UInt8(ascii: "u"): try appendUnicodeEscape(to: &scratch)
                default:
                    position -= 1
                    throw fail("invalid escape in a string")
                }
            default:
                if byte < 0x20 { throw fail("unescaped control character in a string") }
                let start = position
                skipPlainStringBytes()
                scratch.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[start..<position]))
            }
        }
        throw fail("unterminated string")
    }

    /// Advances over string bytes that need no attention (not a quote, a backslash or a
    /// control character), 16 at a time.
    @inline(__always)
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

    private mutating func readHex4() throws(JSONSyntaxError) -> UInt32 {
        guard position + 4 <= bytes.count else { throw fail("truncated \\u escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[position]
            let digit: UInt32
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - UInt8(ascii: "A") + 10)
            default: throw fail("invalid \\u escape")
            }
            value = value << 4 | digit
            position += 1
        }
        return value
    }

    private mutating func appendUnicodeEscape(to scratch: inout [UInt8]) throws(JSONSyntaxError) {
        var code = try readHex4()
        if (0xD800...0xDBFF).contains(code) {
            guard position + 6 <= bytes.count, bytes[position] == UInt8(ascii: "\\"), bytes[position + 1] == UInt8(ascii: "u") else {
                throw fail("lone surrogate in a \\u escape")
            }
            position += 2
            let low = try readHex4()
            guard (0xDC00...0xDFFF).contains(low) else { throw fail("lone surrogate in a \\u escape") }
            code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
        } else if (0xDC00...0xDFFF).contains(code) {
            throw fail("lone surrogate in a \\u escape")
        }
        guard let scalar = Unicode.Scalar(code) else { throw fail("invalid \\u escape") }
        if let encoded = UTF8.encode(scalar) { scratch.append(contentsOf: encoded) }
    }
}
