import JSON

extension ExportFormat {
    /// Writes the Batch API's output line:
    /// `{"id":"batch_req_<jobs.id>","custom_id","response":{"status_code":200,"request_id":null,"body":…},"error":null}`
    /// for a succeeded job, the body being the API's response shape (an embeddings `list`
    /// or a `chat.completion`, with integer `usage`; unknown token counts are written as 0);
    /// `"response":null,"error":{"code","message"}` otherwise: `job_failed` with the last
    /// error for a failed job, `not_finished` for a pending or running one, `result_missing`
    /// for a succeeded job without a stored result.
    static func writeOpenAIBatch(_ row: ExportRow, to out: inout JSONWriter) {
        out.raw("{")
        out.member("id", "batch_req_\(row.jobID)", first: true)
        out.member("custom_id", row.customID)
        out.key("response")
        if let embedding = row.embedding {
            out.raw(#"{"status_code":200,"request_id":null,"body":"#)
            writeEmbeddingBody(embedding, to: &out)
            out.raw(#"},"error":null"#)
        } else if let generation = row.generation {
            out.raw(#"{"status_code":200,"request_id":null,"body":"#)
            writeChatCompletionBody(generation, createdAt: row.resultCreatedAt ?? 0, to: &out)
            out.raw(#"},"error":null"#)
        } else {
            out.raw("null")
            out.key("error")
            let (code, message) = batchError(for: row)
            out.raw("{")
            out.member("code", code, first: true)
            out.member("message", message)
            out.raw("}")
        }
        out.raw("}")
    }

    /// The `error` of a line without a result.
    private static func batchError(for row: ExportRow) -> (code: String, message: String) {
        switch row.status {
        case .failed: return ("job_failed", row.lastError ?? "the job failed")
        case .pending, .running: return ("not_finished", "the job is \(row.status.rawValue)")
        case .succeeded: return ("result_missing", "the job succeeded but no result is stored")
        }
    }

    /// An embeddings response with one item (a chunked job: one per chunk, `index` the chunk's).
    private static func writeEmbeddingBody(_ embedding: StoredEmbedding, to out: inout JSONWriter) {
        out.raw(#"{"object":"list","data":["#)
        let items = embedding.chunks.map { $0.map { ($0.index, $0.vector) } } ?? [(0, embedding.vector)]
        for (position, item) in items.enumerated() {
            out.raw(position == 0 ? "" : ",")
            out.raw(#"{"object":"embedding","index":\#(item.0),"embedding":"#)
            out.write(floats: item.1)
            out.raw("}")
        }
        out.raw("]")
        out.member("model", embedding.model)
        let tokens = embedding.inputTokens ?? 0
        out.raw(#","usage":{"prompt_tokens":\#(tokens),"total_tokens":\#(tokens)}}"#)
    }

    /// A chat completion with one choice; `id` is made from the job (the API's own id is not kept).
    private static func writeChatCompletionBody(_ generation: GenerationResult, createdAt: Double, to out: inout JSONWriter) {
        let created = Int64(exactly: createdAt.rounded(.down)) ?? 0
        out.raw(#"{"id":"chatcmpl-llmq-\#(generation.jobID)","object":"chat.completion","created":\#(created)"#)
        out.member("model", generation.model)
        out.raw(#","choices":[{"index":0,"message":{"role":"assistant","content":"#)
        out.write(string: generation.content)
        out.member("refusal", generation.refusal)
        out.raw(#"},"logprobs":null,"finish_reason":"#)
        out.write(string: generation.finishReason)
        let input = generation.inputTokens ?? 0
        let output = generation.outputTokens ?? 0
        out.raw(#"}],"usage":{"prompt_tokens":\#(input),"completion_tokens":\#(output),"total_tokens":\#(input + output)}}"#)
    }
}
