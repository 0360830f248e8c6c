/// A loaded tiktoken encoding: counts and encodes text exactly as tiktoken's
/// `encode_ordinary` does (special-token text such as `<|endoftext|>` is ordinary text).
///
/// An immutable value; share it freely between tasks.
public struct Encoding: Sendable {
    /// Which encoding this is.
    public let name: EncodingName
    let table: RankTable

    /// Parses and checks a rank file's contents.
    ///
    /// - Parameters:
    ///   - name: the encoding the file belongs to.
    ///   - rankFile: the file's bytes.
    ///   - path: where the bytes came from, for error messages.
    /// - Throws: `TokenizerError` `checksumMismatch` when the SHA-256 is not the encoding's,
    ///   `malformedRankFile` when the file does not parse.
    public init(name: EncodingName, rankFile: [UInt8], path: String) throws(TokenizerError) {
        try RankFile.verify(rankFile, encoding: name, path: path)
        self.name = name
        self.table = try RankFile.parse(rankFile, path: path)
    }

    /// The number of tokens in `text`.
    public func count(_ text: String) -> Int {
        run(text) { _ in }
    }

    /// The token ids of `text`.
    public func encode(_ text: String) -> [Int] {
        var tokens = [Int]()
        tokens.reserveCapacity(text.utf8.count / 3)
        _ = run(text) { tokens.append(Int($0)) }
        return tokens
    }

    /// The bytes of `tokens`, concatenated (UTF-8 text when the tokens came from `encode`).
    ///
    /// - Throws: `TokenizerError` `unknownToken` for an id that is not in the rank file.
    public func decode(_ tokens: [Int]) throws(TokenizerError) -> [UInt8] {
        var bytes = [UInt8]()
        for token in tokens {
            guard token >= 0, token < table.spans.count, table.spans[token].length > 0 else {
                throw TokenizerError(.unknownToken, message: "token \(token) is not in \(name.rawValue)")
            }
            let span = table.spans[token]
            bytes.append(contentsOf: table.tokenBytes[Int(span.offset)..<Int(span.offset + span.length)])
        }
        return bytes
    }

    /// Number of ordinary tokens (ranks) in the rank file.
    public var vocabularySize: Int { table.tokenCount }

    /// Pre-tokenizes `text`, merges each piece, emits every rank; returns the token count.
    @inline(__always)
    private func run(_ text: String, _ emit: (UInt32) -> Void) -> Int {
        let preTokenizer = name.preTokenizer
        return table.withLookup { lookup in
            withScannedText(text) { scanned in
                // `bytes` is a non-empty temporary allocation (16 bytes of padding at least).
                let base = UnsafePointer(scanned.bytes.baseAddress!)
                var total = 0
                var start = 0
                while start < scanned.count {
                    let end = preTokenizer.pieceEnd(scanned, from: start)
                    let byteStart = scanned.offsets[start]
                    total &+= BytePairMerge.encode(
                        base + byteStart, scanned.offsets[end] - byteStart, lookup, emit)
                    start = end
                }
                return total
            }
        }
    }
}
