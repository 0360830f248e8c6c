#if canImport(Glibc)
import Glibc
#endif

/// Writes blocks to a scan file: vectors of each kind are gathered (unit length, with
/// their int8 codes and records) until a block's worth, then written with their keys and
/// checksums. Memory stays bounded by
/// one block per kind however many vectors pass through.
final class ScanFileWriter {
    /// A block's vector bytes before it is written (32 MiB: 5,461 vectors at 1,536 dims).
    static let defaultBlockBytes = 32 << 20

    private struct Pending {
        var codes: [UInt8] = []
        var records: [UInt8] = []
        var vectors: [UInt8] = []
        var keys: [UInt8] = []
        var count = 0
    }

    let fd: Int32
    let blockBytes: Int
    let name: String
    /// Where the next block goes; after `finish()`, the committed length.
    private(set) var offset: Int
    /// Blocks written (including those of the file before this writer).
    private(set) var blockCount: Int
    private var pending: [VectorKind: Pending] = [:]
    private var scaled: [Float] = []

    /// A writer that appends blocks to `fd` from `offset`, after `blockCount` blocks.
    init(fd: Int32, name: String, offset: Int, blockCount: Int, blockBytes: Int = defaultBlockBytes) {
        self.blockBytes = blockBytes
        self.fd = fd
        self.name = name
        self.offset = offset
        self.blockCount = blockCount
    }

    /// Adds one vector (little-endian float32 bytes), scaled to unit length when it is
    /// not already.
    func add(_ key: VectorKey, kind: VectorKind, bytes: UnsafeRawBufferPointer) throws {
        var block = pending.removeValue(forKey: kind) ?? Pending()
        if block.vectors.isEmpty { block.vectors.reserveCapacity(min(blockBytes, 1 << 20) + bytes.count) }
        var lanes = SIMD8<UInt32>()
        let base = bytes.baseAddress!
        let sum = DotProduct.dot(base, base, dimensions: kind.dimensions, checksum: &lanes)
        if sum > 0, abs(sum - 1) > 1e-4 {
            let scale = 1 / Double(sum).squareRoot()
            scaled.removeAll(keepingCapacity: true)
            for index in 0..<kind.dimensions {
                let value = Float(bitPattern: UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: index * 4, as: UInt32.self)))
                scaled.append(Float(Double(value) * scale))
            }
            scaled.withUnsafeBytes { raw in
                var checksum = LaneChecksum()
                checksum.add(raw.baseAddress!, byteCount: raw.count)
                Self.append(raw, checksum: checksum, dimensions: kind.dimensions, to: &block)
            }
        } else {
            var checksum = LaneChecksum()
            checksum.lanes = lanes
            Self.append(bytes, checksum: checksum, dimensions: kind.dimensions, to: &block)
        }
        withUnsafeBytes(of: key.jobID.littleEndian) { block.keys.append(contentsOf: $0) }
        withUnsafeBytes(of: key.chunk.littleEndian) { block.keys.append(contentsOf: $0) }
        block.keys.append(contentsOf: [0, 0, 0, 0])
        block.count += 1
        if block.vectors.count >= blockBytes {
            try write(block, kind: kind)
        } else {
            pending[kind] = block
        }
    }

    /// Adds a unit vector's floats, codes and record to `block`.
    private static func append(_ vector: UnsafeRawBufferPointer, checksum: LaneChecksum, dimensions: Int, to block: inout Pending) {
        block.vectors.append(contentsOf: vector)
        Int8Codes.encode(vector.baseAddress!, dimensions: dimensions, checksum: UInt32(truncatingIfNeeded: checksum.value),
                         into: &block.codes).append(to: &block.records)
    }

    /// Writes every block still gathering.
    func finish() throws {
        for (kind, block) in pending.sorted(by: { ($0.key.model, $0.key.dimensions) < ($1.key.model, $1.key.dimensions) }) {
            try write(block, kind: kind)
        }
        pending.removeAll()
    }

    private func write(_ block: Pending, kind: VectorKind) throws {
        var codes = LaneChecksum()
        block.codes.withUnsafeBytes { codes.add($0.baseAddress!, byteCount: $0.count) }
        block.records.withUnsafeBytes { codes.add($0.baseAddress!, byteCount: $0.count) }
        let header = BlockHeader(kind: kind, count: block.count, codesChecksum: codes.value,
                                 keysChecksum: block.keys.withUnsafeBytes { LaneChecksum.of($0.baseAddress!, byteCount: $0.count) })
        try writeAll(header.encoded(), at: offset)
        let regions = [(block.codes, header.codesOffset, header.recordsOffset), (block.records, header.recordsOffset, header.vectorsOffset),
                       (block.vectors, header.vectorsOffset, header.keysOffset), (block.keys, header.keysOffset, header.length)]
        for (bytes, start, end) in regions {
            try writeAll(bytes, at: offset + start)
            let padding = end - start - bytes.count
            if padding > 0 { try writeAll([UInt8](repeating: 0, count: padding), at: offset + start + bytes.count) }
        }
        offset += header.length
        blockCount += 1
    }

    /// Writes `bytes` at `position`, all of them.
    func writeAll(_ bytes: [UInt8], at position: Int) throws {
        try bytes.withUnsafeBytes { raw in
            var done = 0
            while done < raw.count {
                let written = pwrite(fd, raw.baseAddress! + done, raw.count - done, off_t(position + done))
                if written < 0, errno == EINTR { continue }
                guard written > 0 else {
                    throw SearchError(.scanFile, "cannot write scan file \(name): \(String(cString: strerror(errno)))")
                }
                done += written
            }
        }
    }
}
