/// Character-class bits of one Unicode scalar, as the tiktoken patterns see them.
///
/// tiktoken's regex engine uses Unicode 16.0 tables, so a scalar assigned later (the
/// Swift 6.3 standard library knows Unicode 17) counts as unassigned: neither letter,
/// number nor mark.
///
/// Plain `UInt8` bit masks rather than an `OptionSet`: the scanner tests them per scalar,
/// and generic `SetAlgebra` code is slow in debug builds (which run the tests).
enum ScalarClass {
    /// `\p{L}`: Lu, Ll, Lt, Lm, Lo.
    static var letter: UInt8 { 0x1 }
    /// `\p{N}`: Nd, Nl, No.
    static var number: UInt8 { 0x2 }
    /// `\p{M}`: Mn, Mc, Me.
    static var mark: UInt8 { 0x4 }
    /// o200k's "upper" class `[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]`.
    static var upper: UInt8 { 0x8 }
    /// o200k's "lower" class `[\p{Ll}\p{Lm}\p{Lo}\p{M}]`.
    static var lower: UInt8 { 0x10 }
    /// `\s`: Unicode White_Space.
    static var space: UInt8 { 0x20 }
    /// `\r` or `\n`.
    static var newline: UInt8 { 0x40 }
}

/// Lookup of `ScalarClass` values: a table for the Basic Multilingual Plane, computed
/// once per process, and a direct computation for the rest.
enum UnicodeClasses {
    /// The newest Unicode version whose assignments tiktoken 0.14.0 knows.
    static let maximumAge = (major: 16, minor: 0)

    /// Classes of U+0000…U+FFFF, indexed by scalar value.
    static let basicPlane: [UInt8] = {
        var table = [UInt8](repeating: 0, count: 0x10000)
        for value in 0..<UInt32(0x10000) {
            table[Int(value)] = computeClass(value)
        }
        return table
    }()

    /// The class of the scalar `value`.
    @inline(__always)
    static func classOf(_ value: UInt32) -> UInt8 {
        if value < 0x10000 {
            return basicPlane.withUnsafeBufferPointer { $0[Int(value)] }
        }
        return computeClass(value)
    }

    /// Computes the class of `value` from the standard library's Unicode properties.
    static func computeClass(_ value: UInt32) -> UInt8 {
        guard let scalar = Unicode.Scalar(value) else { return 0 }
        var result: UInt8 = 0
        if isWhiteSpace(value) { result |= ScalarClass.space }
        if value == 0x0A || value == 0x0D { result |= ScalarClass.newline }
        let properties = scalar.properties
        guard let age = properties.age,
              age.major < maximumAge.major
                || (age.major == maximumAge.major && age.minor <= maximumAge.minor)
        else { return result }
        switch properties.generalCategory {
        case .uppercaseLetter, .titlecaseLetter:
            result |= ScalarClass.letter | ScalarClass.upper
        case .lowercaseLetter:
            result |= ScalarClass.letter | ScalarClass.lower
        case .modifierLetter, .otherLetter:
            result |= ScalarClass.letter | ScalarClass.upper | ScalarClass.lower
        case .nonspacingMark, .spacingMark, .enclosingMark:
            result |= ScalarClass.mark | ScalarClass.upper | ScalarClass.lower
        case .decimalNumber, .letterNumber, .otherNumber:
            result |= ScalarClass.number
        default:
            break
        }
        return result
    }

    /// Unicode White_Space, which is what `\s` means in tiktoken's regex engine.
    static func isWhiteSpace(_ value: UInt32) -> Bool {
        switch value {
        case 0x09...0x0D, 0x20, 0x85, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F,
             0x205F, 0x3000:
            return true
        default:
            return false
        }
    }
}
