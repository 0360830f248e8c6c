import ArgumentParser
import Foundation
import JobQueue
import Tokenizer

/// `llmq tokens FILE... | --queue`: a dry run that counts tokens, requests and the
/// estimated cost per kind and model without calling any API.
struct TokensCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokens",
        abstract: "Dry run: count tokens, requests and the estimated cost per kind and model, without calling any API.",
        discussion: """
            Example: llmq tokens jobs/example.jsonl
                     llmq tokens --files docs/ --chunk-tokens 512 --chunk-overlap 50

            Reads job files ('-' for standard input), folders (--files DIR, as enqueue
            --files makes them into jobs), or with --queue the pending jobs in --db; no
            database is created or touched for files. Chunked embed jobs (a "chunk" field,
            or --chunk-tokens) count their chunks as the worker cuts them. Rejected lines are reported
            on stderr as FILE:LINE: reason, like enqueue, and the exit code is then 65.

            Counting: an embed job counts its input with its model's encoding (cl100k_base
            for text-embedding-*). A generate job counts its prompt by tiktoken's chat
            convention for the gpt-4o family: 3 tokens per message plus the tokens of its
            role and content, plus 3 that prime the reply; its max_tokens is the bound on
            output, shown separately. Counts are exact for every model whose encoding llmq
            knows (its rank files are built in); for other models they are upper bounds
            (marked ≤, "exact": false in JSON).

            Requests: embed jobs are packed per model and dimensions, in order, at most
            --batch-size inputs and --max-batch-tokens tokens per request (as the worker
            does); one request per generate job. Embedding inputs over 8,192 tokens (by an
            exact count) are counted and reported (over 8192, "over_limit") but not sent,
            as the worker fails them, so they are not in requests or cost.

            Cost: USD from a built-in table of estimates (text-embedding-3-small 0.02,
            text-embedding-3-large 0.13, text-embedding-ada-002 0.10, gpt-4o-mini 0.15 in /
            0.60 out, gpt-4o 2.50 / 10.00 per 1M tokens) that may be outdated: override
            or add with --price MODEL=USD_PER_1M_INPUT[,USD_PER_1M_OUTPUT]. Generate costs
            include max_tokens of output, so they are "up to". A model without a price
            shows "unknown" (null in JSON).
            """
    )

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var jobOptions: JobFileOptions
    @OptionGroup var tokenizer: TokenizerOptions
    @OptionGroup var folders: FolderOptions

    @Argument(help: ArgumentHelp("Job files (JSONL); '-' reads standard input.", valueName: "file"))
    var files: [String] = []

    @Flag(help: "Count the pending jobs in the database (--db) instead of files.")
    var queue = false

    @Flag(help: "Print one JSON line per job ({\"id\", \"kind\", \"model\", \"tokens\", \"exact\", …}) instead of the summary.")
    var perJob = false

    @Flag(help: "Print the summary as one JSON object.")
    var json = false

    @Option(help: ArgumentHelp("Count every job with this encoding (cl100k_base or o200k_base) instead of its model's.", valueName: "name"))
    var encoding: String?

    @Option(name: .customLong("price"), help: ArgumentHelp("A model's price in USD per 1M tokens, overriding the built-in table (repeatable).", valueName: "model=in[,out]"))
    var prices: [String] = []

    @Option(help: ArgumentHelp("Embedding inputs per request (1…2048).", valueName: "n"))
    var batchSize: Int = BatchPlanner.defaultMaxInputs

    @Option(help: ArgumentHelp("Tokens per embeddings request at most.", valueName: "n"))
    var maxBatchTokens: Int = BatchPlanner.defaultMaxTokens

    func validate() throws {
        let fromFiles = !files.isEmpty || !folders.folders.isEmpty
        if !fromFiles && !queue { throw ValidationError("name at least one job file, '-' for standard input, --files DIR, or --queue") }
        if fromFiles && queue { throw ValidationError("give job files (or --files) or --queue, not both") }
        if folders.prune { throw ValidationError("--prune deletes jobs: use it with enqueue or run, not tokens") }
    }

    func run() async throws {
        let priceTable = try PriceTable.with(overrides: prices)
        guard (1...BatchPlanner.apiMaxInputs).contains(batchSize) else {
            throw CLIError(.usage, "--batch-size must be between 1 and \(BatchPlanner.apiMaxInputs) (the API's limit), got \(batchSize)")
        }
        guard maxBatchTokens >= 1 else { throw CLIError(.usage, "--max-batch-tokens must be at least 1, got \(maxBatchTokens)") }
        let planner = BatchPlanner(maxInputs: batchSize, maxTokens: maxBatchTokens)
        var fixedCounter: TokenCounter?
        if let encoding { fixedCounter = try await tokenizer.counter(encodingNamed: encoding) }
        let counting = TokensCounting(planner: planner, tokenizer: tokenizer, fixedCounter: fixedCounter,
                                      perJob: perJob ? BufferedOutput.standardOutput() : nil)
        if queue {
            try await countQueue(counting)
        } else {
            try await countFiles(counting)
        }
        try counting.finish()
        let summary = TokensSummary(counting.tally, prices: priceTable, rejected: counting.rejected)
        if json && !perJob {
            print(summary.jsonText())
        } else if !perJob {
            print(TokensTable.render(summary))
        }
        if counting.rejected > 0 { throw CommandOutcome(status: .rejectedLines) }
    }

    private func countFiles(_ counting: TokensCounting) async throws {
        let ingest = try jobOptions.ingest(paths: files)
        let walks = try folders.walks()
        let sources = try ingest.openSources()
        defer { ingest.closeAll(sources) }
        do {
            try await counting.count(sources: sources, parser: ingest.parser, maxLineBytes: ingest.maxLineBytes)
            try await counting.count(folders: walks, defaults: ingest.parser.defaults, maxBytes: ingest.maxLineBytes)
        } catch let error as JobQueueError {
            throw CLIError(.usage, error.description)
        }
    }

    private func countQueue(_ counting: TokensCounting) async throws {
        let store = try database.openExistingStore()
        do {
            try await counting.countPending(in: store)
        } catch {
            if let failure = DatabaseFailure.cliError(for: error, path: database.path) { throw failure }
            if let error = error as? JobQueueError { throw CLIError(.usage, error.description) }
            throw error
        }
    }
}
