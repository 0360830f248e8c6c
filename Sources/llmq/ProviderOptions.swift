import ArgumentParser
import Foundation
import LLM

/// `--provider NAME` (default `$LLMQ_PROVIDER`, else `openai`): which registered API a
/// command speaks (``ProviderRegistry``).
struct ProviderOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "The API to speak: openai (any OpenAI-compatible server: OPENAI_API_KEY, OPENAI_BASE_URL) or azure (Azure OpenAI's "
            + "classic API: AZURE_OPENAI_ENDPOINT, AZURE_OPENAI_API_KEY or an Entra ID token in AZURE_OPENAI_AD_TOKEN, "
            + "OPENAI_API_VERSION; the job's model is the deployment). "
            + "Default: $LLMQ_PROVIDER, else openai.",
        valueName: "name"))
    var provider: String?

    /// The provider's name from the flag, else `LLMQ_PROVIDER`, else `openai`; a usage error
    /// (exit 2) naming where an unknown name came from.
    func name(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> String {
        let fromEnvironment = environment["LLMQ_PROVIDER"].flatMap { $0.isEmpty ? nil : $0 }
        let name = provider ?? fromEnvironment ?? "openai"
        let registry = ProviderRegistry()
        guard registry.contains(name) else {
            let source = provider == nil ? "LLMQ_PROVIDER" : "--provider"
            throw CLIError(.usage, "\(source): unknown provider '\(name)' (known: \(registry.names.joined(separator: ", ")))")
        }
        return name
    }

    /// The settings of `provider` read from `environment` (``ProviderRegistry``) with the
    /// command's timeout, retries and connections; a usage error naming the variable that is
    /// missing or malformed. `openAIKeyHint` ends the message for a missing `OPENAI_API_KEY`;
    /// with `OPENAI_BASE_URL` set, the message says that a server that needs no key takes any
    /// (llmq, like the official SDK, always sends one).
    static func config(provider: String, environment: [String: String], openAIKeyHint: String, timeout: Double,
                       maxRetries: Int = 2, maxConnections: Int) throws -> OpenAIConfig {
        if provider == "openai", environment["OPENAI_API_KEY"]?.isEmpty ?? true {
            let anyKey = environment["OPENAI_BASE_URL"]?.isEmpty == false
                ? " (a server that needs no key, such as a local one, takes any value: OPENAI_API_KEY=none)" : ""
            throw CLIError(.usage, "OPENAI_API_KEY is not set: \(openAIKeyHint)\(anyKey)")
        }
        var config: OpenAIConfig
        do {
            config = try ProviderRegistry().settings(named: provider, environment: environment)
        } catch let error as ProviderConfigurationError {
            throw CLIError(.usage, error.message)
        }
        config.timeout = .milliseconds(Int64(timeout * 1000))
        config.maxRetries = max(0, maxRetries)
        config.maxConnections = max(maxConnections, 1)
        if let problem = config.baseURLProblem { throw CLIError(.usage, problem) }
        return config
    }
}
