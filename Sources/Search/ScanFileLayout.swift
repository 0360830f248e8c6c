/// The scan file's bytes (all integers little-endian; the file is native to the machine
/// that built it and rebuilt on any other):
///
/// - a 4,096-byte header: magic `LLMQSCN1`, format version, the database's identity,
///   the `search_changes` seq and nonce it covers, the committed length, the block count,
///   and a checksum of all of it;
/// - blocks, one after another from offset 4,096, each region 64-byte aligned: a 64-byte
///   block header (magic, dimensions, count, model name length, checksums of the codes
///   and keys, block length, a checksum of the header and model name), the model name,
///   then `count` rows of int8 codes (`Int8Codes`, each row padded to 32 bytes), `count`
///   16-byte records (scale, error and norm of each vector, and its checksum), `count ×
///   dimensions` float32 values (unit length), then `count` 16-byte keys (job id,
///   chunk, padding).
///
/// A scan reads the codes and records (checked by the codes checksum as it reads them)
/// and only the float32 vectors of the candidates its first pass leaves (each checked
/// against its record). Bytes past the committed length are an append that did not
/// finish and are ignored. Version 1 files (float32 only) are rebuilt.
public enum ScanFileLayout {
    static let magic: UInt64 = 0x314E_4353_514D_4C4C  // "LLMQSCN1"
    static let version: UInt32 = 2
    static let headerSize = 4096
    static let blockMagic: UInt32 = 0x314B_4C42  // "BLK1"
    static let blockHeaderSize = 64
    static let keySize = 16
    static let alignment = 64

    /// `value` rounded up to the alignment.
    static func aligned(_ value: Int) -> Int { (value + alignment - 1) / alignment * alignment }
}

/// The scan file's header: what it covers.
struct ScanFileHeader: Equatable, Sendable {
    var databaseID: [UInt8]
    var coveredSeq: Int64
    var coveredNonce: Int64
    var committedLength: UInt64
    var blockCount: UInt32

    /// The 4,096 header bytes, checksum included.
    func encoded() -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: ScanFileLayout.headerSize)
        bytes.withUnsafeMutableBytes { raw in
            raw.storeBytes(of: ScanFileLayout.magic.littleEndian, toByteOffset: 0, as: UInt64.self)
            raw.storeBytes(of: ScanFileLayout.version.littleEndian, toByteOffset: 8, as: UInt32.self)
            for (index, byte) in databaseID.prefix(16).enumerated() { raw[16 + index] = byte }
            raw.storeBytes(of: coveredSeq.littleEndian, toByteOffset: 32, as: Int64.self)
            raw.storeBytes(of: coveredNonce.littleEndian, toByteOffset: 40, as: Int64.self)
            raw.storeBytes(of: committedLength.littleEndian, toByteOffset: 48, as: UInt64.self)
            raw.storeBytes(of: blockCount.littleEndian, toByteOffset: 56, as: UInt32.self)
            let checksum = LaneChecksum.of(raw.baseAddress!, byteCount: 64)
            raw.storeBytes(of: checksum.littleEndian, toByteOffset: 64, as: UInt64.self)
        }
        return bytes
    }

    /// Decodes a header; nil with the reason when it is not a valid llmq scan header.
    static func decode(_ raw: UnsafeRawBufferPointer) -> Result<ScanFileHeader, ScanFileProblem> {
        guard raw.count >= ScanFileLayout.headerSize else { return .failure(.truncated("shorter than its header")) }
        guard UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 0, as: UInt64.self)) == ScanFileLayout.magic else {
            return .failure(.corrupt("not an llmq scan file (bad magic)"))
        }
        let version = UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 8, as: UInt32.self))
        guard version == ScanFileLayout.version else { return .failure(.corrupt("format version \(version), not \(ScanFileLayout.version)")) }
        let stored = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 64, as: UInt64.self))
        guard LaneChecksum.of(raw.baseAddress!, byteCount: 64) == stored else { return .failure(.corrupt("header checksum mismatch")) }
        return .success(ScanFileHeader(
            databaseID: Array(raw[16..<32]),
            coveredSeq: Int64(littleEndian: raw.loadUnaligned(fromByteOffset: 32, as: Int64.self)),
            coveredNonce: Int64(littleEndian: raw.loadUnaligned(fromByteOffset: 40, as: Int64.self)),
            committedLength: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 48, as: UInt64.self)),
            blockCount: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 56, as: UInt32.self))))
    }
}

/// Why a scan file cannot be used (it is then rebuilt).
public enum ScanFileProblem: Error, Equatable, Sendable, CustomStringConvertible {
    /// There is no scan file yet.
    case missing
    /// The file ends before the data its header commits to.
    case truncated(String)
    /// The bytes do not check out (magic, version, a checksum, a block out of bounds).
    case corrupt(String)
    /// The file was made for another database.
    case foreign

    public var description: String {
        switch self {
        case .missing: return "missing"
        case .truncated(let detail): return "truncated (\(detail))"
        case .corrupt(let detail): return "corrupt (\(detail))"
        case .foreign: return "made for another database"
        }
    }
}

