import ArgumentParser
import Foundation
import JobQueue

/// `--db PATH`, shared by every command.
struct DatabaseOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The SQLite database (enqueue and run create it; the other commands need it to exist). Default: $LLMQ_DB, else ./llmq.sqlite.", valueName: "path"))
    var db: String?

    /// The path the command uses.
    var path: String {
        if let db { return db }
        if let fromEnvironment = ProcessInfo.processInfo.environment["LLMQ_DB"], !fromEnvironment.isEmpty {
            return fromEnvironment
        }
        return "./llmq.sqlite"
    }

    /// Opens and migrates the database (creating it when needed), or fails with exit 2 and
    /// a message that names the file (a missing folder, a read-only file, a file that is
    /// not SQLite, a schema from a newer llmq).
    func openStore() throws -> JobStore {
        do {
            return try JobStore(path: path)
        } catch {
            if let failure = DatabaseFailure.cliError(for: error, path: path) { throw failure }
            if let error = error as? JobQueueError { throw CLIError(.usage, error.description) }
            throw CLIError(.usage, "cannot open database \(path): \(error)")
        }
    }

    /// Opens an existing database for a command that only reads it (`status`, `export`,
    /// `tokens --queue`, `retry`, `search`, `batches`): a path with no file is refused with exit 2 and no file
    /// is made, so a mistyped `--db` never looks like an empty queue.
    func openExistingStore() throws -> JobStore {
        guard FileManager.default.fileExists(atPath: path) else {
            let folder = (path as NSString).deletingLastPathComponent
            if !folder.isEmpty, !FileManager.default.fileExists(atPath: folder) {
                throw CLIError(.usage, "no database at \(path): the folder \(folder) does not exist (check --db or LLMQ_DB)")
            }
            throw CLIError(.usage, "no database at \(path) (check --db or LLMQ_DB; enqueue or run makes one)")
        }
        return try openStore()
    }
}
