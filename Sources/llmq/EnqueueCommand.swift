import ArgumentParser
import JobQueue

/// `llmq enqueue FILE... [-]`: ingest JSONL job files into the queue.
struct EnqueueCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "enqueue",
        abstract: "Ingest JSONL job files (or '-' for standard input), or folders of text files, into the queue.",
        discussion: """
            Example: llmq enqueue jobs/example.jsonl
                     llmq enqueue --files docs/ --glob '*.md' --chunk-tokens 512 --prune

            Prints added / updated / unchanged / rejected counts ("metadata updated" too
            when only some jobs' metadata changed: stored, not re-queued). Each rejected
            line is reported on stderr as FILE:LINE: reason (the first 100 per file, then
            a count); valid lines are ingested anyway, and the exit code is then 65.
            Re-enqueueing the same file changes nothing; a job whose request changed goes
            back to pending. A missing job file exits 2 before anything is changed.

            --files DIR: one embed job per file under DIR (id: the path relative to DIR,
            metadata: {path, bytes, modified}); a file that is not UTF-8 text, is empty, or
            is larger than --max-line-bytes is reported as PATH: reason and skipped (exit
            65, except for empty files); an unchanged file (size, time, settings) is not
            read again. Symbolic links are not followed out of DIR.
            """
    )

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var jobOptions: JobFileOptions
    @OptionGroup var folders: FolderOptions

    @Argument(help: ArgumentHelp("Job files (JSONL); '-' reads standard input.", valueName: "file"))
    var files: [String] = []

    @Flag(help: "Print the counts as one JSON object.")
    var json = false

    func validate() throws {
        if files.isEmpty && folders.folders.isEmpty {
            throw ValidationError("name at least one job file, '-' for standard input, or --files DIR")
        }
    }

    func run() async throws {
        let counts = try jobOptions.enqueue(files, folders: folders, into: database).counts
        printCounts(counts, json: json)
        if counts.rejected > 0 { throw CommandOutcome(status: .rejectedLines) }
    }
}

/// Prints enqueue counts, as text or JSON, on stdout.
func printCounts(_ counts: EnqueueCounts, json: Bool) {
    if json {
        print(#"{"added":\#(counts.added),"updated":\#(counts.updated),"metadata_updated":\#(counts.metadataUpdated),"#
            + #""unchanged":\#(counts.unchanged),"rejected":\#(counts.rejected)}"#)
    } else {
        print(countsText(counts))
    }
}

/// `added A, updated U, unchanged N, rejected R`, with `metadata updated M` after
/// `updated` when some job's metadata alone changed.
func countsText(_ counts: EnqueueCounts) -> String {
    let metadata = counts.metadataUpdated > 0 ? ", metadata updated \(counts.metadataUpdated)" : ""
    return "added \(counts.added), updated \(counts.updated)\(metadata), unchanged \(counts.unchanged), rejected \(counts.rejected)"
}
