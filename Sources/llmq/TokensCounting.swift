import Chunker
import Foundation
import JobQueue
import Tokenizer

/// The counting loop of `llmq tokens`: finds each job's counter (one dictionary look-up
/// per job; a model's tokenizer is loaded the first time the model appears), counts the
/// job, adds it to the tally and, with `--per-job`, writes its JSON line.
final class TokensCounting {
    private let tokenizer: TokenizerOptions
    /// `--encoding`: one counter for every job, whatever its model.
    private let fixedCounter: TokenCounter?
    private var counters: [String: TokenCounter] = [:]
    private let perJob: BufferedOutput?
    private(set) var tally: TokensTally
    /// Lines rejected in the job files.
    private(set) var rejected = 0

    /// A counting loop packing with `planner`; `fixedCounter` (from `--encoding`) counts
    /// every job when given; `perJob` receives the `--per-job` lines.
    init(planner: BatchPlanner, tokenizer: TokenizerOptions, fixedCounter: TokenCounter?, perJob: BufferedOutput?) {
        self.tally = TokensTally(planner: planner)
        self.tokenizer = tokenizer
        self.fixedCounter = fixedCounter
        self.perJob = perJob
    }

    /// Counts every valid job of `sources`; rejected lines go to stderr as `FILE:LINE: reason`
    /// (the first 100 per file, then a count).
    func count(sources: [JobSource], parser: JobLineParser, maxLineBytes: Int) async throws {
        let printer = DiagnosticPrinter()
        for source in sources {
            let stream = JobLineStream(source, parser: parser, maxLineBytes: maxLineBytes)
            while case let (job, _)? = try stream.next(report: { printer.report($0) }) {
                try add(job.customID, job.request, chunking: job.chunking, counter: try await counter(for: job.request.model))
            }
            printer.finishFile()
            rejected += stream.rejected
        }
    }

    /// Counts the files of `walks` as `enqueue --files` would make them into embed jobs;
    /// files that cannot be inputs are reported `PATH: reason` and counted as rejected.
    func count(folders walks: [FolderWalk], defaults: JobDefaults, maxBytes: Int) async throws {
        let model = defaults.embeddingModel
        let dimensions = defaults.dimensions ?? ModelCatalog.nativeDimensions(of: model)
        let counter = try await counter(for: model)
        for walk in walks {
            var matched = 0
            try walk.forEach({ entry in
                matched += 1
                switch TextFile.read(entry.path, maxBytes: maxBytes) {
                case .failure(let error):
                    printError("\(entry.path): \(error.reason)")
                    rejected += 1
                case .success(let text) where text.isEmpty:
                    printError("warning: \(entry.path): empty file, skipped")
                case .success(let text):
                    try add(entry.relativePath, .embed(input: text, model: model, dimensions: dimensions), chunking: defaults.chunking,
                            counter: counter)
                }
            }, notice: { message, isError in
                printError(isError ? message : "warning: " + message)
                if isError { rejected += 1 }
            })
            if matched == 0 { printError("warning: no file under \(walk.root) matched") }
        }
    }

    /// Counts every pending job in `store`, a chunked one by its chunks (the limits stored
    /// in its request), as the worker will cut them.
    func countPending(in store: JobStore) async throws {
        for model in try store.pendingModels() { _ = try await counter(for: model) }
        try store.forEachPendingJob { customID, request, chunking in
            try add(customID, request, chunking: chunking, counter: fixedCounter ?? counters[request.model] ?? .upperBound)
        }
    }

    /// Closes open batches and flushes the per-job lines.
    func finish() throws {
        tally.finish()
        try perJob?.flush()
    }

    private func add(_ customID: String, _ request: JobRequest, chunking: ChunkLimits? = nil, counter: TokenCounter) throws {
        let job = JobTokenCount(customID: customID, request: request, chunking: chunking, counter: counter)
        tally.add(job)
        try perJob?.write(job.jsonLine)
    }

    private func counter(for model: String) async throws -> TokenCounter {
        if let fixedCounter { return fixedCounter }
        if let known = counters[model] { return known }
        let loaded = try await tokenizer.counters(for: [model])[model] ?? .upperBound
        counters[model] = loaded
        return loaded
    }
}

extension JobRequest {
    /// The model the request goes to.
    var model: String {
        switch self {
        case .embed(_, let model, _), .generate(_, let model, _, _): model
        }
    }
}
