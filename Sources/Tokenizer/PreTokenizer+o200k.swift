extension PreTokenizer {
    /// One piece of the o200k_base pattern:
    /// `[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?`
    /// `|[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?`
    /// `|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+`
    @inline(__always)
    static func o200kPieceEnd(_ text: ScannedText, from start: Int) -> Int {
        let count = text.count
        let first = text.cls(start)
        let canPrefix = first & (ScalarClass.letter | ScalarClass.number | ScalarClass.newline) == 0
            && start + 1 < count
        // First alternative: upper* lower+ contraction?
        if canPrefix, let end = upperLowerEnd(text, from: start + 1) {
            return contractionEnd(text, at: end) ?? end
        }
        if let end = upperLowerEnd(text, from: start) {
            return contractionEnd(text, at: end) ?? end
        }
        // Second alternative: upper+ lower* contraction?
        if canPrefix, text.has(start + 1, ScalarClass.upper) {
            let end = runEnd(text, from: runEnd(text, from: start + 2, ScalarClass.upper), ScalarClass.lower)
            return contractionEnd(text, at: end) ?? end
        }
        if first & ScalarClass.upper != 0 {
            let end = runEnd(text, from: runEnd(text, from: start + 1, ScalarClass.upper), ScalarClass.lower)
            return contractionEnd(text, at: end) ?? end
        }
        if first & ScalarClass.number != 0 { return numberEnd(text, from: start) }
        if let end = punctuationPieceEnd(text, from: start, trailingSlashes: true) { return end }
        return whitespacePieceEnd(text, from: start, wholeRunAtEnd: false)
    }

    /// The end of `[upper]*[lower]+` matched from `start` with backtracking, or nil.
    @inline(__always)
    static func upperLowerEnd(_ text: ScannedText, from start: Int) -> Int? {
        let upperEnd = runEnd(text, from: start, ScalarClass.upper)
        if upperEnd < text.count && text.has(upperEnd, ScalarClass.lower) {
            return runEnd(text, from: upperEnd + 1, ScalarClass.lower)
        }
        // Give back upper-class scalars until one of them is also in the lower class.
        var index = upperEnd - 1
        while index >= start {
            if text.has(index, ScalarClass.lower) { return index + 1 }
            index -= 1
        }
        return nil
    }
}
