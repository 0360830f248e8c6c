/// The scan's arithmetic: SIMD dot products of float32 vectors that also add each
/// vector's words into a `LaneChecksum`, in the same pass over memory.
public enum DotProduct {
    /// The dot product of the `dimensions` floats at `vector` and at `query`; adds the
    /// vector's words to `checksum` (word i to lane i mod 8).
    @inline(__always)
    public static func dot(_ vector: UnsafeRawPointer, _ query: UnsafeRawPointer, dimensions: Int,
                           checksum: inout SIMD8<UInt32>) -> Float {
        var a0 = SIMD8<Float>(), a1 = SIMD8<Float>(), a2 = SIMD8<Float>(), a3 = SIMD8<Float>()
        var s0 = SIMD8<UInt32>(), s1 = SIMD8<UInt32>()
        var offset = 0
        let wide = dimensions / 32 * 128
        while offset < wide {
            let v0 = vector.loadUnaligned(fromByteOffset: offset, as: SIMD8<Float>.self)
            let v1 = vector.loadUnaligned(fromByteOffset: offset + 32, as: SIMD8<Float>.self)
            let v2 = vector.loadUnaligned(fromByteOffset: offset + 64, as: SIMD8<Float>.self)
            let v3 = vector.loadUnaligned(fromByteOffset: offset + 96, as: SIMD8<Float>.self)
            a0 += v0 * query.loadUnaligned(fromByteOffset: offset, as: SIMD8<Float>.self)
            a1 += v1 * query.loadUnaligned(fromByteOffset: offset + 32, as: SIMD8<Float>.self)
            a2 += v2 * query.loadUnaligned(fromByteOffset: offset + 64, as: SIMD8<Float>.self)
            a3 += v3 * query.loadUnaligned(fromByteOffset: offset + 96, as: SIMD8<Float>.self)
            s0 &+= unsafeBitCast(v0, to: SIMD8<UInt32>.self) &+ unsafeBitCast(v1, to: SIMD8<UInt32>.self)
            s1 &+= unsafeBitCast(v2, to: SIMD8<UInt32>.self) &+ unsafeBitCast(v3, to: SIMD8<UInt32>.self)
            offset += 128
        }
        let eights = dimensions / 8 * 32
        while offset < eights {
            let v = vector.loadUnaligned(fromByteOffset: offset, as: SIMD8<Float>.self)
            a0 += v * query.loadUnaligned(fromByteOffset: offset, as: SIMD8<Float>.self)
            s0 &+= unsafeBitCast(v, to: SIMD8<UInt32>.self)
            offset += 32
        }
        var tail: Float = 0
        var word = offset / 4
        while word < dimensions {
            let bits = vector.loadUnaligned(fromByteOffset: word * 4, as: UInt32.self)
            tail += Float(bitPattern: bits) * query.loadUnaligned(fromByteOffset: word * 4, as: Float.self)
            s0[word & 7] &+= bits
            word += 1
        }
        checksum &+= s0 &+ s1
        return ((a0 + a1) + (a2 + a3)).sum() + tail
    }

    /// `vector` scaled to unit length; left as it is when already unit length (within
    /// float rounding, so unit vectors stay bit-exact) or all zeros.
    public static func normalized(_ vector: [Float]) -> [Float] {
        var sum: Double = 0
        for value in vector { sum += Double(value) * Double(value) }
        guard sum > 0, abs(sum - 1) > 1e-5 else { return vector }
        let scale = Float(1 / sum.squareRoot())
        return vector.map { $0 * scale }
    }
}
