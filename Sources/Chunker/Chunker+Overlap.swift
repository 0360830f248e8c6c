extension ChunkingRun {
    /// Moves the start of every chunk after the first back by up to `overlapTokens`
    /// tokens, to a boundary after the previous chunk's own start: the strongest boundary
    /// level in reach, and at that level the earliest position (the most overlap). Both
    /// the overlap and the whole chunk are encoded to prove them; a candidate that does
    /// not fit gives way to the next one, and a chunk with none keeps its start.
    func overlapped(_ spans: [(start: Int, end: Int, tokens: Int)], _ limits: ChunkLimits) -> [(start: Int, end: Int, tokens: Int)] {
        guard spans.count > 1 else { return spans }
        var result = [spans[0]]
        for index in 1..<spans.count {
            let span = spans[index]
            let earliest = earliestStart(before: span.start, within: limits.overlapTokens, after: spans[index - 1].start)
            var chosen = span
            var tries = 0
            candidates: for level in BoundaryLevel.allCases.reversed() where level > .grapheme {
                let found = boundaries.inside(level, earliest - 1, span.start)
                let list = boundaries.positions[level.rawValue]
                for position in found.map({ Int(list[$0]) }) {
                    tries += 1
                    if tries > 8 { break candidates }
                    guard exactCount(position, span.start) <= limits.overlapTokens else { continue }
                    let tokens = exactCount(position, span.end)
                    if tokens <= limits.maxTokens {
                        chosen = (position, span.end, tokens)
                        break candidates
                    }
                }
            }
            result.append(chosen)
        }
        return result
    }

    /// The earliest byte offset, after `floor`, from which `start` is at most `tokens`
    /// tokens away by the whole-text pass's count.
    private func earliestStart(before start: Int, within tokens: Int, after floor: Int) -> Int {
        let ending = tokensEnding(atOrBefore: start)
        let first = ending - tokens
        let byte = first <= 0 ? 0 : Int(tokenEnds[first - 1])
        return max(floor + 1, byte)
    }
}
