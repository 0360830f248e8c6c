import Foundation

/// Settings for ``OpenAIProvider`` and any OpenAI-compatible server.
///
/// The API key, base URL, organization and project fall back to `OPENAI_API_KEY`,
/// `OPENAI_BASE_URL`, `OPENAI_ORG_ID` and `OPENAI_PROJECT_ID` from the environment when
/// not given. ``description`` never shows the key.
public struct OpenAIConfig: Sendable, CustomStringConvertible, CustomReflectable {
    /// The default base URL, `https://api.openai.com/v1`.
    public static let defaultBaseURL = "https://api.openai.com/v1"
    /// The default per-request timeout, 600 s: the official SDK's. A gateway such as LiteLLM
    /// retries a backend's 429 itself for about a minute before it answers; a client that
    /// gives up sooner and resends pays twice for the same tokens.
    public static let defaultTimeout: Duration = .seconds(600)
    /// The default chat model, `gpt-4o-mini`.
    public static let defaultChatModel = "gpt-4o-mini"
    /// The default embedding model, `text-embedding-3-small`.
    public static let defaultEmbeddingModel = "text-embedding-3-small"

    /// The bearer token; `nil` or empty means none was found (building a provider then fails).
    public var apiKey: String?
    /// The API root, without a trailing slash, e.g. `https://api.openai.com/v1`.
    public var baseURL: String
    /// How requests are addressed and authenticated (OpenAI's way unless ``azure(environment:)``
    /// built the settings).
    public var api: APIStyle
    /// Sent as `OpenAI-Organization` when set.
    public var organization: String?
    /// Sent as `OpenAI-Project` when set.
    public var project: String?
    /// The chat model used when a request names none.
    public var chatModel: String
    /// The embedding model used when a request names none.
    public var embeddingModel: String
    /// The vector length asked for when a request names none; `nil` means the model's native size.
    public var dimensions: Int?
    /// The whole-request timeout (connect, send, wait, read the body). A request that timed
    /// out may still have been charged, so it is long: see ``defaultTimeout``.
    public var timeout: Duration
    /// Whether a request that timed out is sent again inside the same attempt. Off by
    /// default: the server may have done (and charged) the work; the job is handed back
    /// with a backoff instead, and only a later claim sends it again.
    public var resendAfterTimeout: Bool
    /// Retries after the first try for transient failures (so `maxRetries + 1` tries in all).
    public var maxRetries: Int
    /// The first backoff delay; doubles each retry.
    public var backoffBase: Duration
    /// The longest backoff delay.
    public var backoffCap: Duration
    /// A server-suggested delay longer than this is not waited for: the error goes to the caller.
    public var maxRetryAfter: Duration
    /// The most pooled HTTP/1 connections to the API host.
    public var maxConnections: Int
    /// The largest reply body accepted (a file download, streamed to disk, is not bound by it).
    public var maxResponseBytes: Int
    /// Whether the HTTP client silently retries failed connection attempts until the request's
    /// deadline. Off by default: a refused or unreachable server then surfaces at once as a
    /// `.connection` error and is retried by ``retryPolicy`` (with backoff and the observer).
    public var retryConnectionEstablishment: Bool

