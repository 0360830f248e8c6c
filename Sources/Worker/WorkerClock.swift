#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Time as the worker sees it: a wall clock in unix seconds (what `available_at` and
/// leases are stored in) and a way to wait. Tests inject a manual clock so backoff and
/// pacing run without real waiting.
public protocol WorkerClock: Sendable {
    /// Now, in unix seconds.
    func now() -> Double
    /// Waits `seconds` (returns at once for zero or less). Throws `CancellationError`
    /// when the task is cancelled.
    func sleep(seconds: Double) async throws
}

/// The real clock: `clock_gettime(CLOCK_REALTIME)` and `Task.sleep`.
public struct SystemWorkerClock: WorkerClock {
    public init() {}

    public func now() -> Double {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
    }

    public func sleep(seconds: Double) async throws {
        guard seconds > 0 else { return }
        try await Task.sleep(for: .nanoseconds(Int64(min(seconds, 86_400) * 1e9)))
    }
}
