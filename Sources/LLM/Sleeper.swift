/// Waits for a duration; injected so tests can record backoff delays instead of waiting.
public protocol Sleeper: Sendable {
    /// Suspends for `duration`.
    /// - Throws: `CancellationError` when the task is cancelled.
    func sleep(for duration: Duration) async throws
}

/// The production ``Sleeper``: `Task.sleep`.
public struct TaskSleeper: Sleeper {
    /// Creates the sleeper.
    public init() {}

    /// Suspends with `Task.sleep(for:)`.
    public func sleep(for duration: Duration) async throws {
        try await Task.sleep(for: duration)
    }
}

/// A source of uniform random values in [0, 1), injected for jitter.
public typealias RandomSource = @Sendable () -> Double

/// The production random source (`SystemRandomNumberGenerator`).
public let systemRandomSource: RandomSource = { Double.random(in: 0..<1) }
