import LLM
import Testing

/// The name → factory registry.
struct ProviderRegistryTests {
    @Test func openAIRegisteredByDefault() async throws {
        let registry = ProviderRegistry()
        #expect(registry.names == ["azure", "openai"])
        #expect(registry.contains("openai"))
        let provider = try registry.makeProvider(
            named: "openai", config: OpenAIConfig(apiKey: testAPIKey, baseURL: "http://127.0.0.1:9/v1", environment: [:])
        )
        #expect(provider.name == "openai")
        #expect(provider.supportsEmbeddings)
        try await provider.shutdown()
    }

    @Test func unknownProviderIsRejectedWithTheKnownNames() {
        #expect {
            try ProviderRegistry().makeProvider(named: "nope", config: OpenAIConfig(apiKey: "k", environment: [:]))
        } throws: { error in
            (error as? ProviderConfigurationError)?.message.contains("openai") == true
        }
    }

    @Test func azureIsRegisteredNextToOpenAIAndReadsTheSDKsVariables() async throws {
        let registry = ProviderRegistry()
        let config = try registry.settings(named: "azure", environment: [
            "AZURE_OPENAI_ENDPOINT": "http://127.0.0.1:9", "AZURE_OPENAI_API_KEY": testAPIKey, "OPENAI_API_VERSION": "2024-10-21",
        ])
        #expect(config.api == .azure(apiVersion: "2024-10-21"))
        let provider = try registry.makeProvider(named: "azure", config: config)
        #expect(provider.name == "azure")
        try await provider.shutdown()
        #expect(try registry.settings(named: "openai", environment: ["OPENAI_API_KEY": "k"]).api == .openAI)
        #expect {
            try registry.settings(named: "azure", environment: [:])
        } throws: { error in
            (error as? ProviderConfigurationError)?.message.hasPrefix("AZURE_OPENAI_ENDPOINT is not set") == true
        }
    }
}
