import ArgumentParser
import JobQueue

/// `llmq enqueue FILE... [-]`: ingest JSONL job files into the queue.
struct EnqueueCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "enqueue",
        abstract: "Ingest JSONL job files (or '-' for standard input) into the queue.",
        discussion: """
            Example: llmq enqueue jobs/example.jsonl

            Prints added / updated / unchanged / rejected counts ("metadata updated" too
            when only some jobs' metadata changed: stored, not re-queued). Each rejected
            line is reported on stderr as FILE:LINE: reason (the first 100 per file, then
            a count); valid lines are ingested anyway, and the exit code is then 65.
            Re-enqueueing the same file changes nothing; a job whose request changed goes
            back to pending. A missing job file exits 2 before anything is changed.
            """
    )

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var jobOptions: JobFileOptions

    @Argument(help: ArgumentHelp("Job files (JSONL); '-' reads standard input.", valueName: "file"))
    var files: [String]

    @Flag(help: "Print the counts as one JSON object.")
    var json = false

    func validate() throws {
        if files.isEmpty { throw ValidationError("name at least one job file, or '-' for standard input") }
    }

    func run() async throws {
        let counts = try jobOptions.enqueue(files, into: database).counts
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
