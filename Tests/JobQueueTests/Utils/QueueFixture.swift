import Synchronization
@testable import JobQueue
@testable import SQLite
import TestSupport

/// A clock for `JobStore(now:)` that only moves when a test moves it (unix seconds).
final class SettableClock: Sendable {
    private let time: Mutex<Double>

    init(_ start: Double = 1_000_000) { time = Mutex(start) }

    var now: Double { time.withLock { $0 } }

    func advance(_ seconds: Double) { time.withLock { $0 += seconds } }

    /// The closure a `JobStore` reads time from.
    var source: @Sendable () -> Double { { self.now } }
}

/// A database in a fresh folder with jobs enqueued, opened with a settable clock.
struct QueueFixture {
    let dir: TemporaryDirectory
    let clock: SettableClock
    let store: JobStore

    init(_ jobs: String, clock: SettableClock = SettableClock()) throws {
        dir = try TemporaryDirectory()
        self.clock = clock
        store = try JobStore(path: dir.path("q.sqlite"), now: clock.source)
        _ = try enqueueText(jobs, into: store)
    }

    /// A second connection to the same file (another worker process), on the same clock.
    func openAnother() throws -> JobStore {
        try JobStore(path: dir.path("q.sqlite"), now: clock.source)
    }

    /// `column` of the job with custom id `id`.
    func value(_ column: String, of id: String) throws -> SQLiteValue {
        try store.db.rows("SELECT \(column) FROM jobs WHERE custom_id = ?1", .text(id))[0][0]
    }

    func status(_ id: String) throws -> String? {
        if case .text(let status) = try value("status", of: id) { return status }
        return nil
    }

    /// Enqueues `lines` again (a later `llmq enqueue`).
    func enqueue(_ lines: String) throws {
        _ = try enqueueText(lines, into: store)
    }
}

/// `count` embed jobs `e1`… with inputs `input-1`…, for the default model.
func embedLines(_ count: Int) -> String {
    (1...count).map { #"{"id": "e\#($0)", "type": "embed", "input": "input-\#($0)"}"# }.joined(separator: "\n") + "\n"
}
