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
        out.key("id", first: true)
        out.write(string: "batch_req_\(row.jobID)")
        out.key("custom_id")
        out.write(string: row.customID)
        out.key("response")
        if let embedding = row.embedding {
            beginResponse(&out)
            writeEmbeddingBody(embedding, to: &out)
            out.raw("}")
            out.key("error")
            out.raw("null")
        } else if let generation = row.generation {
            beginResponse(&out)
            writeChatCompletionBody(generation, jobID: row.jobID, to: &out)
            out.raw("}")
            out.key("error")
            out.raw("null")
        } else {
            out.raw("null")
            out.key("error")
            let (code, message) = batchError(for: row)
            out.raw("{")
            out.key("code", first: true)
            out.write(string: code)
            out.key("message")
            out.write(string: message)
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

    /// `{"status_code":200,"request_id":null,"body":` — the caller writes the body and `}`.
    private static func beginResponse(_ out: inout JSONWriter) {
        out.raw(#"{"status_code":200,"request_id":null,"body":"#)
    }

    /// An embeddings response with one item.
    private static func writeEmbeddingBody(_ embedding: StoredEmbedding, to out: inout JSONWriter) {
        out.raw(#"{"object":"list","data":[{"object":"embedding","index":0,"embedding":"#)
        out.write(floats: embedding.vector)
        out.raw("}]")
        out.key("model")
        out.write(string: embedding.model)
        let tokens = embedding.inputTokens ?? 0
        out.raw(#","usage":{"prompt_tokens":\#(tokens),"total_tokens":\#(tokens)}}"#)
    }

    /// A chat completion with one choice; `id` is made from the job (the API's own id is not kept).
    private static func writeChatCompletionBody(_ generation: StoredGeneration, jobID: Int64, to out: inout JSONWriter) {
        out.raw(#"{"id":"chatcmpl-llmq-\#(jobID)","object":"chat.completion","created":\#(Int64(exactly: generation.createdAt.rounded(.down)) ?? 0)"#)
        out.key("model")
        out.write(string: generation.model)
        out.raw(#","choices":[{"index":0,"message":{"role":"assistant","content":"#)
        out.write(string: generation.content)
        out.key("refusal")
        out.write(string: generation.refusal)
        out.raw(#"},"logprobs":null,"finish_reason":"#)
        out.write(string: generation.finishReason)
        let input = generation.inputTokens ?? 0
        let output = generation.outputTokens ?? 0
        out.raw(#"}],"usage":{"prompt_tokens":\#(input),"completion_tokens":\#(output),"total_tokens":\#(input + output)}}"#)
    }
}
