import Crypto

/// Parsing and checking of `.tiktoken` rank files (`base64(token bytes) rank` per line).
enum RankFile {
    /// The lowercase hex SHA-256 of `bytes`.
    static func sha256Hex(_ bytes: [UInt8]) -> String {
        hex(SHA256.hash(data: bytes))
    }

    /// Lowercase hex of a digest.
    static func hex<D: Sequence>(_ digest: D) -> String where D.Element == UInt8 {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        for byte in digest {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Throws `checksumMismatch` (with `path`, expected and actual digest) unless `bytes`
    /// have the SHA-256 that `encoding` requires.
    static func verify(_ bytes: [UInt8], encoding: EncodingName, path: String) throws(TokenizerError) {
        let actual = sha256Hex(bytes)
        guard actual == encoding.sha256 else {
            throw TokenizerError(
                .checksumMismatch,
                message: "rank file for \(encoding.rawValue) has SHA-256 \(actual), expected \(encoding.sha256); "
                    + "delete or replace the file (it is corrupt or not the official one)",
                path: path, expectedSHA256: encoding.sha256, actualSHA256: actual)
        }
    }

    /// Base64 alphabet values; 0xFF for bytes outside it.
    private static let base64Values: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (index, byte) in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8.enumerated() {
            table[Int(byte)] = UInt8(index)
        }
        return table
    }()

    /// Parses a rank file into a `RankTable`. Blank lines are skipped, as tiktoken does.
    static func parse(_ bytes: [UInt8], path: String) throws(TokenizerError) -> RankTable {
        var tokenBytes = [UInt8]()
        tokenBytes.reserveCapacity(bytes.count)
        var entries = [(offset: UInt32, length: UInt32, rank: UInt32)]()
        entries.reserveCapacity(bytes.count / 12)
        var lineNumber = 0
        var failure: TokenizerError?
        bytes.withUnsafeBufferPointer { input in
            base64Values.withUnsafeBufferPointer { values in
                let count = input.count
                var index = 0
                while index < count {
                    lineNumber += 1
                    var lineEnd = index
                    while lineEnd < count && input[lineEnd] != 0x0A { lineEnd += 1 }
                    var contentEnd = lineEnd
                    if contentEnd > index && input[contentEnd - 1] == 0x0D { contentEnd -= 1 }
                    defer { index = lineEnd + 1 }
                    if contentEnd == index { continue }
                    var space = index
                    while space < contentEnd && input[space] != 0x20 { space += 1 }
                    let offset = tokenBytes.count
                    var accumulator: UInt32 = 0
                    var bits = 0
                    var position = index
                    while position < space {
                        let byte = input[position]
                        position += 1
                        if byte == 0x3D { break } // '=' padding
                        let value = values[Int(byte)]
                        if value == 0xFF { failure = malformed(path, lineNumber, "invalid base64"); return }
                        accumulator = (accumulator << 6) | UInt32(value)
                        bits += 6
                        if bits >= 8 {
                            bits -= 8
                            tokenBytes.append(UInt8(truncatingIfNeeded: accumulator >> UInt32(bits)))
                        }
                    }
                    var rank: UInt64 = 0
                    position = space + 1
                    if position >= contentEnd { failure = malformed(path, lineNumber, "missing rank"); return }
                    while position < contentEnd {
                        let digit = input[position] &- 0x30
                        if digit > 9 || rank > UInt64(UInt32.max - 1) {
                            failure = malformed(path, lineNumber, "invalid rank"); return
                        }
                        rank = rank * 10 + UInt64(digit)
                        position += 1
                    }
                    let length = tokenBytes.count - offset
                    if length == 0 || rank >= UInt64(UInt32.max) {
                        failure = malformed(path, lineNumber, "empty token or rank out of range"); return
                    }
                    entries.append((UInt32(offset), UInt32(length), UInt32(rank)))
                }
            }
        }
        if let failure { throw failure }
        do {
            return try RankTable(tokenBytes: tokenBytes, entries: entries)
        } catch {
            var error = error
            error.path = path
            throw error
        }
    }

    private static func malformed(_ path: String, _ line: Int, _ reason: String) -> TokenizerError {
        TokenizerError(.malformedRankFile, message: "line \(line): \(reason)", path: path)
    }
}
