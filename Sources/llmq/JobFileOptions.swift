import ArgumentParser
import JobQueue

/// Options that fix a job's request at enqueue time (used by `enqueue` and `run FILE`).
struct JobFileOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Model for embed jobs that name none.", valueName: "model"))
    var embeddingModel: String = ModelCatalog.defaultEmbeddingModel

    @Option(help: ArgumentHelp("Model for generate jobs that name none.", valueName: "model"))
    var chatModel: String = ModelCatalog.defaultChatModel

    @Option(help: ArgumentHelp("Vector size for embed jobs that give none (default: the model's native size).", valueName: "n"))
    var dimensions: Int?

    @Option(help: ArgumentHelp("Longest accepted job line in bytes; longer lines are rejected.", valueName: "bytes"))
    var maxLineBytes: Int = 8 << 20

    /// The ingest these options describe.
    /// - Throws: `CLIError(.usage)` naming the flag when a value is out of range.
    func ingest(paths: [String]) throws -> Ingest {
        if let dimensions, dimensions < 1 {
            throw CLIError(.usage, "--dimensions must be at least 1, got \(dimensions)")
        }
        if let dimensions, let native = ModelCatalog.nativeDimensions(of: embeddingModel), dimensions > native {
            throw CLIError(.usage, "--dimensions must be between 1 and \(native) for \(embeddingModel), got \(dimensions)")
        }
        guard maxLineBytes >= 1 else { throw CLIError(.usage, "--max-line-bytes must be at least 1, got \(maxLineBytes)") }
        if embeddingModel.isEmpty { throw CLIError(.usage, "--embedding-model must not be empty") }
        if chatModel.isEmpty { throw CLIError(.usage, "--chat-model must not be empty") }
        let defaults = JobDefaults(embeddingModel: embeddingModel, chatModel: chatModel, dimensions: dimensions)
        return Ingest(paths: paths, parser: JobLineParser(defaults: defaults), maxLineBytes: maxLineBytes)
    }

    /// Enqueues `paths` into the database: every file is opened first (a missing one exits
    /// 2 before the database is touched, unless `skippingUnreadable`: then it is reported
    /// and left out), then each is streamed in.
    /// - Returns: the counts, the open store, how many files were read and how many could not be.
    func enqueue(_ paths: [String], into database: DatabaseOptions, skippingUnreadable: Bool = false) throws
        -> (counts: EnqueueCounts, store: JobStore, files: Int, unreadable: Int) {
        let ingest = try ingest(paths: paths)
        let (sources, unreadable) = skippingUnreadable ? try ingest.openReadableSources() : (try ingest.openSources(), 0)
        let store: JobStore
        do {
            store = try database.openStore()
        } catch {
            ingest.closeAll(sources)
            throw error
        }
        guard !sources.isEmpty else { return (EnqueueCounts(), store, 0, unreadable) }
        do {
            return (try ingest.run(into: store, sources: sources), store, sources.count, unreadable)
        } catch {
            throw DatabaseFailure.cliError(for: error, path: database.path) ?? CLIError(.usage, "\(error)")
        }
    }
}
