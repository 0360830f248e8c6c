import Crypto
import JSON
import SQLite

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What `enqueue --files` did with one folder.
public struct FilesOutcome: Sendable, Equatable {
    /// Jobs added, updated and unchanged; files rejected (unreadable, binary, not UTF-8,
    /// too large, and unreadable folders).
    public var counts = EnqueueCounts()
    /// Files the walk found (after `--glob`).
    public var matched = 0
    /// Jobs deleted by `--prune` (their file is gone).
    public var pruned = 0

    public init() {}
}

extension JobStore {
    /// Enqueues one embed job per file of `walk`: id = the relative path, input = the
    /// file's text, metadata = `{"path","bytes","modified"}`, model, dimensions and chunk
    /// limits from `defaults`. A file whose size, modification time and settings match
    /// what the last ingest stored is counted unchanged without being read. Files that
    /// cannot be inputs are reported `PATH: reason` (`isError` true) and skipped; with
    /// `prune`, the jobs of files an earlier ingest of the same folder made, whose file is
    /// gone, are deleted with their results. Streams: memory does not grow with the
    /// number of files.
    /// - Throws: `JobQueueError(.database)` when the database cannot be written.
    public func enqueueFiles(_ walk: FolderWalk, ingestID: Int64, defaults: JobDefaults, maxBytes: Int, prune: Bool,
                             report: (String, _ isError: Bool) -> Void) throws -> FilesOutcome {
        var outcome = FilesOutcome()
        let writer = try IngestWriter(store: self, ingestID: ingestID, sourceName: walk.realRoot)
        let model = defaults.embeddingModel
        let dimensions = defaults.dimensions ?? ModelCatalog.nativeDimensions(of: model)
        var signatures: [(entry: FolderEntry, signature: FileDigest)] = []
        var fileSignature = FileSignature(model: model, dimensions: dimensions, defaults: defaults)
        var sinceCommit = 0
        func flush() throws {
            for written in try writer.flush() {
                switch written.outcome {
                case .added: outcome.counts.added += 1
                case .updated: outcome.counts.updated += 1
                case .metadataUpdated: outcome.counts.metadataUpdated += 1
                case .unchanged: outcome.counts.unchanged += 1
                }
            }
            for (entry, signature) in signatures {
                try db.run("""
                    INSERT OR REPLACE INTO file_jobs (job_id, root, signature, ingest_id, folder, name)
                    SELECT id, ?2, ?3, ?4, ?5, ?6 FROM jobs WHERE custom_id = ?1
                    """, .text(entry.relativePath), .text(walk.realRoot), .blob(signature.bytes), .integer(ingestID),
                    .text(entry.folder), .text(entry.name))
            }
            signatures.removeAll(keepingCapacity: true)
            if sinceCommit >= Self.ingestTransactionLines {
                try commitAndContinue()
                sinceCommit = 0
            }
        }
        do {
            var stored = try StoredFileSignatures(db: db, root: walk.realRoot)
            try db.execute("BEGIN IMMEDIATE")
            try walk.forEachReadAhead({ entry in
                outcome.matched += 1
                sinceCommit += 1
                let signature = fileSignature(entry)
                if try stored.signature(of: entry) == signature {
                    outcome.counts.unchanged += 1
                    if sinceCommit >= Self.ingestTransactionLines { try flush() }
                    return
                }
                let text: String
                switch TextFile.read(entry.path, maxBytes: maxBytes) {
                case .failure(let error):
                    report("\(entry.path): \(error.reason)", true)
                    outcome.counts.rejected += 1
                    return
                case .success(let read):
                    text = read
                }
                if text.isEmpty {
                    report("\(entry.path): empty file, skipped", false)
                    return
                }
                let job = ParsedJob(customID: entry.relativePath, request: .embed(input: text, model: model, dimensions: dimensions),
                                    metadata: Self.fileMetadata(entry), chunking: defaults.chunking)
                signatures.append((entry, signature))
                if writer.buffer(JobSpec(job), line: outcome.matched) { try flush() }
            }, notice: { message, isError in
                report(message, isError)
                if isError { outcome.counts.rejected += 1 }
            })
            try flush()
            if prune { outcome.pruned = try pruneVanished(walk, ingestID: ingestID) }
            try db.execute("COMMIT")
        } catch {
            if db.isInTransaction { try? db.execute("ROLLBACK") }
            if let error = error as? JobQueueError { throw error }
            throw JobQueueError(.database, "cannot write jobs from \(walk.root) to \(db.path)", underlying: error)
        }
        return outcome
    }