    /// Creates a configuration.
    /// - Parameters:
    ///   - apiKey: the key; defaults to `OPENAI_API_KEY`.
    ///   - baseURL: defaults to `OPENAI_BASE_URL`, else ``defaultBaseURL``.
    ///   - organization: defaults to `OPENAI_ORG_ID`.
    ///   - project: defaults to `OPENAI_PROJECT_ID`.
    ///   - chatModel: defaults to `gpt-4o-mini`.
    ///   - embeddingModel: defaults to `text-embedding-3-small`.
    ///   - dimensions: defaults to `nil` (the model's native size, 1536 for the default model).
    ///   - timeout: defaults to ``defaultTimeout`` (600 s, as the official SDK).
    ///   - resendAfterTimeout: defaults to `false`.
    ///   - maxRetries: defaults to 2, as the official SDK.
    ///   - backoffBase: defaults to 0.5 s; `backoffCap` to 8 s; `maxRetryAfter` to 120 s.
    ///   - maxConnections: defaults to 64.
    ///   - maxResponseBytes: defaults to 64 MiB.
    ///   - retryConnectionEstablishment: defaults to `false`.
    ///   - api: defaults to ``APIStyle/openAI``.
    ///   - environment: where the fallbacks are read; defaults to the process environment.
    public init(
        apiKey: String? = nil,
        baseURL: String? = nil,
        organization: String? = nil,
        project: String? = nil,
        chatModel: String = OpenAIConfig.defaultChatModel,
        embeddingModel: String = OpenAIConfig.defaultEmbeddingModel,
        dimensions: Int? = nil,
        timeout: Duration = OpenAIConfig.defaultTimeout,
        resendAfterTimeout: Bool = false,
        maxRetries: Int = 2,
        backoffBase: Duration = .milliseconds(500),
        backoffCap: Duration = .seconds(8),
        maxRetryAfter: Duration = .seconds(120),
        maxConnections: Int = 64,
        maxResponseBytes: Int = 64 << 20,
        retryConnectionEstablishment: Bool = false,
        api: APIStyle = .openAI,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) {
        func env(_ name: String) -> String? {
            guard let value = environment[name], !value.isEmpty else { return nil }
            return value
        }
        self.apiKey = apiKey ?? env("OPENAI_API_KEY")
        var base = baseURL ?? env("OPENAI_BASE_URL") ?? Self.defaultBaseURL
        while base.hasSuffix("/") { base.removeLast() }
        self.baseURL = base
        self.api = api
        self.organization = organization ?? env("OPENAI_ORG_ID")
        self.project = project ?? env("OPENAI_PROJECT_ID")
        self.chatModel = chatModel
        self.embeddingModel = embeddingModel
        self.dimensions = dimensions
        self.timeout = timeout
        self.resendAfterTimeout = resendAfterTimeout
        self.maxRetries = max(0, maxRetries)
        self.backoffBase = backoffBase
        self.backoffCap = backoffCap
        self.maxRetryAfter = maxRetryAfter
        self.maxConnections = max(1, maxConnections)
        self.maxResponseBytes = maxResponseBytes
        self.retryConnectionEstablishment = retryConnectionEstablishment
    }

    /// Why ``baseURL`` cannot be used (no http(s) scheme, no host), naming `OPENAI_BASE_URL`;
    /// nil when it can. Checked before anything is enqueued.
    public var baseURLProblem: String? {
        guard let url = URL(string: baseURL), ["http", "https"].contains(url.scheme?.lowercased() ?? ""),
            let host = url.host, !host.isEmpty
        else {
            if case .azure = api {
                return "AZURE_OPENAI_ENDPOINT gives the base URL '\(baseURL)', not an http(s) URL such as https://NAME.openai.azure.com/openai"
            }
            return "OPENAI_BASE_URL '\(baseURL)' is not an http(s) URL such as https://api.openai.com/v1 or http://localhost:11434/v1"
        }
        return nil
    }

    /// The retry rules these settings describe.
    public var retryPolicy: RetryPolicy {
        RetryPolicy(maxRetries: maxRetries, base: backoffBase, cap: backoffCap, maxRetryAfter: maxRetryAfter)
    }

    /// The settings with the key masked.
    public var description: String {
        let key = (apiKey?.isEmpty == false) ? "set" : "missing"
        return "OpenAIConfig(provider: \(api.providerName), baseURL: \(baseURL), apiKey: \(key), chatModel: \(chatModel), "
            + "embeddingModel: \(embeddingModel), dimensions: \(dimensions.map(String.init) ?? "native"), "
            + "timeout: \(LLMError.format(timeout)), maxRetries: \(maxRetries))"
    }

    /// A mirror without the key, so `dump` and debuggers do not show it.
    public var customMirror: Mirror {
        Mirror(
            self,
            children: [
                "apiKey": (apiKey?.isEmpty == false) ? "set (hidden)" : "missing", "baseURL": baseURL, "api": api,
                "organization": organization as Any, "project": project as Any, "chatModel": chatModel,
                "embeddingModel": embeddingModel, "dimensions": dimensions as Any, "timeout": timeout,
                "maxRetries": maxRetries,
            ]
        )
    }

    /// The native vector length of OpenAI's embedding models (`text-embedding-3-small` and
    /// `text-embedding-ada-002`: 1536, `text-embedding-3-large`: 3072), or `nil` for a model
    /// this table does not know (another OpenAI-compatible server's).
    public static func nativeDimensions(of model: String) -> Int? {
        switch model {
        case "text-embedding-3-small", "text-embedding-ada-002": 1536
        case "text-embedding-3-large": 3072
        default: nil
        }
    }
}
