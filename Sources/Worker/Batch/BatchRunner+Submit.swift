import Foundation
import JobQueue
import LLM

extension BatchRunner {
    /// Packs runnable pending jobs into batches, one (kind, model, dimensions) group at a
    /// time (the group of the oldest job first; the groups are counted once per run), within
    /// every limit and the enqueued-token budget, and submits them.
    func submit() async throws {
        for group in try store.pendingBatchGroups() {
            let endpoint = group.kind == .embed ? BatchInputLine.embeddingsEndpoint : BatchInputLine.chatEndpoint
            let limit = group.kind == .embed ? min(options.maxInputs, options.maxLines * worker.batchSize) : options.maxLines
            while !stopRequested {
                let room = try tokenRoom(model: group.model)
                if let room, room <= 0 { break }
                let (submission, jobIDs) = try store.beginSubmission(group, endpoint: endpoint, limit: limit)
                guard let packed = try pack(submission, jobIDs: jobIDs, tokenRoom: room) else {
                    try store.abandonSubmission(submission.id)
                    break
                }
                if packed.lines == 0 {
                    // Everything was reused, failed, held back or over the token room: nothing
                    // to send now; what is left of the group waits for a later run.
                    try store.abandonSubmission(submission.id)
                    break
                }
                try await send(submission, file: packed.path, lines: packed.lines)
                // Fewer jobs than asked for and all of them packed: the group is done.
                if jobIDs.count < limit, packed.released == 0 { break }
            }
            if stopRequested { break }
        }
    }

    /// Tokens that may still be enqueued for `model`, or nil when no budget applies.
    func tokenRoom(model: String) throws -> Int? {
        let learned = try store.batchSetting("token_limit:\(model)").flatMap(Int.init)
        let budget = [learned, options.maxEnqueuedTokens].compactMap { $0 }.min()
        guard let budget else { return nil }
        return budget - (try store.enqueuedBatchTokens(model: model))
    }

    /// Uploads the packed file and creates the batch, recording each step before the call
    /// that depends on it.
    private func send(_ submission: BatchSubmission, file: String, lines: Int) async throws {
        defer { try? FileManager.default.removeItem(atPath: file) }
        let uploaded: RemoteFile
        do {
            uploaded = try await api.uploadBatchFile(path: file, filename: inputFileName(for: submission.id))
        } catch let error as LLMError {
            try store.abandonSubmission(submission.id)
            if case .invalidRequest = error.kind {
                // The API refused the file itself (too large, wrong format): llmq's own fault, no job is failed.
                log("the API refused the input file of submission \(submission.id): \(error); its jobs are back to pending")
                throw BatchRunStop.refused(error.description)
            }
            throw error
        }
        try store.updateSubmission(submission.id, state: .uploaded, inputFileID: uploaded.id)
        try store.updateSubmission(submission.id, state: .creating)
        let batch: RemoteBatch
        do {
            batch = try await api.createBatch(inputFileID: uploaded.id, endpoint: submission.endpoint, metadata: metadata(for: submission.id))
        } catch let error as LLMError {
            if error.status != nil, error.status! < 500, error.status != 408, error.status != 409 {
                // A definite refusal: no batch exists.
                try store.abandonSubmission(submission.id)
                await deleteRemoteFiles([uploaded.id])
                throw error
            }
            // No answer: the batch may exist. Look for it; the next run looks again.
            if let found = try? await listOwnBatches(since: submission.createdAt - 3_600)[submission.id]?.first {
                try store.saveBatch(row(for: found, submission: submission))
                report.submitted += 1
                log("batch \(found.id) created for submission \(submission.id) (found after the create call failed: \(error))")
                return
            }
            throw error
        }
        try store.saveBatch(row(for: batch, submission: submission))
        report.submitted += 1
        log("submitted batch \(batch.id): \(lines) lines to \(submission.endpoint) (\(submission.model))")
    }
}

/// Why a batch run stopped that is not an API error of its own.
enum BatchRunStop: Error {
    /// The API refused an input file (the message says why).
    case refused(String)
}
