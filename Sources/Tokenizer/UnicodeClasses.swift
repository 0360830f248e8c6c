/// Character-class flags of one Unicode scalar, as the tiktoken patterns see them.
///
/// tiktoken's regex engine uses Unicode 16.0 tables, so a scalar assigned later (the
/// Swift 6.3 standard library knows Unicode 17) counts as unassigned: neither letter,
/// number nor mark.
struct ScalarClass: OptionSet, Sendable {
    let rawValue: UInt8

    /// `\p{L}`: Lu, Ll, Lt, Lm, Lo.
    static let letter = ScalarClass(rawValue: 1 << 0)
    /// `\p{N}`: Nd, Nl, No.
    static let number = ScalarClass(rawValue: 1 << 1)
    /// `\p{M}`: Mn, Mc, Me.
    static let mark = ScalarClass(rawValue: 1 << 2)
    /// o200k's "upper" class `[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]`.
    static let upper = ScalarClass(rawValue: 1 << 3)
    /// o200k's "lower" class `[\p{Ll}\p{Lm}\p{Lo}\p{M}]`.
    static let lower = ScalarClass(rawValue: 1 << 4)
    /// `\s`: Unicode White_Space.
    static let space = ScalarClass(rawValue: 1 << 5)
    /// `\r` or `\n`.
    static let newline = ScalarClass(rawValue: 1 << 6)
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
            table[Int(value)] = computeClass(value).rawValue
        }
        return table
    }()

    /// The class of the scalar `value`.
    @inline(__always)
    static func classOf(_ value: UInt32) -> ScalarClass {
        if value < 0x10000 {
            return ScalarClass(rawValue: basicPlane.withUnsafeBufferPointer { $0[Int(value)] })
        }
        return computeClass(value)
    }

    /// Computes the class of `value` from the standard library's Unicode properties.
    static func computeClass(_ value: UInt32) -> ScalarClass {
        guard let scalar = Unicode.Scalar(value) else { return [] }
        var result: ScalarClass = []
        if isWhiteSpace(value) { result.insert(.space) }
        if value == 0x0A || value == 0x0D { result.insert(.newline) }
        let properties = scalar.properties
        guard let age = properties.age,
              age.major < maximumAge.major
                || (age.major == maximumAge.major && age.minor <= maximumAge.minor)
        else { return result }
        switch properties.generalCategory {
        case .uppercaseLetter, .titlecaseLetter:
            result.formUnion([.letter, .upper])
        case .lowercaseLetter:
            result.formUnion([.letter, .lower])
        case .modifierLetter, .otherLetter:
            result.formUnion([.letter, .upper, .lower])
        case .nonspacingMark, .spacingMark, .enclosingMark:
            result.formUnion([.mark, .upper, .lower])
        case .decimalNumber, .letterNumber, .otherNumber:
            result.insert(.number)
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
