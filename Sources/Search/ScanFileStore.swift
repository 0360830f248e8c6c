import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The scan file beside a database (`DB-search`), kept in step with it: checked against
/// the database's change log on every use, appended to when vectors were only added,
/// rebuilt from the database when it is missing, corrupt, truncated, made for another
/// database, or when vectors were replaced or deleted. The database stays the only
/// source of truth: a file is used only when it matches it exactly.
///
/// Safe while `llmq run` writes the database (the file is made from one read snapshot
/// and records the change it covers) and with several searches at once (appends hold an
/// exclusive lock; rebuilds write a temporary file and rename it, so a killed build
/// leaves nothing that is used).
public struct ScanFileStore {
    /// The scan file.
    public let path: String
    /// The database it mirrors.
    public let rows: StoredVectors
    /// Told why a file was rebuilt when that was not routine (corrupt, foreign, …).
    public var note: (String) -> Void
    /// More blocks than this and an append rebuilds instead (appends after every run
    /// would otherwise leave many small blocks).
    public var maxBlocks = 4096
    /// Vector bytes gathered per block before it is written.
    public var blockBytes = ScanFileWriter.defaultBlockBytes

    /// The scan file of the database at `databasePath`.
    public static func path(forDatabase databasePath: String) -> String { databasePath + "-search" }

    /// The store of `rows`' database, at `path` (default: beside the database).
    public init(rows: StoredVectors, path: String? = nil, note: @escaping (String) -> Void = { _ in }) {
        self.rows = rows
        self.path = path ?? Self.path(forDatabase: rows.db.path)
        self.note = note
    }

    /// A scan file that matches the database exactly, as of a moment during this call:
    /// the file as it is when it matches, else appended to or rebuilt first.
    /// - Throws: `SearchError` when the file cannot be written, or the database read.
    public func upToDate() throws -> ScanFile {
        guard try rows.changeLogIsComplete() else {
            // Whether the file matches cannot be told: make it anew from the database.
            note("the triggers that log changes to embeddings are missing from \(rows.db.path): the scan file is rebuilt for every search")
            let written = try rebuild()
            if case .success(let file) = ScanFile.open(path: path), file.covered == written { return file }
            throw SearchError(.scanFile, "scan file \(path) changed while it was being rebuilt; try again")
        }
        for _ in 0..<8 {
            let state = try rows.changeState()
            let written: ChangeState
            switch ScanFile.open(path: path) {
            case .success(let file):
                if file.covered == state { return file }
                if file.header.databaseID != state.databaseID {
                    note("scan file \(path) was made for another database: rebuilt")
                    written = try rebuild()
                } else if file.header.coveredSeq < state.seq, Int(file.header.blockCount) < maxBlocks {
                    switch try append(to: file.header) {
                    case .appended(let covered): written = covered
                    case .changedMeanwhile: continue
                    case .needsRebuild: written = try rebuild()
                    }
                } else {
                    written = try rebuild()
                }
            case .failure(.missing):
                written = try rebuild()
            case .failure(let problem):
                note("scan file \(path) was \(problem): rebuilt")
                written = try rebuild()
            }
            // Use what was written if no other search replaced it meanwhile: it matched
            // the database at the snapshot it was made from.
            if case .success(let file) = ScanFile.open(path: path), file.covered == written { return file }
        }
        throw SearchError(.scanFile, "scan file \(path) kept changing while it was being brought up to date; try again")
    }

