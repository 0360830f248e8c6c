import FakeOpenAI
import Foundation
import JSON
import LLM

/// The API key every test uses; tests check it never leaks into errors.
let testAPIKey = "sk-test-SECRET-key-0123456789abcdefXYZ"

/// The fixed jitter every test uses (a factor of 1 − 0.25 × 0.5 = 0.875).
let fixedRandom: RandomSource = { 0.5 }

/// A running fake server plus a provider pointed at it.
struct FakeHarness {
    let server: FakeOpenAIServer
    let provider: OpenAIProvider
    let sleeper: RecordingSleeper

    /// The JSON bodies the server received, in order.
    var bodies: [JSONValue] { server.recordedRequests().compactMap(\.body) }
}

/// Starts a fake server and a provider (fixed jitter, recording sleeper), runs `body`,
/// then shuts both down whatever happens. `settings` builds the provider's settings from
/// the running server (default: OpenAI's, at its base URL, with ``testAPIKey``).
func withFakeProvider<T>(
    server options: FakeOpenAIOptions = FakeOpenAIOptions(),
    settings: (FakeOpenAIServer) throws -> OpenAIConfig = { OpenAIConfig(apiKey: testAPIKey, baseURL: $0.baseURL, environment: [:]) },
    configure: (inout OpenAIConfig) -> Void = { _ in },
    observer: (any RequestObserver)? = nil,
    now: @escaping @Sendable () -> Date = { Date() },
    _ body: (FakeHarness) async throws -> T
) async throws -> T {
    let server = try await FakeOpenAIServer.start(options)
    let sleeper = RecordingSleeper()
    let provider: OpenAIProvider
    do {
        var config = try settings(server)
        configure(&config)
        provider = try OpenAIProvider(config: config, sleeper: sleeper, random: fixedRandom, observer: observer, now: now)
    } catch {
        await server.shutdown()
        throw error
    }
    let harness = FakeHarness(server: server, provider: provider, sleeper: sleeper)
    do {
        let result = try await body(harness)
        try await provider.shutdown()
        await server.shutdown()
        return result
    } catch {
        try? await provider.shutdown()
        await server.shutdown()
        throw error
    }
}

/// Runs `operation` and returns the ``LLMError`` it throws, or `nil` when it does not throw one.
func captureLLMError(_ operation: () async throws -> some Any) async -> LLMError? {
    do {
        _ = try await operation()
        return nil
    } catch let error as LLMError {
        return error
    } catch {
        return nil
    }
}
