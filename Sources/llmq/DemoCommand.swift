import ArgumentParser
import FakeOpenAI
import Foundation
import JobQueue
import LLM
import SQLite
import Worker

/// `llmq demo`: the offline tour. Starts the built-in fake OpenAI server on loopback,
/// enqueues `jobs/demo.jsonl` (with one chunked document), runs it over real HTTP with a
/// few injected 429s, and prints the status and some results.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Offline tour: run jobs/demo.jsonl against the built-in fake OpenAI server on 127.0.0.1.",
        discussion: """
            Example: llmq demo

            Uses a fresh database in a temporary folder, removed at the end, unless --db
            is given (then the database is kept). The fake
            server answers like the OpenAI API (deterministic vectors and replies), with
            x-ratelimit-* headers and a few scripted 429 responses, so the run shows
            backoff, the shared pause and vector reuse without a network or an API key.
            """
    )

    @Option(help: ArgumentHelp("The SQLite database, kept afterwards (default: a new one in a temporary folder, removed at the end).", valueName: "path"))
    var db: String?

    @Option(help: ArgumentHelp("The job file to run.", valueName: "file"))
    var jobs: String = "jobs/demo.jsonl"

    @Option(name: .customLong("injected-429s"),
            help: ArgumentHelp("429 responses the fake server sends first (each with retry-after-ms: 300).", valueName: "n"))
    var injected429s: Int = 3

    @OptionGroup var runOptions: RunOptions
    @OptionGroup var tokenizer: TokenizerOptions

    func run() async throws {
        let options = try runOptions.workerOptions()
        guard injected429s >= 0 else { throw CLIError(.usage, "--injected-429s must be 0 or more, got \(injected429s)") }
        if let db {
            print("llmq demo: database \(db)")
            try await tour(path: db, options: options)
            return
        }
        let path = FileManager.default.temporaryDirectory
            .appendingPathComponent("llmq-demo-\(UUID().uuidString.prefix(8)).sqlite").path
        print("llmq demo: database \(path) (temporary: removed at the end; --db PATH keeps one)")
        // Removed after `tour` has returned, so its connections are closed.
        defer {
            let batchPath = Self.batchDatabasePath(for: path)
            for file in [path, batchPath, batchPath + "-batch"] {
                for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: file + suffix) }
            }
        }
        try await tour(path: path, options: options)
    }

    /// Enqueues, runs against the fake server and shows the results in the database at `path`.
    private func tour(path: String, options: WorkerOptions) async throws {
        let ingest = Ingest(paths: [jobs], parser: JobLineParser(), maxLineBytes: 8 << 20)
        let sources: [JobSource]
        do {
            sources = try ingest.openSources()
        } catch let error as CLIError {
            throw CLIError(.usage, "\(error.message) (run llmq demo from the repository folder, or pass --jobs FILE)")
        }
        let store = try DatabaseOptions(db: path).openStore()
        let counts = try ingest.run(into: store, sources: sources)
        print("enqueued \(jobs): added \(counts.added), updated \(counts.updated), unchanged \(counts.unchanged), rejected \(counts.rejected)")

        let server = try await FakeOpenAIServer.start(FakeOpenAIOptions(latency: .milliseconds(15), recordRequests: false,
                                                                        batchCompletionSeconds: 1.5))
        server.enqueueFaults(Array(repeating: .rateLimit(retryAfterMs: 300), count: injected429s))
        print("fake OpenAI server: \(server.baseURL) (\(injected429s) scripted 429s first)")
        let config = try runOptions.providerConfig(environment: ["OPENAI_API_KEY": "sk-llmq-demo-offline", "OPENAI_BASE_URL": server.baseURL])
        let status: ExitStatus
        do {
            status = try await RunSession(databasePath: path, options: options, config: config, json: runOptions.json, quiet: runOptions.quiet,
                                        tokenizer: tokenizer).run()
        } catch {
            await server.shutdown()
            throw error
        }
        let stats = server.stats()
        print("fake server: \(stats.requests) requests, \(stats.rateLimited) answered 429\n")
        print(StatusTable.render(try store.status(), now: JobStore.systemNow()))
        try DemoResults.print(from: store.db)
        let batchStatus: ExitStatus
        do {
            batchStatus = try await batchPart(sources: ingest, path: path, options: options, config: config)
        } catch {
            await server.shutdown()
            throw error
        }
        await server.shutdown()
        let combined = status.combined(with: batchStatus)
        if combined != .ok { throw CommandOutcome(status: combined) }
    }

    /// Where the Batch API part keeps its database: beside the first one.
    static func batchDatabasePath(for path: String) -> String {
        (path as NSString).deletingPathExtension + "-batch.sqlite"
    }

    /// The Batch API part: the same jobs in a second database, through `run --batch-api
    /// --wait` against the fake server's Files and Batches endpoints (batches finish in 1.5 s).
    private func batchPart(sources ingest: Ingest, path: String, options: WorkerOptions, config: OpenAIConfig) async throws -> ExitStatus {
        let batchPath = Self.batchDatabasePath(for: path)
        print("\nBatch API mode (llmq run --batch-api --wait --poll-interval 0.5s): the same jobs in \(batchPath)")
        let store = try DatabaseOptions(db: batchPath).openStore()
        _ = try ingest.run(into: store, sources: try ingest.openSources())
        let batch = BatchRunOptions(wait: true, pollInterval: 0.5, workDirectory: batchPath + "-batch",
                                    databaseName: (batchPath as NSString).lastPathComponent)
        let status = try await BatchRunSession(databasePath: batchPath, options: batch, worker: options, config: config, json: false,
                                               quiet: false, tokenizer: tokenizer).run()
        print("")
        print(StatusTable.render(try store.status(), now: JobStore.systemNow()))
        let listed = try store.batchRows().map { "  \($0.id): \($0.status), \($0.model), \($0.completed)/\($0.total) lines" }
        print("\nbatches (llmq batches):\n" + listed.joined(separator: "\n"))
        return status
    }
}

