import ArgumentParser
import JobQueue

/// `llmq export`: stream jobs and their results out, one line per job.
struct ExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write jobs and their results, one JSON line per job, in job order.",
        discussion: """
            Example: llmq export --kind embed --status succeeded -o vectors.jsonl

            jsonl (the default) writes custom_id, kind, status, model, attempts, the result
            (embedding and dimensions, or content, refusal and finish_reason), usage, error
            and metadata. Vectors are written as float32 values in their shortest exact
            form, so they read back bit for bit. openai-batch writes the OpenAI Batch API's
            output line shape; it leaves pending and running jobs out unless --status names
            them. Rows are streamed: memory stays small however large the queue.
            """
    )

    @OptionGroup var database: DatabaseOptions

    @Option(help: "Line format.")
    var format: ExportFormat = .jsonl

    @Option(help: "Only jobs of this kind.")
    var kind: JobKind?

    @Option(help: "Only jobs with this status.")
    var status: JobStatus?

    @Option(name: [.customShort("o"), .long], help: ArgumentHelp("Write to this file (created or truncated) instead of standard output.", valueName: "file"))
    var output: String?

    func run() async throws {
        let store = try database.openExistingStore()
        let out = try output.map { try BufferedOutput.create(path: $0) } ?? .standardOutput()
        do {
            try store.export(format: format, kind: kind, status: status) { try out.write($0) }
        } catch let error as CLIError {
            throw error
        } catch {
            throw DatabaseFailure.cliError(for: error, path: database.path)
                ?? CLIError(.usage, "export to \(out.name) stopped: \(error)")
        }
        try out.flush()
    }
}