    /// Writes a new scan file from every stored vector, in one read snapshot, to a
    /// temporary file renamed over `path` at the end. Returns the change it covers.
    @discardableResult
    public func rebuild() throws -> ChangeState {
        removeAbandonedTemporaries()
        let temporary = "\(path).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw SearchError(.scanFile, "cannot create scan file \(temporary): \(String(cString: strerror(errno)))")
        }
        do {
            defer { close(fd) }
            let writer = ScanFileWriter(fd: fd, name: temporary, offset: ScanFileLayout.headerSize, blockCount: 0, blockBytes: blockBytes)
            let state = try rows.snapshot {
                let state = try rows.changeState()
                try rows.forEachVector { key, kind, bytes in try writer.add(key, kind: kind, bytes: bytes) }
                try writer.finish()
                return state
            }
            let header = ScanFileHeader(databaseID: state.databaseID, coveredSeq: state.seq, coveredNonce: state.nonce,
                                        committedLength: UInt64(writer.offset), blockCount: UInt32(writer.blockCount))
            try writer.writeAll(header.encoded(), at: 0)
            guard rename(temporary, path) == 0 else {
                throw SearchError(.scanFile, "cannot rename \(temporary) to \(path): \(String(cString: strerror(errno)))")
            }
            return state
        } catch {
            unlink(temporary)
            throw error
        }
    }

    enum AppendOutcome {
        case appended(ChangeState)
        case changedMeanwhile
        case needsRebuild
    }

    /// Appends the vectors added since `expected` was written, in place, under an
    /// exclusive lock: the new blocks go past the committed length first, then the header
    /// commits them. A killed append leaves bytes past the committed length, which are
    /// ignored and cut off by the next append.
    func append(to expected: ScanFileHeader) throws -> AppendOutcome {
        let fd = open(path, O_RDWR | O_CLOEXEC)
        guard fd >= 0 else { return .changedMeanwhile }
        defer { close(fd) }
        flock(fd, LOCK_EX)
        defer { flock(fd, LOCK_UN) }
        // Still the file at `path`, with the header we decided on?
        var opened = stat(), current = stat()
        guard fstat(fd, &opened) == 0, stat(path, &current) == 0, opened.st_ino == current.st_ino, opened.st_dev == current.st_dev else {
            return .changedMeanwhile
        }
        var bytes = [UInt8](repeating: 0, count: ScanFileLayout.headerSize)
        guard bytes.withUnsafeMutableBytes({ pread(fd, $0.baseAddress, $0.count, 0) }) == ScanFileLayout.headerSize,
              case .success(let header) = bytes.withUnsafeBytes({ ScanFileHeader.decode($0) }), header == expected else {
            return .changedMeanwhile
        }
        let committed = Int(header.committedLength)
        guard ftruncate(fd, off_t(committed)) == 0 else {
            throw SearchError(.scanFile, "cannot append to scan file \(path): \(String(cString: strerror(errno)))")
        }
        let writer = ScanFileWriter(fd: fd, name: path, offset: committed, blockCount: Int(header.blockCount), blockBytes: blockBytes)
        let state: ChangeState? = try rows.snapshot {
            let state = try rows.changeState()
            guard state.databaseID == header.databaseID, try rows.nonce(at: header.coveredSeq) == header.coveredNonce,
                  try !rows.hasRemovals(after: header.coveredSeq) else { return nil }
            try rows.forEachVector(addedAfter: header.coveredSeq) { key, kind, bytes in try writer.add(key, kind: kind, bytes: bytes) }
            try writer.finish()
            return state
        }
        guard let state else { return .needsRebuild }
        let updated = ScanFileHeader(databaseID: state.databaseID, coveredSeq: state.seq, coveredNonce: state.nonce,
                                     committedLength: UInt64(writer.offset), blockCount: UInt32(writer.blockCount))
        try writer.writeAll(updated.encoded(), at: 0)
        return .appended(state)
    }

    /// Deletes temporary files left by builds whose process is gone (a killed rebuild).
    func removeAbandonedTemporaries() {
        let url = URL(fileURLWithPath: path)
        let folder = url.deletingLastPathComponent().path
        let prefix = url.lastPathComponent + ".tmp-"
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder.isEmpty ? "." : folder) else { return }
        for name in names where name.hasPrefix(prefix) {
            guard let pid = Int32(name.dropFirst(prefix.count).prefix { $0 != "-" }) else { continue }
            if kill(pid, 0) != 0, errno == ESRCH {
                unlink(URL(fileURLWithPath: folder).appendingPathComponent(name).path)
            }
        }
    }
}
