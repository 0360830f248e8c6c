import Tokenizer

/// Cuts texts into chunks of at most a given number of tokens, preferring the strongest
/// structural boundary that fits (`BoundaryLevel`): Markdown headings (by level), code
/// fences, blank lines, line breaks, sentence ends, words, and only then grapheme clusters
/// (never inside a UTF-8 sequence or a grapheme cluster; a single grapheme cluster longer
/// than the limit is cut between its Unicode scalars). A code fence is not cut unless it
/// alone exceeds the limit. Neighbouring pieces are merged as long as they fit, never
/// across a boundary stronger than the ones they were cut at.
///
/// The text is encoded once; spans are counted from the token offsets of that one pass,
/// and each final chunk's count is proven exact (BPE counts are not additive across a
/// cut): the chunk is pre-tokenized on its own and every piece that differs from the
/// whole-text pass is merged again (`EncodedText.exactCount`), and a chunk over the limit
/// is cut again. Pure and deterministic: the
/// same text, encoding and limits give the same chunks everywhere. Without overlap the
/// chunks' texts concatenated are exactly the text.
///
/// Only when one Unicode scalar alone has more tokens than the limit (possible for
/// limits under 4) is a chunk over it: that chunk is the scalar.
///
/// Without an encoding (no rank file), every UTF-8 byte counts as a token: a safe upper
/// bound (no byte-level BPE token is shorter than a byte), so chunks still fit, only
/// smaller and cut differently than with exact counts.
public struct Chunker: Sendable {
    /// The encoding that counts tokens; nil: UTF-8 bytes as upper bounds.
    public let encoding: Encoding?

    /// A chunker counting with `encoding` (nil: UTF-8 bytes).
    public init(encoding: Encoding?) { self.encoding = encoding }

    /// Whether token counts are exact (else UTF-8 byte upper bounds).
    public var isExact: Bool { encoding != nil }

    /// The chunks of `text` under `limits`, in order. Empty text gives no chunk.
    public func chunks(of text: String, limits: ChunkLimits) -> [Chunk] {
        if text.isEmpty { return [] }
        guard let encoding else {
            var text = text
            let tokenEnds = (1...Int32(text.utf8.count)).map { $0 }
            return text.withUTF8 { bytes in
                ChunkingRun(bytes: bytes, tokenEnds: tokenEnds, encoded: nil).chunks(limits)
            }
        }
        return encoding.withEncodedText(text) { encoded in
            ChunkingRun(bytes: encoded.utf8, tokenEnds: encoded.tokenEnds, encoded: encoded).chunks(limits)
        }
    }
}

/// The state of chunking one text: its bytes, token offsets and boundaries.
struct ChunkingRun {
    let bytes: UnsafeBufferPointer<UInt8>
    let tokenEnds: [Int32]
    /// The text's one encoding pass, which counts spans exactly; nil: bytes are tokens.
    let encoded: EncodedText?
    let boundaries: Boundaries

    init(bytes: UnsafeBufferPointer<UInt8>, tokenEnds: [Int32], encoded: EncodedText?) {
        self.bytes = bytes
        self.tokenEnds = tokenEnds
        self.encoded = encoded
        self.boundaries = Boundaries(scanning: bytes)
    }

    func chunks(_ limits: ChunkLimits) -> [Chunk] {
        let limit = limits.maxTokens
        // Room for the overlap a chunk after the first starts with.
        let budget = max(1, limit - limits.overlapTokens)
        var spans: [(start: Int, end: Int, tokens: Int)] = []
        if tokenEnds.count <= limit {
            spans = [(0, bytes.count, tokenEnds.count)]
        } else {
            var pieces: [Range<Int>] = []
            split(0, bytes.count, below: .heading1, budget: budget, into: &pieces)
            spans = verified(pieces, budget: budget, limit: budget)
        }
        if limits.overlapTokens > 0 { spans = overlapped(spans, limits) }
        return withCodePoints(spans)
    }

    // MARK: Counting

    /// Tokens of the whole-text pass that end at or before byte `offset`.
    @inline(__always)
    func tokensEnding(atOrBefore offset: Int) -> Int { SortedOffsets.count(in: tokenEnds, atMost: offset) }

    /// The token count of `start..<end` estimated from the whole-text pass: the tokens
    /// inside it, a token cut at the end counted once.
    @inline(__always)
    func estimate(_ start: Int, _ end: Int) -> Int {
        estimate(startTokens: tokensEnding(atOrBefore: start), end)
    }