extension DatabaseOptions {
    /// Options naming an explicit database path.
    init(db: String) {
        self.init()
        self.db = db
    }
}

/// A few stored results, as a user would look at them with SQL.
enum DemoResults {
    static func print(from db: Connection) throws {
        Swift.print("\nsome vectors (SELECT custom_id, dimensions, vector FROM jobs JOIN embeddings ON job_id = jobs.id):")
        for row in try db.rows("""
            SELECT custom_id, embeddings.dimensions, vector, reused FROM jobs JOIN embeddings ON embeddings.job_id = jobs.id
            ORDER BY jobs.id LIMIT 3
            """) {
            guard case .text(let id) = row[0], case .integer(let dims) = row[1], case .blob(let bytes) = row[2] else { continue }
            let head = EmbeddingResult.floats(fromLittleEndian: Array(bytes.prefix(16))).map { String(format: "%.4f", $0) }
            Swift.print("  \(id): \(dims) float32 [\(head.joined(separator: ", ")), …] (\(bytes.count) bytes)")
        }
        Swift.print("\na chunked document (SELECT chunk, start, end, text FROM embeddings JOIN jobs ON job_id = jobs.id WHERE custom_id = 'demo-guide'):")
        for row in try db.rows("""
            SELECT chunk, start, end, text FROM embeddings JOIN jobs ON embeddings.job_id = jobs.id
            WHERE custom_id = 'demo-guide' AND jobs.status = 'succeeded' ORDER BY chunk LIMIT 4
            """) {
            guard case .integer(let chunk) = row[0], case .integer(let start) = row[1], case .integer(let end) = row[2],
                  case .text(let text) = row[3] else { continue }
            let snippet = text.prefix(60).replacingOccurrences(of: "\n", with: "⏎")
            Swift.print("  chunk \(chunk) [\(start), \(end)): \(snippet)\(text.count > 60 ? "…" : "")")
        }
        Swift.print("\nsome replies (SELECT custom_id, content FROM jobs JOIN generations ON job_id = jobs.id):")
        for row in try db.rows("""
            SELECT custom_id, content, finish_reason FROM jobs JOIN generations ON generations.job_id = jobs.id
            ORDER BY jobs.id LIMIT 3
            """) {
            guard case .text(let id) = row[0] else { continue }
            let content: String = if case .text(let text) = row[1] { text } else { "(no content)" }
            Swift.print("  \(id): \(content)")
        }
    }
}
