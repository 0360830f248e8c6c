/// Float32 numbers straight from the bytes, for the float-array embeddings of servers that
/// ignore `encoding_format: base64`.
extension JSONCursor {
    /// Reads a number (checked by the same RFC 8259 grammar as ``number()``) as the `Float`
    /// nearest to its decimal value, ties to even: bit for bit what `Float(String)` gives for
    /// the same text. Up to 19 significant digits with a decimal exponent within ±44 (every
    /// float32 written by Rust, Go or Python servers) are converted without making a `String`.
    /// - Throws: "number out of range for a float32" for a value beyond `Float`'s finite range.
    public mutating func float32() throws(JSONSyntaxError) -> Float {
        let (span, _) = try numberSpan()
        var i = span.lowerBound
        let end = span.upperBound
        let negative = bytes[i] == UInt8(ascii: "-")
        if negative { i += 1 }
        var mantissa: UInt64 = 0
        var digits = 0
        var exponent = 0
        var exact = true
        var fraction = false
        while i < end {
            let byte = bytes[i]
            if byte == UInt8(ascii: ".") {
                fraction = true
            } else if byte | 0x20 == UInt8(ascii: "e") {
                break
            } else {
                let digit = UInt64(byte &- UInt8(ascii: "0"))
                if digits < 19 {
                    mantissa = mantissa &* 10 &+ digit
                    if mantissa != 0 { digits += 1 }
                    if fraction { exponent -= 1 }
                } else {
                    if digit != 0 { exact = false }
                    if !fraction { exponent += 1 }
                }
            }
            i += 1
        }
        if i < end {
            i += 1
            var exponentNegative = false
            if bytes[i] == UInt8(ascii: "-") || bytes[i] == UInt8(ascii: "+") {
                exponentNegative = bytes[i] == UInt8(ascii: "-")
                i += 1
            }
            var value = 0
            while i < end {
                if value < 100_000 { value = value * 10 + Int(bytes[i] &- UInt8(ascii: "0")) }
                i += 1
            }
            exponent += exponentNegative ? -value : value
        }
        let magnitude: Float
        if mantissa == 0 {
            magnitude = 0
        } else if exact, let fast = Self.nearestFloat(mantissa: mantissa, exponent: exponent) {
            magnitude = fast
        } else {
            let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[span]), as: UTF8.self)
            guard let value = Float(text), value.isFinite else {
                position = span.lowerBound
                throw fail("number out of range for a float32")
            }
            return value
        }
        guard magnitude.isFinite else {
            position = span.lowerBound
            throw fail("number out of range for a float32")
        }
        return negative ? -magnitude : magnitude
    }

    private static let powersOfTen: [Double] = (0...22).map { exponent in
        var value = 1.0
        for _ in 0..<exponent { value *= 10 }  // exact: every power up to 1e22 is a double
        return value
    }

    /// The float nearest to `mantissa` × 10^`exponent` (> 0), or nil when that cannot be
    /// told cheaply. The value is computed in `Double` with at most three roundings (a
    /// relative error below 2^-51); its `Float` rounding is the true value's unless a float
    /// midpoint lies within that error, which is checked (then nil: about one value in 2^25).
    static func nearestFloat(mantissa: UInt64, exponent: Int) -> Float? {
        guard exponent >= -44, exponent <= 44 else { return nil }
        var value = Double(mantissa)
        powersOfTen.withUnsafeBufferPointer { powers in
            if exponent < -22 {
                value = value / powers[22] / powers[-exponent - 22]
            } else if exponent < 0 {
                value /= powers[-exponent]
            } else if exponent <= 22 {
                value *= powers[exponent]
            } else {
                value = value * powers[22] * powers[exponent - 22]
            }
        }
        let float = Float(value)
        guard float.isFinite else { return nil }
        let widened = Double(float)
        if widened == value { return float }
        let midpoint = value > widened
            ? widened + Double(float.ulp) / 2
            : widened - (widened - Double(float.nextDown)) / 2
        guard abs(value - midpoint) > value * 0x1p-49 else { return nil }
        return float
    }
}
