/// Maps provider names to factories. `"openai"` is registered by default; any
/// OpenAI-compatible server is reached through it with a different base URL.
public struct ProviderRegistry: Sendable {
    /// Builds a provider from settings; throws ``LLMError`` or a configuration error.
    public typealias Factory = @Sendable (OpenAIConfig) throws -> any LLMProvider

    private var factories: [String: Factory]

    /// A registry with the built-in providers (`"openai"`).
    public init() {
        factories = ["openai": { config in try OpenAIProvider(config: config) }]
    }

    /// The registered names, sorted.
    public var names: [String] { factories.keys.sorted() }

    /// Registers (or replaces) the factory for `name`.
    public mutating func register(_ name: String, factory: @escaping Factory) {
        factories[name] = factory
    }

    /// Whether `name` is registered.
    public func contains(_ name: String) -> Bool { factories[name] != nil }

    /// Builds the provider registered as `name`.
    /// - Throws: ``ProviderConfigurationError`` when `name` is unknown, or whatever the factory throws.
    public func makeProvider(named name: String, config: OpenAIConfig) throws -> any LLMProvider {
        guard let factory = factories[name] else {
            throw ProviderConfigurationError(
                message: "Unknown provider '\(name)'. Known providers: \(names.joined(separator: ", "))."
            )
        }
        return try factory(config)
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
