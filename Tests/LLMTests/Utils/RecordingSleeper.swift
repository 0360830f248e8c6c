import LLM
import Synchronization

/// A ``Sleeper`` that records the delays asked for and returns at once.
final class RecordingSleeper: Sleeper {
    private let storage = Mutex<[Duration]>([])

    /// The delays requested so far, in order.
    var delays: [Duration] { storage.withLock { $0 } }

    func sleep(for duration: Duration) async throws {
        storage.withLock { $0.append(duration) }
    }
}

/// A ``RequestObserver`` that records every call.
final class RecordingObserver: RequestObserver {
    private let sends = Mutex<[(path: String, tokens: Int)]>([])
    private let receipts = Mutex<[(status: Int, retryAfter: Duration?)]>([])

    var sentPaths: [String] { sends.withLock { $0.map(\.path) } }
    var sentTokens: [Int] { sends.withLock { $0.map(\.tokens) } }
    var statuses: [Int] { receipts.withLock { $0.map(\.status) } }
    var retryAfters: [Duration?] { receipts.withLock { $0.map(\.retryAfter) } }

    func willSend(path: String, estimatedTokens: Int) async throws {
        sends.withLock { $0.append((path, estimatedTokens)) }
    }

    func didReceive(status: Int, rateLimits: RateLimitSnapshot?, retryAfter: Duration?, endsRun: Bool) async {
        receipts.withLock { $0.append((status, retryAfter)) }
    }
}
