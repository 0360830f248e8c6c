/// How a ``FakeOpenAIServer`` behaves. Every field has a default that gives a fast,
/// unlimited, well-behaved OpenAI look-alike.
public struct FakeOpenAIOptions: Sendable {
    /// The TCP port on 127.0.0.1; 0 (the default) picks a free one.
    public var port: Int
    /// Added before every successful answer (default 0).
    public var latency: Duration
    /// Requests per sliding minute; `nil` (the default) means unlimited.
    public var requestsPerMinute: Int?
    /// Tokens per sliding minute; `nil` (the default) means unlimited.
    public var tokensPerMinute: Int?
    /// The window the limits are enforced over: at most `limit × rateWindow / 60` in any
    /// sliding `rateWindow`, while the headers still report per-minute figures (default
    /// one minute; at most one minute, more than zero).
    public var rateWindow: Duration
    /// Any embeddings request with an input containing this marker gets a 400
    /// `invalid_request_error` like the real over-length message (default `nil`).
    public var rejectInputsContaining: String?
    /// Any embeddings request with an input containing this marker gets a 500 server error,
    /// as a server that fails on one input does (default `nil`).
    public var failInputsContaining: String?
    /// When set, only these models are served; any other gets OpenAI's 404 `model_not_found`
    /// (default `nil`: every model is served).
    public var knownModels: Set<String>?
    /// When set, requests must carry `Authorization: Bearer <key>` or get a real-looking 401.
    public var requiredAPIKey: String?
    /// Overrides the `encoding_format` the client asked for (default `nil`: honour it).
    public var forceEncoding: FakeEmbeddingEncoding?
    /// Returns embedding items in reverse order (indices stay correct) to test re-ordering.
    public var reverseEmbeddingOrder: Bool
    /// Whether requests are recorded for ``FakeOpenAIServer/recordedRequests()`` (default `true`).
    public var recordRequests: Bool
    /// At most this many requests are kept (the first ones; default 10,000).
    public var maxRecordedRequests: Int
    /// Batch API: seconds on the batch clock from creation until every line has run
    /// (lines finish evenly over it); 0 (the default) finishes a batch at its first look.
    /// A batch whose lines are not all run 24 hours after creation expires.
    public var batchCompletionSeconds: Double
    /// Batch API: the organisation's enqueued-token limit per model (prompt tokens of
    /// in-progress batches); a batch over it fails with `token_limit_exceeded`. Default none.
    public var enqueuedTokenLimit: Int?
    /// Files API: the largest `purpose=batch` upload (default 200 MB, the API's limit).
    public var maxBatchFileBytes: Int
    /// Batch API: input lines whose body contains this text get a 500 in the error file.
    public var failBatchLinesContaining: String?
    /// When set, the server is an Azure OpenAI classic look-alike and serves nothing else
    /// (``FakeAzureOptions``; its endpoint is ``FakeOpenAIServer/azureEndpoint``). Default `nil`.
    public var azure: FakeAzureOptions?
    /// Differences from OpenAI that other servers have (default none).
    public var quirks: FakeServerQuirks
    /// Files API: file contents are sent `Content-Encoding: gzip` (stored blocks, so the
    /// client inflates as many bytes as it downloads). Default false.
    public var gzipFileContent: Bool
    /// Files API: file contents are sent as this broken gzip body instead. Default nil.
    public var gzipFileContentFault: FakeGzipFault?

    /// Creates options; see each property for its default.
    public init(
        port: Int = 0,
        latency: Duration = .zero,
        requestsPerMinute: Int? = nil,
        tokensPerMinute: Int? = nil,
        rateWindow: Duration = .seconds(60),
        rejectInputsContaining: String? = nil,
        failInputsContaining: String? = nil,
        knownModels: Set<String>? = nil,
        requiredAPIKey: String? = nil,
        forceEncoding: FakeEmbeddingEncoding? = nil,
        reverseEmbeddingOrder: Bool = false,
        recordRequests: Bool = true,
        maxRecordedRequests: Int = 10_000,
        batchCompletionSeconds: Double = 0,
        enqueuedTokenLimit: Int? = nil,
        maxBatchFileBytes: Int = 200_000_000,
        failBatchLinesContaining: String? = nil,
        azure: FakeAzureOptions? = nil,
        quirks: FakeServerQuirks = FakeServerQuirks(),
        gzipFileContent: Bool = false,
        gzipFileContentFault: FakeGzipFault? = nil
    ) {
        self.azure = azure
        self.quirks = quirks
        self.gzipFileContent = gzipFileContent
        self.gzipFileContentFault = gzipFileContentFault
        self.batchCompletionSeconds = batchCompletionSeconds
        self.enqueuedTokenLimit = enqueuedTokenLimit
        self.maxBatchFileBytes = maxBatchFileBytes
        self.failBatchLinesContaining = failBatchLinesContaining
        self.port = port
        self.latency = latency
        self.requestsPerMinute = requestsPerMinute
        self.tokensPerMinute = tokensPerMinute
        self.rateWindow = min(max(rateWindow, .milliseconds(1)), .seconds(60))
        self.rejectInputsContaining = rejectInputsContaining
        self.failInputsContaining = failInputsContaining
        self.knownModels = knownModels
        self.requiredAPIKey = requiredAPIKey
        self.forceEncoding = forceEncoding
        self.reverseEmbeddingOrder = reverseEmbeddingOrder
        self.recordRequests = recordRequests
        self.maxRecordedRequests = maxRecordedRequests
    }
}

/// The two wire forms of an embedding.
public enum FakeEmbeddingEncoding: String, Sendable, Hashable {
    /// A JSON array of numbers.
    case float
    /// A base64 string of little-endian float32 bytes.
    case base64
}
