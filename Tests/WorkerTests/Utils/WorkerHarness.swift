import Synchronization
import Foundation
import JobQueue
import LLM
import SQLite
@testable import Worker
import TestSupport

/// The lines a worker logged (a class, so the harness stays copyable).
final class LoggedLines: Sendable {
    let lines = Mutex<[String]>([])
}

/// Small options for tests: two requests in flight, batches of four.
extension WorkerOptions {
    static func test(maxAttempts: Int = 8, maxDuration: Double? = nil, systemPrompt: String? = nil) -> WorkerOptions {
        WorkerOptions(concurrency: 2, batchSize: 4, maxAttempts: maxAttempts, maxDuration: maxDuration, maxStall: 60,
                      leaseSeconds: 60, systemPrompt: systemPrompt)
    }
}

/// A queue database in a fresh folder, a manual clock, a pacer and a scripted provider
/// wired together as `llmq run` wires them, to run a `Worker` against.
struct WorkerHarness {
    let dir: TemporaryDirectory
    let clock: ManualClock
    let pacer: Pacer
    /// The gate in front of the pacer, the provider's observer (as `llmq run` wires it).
    let gate: SendGate
    let provider: ScriptedProvider
    let queue: QueueStore
    /// A second connection for enqueueing and looking at rows.
    let store: JobStore
    let start: Double
    private let logged = LoggedLines()

    /// - Parameter latency: seconds each provider call takes on the manual clock.
    init(jobs: String, script: [ScriptedProvider.Step] = [], otherwise: ScriptedProvider.Step = .succeed,
         latency: Double = 0) throws {
        let dir = try TemporaryDirectory()
        let clock = ManualClock()
        let pacer = Pacer(clock: clock, random: { 0 })
        let gate = SendGate(pacer: pacer, clock: clock)
        self.dir = dir
        self.clock = clock
        self.pacer = pacer
        self.gate = gate
        start = clock.now()
        provider = ScriptedProvider(script, otherwise: otherwise, clock: clock, observer: gate, latency: latency)
        let path = dir.path("q.sqlite")
        store = try JobStore(path: path, now: { clock.now() })
        queue = try QueueStore(path: path, now: { clock.now() })
        try enqueue(jobs)
    }

    /// Enqueues JSONL `text` as `llmq enqueue` would.
    func enqueue(_ text: String) throws {
        let file = dir.path("jobs-\(UUID().uuidString).jsonl")
        try Data(text.utf8).write(to: URL(fileURLWithPath: file))
        let fd = open(file, O_RDONLY)
        defer { close(fd) }
        _ = try store.enqueue(JobSource(name: "jobs.jsonl", fd: fd), ingestID: try store.beginIngest(sources: [file])) { _ in }
    }

    /// A worker on this queue, provider, pacer and clock, with no randomness, logging to ``logLines``.
    func makeWorker(_ options: WorkerOptions = .test()) -> Worker {
        Worker(options: options, queue: queue, provider: provider, pacer: pacer, gate: gate, clock: clock, random: { 0 },
               log: { [logged] line in logged.lines.withLock { $0.append(line) } })
    }

    /// Every line the workers logged, in order.
    var logLines: [String] { logged.lines.withLock { $0 } }

    /// Runs one worker until it stops.
    func run(_ options: WorkerOptions = .test()) async throws -> RunReport {
        try await makeWorker(options).run()
    }

    /// `column` of the job with custom id `id`.
    func value(_ column: String, of id: String) throws -> SQLiteValue {
        try store.db.rows("SELECT \(column) FROM jobs WHERE custom_id = ?1", .text(id))[0][0]
    }

    /// Custom id → status of every job.
    func statuses() throws -> [String: String] {
        var result: [String: String] = [:]
        for row in try store.db.rows("SELECT custom_id, status FROM jobs") {
            if case .text(let id) = row[0], case .text(let status) = row[1] { result[id] = status }
        }
        return result
    }

    /// `columns` of the embeddings row of job `id` (nil when it has none).
    func embedding(_ columns: String, of id: String) throws -> [SQLiteValue]? {
        try store.db.rows("SELECT \(columns) FROM embeddings WHERE job_id = (SELECT id FROM jobs WHERE custom_id = ?1)", .text(id)).first
    }

    /// The stored vector of job `id`, as bytes.
    func vector(of id: String) throws -> [UInt8]? {
        if case .blob(let bytes)? = try embedding("vector", of: id)?[0] { return bytes }
        return nil
    }
}
