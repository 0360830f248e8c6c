/// The pre-tokenizer of an encoding: a hand-written scanner over Unicode scalars that
/// splits text exactly where the encoding's tiktoken regex (leftmost-first alternation,
/// possessive where the pattern says so) would.
enum PreTokenizer: Sendable {
    /// The `cl100k_base` pattern.
    case cl100k
    /// The `o200k_base` pattern.
    case o200k

    /// The scalar index where the piece starting at `start` ends (exclusive).
    @inline(__always)
    func pieceEnd(_ text: ScannedText, from start: Int) -> Int {
        switch self {
        case .cl100k: return Self.cl100kPieceEnd(text, from: start)
        case .o200k: return Self.o200kPieceEnd(text, from: start)
        }
    }

    /// Simple case folding of the few letters the contraction suffixes use
    /// (`ſ` U+017F folds to `s`; ASCII capitals fold to small letters).
    @inline(__always)
    static func fold(_ value: UInt32) -> UInt32 {
        if value == 0x17F { return 0x73 }
        if value >= 0x41 && value <= 0x5A { return value | 0x20 }
        return value
    }

    /// The end of a contraction `'(?i:s|t|re|ve|m|ll|d)` starting at `start`, or nil.
    @inline(__always)
    static func contractionEnd(_ text: ScannedText, at start: Int) -> Int? {
        let count = text.count
        guard start + 1 < count, text.scalar(start) == 0x27 else { return nil }
        let first = fold(text.scalar(start + 1))
        switch first {
        case 0x73, 0x64, 0x6D, 0x74: // s d m t
            return start + 2
        case 0x6C, 0x76, 0x72: // l v r
            guard start + 2 < count else { return nil }
            let second = fold(text.scalar(start + 2))
            if (first == 0x6C && second == 0x6C) || (first != 0x6C && second == 0x65) {
                return start + 3
            }
            return nil
        default:
            return nil
        }
    }

    /// The end of the run of scalars, starting at `start`, that have any bit of `mask`.
    @inline(__always)
    static func runEnd(_ text: ScannedText, from start: Int, _ mask: UInt8) -> Int {
        var index = start
        let count = text.count
        while index < count && text.has(index, mask) { index &+= 1 }
        return index
    }

    /// `[^\s\p{L}\p{N}]`.
    @inline(__always)
    static var notPunctuation: UInt8 { ScalarClass.space | ScalarClass.letter | ScalarClass.number }

    /// The end of `\p{N}{1,3}` from a number at `start`.
    @inline(__always)
    static func numberEnd(_ text: ScannedText, from start: Int) -> Int {
        var end = start + 1
        while end < text.count && end < start + 3 && text.has(end, ScalarClass.number) { end += 1 }
        return end
    }

    /// The end of ` ?[^\s\p{L}\p{N}]+` followed by `[\r\n]*` (cl100k) or `[\r\n/]*`
    /// (o200k, `trailingSlashes`) from `start`, or nil when it does not match.
    @inline(__always)
    static func punctuationPieceEnd(_ text: ScannedText, from start: Int, trailingSlashes: Bool) -> Int? {
        let count = text.count
        var end = start
        if text.scalar(start) == 0x20, start + 1 < count, !text.has(start + 1, notPunctuation) { end += 1 }
        guard !text.has(end, notPunctuation) else { return nil }
        end += 1
        while end < count && !text.has(end, notPunctuation) { end += 1 }
        while end < count && (text.has(end, ScalarClass.newline) || (trailingSlashes && text.scalar(end) == 0x2F)) {
            end += 1
        }
        return end
    }

    /// The piece for a whitespace scalar at `start`, shared by both patterns apart from
    /// `\s++$` (cl100k only): `\s*[\r\n]`, then `\s+(?!\S)`, then `\s`.
    @inline(__always)
    static func whitespacePieceEnd(_ text: ScannedText, from start: Int, wholeRunAtEnd: Bool) -> Int {
        let end = runEnd(text, from: start, ScalarClass.space)
        if wholeRunAtEnd && end == text.count { return end }
        var index = end - 1
        while index >= start {
            if text.has(index, ScalarClass.newline) { return index + 1 }
            index -= 1
        }
        if end == text.count { return end }
        if end - start > 1 { return end - 1 }
        return start + 1
    }
}
