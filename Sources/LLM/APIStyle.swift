/// How ``OpenAIProvider`` addresses and authenticates a request: the one place where
/// OpenAI's API and Azure OpenAI's classic API differ (everything else, the client,
/// retries, error mapping and key redaction, is shared).
public enum APIStyle: Sendable, Hashable {
    /// `{baseURL}{path}` with `Authorization: Bearer {key}`: OpenAI, and any server that
    /// follows it (Azure's v1 API at `{endpoint}/openai/v1` included).
    case openAI
    /// Azure OpenAI's classic API, as the official SDK's `AzureOpenAI` client speaks it:
    /// the base URL is `{AZURE_OPENAI_ENDPOINT}/openai`; a model call goes to
    /// `/deployments/{model}{path}` (the job's model names the deployment); every request
    /// carries `?api-version={apiVersion}` after its path, and the key goes in `api-key`, or,
    /// when `entraToken` (the credential is a Microsoft Entra ID token, `AZURE_OPENAI_AD_TOKEN`),
    /// in `Authorization: Bearer`.
    case azure(apiVersion: String, entraToken: Bool = false)

    /// The provider name this style reports (`"openai"` or `"azure"`).
    public var providerName: String {
        switch self {
        case .openAI: "openai"
        case .azure: "azure"
        }
    }

    /// The full URL of `path` (which may carry a query, `/batches?limit=100`) under `baseURL`;
    /// `deployment` is the model of a model call (`/embeddings`, `/chat/completions`), nil otherwise.
    public func url(base baseURL: String, path: String, deployment: String?) -> String {
        switch self {
        case .openAI:
            return baseURL + path
        case .azure(let apiVersion, _):
            var route = path
            var query = ""
            if let mark = path.firstIndex(of: "?") {
                route = String(path[..<mark])
                query = String(path[path.index(after: mark)...])
            }
            if let deployment { route = "/deployments/" + OpenAIProvider.pathComponent(deployment) + route }
            let version = "api-version=" + OpenAIProvider.pathComponent(apiVersion)
            return baseURL + route + "?" + (query.isEmpty ? version : query + "&" + version)
        }
    }

    /// The header that carries the credential: `Authorization: Bearer {key}` (OpenAI, or an
    /// Entra ID token on Azure), or Azure's `api-key: {key}`.
    public func credentialHeader(key: String) -> (name: String, value: String) {
        switch self {
        case .openAI, .azure(_, entraToken: true): ("Authorization", "Bearer \(key)")
        case .azure: ("api-key", key)
        }
    }
}
