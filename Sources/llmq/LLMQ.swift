import ArgumentParser

/// The `llmq` command: batch job processor for LLM work.
struct LLMQ: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "llmq",
        abstract: "Batch job processor for LLM work: a SQLite queue of embed and generate jobs run through the OpenAI API.",
        discussion: """
            Example: llmq enqueue jobs/example.jsonl && llmq status

            Exit codes: 0 done; 1 some jobs failed; 2 usage or configuration error;
            65 some job lines rejected; 75 stopped with work left (run again);
            77 the API refused the credentials or the account.
            """,
        version: llmqVersion,
        subcommands: [EnqueueCommand.self, RunCommand.self, StatusCommand.self, RetryCommand.self, ExportCommand.self, TokensCommand.self, SearchCommand.self, BatchesCommand.self, DemoCommand.self]
    )

    /// Parses `arguments`, runs the chosen command and returns the exit status; prints
    /// help to stdout and errors to stderr (`llmq: error: …`).
    static func runMain(_ arguments: [String]) async -> ExitStatus {
        let command: any ParsableCommand
        do {
            command = try parseAsRoot(arguments)
        } catch {
            let code = exitCode(for: error)
            if code == .success {
                print(fullMessage(for: error))
                return .ok
            }
            printError(fullMessage(for: error))
            return .usage
        }
        do {
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                var syncCommand = command
                try syncCommand.run()
            }
            return .ok
        } catch let outcome as CommandOutcome {
            return outcome.status
        } catch let error as CLIError {
            printError("llmq: error: \(error.message)")
            return error.status
        } catch {
            if let failure = DatabaseFailure.cliError(for: error, path: nil) {
                printError("llmq: error: \(failure.message)")
                return failure.status
            }
            let code = exitCode(for: error)
            if code == .success {
                print(fullMessage(for: error))
                return .ok
            }
            printError(code == .validationFailure ? fullMessage(for: error) : "llmq: error: \(error)")
            return code == .validationFailure ? .usage : ExitStatus(rawValue: code.rawValue) ?? .failedJobs
        }
    }
}

/// llmq's version, shown by `--version` and in the HTTP User-Agent.
let llmqVersion = "0.1.0"
