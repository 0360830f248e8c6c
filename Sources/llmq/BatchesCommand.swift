import ArgumentParser
import Foundation
import JSON
import JobQueue
import LLM

/// `llmq batches [--json]` and `llmq batches cancel ID…|--all`: the Batch API batches of this database.
struct BatchesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "batches",
        abstract: "List this database's Batch API batches (llmq run --batch-api), or cancel them.",
        subcommands: [BatchesListCommand.self, BatchesCancelCommand.self],
        defaultSubcommand: BatchesListCommand.self
    )
}

/// `llmq batches [list] [--json]`.
struct BatchesListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List the batches: id, status, model, lines done, age and expiry (as last polled).",
        discussion: "Example: llmq batches --json"
    )

    @OptionGroup var database: DatabaseOptions

    @Flag(help: "Print one JSON object per batch.")
    var json = false

    func run() async throws {
        let store = try database.openExistingStore()
        let rows = try store.batchRows()
        let now = JobStore.systemNow()
        if json {
            for row in rows {
                let object: [String: JSONValue] = [
                    "id": .string(row.id), "status": .string(row.status), "endpoint": .string(row.endpoint),
                    "model": .string(row.model), "request_total": .integer(row.total), "request_completed": .integer(row.completed),
                    "request_failed": .integer(row.failed), "created_at": .integer(Int(row.createdAt)),
                    "expires_at": row.expiresAt.map { .integer(Int($0)) } ?? .null, "collected": .bool(row.collectedAt != nil),
                    "errors": row.errors.map { .string($0) } ?? .null,
                ]
                print(JSONWriter.canonical(.object(object)))
            }
            return
        }
        guard !rows.isEmpty else {
            print("no batches (llmq run --batch-api creates them)")
            return
        }
        let header = ["id", "status", "model", "done", "failed", "age", "expires", "stored"]
        var table = [header]
        for row in rows {
            let expires = row.expiresAt.map { $0 > now ? "in " + StatusTable.describeAge($0 - now) : "passed" } ?? "-"
            table.append([row.id, row.status, row.model, "\(row.completed)/\(row.total)", "\(row.failed)",
                          StatusTable.describeAge(now - row.createdAt), expires, row.collectedAt == nil ? "no" : "yes"])
        }
        let widths = header.indices.map { column in table.map { $0[column].count }.max() ?? 0 }
        for line in table {
            print(line.enumerated().map { $1.padding(toLength: widths[$0] + 2, withPad: " ", startingAt: 0) }.joined()
                .trimmingCharacters(in: .whitespaces))
        }
    }
}

/// `llmq batches cancel ID…|--all`.
struct BatchesCancelCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cancel",
        abstract: "Cancel batches at the API; the next llmq run --batch-api stores their finished lines and requeues the rest.",
        discussion: "Example: llmq batches cancel --all   (needs OPENAI_API_KEY)"
    )

    @OptionGroup var database: DatabaseOptions

    @Flag(help: "Cancel every batch that is not final.")
    var all = false

    @Argument(help: ArgumentHelp("Batch ids (see llmq batches).", valueName: "id"))
    var ids: [String] = []

    func validate() throws {
        if all == !ids.isEmpty { throw ValidationError("name the batches to cancel, or give --all (not both)") }
    }

    func run() async throws {
        let store = try database.openExistingStore()
        let rows = try store.batchRows()
        let known = Dictionary(uniqueKeysWithValues: rows.map { ($0.id, $0) })
        if let unknown = ids.first(where: { known[$0] == nil }) {
            throw CLIError(.usage, "no batch \(unknown) in \(database.path) (see llmq batches)")
        }
        let targets = all ? rows.filter { !RemoteBatch.finalStatuses.contains($0.status) && $0.collectedAt == nil }.map(\.id) : ids
        guard !targets.isEmpty else {
            print("no batch to cancel")
            return
        }
        let provider: OpenAIProvider
        do {
            provider = try OpenAIProvider(config: OpenAIConfig(environment: ProcessInfo.processInfo.environment))
        } catch {
            throw CLIError(.usage, error.message)
        }
        defer { Task { [provider] in try? await provider.shutdown() } }
        var status = ExitStatus.ok
        for id in targets {
            do {
                let batch = try await provider.cancelBatch(id: id)
                print("\(id): \(batch.status)")
            } catch let error as LLMError {
                printError("llmq: \(id): \(error)")
                status = status.combined(with: error.isFatalForRun ? .credentials : .resumable)
            }
        }
        if status != .ok { throw CommandOutcome(status: status) }
    }
}