    /// `estimate` for a span whose start has `startTokens` tokens before or at it.
    @inline(__always)
    func estimate(startTokens: Int, _ end: Int) -> Int {
        let upTo = tokensEnding(atOrBefore: end)
        let cutAtEnd = end < bytes.count && (upTo == 0 || Int(tokenEnds[upTo - 1]) != end) ? 1 : 0
        return upTo - startTokens + cutAtEnd
    }

    /// The exact token count of `start..<end`, as encoding it alone gives (see
    /// `EncodedText.exactCount`); its byte count without an encoding.
    func exactCount(_ start: Int, _ end: Int) -> Int {
        guard let encoded else { return end - start }
        return encoded.exactCount(from: start, to: end)
    }

    // MARK: Splitting

    /// Cuts `start..<end` at the strongest level (at most `level`) that has a boundary inside
    /// it, merges neighbouring pieces while they fit `budget` (estimated), and splits a
    /// piece that alone does not fit at the next weaker levels.
    func split(_ start: Int, _ end: Int, below level: BoundaryLevel, budget: Int, into out: inout [Range<Int>]) {
        if estimate(start, end) <= budget {
            out.append(start..<end)
            return
        }
        var current = level
        while current > .grapheme {
            let found = boundaries.inside(current, start, end)
            if !found.isEmpty {
                let list = boundaries.positions[current.rawValue]
                let weaker = BoundaryLevel(rawValue: current.rawValue - 1) ?? .grapheme
                merge(start, end, cuts: found.lazy.map { Int(list[$0]) }, then: .level(weaker), budget: budget, into: &out)
                return
            }
            current = BoundaryLevel(rawValue: current.rawValue - 1) ?? .grapheme
        }
        let cuts = graphemeCuts(start, end)
        if encoded != nil {
            // Cuts that are also token ends of the whole-text pass first: a span cut there
            // inside one long piece is counted without merging it again.
            let aligned = cuts.filter(isTokenEnd)
            if !aligned.isEmpty && aligned.count < cuts.count {
                merge(start, end, cuts: aligned, then: .graphemes, budget: budget, into: &out)
                return
            }
        }
        merge(start, end, cuts: cuts, then: .scalars, budget: budget, into: &out)
    }

    /// How `merge` splits a piece that alone does not fit.
    enum Fallback {
        /// At the boundary levels from this one down.
        case level(BoundaryLevel)
        /// At every grapheme cluster boundary.
        case graphemes
        /// Between Unicode scalars.
        case scalars
    }

    /// Whether a token of the whole-text pass ends at byte `offset`.
    func isTokenEnd(_ offset: Int) -> Bool {
        let index = tokensEnding(atOrBefore: offset - 1)
        return index < tokenEnds.count && Int(tokenEnds[index]) == offset
    }

    /// Greedy merge of the pieces between `cuts` (ascending, inside `start..<end`): a group
    /// grows while it fits; a piece that alone does not fit is split as `fallback` says.
    func merge(_ start: Int, _ end: Int, cuts: some Sequence<Int>, then fallback: Fallback, budget: Int, into out: inout [Range<Int>]) {
        var groupStart = start
        var groupEnd = start
        var groupStartTokens = tokensEnding(atOrBefore: start)
        func add(_ pieceEnd: Int) {
            if estimate(startTokens: groupStartTokens, pieceEnd) <= budget {
                groupEnd = pieceEnd
                return
            }
            if groupEnd > groupStart {
                out.append(groupStart..<groupEnd)
                groupStart = groupEnd
                groupStartTokens = tokensEnding(atOrBefore: groupStart)
                if estimate(startTokens: groupStartTokens, pieceEnd) <= budget {
                    groupEnd = pieceEnd
                    return
                }
            }
            switch fallback {
            case .level(let weaker):
                split(groupStart, pieceEnd, below: weaker, budget: budget, into: &out)
            case .graphemes:
                merge(groupStart, pieceEnd, cuts: graphemeCuts(groupStart, pieceEnd), then: .scalars, budget: budget, into: &out)
            case .scalars:
                out.append(contentsOf: scalarPieces(groupStart..<pieceEnd) { estimate($0, $1) <= budget })
            }
            groupStart = pieceEnd
            groupEnd = pieceEnd
            groupStartTokens = tokensEnding(atOrBefore: groupStart)
        }
        for cut in cuts { add(cut) }
        add(end)
        if groupEnd > groupStart { out.append(groupStart..<groupEnd) }
    }

