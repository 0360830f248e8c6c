import ArgumentParser
import Chunker
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

    @Option(help: ArgumentHelp("Embed inputs of jobs with no \"chunk\" in chunks of at most n tokens (1-8192).", valueName: "n"))
    var chunkTokens: Int?

    @Option(help: ArgumentHelp("Tokens a chunk repeats from the previous one (default 0).", valueName: "n"))
    var chunkOverlap: Int?

    /// The chunk limits `--chunk-tokens` and `--chunk-overlap` give; nil without them.
    /// - Throws: `CLIError(.usage)` naming the flag when a value is out of range.
    func chunkLimits() throws -> ChunkLimits? {
        guard let chunkTokens else {
            if chunkOverlap != nil { throw CLIError(.usage, "--chunk-overlap needs --chunk-tokens") }
            return nil
        }
        let overlap = chunkOverlap ?? 0
        do {
            return try ChunkLimits(maxTokens: chunkTokens, overlapTokens: overlap)
        } catch where error.field == .maxTokens {
            throw CLIError(.usage, "--chunk-tokens \(error.rule)")
        } catch {
            if overlap >= chunkTokens { throw CLIError(.usage, "--chunk-overlap must be less than --chunk-tokens (\(chunkTokens)), got \(overlap)") }
            throw CLIError(.usage, "--chunk-overlap \(error.rule)")
        }
    }

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
        let defaults = JobDefaults(embeddingModel: embeddingModel, chatModel: chatModel, dimensions: dimensions,
                                   chunking: try chunkLimits())
        return Ingest(paths: paths, parser: JobLineParser(defaults: defaults), maxLineBytes: maxLineBytes)
    }

    /// Enqueues `paths` and the folders of `folders` into the database: every file and
    /// folder is opened first (a missing one exits 2 before the database is touched, unless
    /// `skippingUnreadable`: then it is reported and left out), then each is streamed in.
    /// Prints what `--prune` deleted.
    /// - Returns: the counts, the open store, how many files were read and how many could not be.
    func enqueue(_ paths: [String], folders: FolderOptions = FolderOptions(), into database: DatabaseOptions,
                 skippingUnreadable: Bool = false) throws
        -> (counts: EnqueueCounts, store: JobStore, files: Int, unreadable: Int) {
        let ingest = try ingest(paths: paths)
        let walks = try folders.walks()
        let (sources, unreadable) = skippingUnreadable ? try ingest.openReadableSources() : (try ingest.openSources(), 0)
        let store: JobStore
        do {
            store = try database.openStore()
        } catch {
            ingest.closeAll(sources)
            throw error
        }
        do {
            var counts = sources.isEmpty ? EnqueueCounts() : try ingest.run(into: store, sources: sources)
            if !walks.isEmpty {
                let files = try folders.enqueue(walks, into: store, defaults: ingest.parser.defaults, maxBytes: maxLineBytes)
                counts.add(files.counts)
                if folders.prune { printError("pruned \(files.pruned) jobs whose file is gone") }
            }
            return (counts, store, sources.count + walks.count, unreadable)
        } catch {
            throw DatabaseFailure.cliError(for: error, path: database.path) ?? CLIError(.usage, "\(error)")
        }
    }
}
