import Foundation
import JobQueue
import SQLite

/// Turns a failure to open, read or write the database into the message a user can act
/// on (exit 2), without SQLite's internals: no SQL statement, no raw result code. The one
/// place every command's database errors pass through.
enum DatabaseFailure {
    /// The usage error for `error` when it is a database failure of `path`; nil when it is not.
    static func cliError(for error: any Error, path: String?) -> CLIError? {
        guard let sqlite = sqliteError(in: error) else { return nil }
        let file = sqlite.path ?? path ?? "the database"
        switch sqlite.code.primary {
        case .readOnly:
            return CLIError(.usage, "cannot write database \(file): it is read-only (check the permissions of the file and its folder)")
        case .cantOpen:
            let folder = (file as NSString).deletingLastPathComponent
            if !folder.isEmpty, !FileManager.default.fileExists(atPath: folder) {
                return CLIError(.usage, "cannot open database \(file): the folder \(folder) does not exist")
            }
            return CLIError(.usage, "cannot open database \(file): SQLite cannot open it (check the permissions of the file and its folder)")
        case .notADatabase, .corrupt:
            return CLIError(.usage, "\(file) is not an llmq database, or it is damaged (SQLite: \(sqlite.code.primary.reason))")
        case .full:
            return CLIError(.usage, "cannot write database \(file): the disk is full")
        default:
            return nil
        }
    }

    /// The SQLite error `error` is or wraps, if any.
    private static func sqliteError(in error: any Error) -> SQLiteError? {
        if let sqlite = error as? SQLiteError { return sqlite }
        if let queue = error as? JobQueueError, let underlying = queue.underlying { return sqliteError(in: underlying) }
        return nil
    }
}
