#if canImport(Glibc)
import Glibc
#endif

/// A scan file opened for reading: its header checked and its committed bytes mapped
/// read-only. The mapping stays valid however the file changes on disk: appends write
/// past the committed length only, and rebuilds replace the file by rename.
// @unchecked Sendable is safe: every stored property is immutable after init, and the
// mapped bytes are read-only and never written while mapped (see above); the mapping is
// released only in deinit, when no task can still hold the file.
public final class ScanFile: @unchecked Sendable {

    /// A block of one kind's vectors.
    struct Block: Sendable {
        var header: BlockHeader
        /// Where the block starts in the file.
        var offset: Int
    }

    /// The path it was opened at.
    public let path: String
    let header: ScanFileHeader
    let blocks: [Block]
    let base: UnsafeRawPointer
    let length: Int

    private init(path: String, header: ScanFileHeader, blocks: [Block], base: UnsafeRawPointer, length: Int) {
        self.path = path
        self.header = header
        self.blocks = blocks
        self.base = base
        self.length = length
    }

    deinit { munmap(UnsafeMutableRawPointer(mutating: base), length) }

    /// How many vectors of each kind the file holds.
    public var kinds: [VectorKind: Int] {
        var counts: [VectorKind: Int] = [:]
        for block in blocks { counts[block.header.kind, default: 0] += block.header.count }
        return counts
    }

    /// The database identity and change the file covers.
    public var covered: ChangeState {
        ChangeState(databaseID: header.databaseID, seq: header.coveredSeq, nonce: header.coveredNonce)
    }

    /// The first float of `block`'s vectors.
    @inline(__always)
    func vectors(of block: Block) -> UnsafeRawPointer { base + block.offset + block.header.vectorsOffset }

    /// The first row of `block`'s int8 codes.
    @inline(__always)
    func codes(of block: Block) -> UnsafeRawPointer { base + block.offset + block.header.codesOffset }

    /// The first of `block`'s records (`Int8Codes.Record`).
    @inline(__always)
    func records(of block: Block) -> UnsafeRawPointer { base + block.offset + block.header.recordsOffset }

    /// Key `index` of `block`.
    @inline(__always)
    func key(_ index: Int, of block: Block) -> VectorKey {
        let raw = base + block.offset + block.header.keysOffset + index * ScanFileLayout.keySize
        return VectorKey(jobID: Int64(littleEndian: raw.loadUnaligned(as: Int64.self)),
                         chunk: Int32(littleEndian: raw.loadUnaligned(fromByteOffset: 8, as: Int32.self)))
    }

    /// Opens and checks the file at `path`: magic, version and checksums of the header
    /// and every block header and key list, and that the file holds all it commits to.
    /// The codes' checksums are checked by each scan, which reads them anyway, and a
    /// vector's own checksum whenever a scan reads it.
    /// - Returns: the file, or why it cannot be used (`.missing` when there is none).
    public static func open(path: String) -> Result<ScanFile, ScanFileProblem> {
        let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            return .failure(errno == ENOENT ? .missing : .corrupt("cannot open: \(String(cString: strerror(errno)))"))
        }
        defer { close(fd) }
        // Shared with other readers; an append (exclusive) is not half-way while we read.
        flock(fd, LOCK_SH)
        defer { flock(fd, LOCK_UN) }
        var status = stat()
        guard fstat(fd, &status) == 0 else { return .failure(.corrupt("cannot stat: \(String(cString: strerror(errno)))")) }
        let size = Int(status.st_size)
        var headerBytes = [UInt8](repeating: 0, count: ScanFileLayout.headerSize)
        let read = headerBytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress, ScanFileLayout.headerSize, 0) }
        guard read == ScanFileLayout.headerSize else { return .failure(.truncated("\(size) bytes, shorter than its header")) }
        let header: ScanFileHeader
        switch headerBytes.withUnsafeBytes({ ScanFileHeader.decode($0) }) {
        case .success(let decoded): header = decoded
        case .failure(let problem): return .failure(problem)
        }
        let committed = Int(truncatingIfNeeded: header.committedLength)
        guard committed >= ScanFileLayout.headerSize else { return .failure(.corrupt("committed length \(committed) is impossible")) }
        guard size >= committed else { return .failure(.truncated("\(size) bytes of the \(committed) its header commits to")) }
        guard let mapped = mmap(nil, committed, PROT_READ, MAP_SHARED, fd, 0), mapped != UnsafeMutableRawPointer(bitPattern: -1) else {
            return .failure(.corrupt("cannot map: \(String(cString: strerror(errno)))"))
        }
        let base = UnsafeRawPointer(mapped)
        var blocks: [Block] = []
        var offset = ScanFileLayout.headerSize
        for _ in 0..<header.blockCount {
            switch BlockHeader.decode(base, offset: offset, limit: committed) {
            case .success(let block):
                let keys = base + offset + block.keysOffset
                guard LaneChecksum.of(keys, byteCount: block.count * ScanFileLayout.keySize) == block.keysChecksum else {
                    munmap(mapped, committed)
                    return .failure(.corrupt("key checksum mismatch in the block at offset \(offset)"))
                }
                blocks.append(Block(header: block, offset: offset))
                offset += block.length
            case .failure(let problem):
                munmap(mapped, committed)
                return .failure(problem)
            }
        }
        guard offset == committed else {
            munmap(mapped, committed)
            return .failure(.corrupt("blocks end at \(offset), not at the committed length \(committed)"))
        }
        return .success(ScanFile(path: path, header: header, blocks: blocks, base: base, length: committed))
    }
}
