/// The structural boundaries a chunk may end at, weakest first. A cut prefers the
/// highest level that has a boundary inside the span being split.
public enum BoundaryLevel: Int, Sendable, Comparable, CaseIterable {
    /// Between grapheme clusters (used only when a word alone is too long).
    case grapheme = 0
    /// Before a run of spaces or tabs that follows a word.
    case word
    /// After a sentence terminator (`.`, `!`, `?`, closing quotes or brackets) before a
    /// space, or after a CJK full stop.
    case sentence
    /// At the start of a line.
    case lineBreak
    /// At the start of the first line after one or more blank lines.
    case blankLine
    /// At the start of a code fence's opening line and after its closing line.
    case fence
    /// At the start of a Markdown ATX heading line, `######` (weakest) to `#` (strongest).
    case heading6, heading5, heading4, heading3, heading2, heading1

    public static func < (lhs: BoundaryLevel, rhs: BoundaryLevel) -> Bool { lhs.rawValue < rhs.rawValue }

    /// The level of a heading with `hashes` (1…6) leading `#`.
    static func heading(_ hashes: Int) -> BoundaryLevel {
        BoundaryLevel(rawValue: BoundaryLevel.heading1.rawValue + 1 - hashes) ?? .heading6
    }
}
