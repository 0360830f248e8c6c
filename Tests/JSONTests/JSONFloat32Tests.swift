import Foundation
import JSON
import Testing

/// `JSONCursor.float32()`: correctly rounded, bit for bit what `Float(String)` (the
/// independent checker here) gives for the same text, on random values, values next to
/// float midpoints and every edge of the format; and as strict as the rest of the reader.
struct JSONFloat32Tests {
    /// The float32 `float32()` reads from `text`, or the error it throws.
    func read(_ text: String) -> Result<Float, JSONSyntaxError> {
        var text = text
        return text.withUTF8 { utf8 in
            Result { () throws(JSONSyntaxError) -> Float in
                var cursor = JSONCursor(UnsafeRawBufferPointer(utf8))
                let value = try cursor.float32()
                try cursor.end()
                return value
            }
        }
    }

    /// Whether `float32()` gives `Float(text)`'s bit pattern, or refuses a text whose float is
    /// infinite; records the text otherwise.
    @discardableResult
    func expectSameAsFloatString(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) -> Bool {
        guard let expected = Float(text) else {
            Issue.record("Float(\"\(text)\") is nil", sourceLocation: sourceLocation)
            return false
        }
        switch read(text) {
        case .success(let value):
            guard expected.isFinite, value.bitPattern == expected.bitPattern else {
                Issue.record("\(text): read \(value) (0x\(String(value.bitPattern, radix: 16))), Float(String) gives \(expected) (0x\(String(expected.bitPattern, radix: 16)))",
                             sourceLocation: sourceLocation)
                return false
            }
        case .failure(let error):
            guard !expected.isFinite, error.reason == "number out of range for a float32" else {
                Issue.record("\(text): \(error), Float(String) gives \(expected)", sourceLocation: sourceLocation)
                return false
            }
        }
        return true
    }

    /// SplitMix64: a fixed seed, so a failure repeats.
    struct Random {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
    }

    @Test func edgeValuesReadAsFloatStringReadsThem() {
        let texts = [
            "0", "-0", "0.0", "-0.0", "0e0", "-0e-5", "0.000e99", "0e-999", "1", "-1", "1.5", "0.1", "-0.1", "0.30000001192092896",
            "16777216", "16777217", "16777218", "16777219", "33554431", "33554433", "9007199254740993",
            "1e1", "1E1", "1e+1", "1e-1", "25e-1", "123456789", "1234567890123456789", "9999999999999999999",
            "12345678901234567890", "99999999999999999999", "1.0000000000000000000000001", "0.99999999999999999999",
            // Float's extremes: the largest finite, just above it, the midpoint to 2^128 (rounds to infinity), beyond.
            "3.4028235e38", "3.40282346638528859811704183484516925440e38", "3.4028235677973365e38",
            "3.40282356779733661637539395458142568448e38", "3.4028236e38", "1e39", "-1e39", "1e300", "1e400",
            // The smallest normal, the largest subnormal, the smallest subnormal, half of it (ties to 0), just above half.
            "1.17549435e-38", "1.1754942e-38", "1.401298464324817e-45", "1.4e-45", "1e-45", "7.006492321624085e-46",
            "7.0064923216240854e-46", "7.0064923216240862e-46", "1e-46", "1e-50", "4.9e-324", "1e-400",
            // 17-digit mantissas, as Python servers print a float32 widened to a double.
            "0.012345678918063641", "-0.0062417849339544773", "0.10000000149011612", "1.0000000116860974e-07",
            "-2.5000000000000001e-05", "0.0023064255", "-0.009327292", "7.1754634e-05",
            // Exponents at and around the fast path's bounds.
            "1e22", "1e23", "1e-22", "1e-23", "1e44", "1e-44", "12e-44", "1e45", "1e-45", "5e-45", "123456789e-52",
        ]
        for text in texts { expectSameAsFloatString(text) }
    }

