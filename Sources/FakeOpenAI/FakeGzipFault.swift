import NIOCore

/// A `Content-Encoding: gzip` body for file contents that a client must refuse to inflate.
public enum FakeGzipFault: Sendable, Equatable {
    /// A valid gzip stream of this many bytes of "a", at about 158 inflated bytes per byte
    /// sent (deflate's longest match, repeated): a decompression bomb.
    case bomb(inflatedBytes: Int)
    /// A gzip header followed by a deflate block of the reserved type: inflating fails at once.
    case corrupt

    /// The body to send.
    var body: ByteBuffer {
        switch self {
        case .bomb(let size): FakeGzip.bomb(inflatedBytes: max(1, size))
        case .corrupt: ByteBuffer(bytes: FakeGzip.header + [0x07, 0x00, 0x00, 0x00])  // BFINAL, BTYPE 11 (reserved)
        }
    }
}

extension FakeGzip {
    /// The gzip header: magic, deflate, no flags, no time, unknown OS.
    static let header: [UInt8] = [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff]

    /// `inflatedBytes` bytes of "a" as one fixed-Huffman deflate block: a literal, then
    /// matches of 258 bytes at distance 1 (13 bits each), the rest as literals.
    static func bomb(inflatedBytes: Int) -> ByteBuffer {
        var bits = BitWriter()
        bits.put(1, count: 1)  // BFINAL
        bits.put(1, count: 2)  // BTYPE 01: fixed Huffman codes
        let literal: UInt32 = 0x30 + UInt32(UInt8(ascii: "a"))  // literals 0-143: 8-bit codes from 0x30
        bits.putCode(literal, length: 8)
        var left = inflatedBytes - 1
        while left >= 258 {
            bits.putCode(0xc5, length: 8)  // length symbol 285 (258 bytes): 8-bit codes from 0xc0 for 280-287
            bits.putCode(0, length: 5)  // distance code 0 (distance 1)
            left -= 258
        }
        for _ in 0..<left { bits.putCode(literal, length: 8) }
        bits.putCode(0, length: 7)  // end of block (symbol 256)
        var out = ByteBuffer(bytes: header + bits.finish())
        var crc: UInt32 = 0xffff_ffff
        let byte = UInt32(UInt8(ascii: "a"))
        for _ in 0..<inflatedBytes { crc = crcTable[Int((crc ^ byte) & 0xff)] ^ (crc >> 8) }
        out.writeInteger(~crc, endianness: .little)
        out.writeInteger(UInt32(truncatingIfNeeded: inflatedBytes), endianness: .little)
        return out
    }

    /// Packs bits least significant first, as deflate does.
    private struct BitWriter {
        private var bytes: [UInt8] = []
        private var buffer: UInt32 = 0
        private var count = 0

        /// Appends the low `count` bits of `value`, least significant first.
        mutating func put(_ value: UInt32, count bitCount: Int) {
            buffer |= value << UInt32(count)
            count += bitCount
            while count >= 8 {
                bytes.append(UInt8(buffer & 0xff))
                buffer >>= 8
                count -= 8
            }
        }

        /// Appends a Huffman code, most significant bit first.
        mutating func putCode(_ code: UInt32, length: Int) {
            var reversed: UInt32 = 0
            for bit in 0..<length where code & (1 << UInt32(bit)) != 0 { reversed |= 1 << UInt32(length - 1 - bit) }
            put(reversed, count: length)
        }

        /// The bytes, the last one padded with zero bits.
        mutating func finish() -> [UInt8] {
            if count > 0 { bytes.append(UInt8(buffer & 0xff)) }
            buffer = 0
            count = 0
            return bytes
        }
    }
}
