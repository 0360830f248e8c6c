import SQLite

/// The 32 bytes of a file job's signature (`JobStore.FileSignature`), held inline: comparing
/// one costs no allocation.
struct FileDigest: Hashable, Sendable {
    private let words: SIMD4<UInt64>

    /// The digest in `raw`; nil unless it holds exactly 32 bytes.
    init?(_ raw: UnsafeRawBufferPointer) {
        guard raw.count == 32 else { return nil }
        words = raw.loadUnaligned(as: SIMD4<UInt64>.self)
    }

    /// The 32 bytes, as `file_jobs.signature` stores them.
    var bytes: [UInt8] { withUnsafeBytes(of: words) { Array($0) } }
}

/// The signatures `file_jobs` holds for the files of one `enqueue --files` root, read a
/// folder at a time: the first look-up in a folder reads the signatures of all its files in
/// one range scan of the covering index `file_jobs_folder`; the others are answered from
/// memory. A folder with more than `folderLimit` stored files is answered with one index
/// look-up per file instead, so memory stays bounded: at most `folderLimit` signatures for
/// each level of the folder tree the walk has open, whatever the number of files.
struct StoredFileSignatures {
    /// The most signatures read for one folder.
    static let folderLimit = 8_192

    private let root: String
    private let folderScan: Statement
    private let fileLookup: Statement
    private let limit: Int
    /// One entry per depth of the walk (nil: no file read there yet).
    private var levels: [Level?] = []

    /// The folder read at one depth and its signatures (nil: too many, looked up one at a time).
    private struct Level {
        let folder: String
        var signatures: [String: FileDigest]?
    }

    /// A reader of the signatures stored for `root` (a walk's real path) in `db`; `limit`
    /// is `folderLimit` except in tests.
    init(db: Connection, root: String, limit: Int = folderLimit) throws {
        self.root = root
        self.limit = limit
        folderScan = try db.prepare("SELECT name, signature FROM file_jobs WHERE root = ?1 AND folder = ?2 LIMIT ?3")
        fileLookup = try db.prepare("SELECT signature FROM file_jobs WHERE root = ?1 AND folder = ?2 AND name = ?3")
    }

    /// The signature stored for `entry`'s file (nil when no file job has it). Read only.
    mutating func signature(of entry: FolderEntry) throws -> FileDigest? {
        let depth = entry.depth
        if levels.count > depth + 1 { levels.removeSubrange((depth + 1)...) }  // folders the walk has left
        if levels.count <= depth { levels.append(contentsOf: repeatElement(nil, count: depth + 1 - levels.count)) }
        if levels[depth]?.folder != entry.folder {
            var signatures = levels[depth].take()?.signatures ?? [:]  // its storage is reused
            signatures.removeAll(keepingCapacity: true)
            let complete = try readFolder(entry.folder, into: &signatures)
            levels[depth] = Level(folder: entry.folder, signatures: complete ? signatures : nil)
        }
        if let signatures = levels[depth]?.signatures { return signatures[entry.name] }
        return try lookUp(entry)
    }

    /// Reads the signatures of the files of `folder` into `signatures`; false when it has
    /// more than `limit`.
    private func readFolder(_ folder: String, into signatures: inout [String: FileDigest]) throws -> Bool {
        defer { folderScan.reset() }
        try folderScan.bind(root, at: 1)
        try folderScan.bind(folder, at: 2)
        try folderScan.bind(limit + 1, at: 3)
        while try folderScan.step() {
            guard signatures.count < limit else { return false }
            guard let name = folderScan.string(at: 0), let digest = folderScan.withBlob(at: 1, FileDigest.init) else { continue }
            signatures[name] = digest
        }
        return true
    }

    private func lookUp(_ entry: FolderEntry) throws -> FileDigest? {
        defer { fileLookup.reset() }
        try fileLookup.bind(root, at: 1)
        try fileLookup.bind(entry.folder, at: 2)
        try fileLookup.bind(entry.name, at: 3)
        guard try fileLookup.step() else { return nil }
        return fileLookup.withBlob(at: 0, FileDigest.init)
    }
}