/// A block's header: one kind's vectors and keys.
struct BlockHeader: Equatable, Sendable {
    var kind: VectorKind
    var count: Int
    /// The checksum of the codes and the records.
    var codesChecksum: UInt64
    var keysChecksum: UInt64

    var modelBytes: [UInt8] { Array(kind.model.utf8) }
    /// Bytes per row of codes.
    var codeStride: Int { Int8Codes.stride(kind.dimensions) }
    /// Offset of the codes from the block start.
    var codesOffset: Int { ScanFileLayout.blockHeaderSize + ScanFileLayout.aligned(modelBytes.count) }
    /// Offset of the records from the block start.
    var recordsOffset: Int { codesOffset + ScanFileLayout.aligned(count * codeStride) }
    /// Offset of the vectors from the block start.
    var vectorsOffset: Int { recordsOffset + ScanFileLayout.aligned(count * Int8Codes.recordSize) }
    /// Offset of the keys from the block start.
    var keysOffset: Int { vectorsOffset + ScanFileLayout.aligned(count * kind.dimensions * 4) }
    /// The whole block's length, padded.
    var length: Int { keysOffset + ScanFileLayout.aligned(count * ScanFileLayout.keySize) }

    /// The header and model name, padded to `codesOffset` bytes.
    func encoded() -> [UInt8] {
        let model = modelBytes
        var bytes = [UInt8](repeating: 0, count: codesOffset)
        bytes.withUnsafeMutableBytes { raw in
            raw.storeBytes(of: ScanFileLayout.blockMagic.littleEndian, toByteOffset: 0, as: UInt32.self)
            raw.storeBytes(of: UInt32(kind.dimensions).littleEndian, toByteOffset: 4, as: UInt32.self)
            raw.storeBytes(of: UInt64(count).littleEndian, toByteOffset: 8, as: UInt64.self)
            raw.storeBytes(of: UInt32(model.count).littleEndian, toByteOffset: 16, as: UInt32.self)
            raw.storeBytes(of: keysChecksum.littleEndian, toByteOffset: 24, as: UInt64.self)
            raw.storeBytes(of: codesChecksum.littleEndian, toByteOffset: 32, as: UInt64.self)
            raw.storeBytes(of: UInt64(length).littleEndian, toByteOffset: 40, as: UInt64.self)
            for (index, byte) in model.enumerated() { raw[ScanFileLayout.blockHeaderSize + index] = byte }
            let checksum = Self.headerChecksum(raw.baseAddress!, modelLength: model.count)
            raw.storeBytes(of: checksum.littleEndian, toByteOffset: 48, as: UInt64.self)
        }
        return bytes
    }

    private static func headerChecksum(_ base: UnsafeRawPointer, modelLength: Int) -> UInt64 {
        var checksum = LaneChecksum()
        checksum.add(base, byteCount: 48)
        checksum.add(base + ScanFileLayout.blockHeaderSize, byteCount: ScanFileLayout.aligned(modelLength))
        return checksum.value
    }

    /// Decodes the block header at `offset` of a file of `limit` committed bytes.
    static func decode(_ base: UnsafeRawPointer, offset: Int, limit: Int) -> Result<BlockHeader, ScanFileProblem> {
        guard offset + ScanFileLayout.blockHeaderSize <= limit else { return .failure(.corrupt("block at \(offset) runs past the end")) }
        let raw = base + offset
        guard UInt32(littleEndian: raw.loadUnaligned(as: UInt32.self)) == ScanFileLayout.blockMagic else {
            return .failure(.corrupt("no block at offset \(offset)"))
        }
        let dimensions = Int(UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4, as: UInt32.self)))
        let count = Int(truncatingIfNeeded: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self)))
        let modelLength = Int(UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 16, as: UInt32.self)))
        guard dimensions > 0, dimensions <= 1 << 16, count >= 0, count <= 1 << 40, modelLength <= 4096,
              offset + ScanFileLayout.blockHeaderSize + ScanFileLayout.aligned(modelLength) <= limit else {
            return .failure(.corrupt("block at offset \(offset) has impossible sizes"))
        }
        let stored = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 48, as: UInt64.self))
        guard headerChecksum(raw, modelLength: modelLength) == stored else {
            return .failure(.corrupt("block header checksum mismatch at offset \(offset)"))
        }
        let model = String(decoding: UnsafeRawBufferPointer(start: raw + ScanFileLayout.blockHeaderSize, count: modelLength), as: UTF8.self)
        let header = BlockHeader(kind: VectorKind(model: model, dimensions: dimensions), count: count,
                                 codesChecksum: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 32, as: UInt64.self)),
                                 keysChecksum: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 24, as: UInt64.self)))
        let length = Int(truncatingIfNeeded: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 40, as: UInt64.self)))
        guard length == header.length, offset + length <= limit else {
            return .failure(.corrupt("block at offset \(offset) runs past the committed length"))
        }
        return .success(header)
    }
}
