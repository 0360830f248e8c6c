import JSON
import NIOCore

/// Reads a `POST /embeddings` response body in one pass over its bytes and decodes every
/// base64 vector straight into one packed little-endian float32 buffer: no `String`,
/// `Data` or `[Float]` per vector, so a 512-input response costs its body plus the
/// vectors' own bytes. Float-array embeddings (`encoding_format: float`) are read too.
/// Members may come in any order and unknown ones are skipped.
enum EmbeddingsResponseParser {
    /// What the body says.
    struct Parsed {
        var vectors: PackedVectors
        var model: String
        var promptTokens: Int?
    }

    /// One `data` item as found in the body, decoded once all items are known.
    private struct Item {
        var index: Int?
        /// A base64 string's content (between the quotes), or a float array's whole text.
        var embedding: Range<Int>?
        var isBase64 = true
        var escaped = false
        /// A float array's numbers as little-endian float32 bit patterns, read as it was met.
        var floats: [UInt32] = []
    }

    /// Parses `body`.
    /// - Parameter expectedDimensions: the length every vector must have; `nil` accepts any
    ///   length as long as all vectors share it.
    /// - Throws: what is wrong: invalid JSON, a missing member, the wrong count, a bad or
    ///   repeated index, undecodable data, a wrong length.
    static func parse(_ body: ByteBuffer, expectedCount: Int, expectedDimensions: Int?) throws(ResponseDecodingFailure) -> Parsed {
        let result: Result<Parsed, ResponseDecodingFailure> = body.withUnsafeReadableBytes { raw in
            Result { () throws(ResponseDecodingFailure) in
                try parse(raw, expectedCount: expectedCount, expectedDimensions: expectedDimensions)
            }
        }
        return try result.get()
    }

    static func parse(
        _ raw: UnsafeRawBufferPointer, expectedCount: Int, expectedDimensions: Int?
    ) throws(ResponseDecodingFailure) -> Parsed {
        var cursor = JSONCursor(raw)
        var items: [Item] = []
        items.reserveCapacity(expectedCount)
        var model: String?
        var promptTokens: Int?
        var sawData = false
        do {
            try cursor.object { cursor, key throws(JSONSyntaxError) in
                switch key {
                case "data":
                    sawData = true
                    try cursor.array { cursor throws(JSONSyntaxError) in
                        var item = Item()
                        try cursor.object { cursor, key throws(JSONSyntaxError) in
                            switch key {
                            case "index": item.index = try cursor.integer()
                            case "embedding":
                                item.isBase64 = try cursor.peek() == UInt8(ascii: "\"")
                                if item.isBase64 {
                                    (item.embedding, item.escaped) = try cursor.rawString()
                                } else {
                                    // Each number straight from its bytes to the nearest float32 (no String, no Double).
                                    let start = cursor.position
                                    item.floats.reserveCapacity(expectedDimensions ?? 1536)
                                    try cursor.array { cursor throws(JSONSyntaxError) in
                                        item.floats.append(try cursor.float32().bitPattern.littleEndian)
                                    }
                                    item.embedding = start..<cursor.position
                                }
                            default: try cursor.skipValue()
                            }
                        }
                        items.append(item)
                    }
                case "model": model = try cursor.string()
                case "usage":
                    try cursor.object { cursor, key throws(JSONSyntaxError) in
                        if key == "prompt_tokens" { promptTokens = try cursor.integer() } else { try cursor.skipValue() }
                    }
                default: try cursor.skipValue()
                }
            }
            try cursor.end()
        } catch {
            throw ResponseDecodingFailure(error)
        }
        guard sawData else { throw .init("the response has no \"data\" list") }
        guard let model else { throw .init("the response has no \"model\"") }
        guard items.count == expectedCount else {
            throw .init("expected \(expectedCount) embeddings, got \(items.count)")
        }
        var dimensions = expectedDimensions
        var filled = [Bool](repeating: false, count: expectedCount)
        var bytes: [UInt8] = []
        for item in items {
            guard let index = item.index, filled.indices.contains(index), !filled[index] else {
                throw .init("embedding index \(item.index.map(String.init) ?? "(missing)") is out of range or repeated")
            }
            guard let range = item.embedding else { throw .init("embedding \(index) has no \"embedding\"") }
            var sub = JSONCursor(raw, position: range.lowerBound)
            let written = try withValueBytes(of: &sub, item: item) { values, isBase64 throws(ResponseDecodingFailure) in
                let length = isBase64 ? Base64.decodedLength(of: values) : values.count
                guard let length, length % 4 == 0 else {
                    throw .init("embedding \(index) is not valid base64 float32 data")
                }
                guard length > 0 else { throw .init("embedding \(index) is empty") }
                let expected = dimensions ?? length / 4
                guard length / 4 == expected, expected > 0 else {
                    throw ResponseDecodingFailure("embedding \(index) has \(length / 4) dimensions, expected \(expected)",
                                                   dimensions: (length / 4, expected))
                }
                if bytes.isEmpty {
                    dimensions = expected
                    bytes = vectorBuffer(count: expectedCount * length)
                }
                return bytes.withUnsafeMutableBytes { out in
                    let target = UnsafeMutableRawBufferPointer(rebasing: out[(index * length)..<((index + 1) * length)])
                    guard isBase64 else {
                        target.copyMemory(from: values)
                        return true
                    }
                    return Base64.decode(values, into: target)
                }
            }
            guard written else { throw .init("embedding \(index) is not valid base64 float32 data") }
            filled[index] = true
        }
        return Parsed(vectors: PackedVectors(littleEndianBytes: bytes, dimensions: dimensions ?? 1, recycledInto: vectorBuffers),
                      model: model, promptTokens: promptTokens)
    }

