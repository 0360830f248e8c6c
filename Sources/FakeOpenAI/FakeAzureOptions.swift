/// Azure OpenAI, as the fake serves it when ``FakeOpenAIOptions/azure`` is set: the classic
/// API, only `POST /openai/deployments/{deployment}/embeddings` and `…/chat/completions`,
/// each with `?api-version=` and an `api-key` header or a Microsoft Entra ID token in
/// `Authorization: Bearer`, the deployment being the model (the body's `model` is ignored);
/// and the v1 API, `POST /openai/v1/embeddings` and `…/chat/completions` (`api-version`
/// optional, `api-key` or `Authorization: Bearer` with the key or a token, the body's
/// `model` the deployment). 401 and 404 in Azure's shapes; only the
/// `x-ratelimit-remaining-requests` / `-tokens` headers; Azure-worded 429s with
/// `retry-after` and `retry-after-ms`.
public struct FakeAzureOptions: Sendable, Hashable {
    /// The key the `api-key` header must carry; `nil` (the default) accepts any non-empty key.
    public var apiKey: String?
    /// The Entra ID token an `Authorization: Bearer` header must carry; `nil` (the default)
    /// accepts any non-empty token while ``apiKey`` is nil too, and none once a key is required.
    public var entraToken: String?
    /// The window ``FakeOpenAIOptions/requestsPerMinute`` is counted over: `limit × window / 60`
    /// requests in any sliding window, and `x-ratelimit-remaining-requests` reports what is
    /// left of it (default 10 s, as Azure counts; at most a minute, more than zero). Tokens
    /// keep ``FakeOpenAIOptions/rateWindow``.
    public var requestWindow: Duration

    /// Creates the options; see each property for its default.
    public init(apiKey: String? = nil, entraToken: String? = nil, requestWindow: Duration = .seconds(10)) {
        self.apiKey = apiKey
        self.entraToken = entraToken
        self.requestWindow = min(max(requestWindow, .milliseconds(1)), .seconds(60))
    }
}

/// The Azure route a request matched: its deployment (the model; nil on the v1 API, where
/// the body names it), operation (for the 429's wording) and API version.
struct FakeAzureRoute: Sendable {
    var deployment: String?
    /// `Embeddings_Create` or `ChatCompletions_Create`.
    var operation: String
    var apiVersion: String
}
