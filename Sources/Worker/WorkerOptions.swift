import LLM

/// How `llmq run` works through the queue. Every default is the documented one.
public struct WorkerOptions: Sendable {
    /// Requests in flight at once. Default 8.
    public var concurrency: Int
    /// Embedding inputs per request, 1…2,048. Default 512.
    public var batchSize: Int
    /// Token budget of one embeddings request (the API caps it at 300,000). Default 300,000.
    public var maxBatchTokens: Int
    /// The API's per-input token limit for embeddings. Default 8,192.
    public var maxInputTokens: Int
    /// Cut embedding inputs over `maxInputTokens` to that many tokens (and flag the
    /// result) instead of failing them. Needs exact counts. Default false.
    public var truncateLongInputs: Bool
    /// Client-side requests-per-minute cap; nil: follow the `x-ratelimit-*` headers.
    public var requestsPerMinute: Int?
    /// Client-side tokens-per-minute cap; nil: follow the `x-ratelimit-*` headers.
    public var tokensPerMinute: Int?
    /// Attempts per job across runs before it is failed. Default 8.
    public var maxAttempts: Int
    /// Stop claiming after this many seconds, finish in-flight work, exit 75. Default: none.
    public var maxDuration: Double?
    /// End the run (75) when no job finished for this long because of rate limits or
    /// outages. Default 15 minutes.
    public var maxStall: Double
    /// Lease length in seconds; renewed every third of it while work is in flight. Default 60.
    public var leaseSeconds: Double
    /// After SIGINT/SIGTERM, how long in-flight requests may take before they are cut off
    /// and their jobs handed back. Default 10 s.
    public var shutdownGrace: Double
    /// System prompt for generate jobs that carry none. Default none.
    public var systemPrompt: String?
    /// First job-level backoff after a retryable failure, doubled per attempt. Default 2 s.
    public var retryBackoffBase: Double
    /// Cap of the job-level backoff. Default 10 minutes.
    public var retryBackoffCap: Double
    /// The first pause of every sender in an outage (seconds), doubled per pause. Default 1.
    public var outagePauseBase: Double
    /// The longest outage pause (seconds). Default 60.
    public var outagePauseCap: Double
    /// The `encoding_format` of embeddings requests; nil (the default): base64, switched to
    /// float arrays for the run when the server refuses base64.
    public var encodingFormat: EmbeddingEncoding?
    /// Share of a header-reported limit the pacer aims for (the server may count over
    /// shorter windows than a minute). Default 0.97.
    public var headerLimitShare: Double

    /// Options with the documented defaults.
    public init(
        concurrency: Int = 8, batchSize: Int = 512, maxBatchTokens: Int = 300_000, maxInputTokens: Int = 8_192,
        truncateLongInputs: Bool = false,
        requestsPerMinute: Int? = nil, tokensPerMinute: Int? = nil, maxAttempts: Int = 8, maxDuration: Double? = nil,
        maxStall: Double = 900, leaseSeconds: Double = 60, shutdownGrace: Double = 10, systemPrompt: String? = nil,
        retryBackoffBase: Double = 2, retryBackoffCap: Double = 600, headerLimitShare: Double = 0.97,
        outagePauseBase: Double = 1, outagePauseCap: Double = 60, encodingFormat: EmbeddingEncoding? = nil
    ) {
        self.encodingFormat = encodingFormat
        self.outagePauseBase = outagePauseBase
        self.outagePauseCap = outagePauseCap
        self.concurrency = concurrency
        self.batchSize = batchSize
        self.maxBatchTokens = maxBatchTokens
        self.maxInputTokens = maxInputTokens
        self.truncateLongInputs = truncateLongInputs
        self.requestsPerMinute = requestsPerMinute
        self.tokensPerMinute = tokensPerMinute
        self.maxAttempts = maxAttempts
        self.maxDuration = maxDuration
        self.maxStall = maxStall
        self.leaseSeconds = leaseSeconds
        self.shutdownGrace = shutdownGrace
        self.systemPrompt = systemPrompt
        self.retryBackoffBase = retryBackoffBase
        self.retryBackoffCap = retryBackoffCap
        self.headerLimitShare = headerLimitShare
    }
}
