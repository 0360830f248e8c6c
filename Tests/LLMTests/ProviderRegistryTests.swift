import LLM
import Testing

/// The name → factory registry.
struct ProviderRegistryTests {
    @Test func openAIRegisteredByDefault() async throws {
        let registry = ProviderRegistry()
        #expect(registry.names == ["openai"])
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
}
