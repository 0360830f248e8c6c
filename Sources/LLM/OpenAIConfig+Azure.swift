import Foundation

extension OpenAIConfig {
    /// The official SDK's variable for the resource URL (`https://NAME.openai.azure.com`).
    public static let azureEndpointVariable = "AZURE_OPENAI_ENDPOINT"
    /// The official SDK's variable for the resource key (sent as `api-key`).
    public static let azureKeyVariable = "AZURE_OPENAI_API_KEY"
    /// The official SDK's variable for a Microsoft Entra ID access token (sent as
    /// `Authorization: Bearer`), used when ``azureKeyVariable`` is unset.
    public static let azureTokenVariable = "AZURE_OPENAI_AD_TOKEN"
    /// The official SDK's variable for the API version; required, as in the SDK (its
    /// `AzureOpenAI` client raises without it, and llmq assumes no default either).
    public static let azureVersionVariable = "OPENAI_API_VERSION"

    /// Settings for Azure OpenAI's classic API (``APIStyle/azure(apiVersion:entraToken:)``) from the
    /// official SDK's variables: `AZURE_OPENAI_ENDPOINT` and `OPENAI_API_VERSION`, required;
    /// `AZURE_OPENAI_API_KEY` (sent as `api-key`) or, when it is unset, `AZURE_OPENAI_AD_TOKEN`
    /// (an Entra ID token, sent as `Authorization: Bearer`); `OPENAI_ORG_ID`/`OPENAI_PROJECT_ID`
    /// as for OpenAI.
    /// The base URL is `{endpoint}/openai`; the other settings keep their defaults.
    /// - Throws: ``ProviderConfigurationError`` naming the variable that is missing or malformed
    ///   (never showing the key or the token).
    public static func azure(environment: [String: String] = ProcessInfo.processInfo.environment)
        throws(ProviderConfigurationError) -> OpenAIConfig {
        func value(_ name: String) -> String? {
            guard let text = environment[name]?.trimmingCharacters(in: .whitespacesAndNewlines), !text.isEmpty else { return nil }
            return text
        }
        guard let endpoint = value(azureEndpointVariable) else {
            throw ProviderConfigurationError(message: "\(azureEndpointVariable) is not set: export your Azure OpenAI resource's "
                + "endpoint, e.g. https://NAME.openai.azure.com (needed by --provider azure)")
        }
        let base = try azureBaseURL(endpoint: endpoint)
        let key = value(azureKeyVariable)
        guard let credential = key ?? value(azureTokenVariable) else {
            throw ProviderConfigurationError(message: "\(azureKeyVariable) and \(azureTokenVariable) are not set: export a key of "
                + "the Azure OpenAI resource (Keys and Endpoint in the Azure portal) as \(azureKeyVariable), or a Microsoft Entra "
                + "ID token for https://cognitiveservices.azure.com/.default as \(azureTokenVariable) (needed by --provider azure)")
        }
        guard let version = value(azureVersionVariable) else {
            throw ProviderConfigurationError(message: "\(azureVersionVariable) is not set: export the Azure OpenAI API version, "
                + "e.g. 2024-10-21 (required by --provider azure, as by the official SDK)")
        }
        guard version.unicodeScalars.allSatisfy({ CharacterSet.alphanumerics.contains($0) || $0 == "-" || $0 == "." }) else {
            throw ProviderConfigurationError(message: "\(azureVersionVariable) '\(version)' is not an API version such as 2024-10-21")
        }
        return OpenAIConfig(apiKey: credential, baseURL: base, api: .azure(apiVersion: version, entraToken: key == nil),
                            environment: environment)
    }

    /// `{endpoint}/openai` from the resource URL, or the error that says why `endpoint` is
    /// not one: not http(s), a query or fragment (`?api-version=` belongs in
    /// `OPENAI_API_VERSION`), or a path that already goes into `/openai/…`.
    static func azureBaseURL(endpoint: String) throws(ProviderConfigurationError) -> String {
        let variable = azureEndpointVariable
        guard let parts = URLComponents(string: endpoint), ["http", "https"].contains(parts.scheme?.lowercased() ?? ""),
              let host = parts.host, !host.isEmpty
        else {
            throw ProviderConfigurationError(message: "\(variable) '\(endpoint)' is not an http(s) URL such as https://NAME.openai.azure.com")
        }
        if parts.query != nil || parts.fragment != nil {
            throw ProviderConfigurationError(message: "\(variable) '\(endpoint)' has a query or fragment: give the resource URL alone, "
                + "e.g. https://NAME.openai.azure.com, and the API version in \(azureVersionVariable)")
        }
        var base = endpoint
        while base.hasSuffix("/") { base.removeLast() }
        let path = parts.path.lowercased()
        if path == "/openai" || path.hasPrefix("/openai/") || path.hasSuffix("/openai") || path.contains("/openai/") {
            throw ProviderConfigurationError(message: "\(variable) '\(endpoint)' already goes into /openai: give the resource URL alone, "
                + "e.g. https://NAME.openai.azure.com (llmq adds /openai/deployments/{model}/…); for Azure's v1 API use "
                + "OPENAI_BASE_URL={endpoint}/openai/v1 without --provider azure")
        }
        return base + "/openai"
    }
}
