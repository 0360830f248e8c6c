extension PreTokenizer {
    /// One piece of the cl100k_base pattern:
    /// `'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+| ?[^\s\p{L}\p{N}]++[\r\n]*+|\s++$|\s*[\r\n]|\s+(?!\S)|\s`
    @inline(__always)
    static func cl100kPieceEnd(_ text: ScannedText, from start: Int) -> Int {
        let count = text.count
        if let end = contractionEnd(text, at: start) { return end }
        let first = text.cls(start)
        if first & ScalarClass.letter != 0 { return runEnd(text, from: start + 1, ScalarClass.letter) }
        if first & (ScalarClass.number | ScalarClass.newline) == 0, start + 1 < count,
           text.has(start + 1, ScalarClass.letter) {
            return runEnd(text, from: start + 2, ScalarClass.letter)
        }
        if first & ScalarClass.number != 0 { return numberEnd(text, from: start) }
        if let end = punctuationPieceEnd(text, from: start, trailingSlashes: false) { return end }
        return whitespacePieceEnd(text, from: start, wholeRunAtEnd: true)
    }
}
