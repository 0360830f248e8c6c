import ArgumentParser
import Foundation
import JobQueue

/// `--db PATH`, shared by every command.
struct DatabaseOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The SQLite database (created and migrated when needed). Default: $LLMQ_DB, else ./llmq.sqlite.", valueName: "path"))
    var db: String?

    /// The path the command uses.
    var path: String {
        if let db { return db }
        if let fromEnvironment = ProcessInfo.processInfo.environment["LLMQ_DB"], !fromEnvironment.isEmpty {
            return fromEnvironment
        }
        return "./llmq.sqlite"
    }

    /// Opens and migrates the database, or fails with exit 2 and a message that names the
    /// file (an unwritable folder, a file that is not SQLite, a schema from a newer llmq).
    func openStore() throws -> JobStore {
        do {
            return try JobStore(path: path)
        } catch let error as JobQueueError {
            throw CLIError(.usage, error.description)
        } catch {
            throw CLIError(.usage, "cannot open database \(path): \(error)")
        }
    }
}