    @Test func randomFloatsInEveryWrittenFormReadBitForBit() {
        var random = Random(state: 42)
        var failures = 0
        for _ in 0..<60_000 where failures < 10 {
            let float = Float(bitPattern: UInt32(truncatingIfNeeded: random.next()))
            guard float.isFinite else { continue }
            let double = Double(float)
            for text in ["\(float)", "\(double)", String(format: "%.8e", double), String(format: "%.16e", double),
                         String(format: "%.18e", double), String(format: "%.24e", double)] where !expectSameAsFloatString(text) {
                failures += 1
            }
        }
    }

    @Test func textsNextToFloatMidpointsReadBitForBit() {
        var random = Random(state: 7)
        var failures = 0
        for _ in 0..<40_000 where failures < 10 {
            let float = Float(bitPattern: UInt32(truncatingIfNeeded: random.next()) & 0x7FFF_FFFF)
            guard float.isFinite, float.nextUp.isFinite else { continue }
            // The exact midpoint (a double), and decimal texts a few units of their last digit from it.
            let midpoint = (Double(float) + Double(float.nextUp)) / 2
            for digits in [9, 12, 16, 17, 18, 19, 40] where !expectSameAsFloatString(String(format: "%.\(digits - 1)e", midpoint)) {
                failures += 1
            }
            let exact = String(format: "%.60e", midpoint)
            if !expectSameAsFloatString(exact) { failures += 1 }
            if !expectSameAsFloatString("-" + exact) { failures += 1 }
        }
    }

    @Test func randomDecimalTextsReadBitForBit() {
        var random = Random(state: 2026)
        var failures = 0
        for _ in 0..<100_000 where failures < 10 {
            var text = random.below(2) == 0 ? "-" : ""
            let integerDigits = random.below(4) == 0 ? 0 : 1 + random.below(20)
            if integerDigits == 0 {
                text += "0"
            } else {
                text += String(1 + random.below(9))
                for _ in 1..<integerDigits { text += String(random.below(10)) }
            }
            let fractionDigits = random.below(3) == 0 ? 0 : 1 + random.below(22)
            if fractionDigits > 0 {
                text += "."
                for _ in 0..<fractionDigits { text += String(random.below(10)) }
            }
            if random.below(2) == 0 {
                text += ["e", "E", "e+", "e-", "E-"][random.below(5)] + String(random.below(60))
            }
            if !expectSameAsFloatString(text) { failures += 1 }
        }
    }

    @Test func theGrammarIsAsStrictAsForAnyNumber() {
        for (text, reason) in [("01", "leading zero in a number"), ("1.", "invalid number"), ("-", "invalid number"),
                               ("1e", "invalid number"), ("1e+", "invalid number"), (".5", "expected a number"),
                               ("+1", "expected a number"), ("\"1\"", "expected a number"), ("1.5x", "unexpected data after the JSON value")] {
            guard case .failure(let error) = read(text) else {
                Issue.record("\(text) was accepted")
                continue
            }
            #expect(error.reason == reason, "\(text)")
        }
    }

    @Test func aValueBeyondFloatRangeIsRefusedAtItsFirstByte() {
        guard case .failure(let error) = read("  -1e39") else {
            Issue.record("-1e39 was accepted")
            return
        }
        #expect(error.description == "invalid JSON: number out of range for a float32 at byte 3")
    }

    @Test func arraysOfFloatsReadEveryElement() throws {
        var text = "[0.5, -1e-3 ,3.4028235e38,-0]"
        var values: [Float] = []
        let result = text.withUTF8 { utf8 in
            Result { () throws(JSONSyntaxError) in
                var cursor = JSONCursor(UnsafeRawBufferPointer(utf8))
                try cursor.array { cursor throws(JSONSyntaxError) in values.append(try cursor.float32()) }
                try cursor.end()
            }
        }
        try result.get()
        #expect(values.map(\.bitPattern) == [Float(0.5), Float(-1e-3), Float.greatestFiniteMagnitude, Float(-0.0)].map(\.bitPattern))
    }
}
