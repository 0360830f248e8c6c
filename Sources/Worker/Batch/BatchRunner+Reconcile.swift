import JobQueue
import LLM

extension BatchRunner {
    /// Settles what a killed run left between its record and the API: a submission that
    /// never reached the API goes back to pending; one whose create call had no answer is
    /// looked up by its metadata and adopted, or (not found) given up; uploaded files no
    /// batch uses are deleted. Never creates a batch.
    func reconcile() async throws {
        let open = try store.openSubmissions().filter { $0.state != .submitted }
        guard !open.isEmpty else { return }
        let creating = open.filter { $0.state == .creating }
        var remote: [Int64: [RemoteBatch]] = [:]
        if let oldest = creating.map(\.createdAt).min() {
            remote = try await listOwnBatches(since: oldest - 3_600)
        }
        for submission in open {
            if submission.state == .creating, let found = remote[submission.id], let adopted = found.first {
                try store.saveBatch(row(for: adopted, submission: submission))
                log("adopted batch \(adopted.id) that an interrupted run created (submission \(submission.id))")
                for extra in found.dropFirst() {
                    _ = try? await api.cancelBatch(id: extra.id)
                    log("cancelled batch \(extra.id), a second batch for submission \(submission.id)")
                }
                continue
            }
            let released = try store.abandonSubmission(submission.id)
            if let file = submission.inputFileID { await deleteRemoteFiles([file]) }
            log("gave up submission \(submission.id), which an interrupted run left \(submission.state.rawValue): \(released) jobs back to pending")
        }
        try await deleteOrphanUploads()
    }

    /// This database's batches at the API created after `since` (unix seconds), by submission.
    func listOwnBatches(since: Double) async throws -> [Int64: [RemoteBatch]] {
        var found: [Int64: [RemoteBatch]] = [:]
        var after: String?
        while true {
            let page = try await api.listBatches(after: after, limit: 100)
            for batch in page.items where batch.metadata["llmq_db"] == databaseID {
                if let submission = batch.metadata["llmq_submission"].flatMap(Int64.init) {
                    found[submission, default: []].append(batch)
                }
            }
            let older = page.items.allSatisfy { Double($0.createdAt) < since }
            guard page.hasMore, let last = page.lastID, !older else { break }
            after = last
        }
        for key in found.keys { found[key]?.sort { $0.createdAt < $1.createdAt } }
        return found
    }

    /// Deletes uploaded input files of this database that no open submission uses (an
    /// upload whose answer a kill lost).
    func deleteOrphanUploads() async throws {
        let inUse = Set(try store.openSubmissions().compactMap(\.inputFileID))
        let prefix = "llmq-\(databaseID)-"
        var after: String?
        var orphans: [String] = []
        while true {
            let page = try await api.listFiles(purpose: "batch", after: after, limit: 10_000)
            orphans += page.items.filter { $0.filename.hasPrefix(prefix) && !inUse.contains($0.id) }.map(\.id)
            guard page.hasMore, let last = page.lastID else { break }
            after = last
        }
        let submitted = Set(try store.batchRows().map(\.inputFileID))
        let unused = orphans.filter { !submitted.contains($0) }
        if !unused.isEmpty { log("deleting \(unused.count) uploaded files no batch uses") }
        await deleteRemoteFiles(unused)
    }

    /// The `batches` row for an API batch of `submission`.
    func row(for batch: RemoteBatch, submission: BatchSubmission) -> BatchRow {
        var errors: String?
        if !batch.errors.isEmpty {
            errors = batch.errors.map { error in
                (error.line.map { "line \($0): " } ?? "") + [error.code, error.message].compactMap { $0 }.joined(separator: ": ")
            }.joined(separator: "\n")
        }
        return BatchRow(
            id: batch.id, submissionID: submission.id, status: batch.status, endpoint: batch.endpoint,
            model: batch.model ?? submission.model, inputFileID: batch.inputFileID, outputFileID: batch.outputFileID,
            errorFileID: batch.errorFileID, total: batch.total, completed: batch.completed, failed: batch.failed,
            createdAt: Double(batch.createdAt), expiresAt: batch.expiresAt.map(Double.init), errors: errors)
    }
}
