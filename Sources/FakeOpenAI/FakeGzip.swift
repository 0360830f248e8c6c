import NIOCore

/// gzip (RFC 1952) of bytes in deflate's stored blocks: nothing is compressed, so the fake
/// can answer `Content-Encoding: gzip` bodies of any size without a compressor (the client
/// still has to inflate them, with whatever limits it sets on that).
enum FakeGzip {
    /// `input` as a gzip stream of stored blocks of at most 65,535 bytes.
    static func stored(_ input: ByteBuffer) -> ByteBuffer {
        var out = ByteBuffer()
        out.reserveCapacity(input.readableBytes + input.readableBytes / 65_535 * 5 + 32)
        out.writeBytes(header)
        var crc: UInt32 = 0xffff_ffff
        input.withUnsafeReadableBytes { raw in
            var offset = 0
            repeat {
                let count = min(65_535, raw.count - offset)
                let block = UnsafeRawBufferPointer(rebasing: raw[offset..<(offset + count)])
                out.writeInteger(UInt8(offset + count == raw.count ? 1 : 0))  // BFINAL, BTYPE 00 (stored)
                out.writeInteger(UInt16(count), endianness: .little)
                out.writeInteger(~UInt16(count), endianness: .little)
                out.writeBytes(block)
                for byte in block { crc = crcTable[Int((crc ^ UInt32(byte)) & 0xff)] ^ (crc >> 8) }
                offset += count
            } while offset < raw.count
        }
        out.writeInteger(~crc, endianness: .little)
        out.writeInteger(UInt32(truncatingIfNeeded: input.readableBytes), endianness: .little)
        return out
    }

    /// CRC-32 (IEEE 802.3, reflected) of each byte value.
    static let crcTable: [UInt32] = (0..<256).map { value in
        var c = UInt32(value)
        for _ in 0..<8 { c = c & 1 != 0 ? 0xedb8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }
}