    /// Deletes the file jobs of `walk`'s folder whose file no longer exists (a file left out
    /// by `--glob` is not gone); returns how many. Jobs this ingest wrote are skipped; every
    /// other file job of the folder is checked with `lstat`.
    private func pruneVanished(_ walk: FolderWalk, ingestID: Int64) throws -> Int {
        var vanished: [Int64] = []
        let unseen = try db.prepare("""
            SELECT j.id, j.custom_id FROM file_jobs f JOIN jobs j ON j.id = f.job_id
            WHERE f.root = ?1 AND f.ingest_id != ?2
            """)
        try unseen.bind(walk.realRoot, at: 1)
        try unseen.bind(ingestID, at: 2)
        while try unseen.step() {
            guard let customID = unseen.string(at: 1) else { continue }
            var info = stat()
            if lstat(walk.realRoot + "/" + customID, &info) != 0 { vanished.append(unseen.int64(at: 0)) }
        }
        unseen.reset()
        for id in vanished { try db.run("DELETE FROM jobs WHERE id = ?1", .integer(id)) }
        return vanished.count
    }

    /// SHA-256 over what decides a file job's request without reading the file:
    /// `BYTES|SECONDS.NANOSECONDS|MODEL|DIMENSIONS|CHUNKING` (`-1` without dimensions, `-`
    /// without chunking). The settings part is the same for every file of an ingest, so it
    /// is formatted once.
    struct FileSignature {
        private let settings: [UInt8]
        private var text: [UInt8] = []

        init(model: String, dimensions: Int?, defaults: JobDefaults) {
            let chunk = defaults.chunking.map { "\($0.maxTokens)/\($0.overlapTokens)" } ?? "-"
            settings = Array("|\(model)|\(dimensions ?? -1)|\(chunk)".utf8)
            text.reserveCapacity(settings.count + 48)
        }

        /// The signature of `entry`.
        mutating func callAsFunction(_ entry: FolderEntry) -> FileDigest {
            text.removeAll(keepingCapacity: true)
            Self.appendDecimal(entry.bytes, to: &text)
            text.append(UInt8(ascii: "|"))
            Self.appendDecimal(entry.modifiedSeconds, to: &text)
            text.append(UInt8(ascii: "."))
            Self.appendDecimal(entry.modifiedNanoseconds, to: &text)
            text.append(contentsOf: settings)
            return SHA256.hash(data: text).withUnsafeBytes { FileDigest($0)! }  // a SHA-256 digest is 32 bytes
        }

        /// `value` in decimal, as `String(value)` writes it.
        static func appendDecimal(_ value: Int, to bytes: inout [UInt8]) {
            if value < 0 { bytes.append(UInt8(ascii: "-")) }
            var magnitude = value.magnitude
            var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // up to 20 digits, reversed
            var count = 0
            withUnsafeMutableBytes(of: &digits) { buffer in
                repeat {
                    buffer[count] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                    magnitude /= 10
                    count += 1
                } while magnitude > 0
                for index in stride(from: count - 1, through: 0, by: -1) { bytes.append(buffer[index]) }
            }
        }
    }

    /// `{"path","bytes","modified"}`: the path as named, the size, and the modification
    /// time in UTC (ISO 8601, seconds).
    static func fileMetadata(_ entry: FolderEntry) -> JSONValue {
        var seconds = time_t(entry.modifiedSeconds)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        let modified = "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday))T\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec))Z"
        return .object([
            ("path", .string(entry.path)),
            ("bytes", .number(JSONNumber(Int64(entry.bytes)))),
            ("modified", .string(modified)),
        ])
    }
}
