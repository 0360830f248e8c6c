import JSON

extension ExportFormat {
    /// Writes llmq's own export object:
    /// `{"custom_id","kind","status","model","attempts",` then for a succeeded embed job
    /// `"dimensions","embedding":[floats]` (a chunked job: `"dimensions","chunks":[{"chunk",
    /// "start","end","text","embedding"}…]`, spans in code points), for a succeeded generate job
    /// `"content","refusal","finish_reason"` (each a string or null), then for a succeeded
    /// job `"usage":{"input_tokens"(,"output_tokens")}`, then `"error"` (`last_error` or
    /// null) and `"metadata"` (the stored object, omitted when the job has none)`}`.
    /// `model` is the model that answered when there is a result, else the requested one.
    static func writeJSONL(_ row: ExportRow, to out: inout JSONWriter) {
        out.raw("{")
        out.member("custom_id", row.customID, first: true)
        out.member("kind", row.kind.rawValue)
        out.member("status", row.status.rawValue)
        out.member("model", row.resultModel)
        out.member("attempts", integer: row.attempts)
        if let embedding = row.embedding {
            out.member("dimensions", integer: embedding.dimensions)
            if embedding.truncated { out.raw(#","truncated":true"#) }
            if let chunks = embedding.chunks {
                out.key("chunks")
                out.raw("[")
                for (position, chunk) in chunks.enumerated() {
                    out.raw(position == 0 ? "{" : ",{")
                    out.member("chunk", integer: chunk.index, first: true)
                    out.member("start", integer: chunk.start)
                    out.member("end", integer: chunk.end)
                    out.member("text", chunk.text)
                    out.key("embedding")
                    out.write(floats: chunk.vector)
                    out.raw("}")
                }
                out.raw("]")
            } else {
                out.key("embedding")
                out.write(floats: embedding.vector)
            }
            out.key("usage")
            out.raw("{")
            out.member("input_tokens", integer: embedding.inputTokens, first: true)
            out.raw("}")
        }
        if let generation = row.generation {
            out.member("content", generation.content)
            out.member("refusal", generation.refusal)
            out.member("finish_reason", generation.finishReason)
            out.key("usage")
            out.raw("{")
            out.member("input_tokens", integer: generation.inputTokens, first: true)
            out.member("output_tokens", integer: generation.outputTokens)
            out.raw("}")
        }
        out.member("error", row.lastError)
        if let metadata = row.metadata {
            out.key("metadata")
            out.raw(metadata)
        }
        out.raw("}")
    }
}
