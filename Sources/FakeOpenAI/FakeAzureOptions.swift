/// Azure OpenAI's classic API, as the fake serves it when ``FakeOpenAIOptions/azure`` is
/// set: only `POST /openai/deployments/{deployment}/embeddings` and `…/chat/completions`,
/// each with `?api-version=` and an `api-key` header; the deployment is the model (the
/// body's `model` is ignored); 401 and 404 in Azure's shapes; only the
/// `x-ratelimit-remaining-requests` / `-tokens` headers; Azure-worded 429s with
/// `retry-after` and `retry-after-ms`.
public struct FakeAzureOptions: Sendable, Hashable {
    /// The key the `api-key` header must carry; `nil` (the default) accepts any non-empty key.
    public var apiKey: String?
    /// The window ``FakeOpenAIOptions/requestsPerMinute`` is counted over: `limit × window / 60`
    /// requests in any sliding window, and `x-ratelimit-remaining-requests` reports what is
    /// left of it (default 10 s, as Azure counts; at most a minute, more than zero). Tokens
    /// keep ``FakeOpenAIOptions/rateWindow``.
    public var requestWindow: Duration

    /// Creates the options; see each property for its default.
    public init(apiKey: String? = nil, requestWindow: Duration = .seconds(10)) {
        self.apiKey = apiKey
        self.requestWindow = min(max(requestWindow, .milliseconds(1)), .seconds(60))
    }
}

/// The Azure route a request matched: its deployment (the model), operation (for the 429's
/// wording) and API version.
struct FakeAzureRoute: Sendable {
    var deployment: String
    /// `Embeddings_Create` or `ChatCompletions_Create`.
    var operation: String
    var apiVersion: String
}
