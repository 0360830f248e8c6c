extension ExportFormat {
    /// Writes llmq's own export object:
    /// `{"custom_id","kind","status","model","attempts",` then for a succeeded embed job
    /// `"dimensions","embedding":[floats]`, for a succeeded generate job
    /// `"content","refusal","finish_reason"` (each a string or null), then for a succeeded
    /// job `"usage":{"input_tokens"(,"output_tokens")}`, then `"error"` (`last_error` or
    /// null) and `"metadata"` (the stored object, omitted when the job has none)`}`.
    /// `model` is the model that answered when there is a result, else the requested one.
    static func writeJSONL(_ row: ExportRow, to out: inout JSONWriter) {
        out.raw("{")
        out.key("custom_id", first: true)
        out.write(string: row.customID)
        out.key("kind")
        out.write(string: row.kind.rawValue)
        out.key("status")
        out.write(string: row.status.rawValue)
        out.key("model")
        out.write(string: row.resultModel)
        out.key("attempts")
        out.write(integer: row.attempts)
        if let embedding = row.embedding {
            out.key("dimensions")
            out.write(integer: embedding.dimensions)
            out.key("embedding")
            out.write(floats: embedding.vector)
            out.key("usage")
            out.raw("{")
            out.key("input_tokens", first: true)
            out.write(integer: embedding.inputTokens)
            out.raw("}")
        }
        if let generation = row.generation {
            out.key("content")
            out.write(string: generation.content)
            out.key("refusal")
            out.write(string: generation.refusal)
            out.key("finish_reason")
            out.write(string: generation.finishReason)
            out.key("usage")
            out.raw("{")
            out.key("input_tokens", first: true)
            out.write(integer: generation.inputTokens)
            out.key("output_tokens")
            out.write(integer: generation.outputTokens)
            out.raw("}")
        }
        out.key("error")
        out.write(string: row.lastError)
        if let metadata = row.metadata {
            out.key("metadata")
            out.raw(metadata)
        }
        out.raw("}")
    }
}