    /// Vector buffers of earlier responses, given back when their vectors are stored and
    /// dropped (``PackedVectors``): two 512-input responses' worth at most.
    static let vectorBuffers = BufferPool<[UInt8]>(capacity: 2, maxBytes: 32 << 20)

    /// `count` bytes for vectors, from ``vectorBuffers`` when one is kept. Not zeroed: every
    /// slot is written before the buffer is returned (the items are exactly the indices
    /// 0..<expectedCount, each once), and a failure drops it.
    private static func vectorBuffer(count: Int) -> [UInt8] {
        if var kept = vectorBuffers.take(), kept.capacity >= count {
            if kept.count > count {
                kept.removeLast(kept.count - count)
            } else if kept.count < count {
                kept.append(contentsOf: repeatElement(0, count: count - kept.count))
            }
            return kept
        }
        return [UInt8](unsafeUninitializedCapacity: count) { _, initialized in initialized = count }
    }

    /// Calls `body` with an embedding value's bytes: the base64 text between the quotes
    /// (unescaped when it has escapes), or a float array's numbers as little-endian float32,
    /// each rounded to the nearest float32 as `Float(String)` rounds it.
    private static func withValueBytes<T>(
        of cursor: inout JSONCursor, item: Item,
        _ body: (UnsafeRawBufferPointer, Bool) throws(ResponseDecodingFailure) -> T
    ) throws(ResponseDecodingFailure) -> T {
        let isBase64 = item.isBase64
        if isBase64, let content = item.embedding, !item.escaped {
            return try cursor.withBytes(in: content) { values throws(ResponseDecodingFailure) in try body(values, true) }
        }
        if !isBase64 {
            let result: Result<T, ResponseDecodingFailure> = item.floats.withUnsafeBytes { values in
                Result { () throws(ResponseDecodingFailure) in try body(values, false) }
            }
            return try result.get()
        }
        var scratch: [UInt8] = []
        do {
            if let content = item.embedding { scratch = try cursor.unescaped(content) }
        } catch {
            throw ResponseDecodingFailure(error)
        }
        let result: Result<T, ResponseDecodingFailure> = scratch.withUnsafeBytes { values in
            Result { () throws(ResponseDecodingFailure) in try body(values, true) }
        }
        return try result.get()
    }
}

