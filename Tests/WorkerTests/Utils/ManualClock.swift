import Synchronization
import Worker

/// A `WorkerClock` on virtual time: `sleep` moves time forward at once and returns, and
/// records how long it was asked to wait, so backoff, pauses and pacing run in
/// microseconds and can be checked exactly.
///
/// Sleeps longer than `parkingAbove` (the lease-renewal loop's third of a lease) do not
/// move time: they wait until their task is cancelled. Otherwise that background loop
/// would run virtual time forward on its own and make stall and duration checks depend
/// on scheduling.
final class ManualClock: WorkerClock {
    private struct State {
        var now: Double
        var sleeps: [Double] = []
        var parked: [Int: CheckedContinuation<Void, any Error>] = [:]
        var nextParkID = 0
        var parkWaiters: [CheckedContinuation<Void, Never>] = []
    }

    private let state: Mutex<State>
    let parkingAbove: Double

    init(start: Double = 1_000_000, parkingAbove: Double = 10) {
        state = Mutex(State(now: start))
        self.parkingAbove = parkingAbove
    }

    func now() -> Double { state.withLock { $0.now } }

    /// Every sleep that moved time, in order.
    var sleeps: [Double] { state.withLock { $0.sleeps } }

    func sleep(seconds: Double) async throws {
        try Task.checkCancellation()
        guard seconds > 0 else { return }
        if seconds > parkingAbove {
            try await parkUntilCancelled()
            return
        }
        state.withLock {
            $0.now += seconds
            $0.sleeps.append(seconds)
        }
        await Task.yield()
    }

    /// Moves time forward by `seconds` without recording a sleep (time spent inside a request).
    func advance(by seconds: Double) {
        state.withLock { $0.now += seconds }
    }

    /// Waits until the calling task is cancelled, then throws `CancellationError`
    /// (a request that never answers); time does not move.
    func parkUntilCancelled() async throws {
        let id = state.withLock { state in
            defer { state.nextParkID += 1 }
            return state.nextParkID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let (cancelled, waiters) = state.withLock { state in
                    if Task.isCancelled { return (true, [CheckedContinuation<Void, Never>]()) }
                    state.parked[id] = continuation
                    defer { state.parkWaiters = [] }
                    return (false, state.parkWaiters)
                }
                if cancelled { continuation.resume(throwing: CancellationError()) }
                for waiter in waiters { waiter.resume() }
            }
        } onCancel: {
            state.withLock { $0.parked.removeValue(forKey: id) }?.resume(throwing: CancellationError())
        }
    }

    /// Returns once some task is parked in a long sleep (at once when one is).
    func untilParked() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let parked = state.withLock { state in
                if !state.parked.isEmpty { return true }
                state.parkWaiters.append(continuation)
                return false
            }
            if parked { continuation.resume() }
        }
    }
}
