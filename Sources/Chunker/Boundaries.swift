import Tokenizer

/// The structural boundaries of a text, found in one pass over its UTF-8 bytes: for each
/// `BoundaryLevel` above `grapheme`, the ascending byte offsets where a cut at that level
/// may fall. A position is listed once, at its highest level. Positions 0 and the end
/// are never listed. Markdown headings inside code fences are not headings.
struct Boundaries {
    /// Byte offsets per level, indexed by `BoundaryLevel.rawValue` (`grapheme` stays empty).
    private(set) var positions: [[Int32]]

    private static let space: UInt8 = 0x20, tab: UInt8 = 0x09, newline: UInt8 = 0x0A, carriageReturn: UInt8 = 0x0D

    /// Scans `bytes` (valid UTF-8).
    init(scanning bytes: UnsafeBufferPointer<UInt8>) {
        positions = Array(repeating: [], count: BoundaryLevel.allCases.count)
        positions[BoundaryLevel.word.rawValue].reserveCapacity(bytes.count / 6)
        let count = bytes.count
        var lineStart = 0
        var previousBlank = false
        var fence: (marker: UInt8, length: Int)?
        var fenceEnd = -1
        while lineStart < count {
            var lineEnd = lineStart
            while lineEnd < count && bytes[lineEnd] != Self.newline { lineEnd &+= 1 }
            let next = lineEnd < count ? lineEnd + 1 : count
            var blank = true
            for index in lineStart..<lineEnd where !Self.isSpace(bytes[index]) {
                blank = false
                break
            }
            var level = BoundaryLevel.lineBreak
            if previousBlank && !blank { level = .blankLine }
            if lineStart == fenceEnd { level = .fence }
            // Up to three spaces of indentation, then a fence marker or a heading.
            var first = lineStart
            while first < lineEnd && first - lineStart < 3 && bytes[first] == Self.space { first &+= 1 }
            let marker: UInt8 = first < lineEnd ? bytes[first] : 0
            if marker == 0x60 || marker == 0x7E {  // ` or ~
                var run = first
                while run < lineEnd && bytes[run] == marker { run &+= 1 }
                let length = run - first
                if length >= 3 {
                    if let open = fence {
                        if marker == open.marker && length >= open.length && Self.onlySpace(bytes, run, lineEnd) {
                            fence = nil
                            fenceEnd = next
                        }
                    } else {
                        fence = (marker, length)
                        level = .fence
                    }
                }
            } else if marker == 0x23 && fence == nil {  // #
                var run = first
                while run < lineEnd && bytes[run] == 0x23 { run &+= 1 }
                let hashes = run - first
                if hashes <= 6 && (run == lineEnd || Self.isSpace(bytes[run])) { level = .heading(hashes) }
            }
            if lineStart > 0 { positions[level.rawValue].append(Int32(lineStart)) }
            if !blank { scanLine(bytes, from: lineStart, to: lineEnd) }
            previousBlank = blank
            lineStart = next
        }
    }

    /// Word and sentence boundaries inside one line: before a run of spaces or tabs that
    /// follows a non-space, a sentence end when a terminator precedes it; after a CJK stop.
    private mutating func scanLine(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int) {
        var index = start + 1
        while index < end {
            let byte = bytes[index]
            if (byte == Self.space || byte == Self.tab) && !Self.isSpace(bytes[index - 1]) {
                let level: BoundaryLevel = Self.endsSentence(bytes, before: index, lineStart: start) ? .sentence : .word
                positions[level.rawValue].append(Int32(index))
            } else if byte == 0xE3 || byte == 0xEF, index + 3 < end, Self.isCJKStop(bytes, at: index) {
                positions[BoundaryLevel.sentence.rawValue].append(Int32(index + 3))
            }
            index &+= 1
        }
    }

    @inline(__always)
    private static func isSpace(_ byte: UInt8) -> Bool {
        byte == space || byte == tab || byte == carriageReturn || byte == 0x0B || byte == 0x0C
    }

    private static func onlySpace(_ bytes: UnsafeBufferPointer<UInt8>, _ from: Int, _ to: Int) -> Bool {
        for index in from..<to where !isSpace(bytes[index]) { return false }
        return true
    }

    /// Whether the text before `index` ends with `.`, `!` or `?`, then any closing quotes
    /// or brackets (`"`, `'`, `)`, `]`, `”`, `’`).
    private static func endsSentence(_ bytes: UnsafeBufferPointer<UInt8>, before index: Int, lineStart: Int) -> Bool {
        var at = index - 1
        while at >= lineStart {
            let byte = bytes[at]
            if byte == 0x22 || byte == 0x27 || byte == 0x29 || byte == 0x5D {
                at -= 1
            } else if at - 2 >= lineStart && bytes[at - 2] == 0xE2 && bytes[at - 1] == 0x80 && (byte == 0x9D || byte == 0x99) {
                at -= 3
            } else {
                return byte == 0x2E || byte == 0x21 || byte == 0x3F
            }
        }
        return false
    }

    /// `。` (E3 80 82), `！` (EF BC 81) or `？` (EF BC 9F) at `index`.
    private static func isCJKStop(_ bytes: UnsafeBufferPointer<UInt8>, at index: Int) -> Bool {
        let (a, b, c) = (bytes[index], bytes[index + 1], bytes[index + 2])
        return (a == 0xE3 && b == 0x80 && c == 0x82) || (a == 0xEF && b == 0xBC && (c == 0x81 || c == 0x9F))
    }

    /// The positions of `level` strictly inside `lower..<upper`, as an index range into
    /// `positions[level.rawValue]`.
    func inside(_ level: BoundaryLevel, _ lower: Int, _ upper: Int) -> Range<Int> {
        let list = positions[level.rawValue]
        return SortedOffsets.count(in: list, atMost: lower)..<SortedOffsets.count(in: list, atMost: upper - 1)
    }
}
