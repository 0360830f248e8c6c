import JSON

/// The line formats `llmq export` writes; each writes one job as one JSON object.
public enum ExportFormat: String, Sendable, CaseIterable {
    /// llmq's own line: the job, its result and metadata (see `writeJSONL`).
    case jsonl
    /// The OpenAI Batch API's output line shape (see `writeOpenAIBatch`).
    case openAIBatch = "openai-batch"

    /// Appends `row` as one JSON object (no newline) in this format.
    public func write(_ row: ExportRow, to writer: inout JSONWriter) {
        switch self {
        case .jsonl: Self.writeJSONL(row, to: &writer)
        case .openAIBatch: Self.writeOpenAIBatch(row, to: &writer)
        }
    }
}
