/// A checksum of 32-bit words kept as eight wrapping lane sums (word i goes to lane
/// i mod 8), so it is computed in the same SIMD loop as a dot product, adds up across
/// threads in any order, and changes with any single flipped bit.
public struct LaneChecksum: Sendable, Equatable {
    /// The eight lane sums.
    public var lanes = SIMD8<UInt32>()

    /// An empty checksum.
    public init() {}

    /// Adds `byteCount` bytes (a multiple of 4) from `base`, word 0 to lane 0.
    public mutating func add(_ base: UnsafeRawPointer, byteCount: Int) {
        let words = byteCount / 4
        var index = 0
        while index + 8 <= words {
            lanes &+= base.loadUnaligned(fromByteOffset: index * 4, as: SIMD8<UInt32>.self)
            index += 8
        }
        while index < words {
            lanes[index & 7] &+= base.loadUnaligned(fromByteOffset: index * 4, as: UInt32.self)
            index += 1
        }
    }

    /// Both checksums' words together.
    public mutating func combine(_ other: LaneChecksum) { lanes &+= other.lanes }

    /// The lanes folded into one 64-bit value (FNV-1a over the lane sums).
    public var value: UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for index in 0..<8 {
            hash = (hash ^ UInt64(lanes[index])) &* 0x0000_0100_0000_01B3
        }
        return hash
    }

    /// The checksum of `byteCount` bytes at `base`.
    public static func of(_ base: UnsafeRawPointer, byteCount: Int) -> UInt64 {
        var checksum = LaneChecksum()
        checksum.add(base, byteCount: byteCount)
        return checksum.value
    }
}
