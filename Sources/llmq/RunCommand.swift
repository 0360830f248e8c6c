import ArgumentParser
import JobQueue

/// `llmq run [FILE...]`: process pending jobs until none is left or a stop condition.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Process pending jobs (after enqueueing FILEs, if given) through the OpenAI API.",
        discussion: """
            Example: llmq run jobs/example.jsonl --concurrency 8   (with OPENAI_API_KEY set)

            Needs OPENAI_API_KEY (OPENAI_BASE_URL points at any OpenAI-compatible server);
            --provider azure needs AZURE_OPENAI_ENDPOINT, AZURE_OPENAI_API_KEY and
            OPENAI_API_VERSION instead, and sends each job to the deployment its model names.
            A FILE that cannot be read is reported and skipped (exit 65), and a glob the
            shell matched to nothing (new-docs/*.jsonl on a night without new files) is a
            note: the queue is processed either way, so a cron line always resumes.

            Exit codes: 0 done; 1 some jobs failed; 2 bad flag or configuration; 65 job
            lines rejected or job files unreadable (otherwise clean); 75 stopped with work
            left (--max-duration, a signal, a rate-limit stall or an outage): run again to
            resume; 77 the API refused the credentials or the account (no job is marked
            failed). A 404 for the endpoint, an unknown model or a request-level error
            also exit 2, with no job failed.

            With --batch-api: collects finished batches, submits pending jobs as new
            batches and exits 75 while batches are in flight (0 once all is stored);
            run it from cron, or with --wait to poll until done.
            """
    )

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var jobOptions: JobFileOptions
    @OptionGroup var runOptions: RunOptions
    @OptionGroup var providerOptions: ProviderOptions
    @OptionGroup var tokenizer: TokenizerOptions
    @OptionGroup var folders: FolderOptions
    @OptionGroup(title: "Batch API mode") var batchMode: BatchModeOptions

    @Argument(help: ArgumentHelp("Job files to enqueue first; '-' reads standard input.", valueName: "file"))
    var files: [String] = []

    func run() async throws {
        stampErrorLinesUnlessATerminal()
        // Every flag and the environment are checked before anything is touched.
        let options = try runOptions.workerOptions()
        let config = try runOptions.providerConfig(provider: try providerOptions.name())
        let batch = try batchMode.batchOptions(databasePath: database.path, maxDuration: runOptions.maxDuration)
        if batch != nil, config.api != .openAI {
            throw CLIError(.usage, "--batch-api is not supported with --provider \(config.api.providerName) (Azure's Batch API "
                + "needs a Global Batch deployment of its own): run without --batch-api")
        }
        var status = ExitStatus.ok
        if !files.isEmpty || !folders.folders.isEmpty {
            // A missing file or an unmatched glob is reported and the queue still runs.
            let enqueued = try jobOptions.enqueue(files, folders: folders, into: database, skippingUnreadable: true)
            let counts = enqueued.counts
            if enqueued.files > 0, !runOptions.quiet || counts.rejected > 0 {
                printError("llmq: enqueued: \(countsText(counts))")
            }
            if counts.rejected > 0 || enqueued.unreadable > 0 { status = .rejectedLines }
        }
        if let batch {
            let session = BatchRunSession(databasePath: database.path, options: batch, worker: options, config: config,
                                          json: runOptions.json, quiet: runOptions.quiet, tokenizer: tokenizer)
            status = status.combined(with: try await session.run())
            if status != .ok { throw CommandOutcome(status: status) }
            return
        }
        let session = RunSession(databasePath: database.path, options: options, config: config, json: runOptions.json, quiet: runOptions.quiet,
                                 tokenizer: tokenizer)
        status = status.combined(with: try await session.run())
        if status != .ok { throw CommandOutcome(status: status) }
    }
}
