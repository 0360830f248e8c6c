import Chunker
import SQLite

extension JobStore {
    /// The distinct models that pending jobs name (to load their tokenizers up front).
    /// - Throws: SQLite errors.
    public func pendingModels() throws -> Set<String> {
        var models: Set<String> = []
        for row in try db.rows("SELECT DISTINCT model FROM jobs WHERE status = 'pending'") {
            if case .text(let model)? = row.first { models.insert(model) }
        }
        return models
    }

    /// Calls `body` with the id, request and chunk limits (nil for an unchunked job) of
    /// every pending job, in `jobs.id` order, one row at a time (constant memory).
    /// - Throws: `JobQueueError(.corruptRow)` naming the job whose stored request llmq
    ///   cannot read; SQLite errors; whatever `body` throws.
    public func forEachPendingJob(_ body: (_ customID: String, _ request: JobRequest, _ chunking: ChunkLimits?) throws -> Void) throws {
        let query = try db.prepare("SELECT id, custom_id, request FROM jobs WHERE status = 'pending' ORDER BY id")
        while try query.step() {
            let stored = query.isNull(at: 2) ? nil : query.withBlob(at: 2) { JobRequest.decodeStored(utf8: $0) }
            guard let customID = query.string(at: 1), let stored, let request = stored.request else {
                throw JobQueueError(.corruptRow, "job \(query.int64(at: 0)) has a missing or unreadable request")
            }
            try body(customID, request, stored.chunking)
        }
    }
}