/// Standard base64 (RFC 4648, `=` padding optional) decoded into a caller's buffer.
enum Base64 {
    private static let alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

    /// For each of a quad's four positions (256 entries each), a character's six bits
    /// already placed where they go in the quad's three output bytes (little-endian), so a
    /// quad decodes to the OR of four look-ups. A character outside the alphabet sets bit 24.
    private static let placed: [UInt32] = {
        var table = [UInt32](repeating: 0x0100_0000, count: 1_024)
        for (value, char) in alphabet.utf8.enumerated() {
            let v = UInt32(value), c = Int(char)
            table[c] = v << 2                                  // byte 0, high 6 bits
            table[256 + c] = v >> 4 | (v & 0x0F) << 12         // byte 0 low 2, byte 1 high 4
            table[512 + c] = (v >> 2) << 8 | (v & 0x03) << 22  // byte 1 low 4, byte 2 high 2
            table[768 + c] = v << 16                           // byte 2, low 6 bits
        }
        return table
    }()

    /// The number of bytes `text` decodes to, or nil when its length cannot be base64.
    static func decodedLength(of text: UnsafeRawBufferPointer) -> Int? {
        var count = text.count
        if count > 0, text[count - 1] == UInt8(ascii: "=") { count -= 1 }
        if count > 0, text[count - 1] == UInt8(ascii: "=") { count -= 1 }
        if count % 4 == 1 { return nil }
        if text.count % 4 != 0 && count != text.count { return nil }  // padding on a ragged length
        return count / 4 * 3 + max(0, count % 4 - 1)
    }

    /// Decodes `text` into `target`, which must be exactly `decodedLength(of: text)` long.
    /// Returns false on a character outside the alphabet.
    static func decode(_ text: UnsafeRawBufferPointer, into target: UnsafeMutableRawBufferPointer) -> Bool {
        var count = text.count
        while count > 0, text[count - 1] == UInt8(ascii: "=") { count -= 1 }
        return placed.withUnsafeBufferPointer { table in
            var input = 0
            var output = 0
            var invalid: UInt32 = 0
            func quad(at input: Int) -> UInt32 {
                let word = UInt32(littleEndian: text.loadUnaligned(fromByteOffset: input, as: UInt32.self))
                return table[Int(word & 0xFF)] | table[256 + Int(word >> 8 & 0xFF)]
                    | table[512 + Int(word >> 16 & 0xFF)] | table[768 + Int(word >> 24)]
            }
            // Four bytes stored for three: the fourth is overwritten by the next quad, so
            // this runs while there is room for it.
            while input + 4 <= count, output + 4 <= target.count {
                let bytes = quad(at: input)
                invalid |= bytes
                target.storeBytes(of: bytes.littleEndian, toByteOffset: output, as: UInt32.self)
                input += 4
                output += 3
            }
            while input + 4 <= count {
                let bytes = quad(at: input)
                invalid |= bytes
                target[output] = UInt8(truncatingIfNeeded: bytes)
                target[output + 1] = UInt8(truncatingIfNeeded: bytes >> 8)
                target[output + 2] = UInt8(truncatingIfNeeded: bytes >> 16)
                input += 4
                output += 3
            }
            let rest = count - input
            if rest >= 2 {
                var bytes = table[Int(text[input])] | table[256 + Int(text[input + 1])]
                if rest == 3 { bytes |= table[512 + Int(text[input + 2])] }
                invalid |= bytes
                target[output] = UInt8(truncatingIfNeeded: bytes)
                if rest == 3 { target[output + 1] = UInt8(truncatingIfNeeded: bytes >> 8) }
            }
            return invalid & 0xFF00_0000 == 0
        }
    }
}
