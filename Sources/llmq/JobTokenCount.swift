import Chunker
import JSON
import JobQueue
import Tokenizer

/// One job's tokens as `llmq tokens` counts them.
struct JobTokenCount: Sendable {
    var customID: String
    var kind: JobKind
    var model: String
    /// embed: the vector size asked for (batches are per model and dimensions).
    var dimensions: Int?
    /// embed: the input's tokens; generate: the prompt's tokens (chat convention).
    var tokens: Int
    /// Whether `tokens` is exact (else an upper bound).
    var exact: Bool
    /// generate: the output bound (`max_tokens`).
    var maxTokens: Int?
    /// embed: the input is over the model's input limit (exact counts only), so it is
    /// not sent: the worker fails it with a message instead.
    var overLimit: Bool
    /// A chunked embed job: each chunk's token count, as the worker cuts them (`tokens`
    /// is then their sum); nil when the job is not chunked.
    var chunkTokens: [Int]?

    /// Counts `request` with `counter`. Embed: the input's tokens, or with `chunking` its
    /// chunks'. Generate: the chat convention of
    /// `TokenCounter.countChat` (3 per message + role + content, + 3).
    init(customID: String, request: JobRequest, chunking: ChunkLimits? = nil, counter: TokenCounter) {
        switch request {
        case .embed(let input, let model, let dimensions) where chunking != nil:
            let chunks = Chunker(encoding: counter.encoding).chunks(of: input, limits: chunking!).map(\.tokens)
            self.init(customID: customID, kind: .embed, model: model, dimensions: dimensions, tokens: chunks.reduce(0, +),
                      exact: counter.isExact, maxTokens: nil, overLimit: false)
            chunkTokens = chunks
        case .embed(let input, let model, let dimensions):
            let count = counter.count(input)
            self.init(customID: customID, kind: .embed, model: model, dimensions: dimensions, tokens: count.tokens,
                      exact: count.isExact, maxTokens: nil,
                      overLimit: count.isExact && count.tokens > ModelCatalog.maxEmbeddingInputTokens)
        case .generate(let messages, let model, let maxTokens, _):
            let count = counter.countChat(messages.lazy.map { (role: $0.role, content: $0.content) })
            self.init(customID: customID, kind: .generate, model: model, dimensions: nil, tokens: count.tokens,
                      exact: count.isExact, maxTokens: maxTokens, overLimit: false)
        }
    }

    /// A count from its parts.
    init(customID: String, kind: JobKind, model: String, dimensions: Int?, tokens: Int, exact: Bool, maxTokens: Int?, overLimit: Bool) {
        self.customID = customID
        self.kind = kind
        self.model = model
        self.dimensions = dimensions
        self.tokens = tokens
        self.exact = exact
        self.maxTokens = maxTokens
        self.overLimit = overLimit
    }

    /// The `--per-job` line: `{"id","kind","model","tokens","exact"}`, plus `max_tokens`
    /// for generate, `over_limit` where the input is too long, `chunks` for a chunked job.
    var jsonLine: [UInt8] {
        var writer = JSONWriter(reserve: 128)
        writer.raw(#"{"id":"#)
        writer.write(string: customID)
        writer.raw(#","kind":"#)
        writer.write(string: kind.rawValue)
        writer.raw(#","model":"#)
        writer.write(string: model)
        writer.raw(#","tokens":\#(tokens),"exact":\#(exact)"#)
        if let maxTokens { writer.raw(#","max_tokens":\#(maxTokens)"#) }
        if overLimit { writer.raw(#","over_limit":true"#) }
        if let chunkTokens { writer.raw(#","chunks":\#(chunkTokens.count)"#) }
        writer.raw("}\n")
        return writer.bytes
    }
}
