/// How response headers are looked up: when a header is missing, under LiteLLM's
/// `llm_provider-` prefix too (the proxy forwards the backend's `x-ratelimit-*`,
/// `retry-after` and `retry-after-ms` only that way).
enum ProviderHeaders {
    /// `header` (a case-insensitive lookup) with the `llm_provider-` fallback.
    static func withFallback(_ header: @escaping @Sendable (String) -> String?) -> @Sendable (String) -> String? {
        { name in header(name) ?? header("llm_provider-" + name) }
    }
}
