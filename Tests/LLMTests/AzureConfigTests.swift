import LLM
import Testing

/// `OpenAIConfig.azure(environment:)`: the official SDK's variables, each one checked with
/// a message naming it.
struct AzureConfigTests {
    private let complete = [
        "AZURE_OPENAI_ENDPOINT": "https://res.openai.azure.com/", "AZURE_OPENAI_API_KEY": testAPIKey, "OPENAI_API_VERSION": "2024-10-21",
    ]

    private func message(_ environment: [String: String]) -> String? {
        do {
            _ = try OpenAIConfig.azure(environment: environment)
            return nil
        } catch {
            return error.message
        }
    }

    @Test func theSDKsVariablesMakeTheClassicSettings() throws {
        let config = try OpenAIConfig.azure(environment: complete)
        #expect(config.baseURL == "https://res.openai.azure.com/openai")
        #expect(config.api == .azure(apiVersion: "2024-10-21"))
        #expect(config.apiKey == testAPIKey)
        #expect(config.baseURLProblem == nil)
        #expect(!config.description.contains(testAPIKey))
        #expect(config.description.contains("provider: azure"))
    }

    @Test(arguments: ["AZURE_OPENAI_ENDPOINT", "OPENAI_API_VERSION"])
    func aMissingVariableIsNamed(variable: String) throws {
        var environment = complete
        environment[variable] = nil
        let text = try #require(message(environment))
        #expect(text.hasPrefix("\(variable) is not set: "))
        environment[variable] = "  "
        #expect(message(environment)?.hasPrefix("\(variable) is not set: ") == true)
    }

    @Test func anEntraTokenWithoutAKeyIsTheBearerCredential() throws {
        var environment = complete
        environment["AZURE_OPENAI_API_KEY"] = nil
        environment["AZURE_OPENAI_AD_TOKEN"] = " eyJ0eXAi.token \n"
        let config = try OpenAIConfig.azure(environment: environment)
        #expect(config.api == .azure(apiVersion: "2024-10-21", entraToken: true))
        #expect(config.apiKey == "eyJ0eXAi.token")
        #expect(config.api.credentialHeader(key: "eyJ0eXAi.token") == ("Authorization", "Bearer eyJ0eXAi.token"))
        #expect(!config.description.contains("eyJ0eXAi"))
    }

    @Test func theKeyWinsOverAToken() throws {
        var environment = complete
        environment["AZURE_OPENAI_AD_TOKEN"] = "eyJ0eXAi"
        let config = try OpenAIConfig.azure(environment: environment)
        #expect(config.api == .azure(apiVersion: "2024-10-21"))
        #expect(config.apiKey == testAPIKey)
        #expect(config.api.credentialHeader(key: testAPIKey) == ("api-key", testAPIKey))
    }

    @Test(arguments: [nil, "", "  "] as [String?])
    func neitherKeyNorTokenNamesBoth(token: String?) throws {
        var environment = complete
        environment["AZURE_OPENAI_API_KEY"] = nil
        environment["AZURE_OPENAI_AD_TOKEN"] = token
        #expect(message(environment) == "AZURE_OPENAI_API_KEY and AZURE_OPENAI_AD_TOKEN are not set: export a key of the Azure "
            + "OpenAI resource (Keys and Endpoint in the Azure portal) as AZURE_OPENAI_API_KEY, or a Microsoft Entra ID token for "
            + "https://cognitiveservices.azure.com/.default as AZURE_OPENAI_AD_TOKEN (needed by --provider azure)")
    }

    @Test func anEndpointWithTheVersionInItsQueryIsRefused() throws {
        var environment = complete
        environment["AZURE_OPENAI_ENDPOINT"] = "https://res.openai.azure.com/openai/deployments/emb?api-version=2024-02-01"
        #expect(message(environment) == "AZURE_OPENAI_ENDPOINT 'https://res.openai.azure.com/openai/deployments/emb?api-version=2024-02-01' "
            + "has a query or fragment: give the resource URL alone, e.g. https://NAME.openai.azure.com, and the API version in OPENAI_API_VERSION")
    }

    @Test(arguments: ["https://res.openai.azure.com/openai", "https://res.openai.azure.com/openai/v1/", "https://res.openai.azure.com/openai/deployments/emb"])
    func anEndpointThatAlreadyGoesIntoOpenAIIsRefused(endpoint: String) throws {
        var environment = complete
        environment["AZURE_OPENAI_ENDPOINT"] = endpoint
        let text = try #require(message(environment))
        #expect(text.hasPrefix("AZURE_OPENAI_ENDPOINT '\(endpoint)' already goes into /openai: give the resource URL alone"))
        #expect(text.contains("OPENAI_BASE_URL={endpoint}/openai/v1 without --provider azure"))
    }

    @Test(arguments: ["res.openai.azure.com", "ftp://res.openai.azure.com", "https://"])
    func anEndpointThatIsNotAnHTTPURLIsRefused(endpoint: String) {
        var environment = complete
        environment["AZURE_OPENAI_ENDPOINT"] = endpoint
        #expect(message(environment) == "AZURE_OPENAI_ENDPOINT '\(endpoint)' is not an http(s) URL such as https://NAME.openai.azure.com")
    }

    @Test func aVersionThatCannotBeAQueryValueIsRefused() {
        var environment = complete
        environment["OPENAI_API_VERSION"] = "2024-10-21&x=1"
        #expect(message(environment) == "OPENAI_API_VERSION '2024-10-21&x=1' is not an API version such as 2024-10-21")
    }

    @Test func aPathPrefixBeforeOpenAIIsKept() throws {
        var environment = complete
        environment["AZURE_OPENAI_ENDPOINT"] = "https://gateway.example.com/team-a/"
        #expect(try OpenAIConfig.azure(environment: environment).baseURL == "https://gateway.example.com/team-a/openai")
    }
}
