/// Embedding vectors packed as little-endian float32 values, one after another in input
/// order: the layout llmq stores in `embeddings.vector`, held without a `[Float]` per
/// vector. Indexing gives a vector as `[Float]`; ``bytes(at:)`` gives its stored bytes.
public struct PackedVectors: Sendable, Hashable, RandomAccessCollection {
    /// Every value as little-endian float32 bytes, vector after vector.
    public let littleEndianBytes: [UInt8]
    /// The byte offset where each vector ends.
    private let ends: [Int]
    /// Gives the bytes to a pool once the last copy of these vectors is gone (nil: none).
    private let recycler: Recycler?

    /// Vectors of `dimensions` values each, taken from `littleEndianBytes` (its length must
    /// be a multiple of `dimensions * 4`; a trailing partial vector is ignored).
    public init(littleEndianBytes: [UInt8], dimensions: Int) {
        self.init(littleEndianBytes, dimensions: dimensions, recycler: nil)
    }

    /// Like ``init(littleEndianBytes:dimensions:)``; the bytes go to `pool` once the last copy
    /// of these vectors is gone (a slice from ``bytes(at:)`` that outlives them stays valid:
    /// the pool's next taker then writes into a copy).
    init(littleEndianBytes: [UInt8], dimensions: Int, recycledInto pool: BufferPool<[UInt8]>) {
        self.init(littleEndianBytes, dimensions: dimensions, recycler: Recycler(littleEndianBytes, pool: pool))
    }

    private init(_ bytes: [UInt8], dimensions: Int, recycler: Recycler?) {
        let stride = Swift.max(dimensions, 1) * 4
        self.littleEndianBytes = bytes
        self.ends = Array(Swift.stride(from: stride, through: bytes.count, by: stride))
        self.recycler = recycler
    }

    /// Equal when the vectors are.
    public static func == (lhs: PackedVectors, rhs: PackedVectors) -> Bool {
        lhs.ends == rhs.ends && lhs.littleEndianBytes == rhs.littleEndianBytes
    }

    /// Hashes the vectors.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(ends)
        hasher.combine(littleEndianBytes)
    }

    /// Packs `vectors` (of any lengths).
    public init(_ vectors: [[Float]]) {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(vectors.reduce(0) { $0 + $1.count * 4 })
        var ends: [Int] = []
        ends.reserveCapacity(vectors.count)
        for vector in vectors {
            for value in vector {
                withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes.append(contentsOf: $0) }
            }
            ends.append(bytes.count)
        }
        self.littleEndianBytes = bytes
        self.ends = ends
        self.recycler = nil
    }

    public var startIndex: Int { 0 }
    public var endIndex: Int { ends.count }

    /// Vector `index` as floats.
    public subscript(index: Int) -> [Float] {
        let range = byteRange(at: index)
        return littleEndianBytes.withUnsafeBytes { raw in
            (0..<(range.count / 4)).map {
                Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: range.lowerBound + $0 * 4, as: UInt32.self)))
            }
        }
    }

    /// Vector `index` as its little-endian float32 bytes.
    public func bytes(at index: Int) -> ArraySlice<UInt8> {
        littleEndianBytes[byteRange(at: index)]
    }

    /// The number of values in vector `index`.
    public func dimensions(at index: Int) -> Int { byteRange(at: index).count / 4 }

    private func byteRange(at index: Int) -> Range<Int> {
        (index == 0 ? 0 : ends[index - 1])..<ends[index]
    }
}

/// Holds one more reference to a vector buffer and gives it to its pool when released: the
/// last copy of a ``PackedVectors`` going away releases it.
private final class Recycler: Sendable {
    private let bytes: [UInt8]
    private let pool: BufferPool<[UInt8]>

    init(_ bytes: [UInt8], pool: BufferPool<[UInt8]>) {
        self.bytes = bytes
        self.pool = pool
    }

    deinit { pool.give(bytes, bytes: bytes.capacity) }
}
