/// A text decoded into Unicode scalars, with each scalar's class and UTF-8 offset.
///
/// The buffers are borrowed for the duration of one `withScannedText` call. `bytes` is
/// padded with at least eight zero bytes after `byteCount`, so the rank table may load
/// eight bytes at any piece start.
struct ScannedText {
    /// The UTF-8 bytes, padded with zeros.
    let bytes: UnsafeMutableBufferPointer<UInt8>
    /// Number of UTF-8 bytes of the text (without padding).
    let byteCount: Int
    /// Scalar values, `count` of them.
    let scalars: UnsafeMutableBufferPointer<UInt32>
    /// `ScalarClass` bits, parallel to `scalars`.
    let classes: UnsafeMutableBufferPointer<UInt8>
    /// UTF-8 offset of each scalar, plus `byteCount` at index `count`.
    let offsets: UnsafeMutableBufferPointer<Int>
    /// Number of scalars.
    let count: Int

    @inline(__always)
    func scalar(_ index: Int) -> UInt32 { scalars[index] }

    @inline(__always)
    func cls(_ index: Int) -> UInt8 { classes[index] }

    /// Whether the scalar at `index` has any of the `ScalarClass` bits in `mask`.
    @inline(__always)
    func has(_ index: Int, _ mask: UInt8) -> Bool { classes[index] & mask != 0 }
}

/// Decodes `text` into a `ScannedText` and passes it to `body`.
@inline(__always)
func withScannedText<R>(_ text: String, _ body: (ScannedText) -> R) -> R {
    var text = text
    return text.withUTF8 { utf8 in
        let byteCount = utf8.count
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: byteCount + 16) { bytes in
            _ = bytes.initialize(from: utf8)
            for index in byteCount..<(byteCount + 16) { bytes[index] = 0 }
            return withUnsafeTemporaryAllocation(of: UInt32.self, capacity: byteCount + 1) { scalars in
                withUnsafeTemporaryAllocation(of: UInt8.self, capacity: byteCount + 1) { classes in
                    withUnsafeTemporaryAllocation(of: Int.self, capacity: byteCount + 1) { offsets in
                        let count = decodeScalars(
                            utf8, byteCount: byteCount, scalars: scalars, classes: classes, offsets: offsets)
                        return body(ScannedText(
                            bytes: bytes, byteCount: byteCount, scalars: scalars, classes: classes,
                            offsets: offsets, count: count))
                    }
                }
            }
        }
    }
}

/// Decodes well-formed UTF-8 (Swift strings always are) into scalars, classes and offsets.
/// Returns the number of scalars.
@inline(__always)
private func decodeScalars(
    _ utf8: UnsafeBufferPointer<UInt8>, byteCount: Int,
    scalars: UnsafeMutableBufferPointer<UInt32>, classes: UnsafeMutableBufferPointer<UInt8>,
    offsets: UnsafeMutableBufferPointer<Int>
) -> Int {
    UnicodeClasses.basicPlane.withUnsafeBufferPointer { plane in
        var index = 0
        var count = 0
        while index < byteCount {
            let lead = utf8[index]
            offsets[count] = index
            var value: UInt32
            if lead < 0x80 {
                value = UInt32(lead)
                index &+= 1
            } else if lead < 0xE0 {
                value = (UInt32(lead & 0x1F) << 6) | UInt32(utf8[index &+ 1] & 0x3F)
                index &+= 2
            } else if lead < 0xF0 {
                value = (UInt32(lead & 0x0F) << 12) | (UInt32(utf8[index &+ 1] & 0x3F) << 6)
                    | UInt32(utf8[index &+ 2] & 0x3F)
                index &+= 3
            } else {
                value = (UInt32(lead & 0x07) << 18) | (UInt32(utf8[index &+ 1] & 0x3F) << 12)
                    | (UInt32(utf8[index &+ 2] & 0x3F) << 6) | UInt32(utf8[index &+ 3] & 0x3F)
                index &+= 4
            }
            scalars[count] = value
            classes[count] = value < 0x10000
                ? plane[Int(value)] : UnicodeClasses.computeClass(value)
            count &+= 1
        }
        offsets[count] = byteCount
        return count
    }
}
