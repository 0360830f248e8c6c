import LLM

/// Why a run ended.
public enum RunEnd: Sendable, Equatable {
    /// Nothing runnable was left.
    case drained
    /// `--max-duration` passed.
    case maxDuration
    /// SIGINT/SIGTERM.
    case signal
    /// No job finished for `--max-stall` because of rate limits or outages.
    case stall
    /// The API refused the credentials or the account (401, 403, quota): the message.
    case fatal(String)
    /// A configuration error no job can get past (a base URL without the endpoint, an
    /// unknown model, a request-level 4xx every request repeats): the message. Exit 2.
    case configuration(String)
}

/// What a run did, for the summary and the exit code.
public struct RunReport: Sendable, Equatable {
    public var succeeded = 0
    public var failed = 0
    /// Vectors copied from identical earlier inputs (no API call).
    public var reusedVectors = 0
    /// HTTP requests made, retries included, whatever their outcome (see ``requestOutcomes``).
    public var requests = 0
    /// Requests made by outcome: `ok`, `HTTP 429`, `HTTP 500`, `timeout`, `connection refused`, …
    public var requestOutcomes: [String: Int] = [:]
    /// Tokens of the inputs embedded (reused vectors excluded): the server's `usage` where
    /// llmq's exact count backs it (within a factor of two) or the server counts tokens
    /// (OpenAI, Azure), llmq's exact count where the report is implausible, and llmq's upper
    /// bound (UTF-8 bytes, ``estimatedEmbedTokens``) for a model it has no tokenizer for on
    /// a server whose `usage` it cannot check (infinity counts characters).
    public var embedTokens = 0
    /// The part of ``embedTokens`` that is an upper bound, not a count: when it is above 0
    /// the total is an upper bound and must be shown as one.
    public var estimatedEmbedTokens = 0
    public var inputTokens = 0
    public var outputTokens = 0
    /// Jobs handed back to pending by rate limits, stops or retryable errors.
    public var retried = 0
    /// 429 responses seen (including those retried inside the provider).
    public var rateLimited = 0
    public var seconds = 0.0
    /// Pending jobs left when the run ended.
    public var pendingLeft = 0
    /// Why the run ended: drained, max-duration, signal, stall, fatal or configuration.
    public var end = "drained"
    /// The fatal or configuration error's message, when the run ended on one.
    public var fatalError: String?
    /// What holds the run up right now, for a progress line (`waiting: 12 HTTP 500 in the
    /// last minute`, `paused by 429 for 20s`); nil when nothing does.
    public var obstacle: String?

    public init() {}
}
