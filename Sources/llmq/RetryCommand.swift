import ArgumentParser
import JobQueue

/// `llmq retry`: put failed (or the named) jobs back to pending.
struct RetryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retry",
        abstract: "Put failed jobs, or the named ones, back to pending with their attempts reset.",
        discussion: """
            Example: llmq retry --failed

            With no ids (or --failed alone) every failed job is re-queued. Named ids are
            re-queued whatever their status, except running jobs; with --failed only the
            named ids that failed. Prints "requeued N". Each unknown id is reported on
            stderr; the exit code is 2 only when none of the named ids exists, else 0.
            """
    )

    @OptionGroup var database: DatabaseOptions

    @Flag(help: "Only failed jobs (all of them when no id is named).")
    var failed = false

    @Argument(help: ArgumentHelp("Custom ids of the jobs to re-queue.", valueName: "id"))
    var ids: [String] = []

    func run() async throws {
        let store = try database.openExistingStore()
        let result: RetryResult
        do {
            result = try store.retry(customIDs: ids, failedOnly: failed)
        } catch {
            throw DatabaseFailure.cliError(for: error, path: database.path)
                ?? CLIError(.usage, "cannot re-queue jobs in \(database.path): \(error)")
        }
        for id in result.unknown { printError("llmq: unknown job id \"\(id)\"") }
        for (id, status) in result.skipped { printError("llmq: job \"\(id)\" is \(status.rawValue), left as it is") }
        print("requeued \(result.requeued)")
        if !ids.isEmpty, result.unknown.count == Set(ids).count {
            throw CommandOutcome(status: .usage)
        }
    }
}
