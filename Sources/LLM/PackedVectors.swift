/// Embedding vectors packed as little-endian float32 values, one after another in input
/// order: the layout llmq stores in `embeddings.vector`, held without a `[Float]` per
/// vector. Indexing gives a vector as `[Float]`; ``bytes(at:)`` gives its stored bytes.
public struct PackedVectors: Sendable, Hashable, RandomAccessCollection {
    /// Every value as little-endian float32 bytes, vector after vector.
    public let littleEndianBytes: [UInt8]
    /// The byte offset where each vector ends.
    private let ends: [Int]

    /// Vectors of `dimensions` values each, taken from `littleEndianBytes` (its length must
    /// be a multiple of `dimensions * 4`; a trailing partial vector is ignored).
    public init(littleEndianBytes: [UInt8], dimensions: Int) {
        let stride = Swift.max(dimensions, 1) * 4
        self.littleEndianBytes = littleEndianBytes
        self.ends = Array(Swift.stride(from: stride, through: littleEndianBytes.count, by: stride))
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
