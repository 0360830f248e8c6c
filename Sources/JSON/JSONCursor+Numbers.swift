/// Numbers, checked by the RFC 8259 grammar (no leading zeros, no bare `.`, no `+`).
extension JSONCursor {
    /// Reads a number: its exact integer when it is integral and fits in 64 bits, else its double.
    /// - Throws: "number out of range" for a literal beyond a finite double.
    public mutating func number() throws(JSONSyntaxError) -> JSONNumber {
        let (span, integral) = try numberSpan()
        let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[span]), as: UTF8.self)
        if integral, let integer = Int64(text) { return JSONNumber(integer) }
        guard let double = Double(text), double.isFinite else { throw fail("number out of range") }
        return JSONNumber(double)
    }

    /// Reads a number that must be an integer (no fraction or exponent) that fits an `Int`.
    public mutating func integer() throws(JSONSyntaxError) -> Int {
        let (span, integral) = try numberSpan()
        guard integral, let value = Int(String(decoding: UnsafeRawBufferPointer(rebasing: bytes[span]), as: UTF8.self)) else {
            throw fail("expected an integer")
        }
        return value
    }

    /// Reads a number as a double (the float-array embeddings of the hot path).
    public mutating func double() throws(JSONSyntaxError) -> Double {
        let (span, _) = try numberSpan()
        guard let value = Double(String(decoding: UnsafeRawBufferPointer(rebasing: bytes[span]), as: UTF8.self)), value.isFinite else {
            throw fail("number out of range")
        }
        return value
    }

    /// Reads the bytes of a number (sign, digits, fraction, exponent); `integral` when it
    /// has neither fraction nor exponent.
    mutating func numberSpan() throws(JSONSyntaxError) -> (span: Range<Int>, integral: Bool) {
        guard try peek() == UInt8(ascii: "-") || isDigit(bytes[position]) else { throw fail("expected a number") }
        let start = position
        var integral = true
        if bytes[position] == UInt8(ascii: "-") { position += 1 }
        guard position < bytes.count, isDigit(bytes[position]) else { throw fail("invalid number") }
        if bytes[position] == UInt8(ascii: "0") {
            position += 1
            if position < bytes.count, isDigit(bytes[position]) { throw fail("leading zero in a number") }
        } else {
            skipDigits()
        }
        if position < bytes.count, bytes[position] == UInt8(ascii: ".") {
            integral = false
            position += 1
            guard position < bytes.count, isDigit(bytes[position]) else { throw fail("invalid number") }
            skipDigits()
        }
        if position < bytes.count, bytes[position] | 0x20 == UInt8(ascii: "e") {
            integral = false
            position += 1
            if position < bytes.count, bytes[position] == UInt8(ascii: "+") || bytes[position] == UInt8(ascii: "-") {
                position += 1
            }
            guard position < bytes.count, isDigit(bytes[position]) else { throw fail("invalid number") }
            skipDigits()
        }
        return (start..<position, integral)
    }

    @inline(__always)
    private mutating func skipDigits() {
        while position < bytes.count, isDigit(bytes[position]) { position += 1 }
    }

    @inline(__always)
    private func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }
}
