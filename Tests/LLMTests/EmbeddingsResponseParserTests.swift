import Foundation
import NIOCore
import Testing

@testable import LLM

/// The one-pass embeddings response reader: shapes the API may send, and every way a body
/// can be wrong, each with its message.
struct EmbeddingsResponseParserTests {
    private func parse(_ json: String, count: Int, dimensions: Int? = nil) throws(ResponseDecodingFailure) -> EmbeddingsResponseParser.Parsed {
        try EmbeddingsResponseParser.parse(ByteBuffer(string: json), expectedCount: count, expectedDimensions: dimensions)
    }

    private func base64(_ floats: [Float]) -> String {
        Data(PackedVectors([floats]).littleEndianBytes).base64EncodedString()
    }

    private func failure(_ json: String, count: Int, dimensions: Int? = nil) -> String? {
        do {
            _ = try parse(json, count: count, dimensions: dimensions)
            return nil
        } catch {
            return error.message
        }
    }

    @Test func membersInAnyOrderUnknownOnesSkippedAndVectorsPlacedByIndex() throws {
        let json = """
            { "usage": {"total_tokens": 9, "prompt_tokens": 7, "extra": [1, {"a": null}]},
              "data": [
                {"embedding": "\(base64([3, 4]))", "object": "embedding", "index": 1, "note": true},
                {"index": 0, "embedding": "\(base64([1.5, -2]))", "object": "embedding"}
              ],
              "object": "list", "model": "text-embedding-3-small" }
            """
        let parsed = try parse(json, count: 2, dimensions: 2)
        #expect(Array(parsed.vectors) == [[1.5, -2], [3, 4]])
        #expect(parsed.vectors.bytes(at: 1).count == 8)
        #expect(parsed.model == "text-embedding-3-small")
        #expect(parsed.promptTokens == 7)
    }

    @Test func escapedSlashesInBase64AndEscapedModelNamesAreDecoded() throws {
        // 0xFFFFFFFF → "/////w==": a server may write '/' as "\/".
        let slashes = base64([Float(bitPattern: 0xFFFF_FFFF)])
        #expect(slashes.contains("/"))
        let escaped = slashes.replacingOccurrences(of: "/", with: "\\/")
        let json = #"{"data":[{"index":0,"embedding":"\#(escaped)"}],"model":"m\u00e9\ud83d\ude00\n"}"#
        let parsed = try parse(json, count: 1)
        #expect(parsed.vectors[0].map(\.bitPattern) == [0xFFFF_FFFF])
        #expect(parsed.model == "mé😀\n")
        #expect(parsed.promptTokens == nil)
    }