    /// The grapheme cluster boundaries strictly inside `start..<end`.
    func graphemeCuts(_ start: Int, _ end: Int) -> [Int] {
        if let ascii = asciiGraphemeCuts(start, end) { return ascii }
        let piece = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self)
        var cuts: [Int] = []
        var index = piece.startIndex
        while index < piece.endIndex {
            index = piece.index(after: index)
            if index < piece.endIndex { cuts.append(start + piece.utf8.distance(from: piece.utf8.startIndex, to: index)) }
        }
        return cuts
    }

    /// The grapheme cluster boundaries strictly inside `start..<end` when it is all ASCII
    /// (between any two characters but CR LF), else nil.
    func asciiGraphemeCuts(_ start: Int, _ end: Int) -> [Int]? {
        var cuts: [Int] = []
        cuts.reserveCapacity(end - start)
        var index = start + 1
        while index < end {
            let byte = bytes[index]
            if byte >= 0x80 || bytes[index - 1] >= 0x80 { return nil }
            if !(byte == 0x0A && bytes[index - 1] == 0x0D) { cuts.append(index) }
            index += 1
        }
        return cuts
    }

    /// Greedy pieces of whole Unicode scalars that `fits` (start, end), or single scalars:
    /// for a grapheme cluster longer than the budget.
    func scalarPieces(_ range: Range<Int>, fits: (Int, Int) -> Bool) -> [Range<Int>] {
        var pieces: [Range<Int>] = []
        var groupStart = range.lowerBound
        var previous = range.lowerBound
        var index = range.lowerBound + 1
        while index <= range.upperBound {
            if index == range.upperBound || bytes[index] & 0xC0 != 0x80 {
                if previous > groupStart && !fits(groupStart, index) {
                    pieces.append(groupStart..<previous)
                    groupStart = previous
                }
                previous = index
            }
            index += 1
        }
        pieces.append(groupStart..<range.upperBound)
        return pieces
    }

    // MARK: Proving counts

    /// Encodes each piece once; a piece over `limit` is cut again with a smaller budget
    /// until every piece fits (or is a single scalar).
    func verified(_ pieces: [Range<Int>], budget: Int, limit: Int) -> [(start: Int, end: Int, tokens: Int)] {
        var result: [(start: Int, end: Int, tokens: Int)] = []
        result.reserveCapacity(pieces.count)
        var pending: [(range: Range<Int>, budget: Int)] = pieces.reversed().map { ($0, budget) }
        while let (range, pieceBudget) = pending.popLast() {
            let tokens = exactCount(range.lowerBound, range.upperBound)
            if tokens <= limit || isSingleScalar(range) {
                result.append((range.lowerBound, range.upperBound, tokens))
                continue
            }
            let smaller = max(1, min(pieceBudget, estimate(range.lowerBound, range.upperBound)) - (tokens - limit))
            var parts: [Range<Int>] = []
            split(range.lowerBound, range.upperBound, below: .heading1, budget: smaller, into: &parts)
            if parts.count == 1 {
                // One grapheme cluster over the limit: cut it between scalars, counting exactly.
                parts = scalarPieces(range) { exactCount($0, $1) <= limit }
            }
            pending.append(contentsOf: parts.reversed().map { ($0, smaller) })
        }
        return result
    }

    func isSingleScalar(_ range: Range<Int>) -> Bool {
        var index = range.lowerBound + 1
        while index < range.upperBound {
            if bytes[index] & 0xC0 != 0x80 { return false }
            index += 1
        }
        return true
    }

    // MARK: Offsets

    /// The spans with code point offsets added (one pass over the bytes).
    func withCodePoints(_ spans: [(start: Int, end: Int, tokens: Int)]) -> [Chunk] {
        var offsets = Set<Int>()
        for span in spans {
            offsets.insert(span.start)
            offsets.insert(span.end)
        }
        var codePoints: [Int: Int] = [:]
        var scalars = 0
        var position = 0
        for offset in offsets.sorted() {
            while position < offset {
                if bytes[position] & 0xC0 != 0x80 { scalars += 1 }
                position += 1
            }
            codePoints[offset] = scalars
        }
        return spans.map {
            Chunk(byteStart: $0.start, byteEnd: $0.end, start: codePoints[$0.start]!, end: codePoints[$0.end]!, tokens: $0.tokens)
        }
    }
}
