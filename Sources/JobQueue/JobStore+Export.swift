import JSON
import SQLite

extension JobStore {
    /// Calls `body` with every job matching the filters, in `jobs.id` order, one row at a
    /// time from one prepared statement (memory bounded by one job's chunks, one consistent
    /// read snapshot). A chunked job's result holds all its chunks, in order.
    /// A job's stored result is attached only while the job is succeeded: a job sent back
    /// to pending by a changed request or `retry` keeps its old result in the database,
    /// but that result no longer answers its request.
    /// - Parameters:
    ///   - kind: only jobs of this kind; nil for all.
    ///   - statuses: only jobs with one of these statuses; nil for all.
    /// - Throws: `JobQueueError(.corruptRow)` naming the job when a row is not what llmq
    ///   writes (a vector whose size does not match its dimensions); SQLite errors; and
    ///   whatever `body` throws (which stops the export).
    public func exportRows(kind: JobKind? = nil, statuses: [JobStatus]? = nil, _ body: (ExportRow) throws -> Void) throws {
        let statusFilter = statuses.map { list in
            "AND j.status IN (" + (list.isEmpty ? "NULL" : list.map { "'\($0.rawValue)'" }.joined(separator: ",")) + ")"
        } ?? ""
        let query = try db.prepare("""
            SELECT j.id, j.custom_id, j.kind, j.status, j.model, j.attempts, j.last_error, j.metadata,
                   e.model, e.dimensions, e.vector, e.input_tokens,
                   g.model, g.content, g.refusal, g.finish_reason, g.input_tokens, g.output_tokens,
                   coalesce(e.created_at, g.created_at), j.request_hash, e.truncated,
                   e.chunk, e.start, e.end, e.text, instr(j.request, '"chunk":') > 0
            FROM jobs j
            LEFT JOIN embeddings e ON e.job_id = j.id AND j.status = 'succeeded' AND j.kind = 'embed'
            LEFT JOIN generations g ON g.job_id = j.id AND j.status = 'succeeded' AND j.kind = 'generate'
            WHERE (?1 IS NULL OR j.kind = ?1) \(statusFilter)
            ORDER BY j.id, e.chunk
            """)
        try query.bind(kind?.rawValue, at: 1)
        // A chunked job comes as one row per chunk; its rows are gathered into one ExportRow.
        var pending: ExportRow?
        while try query.step() {
            let row = try Self.readExportRow(query)
            if var gathered = pending, gathered.jobID == row.jobID {
                if let chunk = row.embedding?.chunks?.first { gathered.embedding?.add(chunk, inputTokens: row.embedding?.inputTokens) }
                pending = gathered
                continue
            }
            if let gathered = pending { try body(gathered) }
            pending = row
        }
        if let gathered = pending { try body(gathered) }
    }

    private static func readExportRow(_ row: Statement) throws -> ExportRow {
        let id = row.int64(at: 0)
        guard let customID = row.string(at: 1), let kind = row.string(at: 2).flatMap(JobKind.init(rawValue:)),
              let status = row.string(at: 3).flatMap(JobStatus.init(rawValue:)), let model = row.string(at: 4) else {
            throw JobQueueError(.corruptRow, "job \(id) has a missing or malformed column")
        }
        var result = ExportRow(jobID: id, customID: customID, kind: kind, status: status, model: model,
                               attempts: row.int(at: 5), lastError: row.string(at: 6), metadata: row.string(at: 7))
        if let embeddingModel = row.string(at: 8), let blob = row.blob(at: 10) {
            let dimensions = row.int(at: 9)
            guard blob.count == dimensions * 4 else {
                throw JobQueueError(.corruptRow, "job \(customID): stored vector has \(blob.count) bytes, not \(dimensions) float32 values")
            }
            let vector = EmbeddingResult.floats(fromLittleEndian: blob)
            var embedding = StoredEmbedding(model: embeddingModel, dimensions: dimensions, vector: vector,
                                            inputTokens: row.optionalInt(at: 11), truncated: row.int(at: 20) != 0)
            if row.int(at: 25) != 0 {
                embedding.vector = []
                embedding.chunks = [ExportChunk(index: row.int(at: 21), start: row.int(at: 22), end: row.int(at: 23),
                                                text: row.string(at: 24) ?? "", vector: vector)]
            }
            result.embedding = embedding
        }
        if let generationModel = row.string(at: 12) {
            result.generation = GenerationResult(jobID: id, requestHash: row.blob(at: 19) ?? [], model: generationModel,
                                                 content: row.string(at: 13), refusal: row.string(at: 14),
                                                 finishReason: row.string(at: 15), inputTokens: row.optionalInt(at: 16),
                                                 outputTokens: row.optionalInt(at: 17))
        }
        result.resultCreatedAt = row.optionalDouble(at: 18)
        return result
    }

    /// Streams every matching job as one line of `format` (each ending in `\n`) to `emit`,
    /// in `jobs.id` order, reusing one line buffer. In `.openAIBatch`, pending and running
    /// jobs are left out unless `status` names them. Returns how many lines were emitted.
    /// - Throws: what `exportRows` throws, and whatever `emit` throws.
    @discardableResult
    public func export(format: ExportFormat, kind: JobKind? = nil, status: JobStatus? = nil,
                       _ emit: ([UInt8]) throws -> Void) throws -> Int {
        let statuses: [JobStatus]? = status.map { [$0] } ?? (format == .openAIBatch ? [.succeeded, .failed] : nil)
        var line = JSONWriter(reserve: 32 << 10)
        var count = 0
        try exportRows(kind: kind, statuses: statuses) { row in
            line.removeAll()
            format.write(row, to: &line)
            line.raw("\n")
            try emit(line.bytes)
            count += 1
        }
        return count
    }
}
