/// A text encoded once and kept with its pieces, so that the exact token count of any span
/// of it can be had without encoding the span again from scratch.
///
/// BPE counts are not additive across a cut: a span's own pre-tokenization can differ from
/// the whole text's near the span's edges (a word or a run of spaces cut in two, a
/// look-ahead that sees the span's end instead of the next character). `exactCount` runs
/// the pre-tokenizer over the span as if the text ended there, and merges (BPE) only the
/// pieces that are not pieces of the whole-text pass; every other piece's tokens are the
/// whole-text pass's, because a piece's tokens depend on its bytes alone. The result is
/// the span's `Encoding.count`, exactly, at the cost of one scan instead of one encoding.
///
/// Borrowed: valid only inside the `Encoding.withEncodedText` call that made it.
public struct EncodedText {
    /// The text's UTF-8 bytes.
    public let utf8: UnsafeBufferPointer<UInt8>
    /// Where each token of the whole text ends: the UTF-8 byte offset after it, in order (the
    /// last one is the text's byte count).
    public let tokenEnds: [Int32]

    let scanned: ScannedText
    let lookup: RankLookup
    let preTokenizer: PreTokenizer
    /// The scalar index where each piece of the whole-text pass ends, in order.
    let pieceEnds: [Int32]
    /// The number of tokens of the whole-text pass up to the end of each piece.
    let tokensThroughPiece: [Int32]

    /// The number of tokens of the text's UTF-8 bytes `start..<end` (offsets on scalar
    /// boundaries), as `Encoding.count` gives for that span alone.
    public func exactCount(from start: Int, to end: Int) -> Int {
        precondition(0 <= start && start <= end && end <= scanned.byteCount, "span outside the text")
        let first = scalarIndex(atByte: start)
        let last = scalarIndex(atByte: end)
        // The text as if it ended at the span's end; the bytes past it stay readable.
        let view = ScannedText(
            bytes: scanned.bytes, byteCount: end, scalars: scanned.scalars, classes: scanned.classes,
            offsets: scanned.offsets, count: last)
        let base = UnsafePointer(scanned.bytes.baseAddress!)
        // The whole-text piece that holds `position`.
        var piece = SortedOffsets.count(in: pieceEnds, atMost: first)
        var total = 0
        var position = first
        while position < last {
            let pieceEnd = preTokenizer.pieceEnd(view, from: position)
            let byteStart = scanned.offsets[position]
            let byteEnd = scanned.offsets[pieceEnd]
            if pieceStart(piece) == position && Int(pieceEnds[piece]) == pieceEnd {
                total += Int(tokensThroughPiece[piece]) - (piece == 0 ? 0 : Int(tokensThroughPiece[piece - 1]))
            } else if pieceEnd <= Int(pieceEnds[piece]), let tokens = tokensBetween(byteStart, byteEnd) {
                // Inside one whole-text piece, from one of its token ends to another: no
                // merge of that piece crossed either end, so the part merges to the same
                // tokens on its own.
                total += tokens
            } else {
                total += BytePairMerge.encode(base + byteStart, byteEnd - byteStart, lookup) { _ in }
            }
            while piece < pieceEnds.count && Int(pieceEnds[piece]) <= pieceEnd { piece += 1 }
            position = pieceEnd
        }
        return total
    }

    /// The whole-text pass's tokens between byte offsets `start` and `end` when a token ends
    /// (or the text starts) at both, else nil.
    private func tokensBetween(_ start: Int, _ end: Int) -> Int? {
        let before = SortedOffsets.count(in: tokenEnds, atMost: start)
        guard start == 0 || (before > 0 && Int(tokenEnds[before - 1]) == start) else { return nil }
        let through = SortedOffsets.count(in: tokenEnds, atMost: end)
        guard through > 0 && Int(tokenEnds[through - 1]) == end else { return nil }
        return through - before
    }

    @inline(__always)
    private func pieceStart(_ piece: Int) -> Int { piece == 0 ? 0 : Int(pieceEnds[piece - 1]) }

    /// The index of the scalar that starts at UTF-8 offset `byte` (`count` at the end).
    private func scalarIndex(atByte byte: Int) -> Int {
        var low = 0
        var high = scanned.count
        while low < high {
            let middle = (low + high) >> 1
            if scanned.offsets[middle] < byte { low = middle + 1 } else { high = middle }
        }
        precondition(scanned.offsets[low] == byte, "offset \(byte) is inside a UTF-8 sequence")
        return low
    }
}

extension Encoding {
    /// Encodes `text` once and passes it, with its pieces, to `body` (see `EncodedText`).
    public func withEncodedText<R>(_ text: String, _ body: (EncodedText) -> R) -> R {
        let preTokenizer = name.preTokenizer
        return table.withLookup { lookup in
            table.spans.withUnsafeBufferPointer { spans in
                withScannedText(text) { scanned in
                    let base = UnsafePointer(scanned.bytes.baseAddress!)
                    var tokenEnds = [Int32]()
                    tokenEnds.reserveCapacity(scanned.byteCount / 3 + 1)
                    var pieceEnds = [Int32]()
                    var tokensThroughPiece = [Int32]()
                    pieceEnds.reserveCapacity(scanned.count / 3 + 1)
                    tokensThroughPiece.reserveCapacity(scanned.count / 3 + 1)
                    var offset: UInt32 = 0
                    var start = 0
                    while start < scanned.count {
                        let end = preTokenizer.pieceEnd(scanned, from: start)
                        let byteStart = scanned.offsets[start]
                        _ = BytePairMerge.encode(base + byteStart, scanned.offsets[end] - byteStart, lookup) { rank in
                            offset &+= spans[Int(rank)].length
                            tokenEnds.append(Int32(bitPattern: offset))
                        }
                        pieceEnds.append(Int32(end))
                        tokensThroughPiece.append(Int32(tokenEnds.count))
                        start = end
                    }
                    let encoded = EncodedText(
                        utf8: UnsafeBufferPointer(start: base, count: scanned.byteCount), tokenEnds: tokenEnds,
                        scanned: scanned, lookup: lookup, preTokenizer: preTokenizer,
                        pieceEnds: pieceEnds, tokensThroughPiece: tokensThroughPiece)
                    return body(encoded)
                }
            }
        }
    }
}
