import ArgumentParser
import JobQueue

/// `--files DIR…`, `--glob PATTERN`, `--prune`: folders of text files as embed jobs (used
/// by `enqueue` and `run`; `tokens` takes `--files` and `--glob`).
struct FolderOptions: ParsableArguments {
    @Option(name: .customLong("files"), parsing: .upToNextOption,
            help: ArgumentHelp("Folders whose files become embed jobs (id: the path relative to the folder).", valueName: "dir"))
    var folders: [String] = []

    @Option(name: .customLong("glob"),
            help: ArgumentHelp("Only files whose path relative to the folder matches (fnmatch; '*' also matches '/'; repeatable).", valueName: "pattern"))
    var globs: [String] = []

    @Flag(help: "With --files: delete the jobs (and results) of files an earlier --files of the folder enqueued that are gone.")
    var prune = false

    /// The walks of the folders, checked before anything is written.
    /// - Throws: `CLIError(.usage)` for `--glob`/`--prune` without `--files`, a missing
    ///   path, or a file given as a folder.
    func walks() throws -> [FolderWalk] {
        if folders.isEmpty {
            if !globs.isEmpty { throw CLIError(.usage, "--glob needs --files DIR") }
            if prune { throw CLIError(.usage, "--prune needs --files DIR") }
            return []
        }
        do {
            return try folders.map { try FolderWalk(root: $0, globs: globs) }
        } catch let error as JobQueueError {
            throw CLIError(.usage, error.description)
        }
    }

    /// Enqueues every folder's files into `store` under one ingest, reporting skipped
    /// files on stderr as `PATH: reason`; returns the summed counts and the jobs pruned.
    func enqueue(_ walks: [FolderWalk], into store: JobStore, defaults: JobDefaults, maxBytes: Int) throws -> (counts: EnqueueCounts, pruned: Int) {
        let ingestID = try store.beginIngest(sources: walks.map { "files:" + $0.realRoot })
        var counts = EnqueueCounts()
        var pruned = 0
        for walk in walks {
            let outcome = try store.enqueueFiles(walk, ingestID: ingestID, defaults: defaults, maxBytes: maxBytes, prune: prune) { message, isError in
                printError(isError ? message : "warning: " + message)
            }
            counts.add(outcome.counts)
            pruned += outcome.pruned
            if outcome.matched == 0 {
                printError("warning: " + (globs.isEmpty ? "no file under \(walk.root)" : "--glob \(globs.joined(separator: ", ")) matched no file under \(walk.root)"))
            }
        }
        return (counts, pruned)
    }
}