    @Test func floatArraysAreReadToo() throws {
        let parsed = try parse(#"{"data":[{"index":0,"embedding":[0.5, -1e-2, 3E+1, 0]}],"model":"m"}"#, count: 1)
        #expect(Array(parsed.vectors) == [[0.5, -0.01, 30, 0]])
    }

    @Test func base64WithAndWithoutPaddingMatchesFoundation() throws {
        for length in 0..<40 {
            let bytes = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 97 &+ 13) }
            let padded = Data(bytes).base64EncodedString()
            for text in [padded, padded.replacingOccurrences(of: "=", with: "")] {
                var utf8 = Array(text.utf8)
                let decoded = utf8.withUnsafeMutableBytes { raw -> [UInt8]? in
                    let input = UnsafeRawBufferPointer(raw)
                    guard let count = Base64.decodedLength(of: input) else { return nil }
                    var out = [UInt8](repeating: 0, count: count)
                    let ok = out.withUnsafeMutableBytes { Base64.decode(input, into: $0) }
                    return ok ? out : nil
                }
                #expect(decoded == bytes, "\(text)")
                utf8.removeAll()
            }
        }
    }

    @Test func base64DecodesEveryByteValueWithoutWritingPastItsTarget() throws {
        for length in [1, 2, 3, 4, 5, 6, 7, 255, 256, 257, 6_144] {
            let bytes = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 / 256) }
            let text = Array(Data(bytes).base64EncodedString().utf8)
            // The target sits between guard bytes: the decoder stores four bytes at a time.
            var space = [UInt8](repeating: 0xA5, count: length + 16)
            let ok = text.withUnsafeBytes { input in
                space.withUnsafeMutableBytes { raw in
                    Base64.decode(input, into: UnsafeMutableRawBufferPointer(rebasing: raw[8..<(8 + length)]))
                }
            }
            #expect(ok)
            #expect(Array(space[8..<(8 + length)]) == bytes, "length \(length)")
            #expect(space[..<8].allSatisfy { $0 == 0xA5 } && space[(8 + length)...].allSatisfy { $0 == 0xA5 }, "length \(length)")
        }
    }

    @Test func base64RefusesACharacterOutsideItsAlphabetAtAnyPosition() throws {
        let text = Array(Data((0..<30).map { UInt8($0) }).base64EncodedString().utf8)  // 40 characters, no padding
        for position in text.indices {
            for bad in [UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: " "), 0x00, 0xC3] {
                var broken = text
                broken[position] = bad
                var out = [UInt8](repeating: 0, count: 30)
                let ok = broken.withUnsafeBytes { input in out.withUnsafeMutableBytes { Base64.decode(input, into: $0) } }
                #expect(!ok, "\(bad) at \(position)")
            }
        }
    }

    @Test func badResponsesSayWhatIsWrong() {
        let good = base64([1, 2])
        let item = { (index: String, embedding: String) in #"{"index":\#(index),"embedding":\#(embedding)}"# }
        let body = { (items: [String]) in #"{"data":[\#(items.joined(separator: ","))],"model":"m"}"# }
        #expect(failure(body([item("0", "\"\(good)\"")]), count: 2) == "expected 2 embeddings, got 1")
        #expect(failure(body([item("0", "\"\(good)\""), item("0", "\"\(good)\"")]), count: 2)
                == "embedding index 0 is out of range or repeated")
        #expect(failure(body([item("5", "\"\(good)\"")]), count: 1) == "embedding index 5 is out of range or repeated")
        #expect(failure(#"{"data":[{"embedding":"\#(good)"}],"model":"m"}"#, count: 1)
                == "embedding index (missing) is out of range or repeated")
        #expect(failure(body([item("0", "\"AAA*AAAA\"")]), count: 1) == "embedding 0 is not valid base64 float32 data")
        #expect(failure(body([item("0", "\"AAAAA\"")]), count: 1) == "embedding 0 is not valid base64 float32 data")
        #expect(failure(body([item("0", "\"AAAA\"")]), count: 1) == "embedding 0 is not valid base64 float32 data")
        #expect(failure(body([item("0", "\"\(good)\"")]), count: 1, dimensions: 3) == "embedding 0 has 2 dimensions, expected 3")
        #expect(failure(body([item("0", "\"\"")]), count: 1) == "embedding 0 is empty")
        #expect(failure(#"{"model":"m"}"#, count: 1) == #"the response has no "data" list"#)
        #expect(failure(#"{"data":[]}"#, count: 0) == #"the response has no "model""#)
        #expect(failure(#"{"data":[],"model":"m"} x"#, count: 0) == "invalid JSON: unexpected data after the JSON value at byte 25")
        #expect(failure(#"{"data":[{"index":0,"embedding":"AAAA}]}"#, count: 1) == "invalid JSON: unterminated string at byte 41")
        #expect(failure(#"{"data":[{"index":0.5}]}"#, count: 1) == "invalid JSON: expected an integer at byte 22")
        #expect(failure(#"{"data":[{"index":0,,}]}"#, count: 1) == "invalid JSON: expected a string key at byte 21")
        #expect(failure(#"{"data":[{"index":nope}]}"#, count: 1) == "invalid JSON: expected a number at byte 19")
        #expect(failure(#"{"data":[{"x":nope}]}"#, count: 1) == "invalid JSON: invalid literal (expected true, false or null) at byte 15")
        #expect(failure(String(repeating: "[", count: 100), count: 1) == "invalid JSON: expected an object at byte 1")
        #expect(failure(#"{"x":"# + String(repeating: "[", count: 100), count: 1) == "invalid JSON: nesting deeper than 64 levels at byte 69")
        #expect(failure("{\"model\":\"a\u{01}b\"}", count: 1) == "invalid JSON: unescaped control character in a string at byte 12")
    }
}
