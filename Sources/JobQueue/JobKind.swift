/// What a job asks the API for.
public enum JobKind: String, Sendable, CaseIterable {
    /// One embedding vector for one input (`POST /embeddings`, batched many per request).
    case embed
    /// One chat completion (`POST /chat/completions`).
    case generate
}

/// Where a job is in its life: `pending → running → succeeded | failed`, and back to
/// `pending` (with a later `available_at`) for anything worth retrying.
public enum JobStatus: String, Sendable, CaseIterable {
    case pending, running, succeeded, failed
}
