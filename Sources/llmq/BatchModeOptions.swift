import ArgumentParser
import Foundation
import Worker

/// The flags of `llmq run` for Batch API mode.
struct BatchModeOptions: ParsableArguments {
    @Flag(name: .customLong("batch-api"), help: "Send pending jobs through the OpenAI Batch API (half price, results within 24 h); collect finished batches first.")
    var batchAPI = false

    @Flag(help: "With --batch-api: keep polling until nothing is in flight or pending (bounded by --max-duration).")
    var wait = false

    @Option(help: ArgumentHelp("With --batch-api --wait: time between polls (e.g. 30s, 5m).", valueName: "duration"))
    var pollInterval: String?

    @Option(help: ArgumentHelp("With --batch-api: prompt tokens per model to keep enqueued at most (the organisation's queue limit).", valueName: "n"))
    var maxEnqueuedTokens: Int?

    @Flag(help: "With --batch-api: keep the uploaded input and the output files at the API.")
    var keepFiles = false

    /// The batch options, or a usage error naming the flag.
    func batchOptions(databasePath: String, maxDuration: String?) throws -> BatchRunOptions? {
        guard batchAPI else {
            let given = [wait ? "--wait" : nil, pollInterval != nil ? "--poll-interval" : nil,
                         maxEnqueuedTokens != nil ? "--max-enqueued-tokens" : nil, keepFiles ? "--keep-files" : nil].compactMap { $0 }
            if let first = given.first { throw CLIError(.usage, "\(first) needs --batch-api") }
            return nil
        }
        var interval = 60.0
        if let pollInterval {
            guard let seconds = parseDurationSeconds(pollInterval), seconds > 0 else {
                throw CLIError(.usage, "--poll-interval: cannot read \"\(pollInterval)\" as a positive duration (examples: 30s, 5m)")
            }
            interval = seconds
        }
        if let maxEnqueuedTokens, maxEnqueuedTokens < 1 {
            throw CLIError(.usage, "--max-enqueued-tokens must be at least 1, got \(maxEnqueuedTokens)")
        }
        let url = URL(fileURLWithPath: databasePath)
        return BatchRunOptions(
            wait: wait, pollInterval: interval, maxDuration: maxDuration.flatMap(parseDurationSeconds), maxEnqueuedTokens: maxEnqueuedTokens,
            keepFiles: keepFiles, workDirectory: url.path + "-batch", databaseName: url.lastPathComponent)
    }
}
