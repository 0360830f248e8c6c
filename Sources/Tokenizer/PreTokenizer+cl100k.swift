extension PreTokenizer {
    /// One piece of the cl100k_base pattern:
    /// `'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+| ?[^\s\p{L}\p{N}]++[\r\n]*+|\s++$|\s*[\r\n]|\s+(?!\S)|\s`
    @inline(__always)
    static func cl100kPieceEnd(_ text: ScannedText, from start: Int) -> Int {
        let count = text.count
        if let end = contractionEnd(text, at: start) { return end }
        let first = text.cls(start)
        if first.contains(.letter) { return runEnd(text, from: start + 1, .letter) }
        if first.isDisjoint(with: [.number, .newline]), start + 1 < count,
           text.cls(start + 1).contains(.letter) {
            return runEnd(text, from: start + 2, .letter)
        }
        if first.contains(.number) {
            var end = start + 1
            while end < count && end < start + 3 && text.cls(end).contains(.number) { end += 1 }
            return end
        }
        var punctuationStart = start
        if text.scalar(start) == 0x20, start + 1 < count, isPunctuation(text.cls(start + 1)) {
            punctuationStart = start + 1
        }
        if isPunctuation(text.cls(punctuationStart)) {
            var end = punctuationStart + 1
            while end < count && isPunctuation(text.cls(end)) { end += 1 }
            return runEnd(text, from: end, .newline)
        }
        return whitespacePieceEnd(text, from: start, wholeRunAtEnd: true)
    }
}
