import Foundation

/// Maps provider names to how their settings are read and how they are built.
/// `"openai"` (any OpenAI-compatible server, through its base URL) and `"azure"` (Azure
/// OpenAI's classic API, ``OpenAIConfig/azure(environment:)``) are registered by default;
/// both are an ``OpenAIProvider``, differing only in their ``APIStyle``.
public struct ProviderRegistry: Sendable {
    /// Builds a provider from settings; throws ``LLMError`` or a configuration error.
    public typealias Factory = @Sendable (OpenAIConfig) throws -> any LLMProvider
    /// Reads a provider's settings from an environment; throws ``ProviderConfigurationError``
    /// naming the variable that is missing or malformed.
    public typealias Settings = @Sendable ([String: String]) throws -> OpenAIConfig

    private struct Entry: Sendable {
        var settings: Settings
        var factory: Factory
    }

    private var entries: [String: Entry]

    /// A registry with the built-in providers (`"openai"`, `"azure"`).
    public init() {
        let build: Factory = { config in try OpenAIProvider(config: config) }
        entries = [
            "openai": Entry(settings: { environment in OpenAIConfig(environment: environment) }, factory: build),
            "azure": Entry(settings: { environment in try OpenAIConfig.azure(environment: environment) }, factory: build),
        ]
    }

    /// The registered names, sorted.
    public var names: [String] { entries.keys.sorted() }

    /// Registers (or replaces) the factory for `name`; its settings are read as OpenAI's
    /// unless `settings` says otherwise.
    public mutating func register(_ name: String, settings: Settings? = nil, factory: @escaping Factory) {
        entries[name] = Entry(settings: settings ?? { environment in OpenAIConfig(environment: environment) }, factory: factory)
    }

    /// Whether `name` is registered.
    public func contains(_ name: String) -> Bool { entries[name] != nil }

    /// The settings of the provider registered as `name`, read from `environment`.
    /// - Throws: ``ProviderConfigurationError`` when `name` is unknown or a variable it
    ///   needs is missing or malformed.
    public func settings(named name: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> OpenAIConfig {
        try entry(name).settings(environment)
    }

    /// Builds the provider registered as `name`.
    /// - Throws: ``ProviderConfigurationError`` when `name` is unknown, or whatever the factory throws.
    public func makeProvider(named name: String, config: OpenAIConfig) throws -> any LLMProvider {
        try entry(name).factory(config)
    }

    private func entry(_ name: String) throws(ProviderConfigurationError) -> Entry {
        guard let entry = entries[name] else {
            throw ProviderConfigurationError(
                message: "Unknown provider '\(name)'. Known providers: \(names.joined(separator: ", "))."
            )
        }
        return entry
    }
}

/// A provider could not be built from its settings (missing key, bad URL, unknown name).
public struct ProviderConfigurationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What is wrong and how to fix it.
    public var message: String

    /// Creates the error.
    public init(message: String) { self.message = message }

    /// The message.
    public var description: String { message }
}
