import Foundation
import JSON
import JobQueue
import LLM
import Tokenizer
import Worker

/// One `llmq run --batch-api`: builds the provider and the ``BatchRunner``, runs it,
/// prints the summary and maps the outcome to DESIGN's exit codes.
struct BatchRunSession {
    var databasePath: String
    var options: BatchRunOptions
    var worker: WorkerOptions
    var config: OpenAIConfig
    var json: Bool
    var quiet: Bool
    var tokenizer: TokenizerOptions

    func run() async throws -> ExitStatus {
        let provider: OpenAIProvider
        do {
            provider = try OpenAIProvider(config: config)
        } catch {
            throw CLIError(.usage, error.message)
        }
        defer { Task { [provider] in try? await provider.shutdown() } }
        let models: Set<String>
        do {
            models = try JobStore(path: databasePath).unfinishedModels()
        } catch {
            throw CLIError(.usage, "\(error)")
        }
        let counters = try await tokenizer.counters(for: models, quiet: quiet)
        let runner: BatchRunner
        do {
            runner = try BatchRunner(databasePath: databasePath, api: provider, options: options, worker: worker,
                                     estimator: CounterEstimator(counters: counters),
                                     log: { [quiet] line in if !quiet || line.hasPrefix("stopping") { printError("llmq: \(line)") } })
        } catch {
            throw CLIError(.usage, "\(error)")
        }
        // A signal ends the run at the next step boundary (exit 75); a second one exits at
        // once, which is as safe as a kill: every step is recorded before the call it guards.
        let signals = SignalTrap {
            Task {
                if await !runner.stop() {
                    printError("llmq: stopping at once (second signal); the next run reconciles")
                    exit(ExitStatus.resumable.rawValue)
                }
            }
        }
        defer { signals.cancel() }
        let report: BatchRunReport
        do {
            report = try await runner.run()
        } catch {
            throw CLIError(.usage, "batch run stopped on a database error: \(error)")
        }
        Self.print(report, json: json)
        return Self.exitStatus(for: report)
    }

    /// DESIGN's exit code for a batch run: 77 on a refused account, 2 on a refused input
    /// file or answers about the request (vectors of another length), 75 while batches are in flight or jobs pending (or the API was unreachable, or
    /// a signal stopped it),
    /// 1 when jobs failed, else 0.
    static func exitStatus(for report: BatchRunReport) -> ExitStatus {
        switch report.end {
        case "fatal": return .credentials
        case "refused", "configuration": return .usage
        case "unreachable", "max-duration", "signal": return .resumable
        default: break
        }
        if report.inFlight > 0 || report.pendingLeft > 0 { return .resumable }
        return report.failed > 0 ? .failedJobs : .ok
    }

    /// The `--json` object: every counter, `end`, and `error` only when set (written with sorted keys).
    static func jsonObject(_ report: BatchRunReport) -> JSONValue {
        var members: [String: JSONValue] = [
            "submitted": .integer(report.submitted), "collected": .integer(report.collected),
            "succeeded": .integer(report.succeeded), "reused_vectors": .integer(report.reusedVectors),
            "failed": .integer(report.failed), "requeued": .integer(report.requeued), "in_flight": .integer(report.inFlight),
            "pending_left": .integer(report.pendingLeft), "unknown_lines": .integer(report.unknownLines),
            "duplicate_lines": .integer(report.duplicateLines), "unreadable_lines": .integer(report.unreadableLines),
            "end": .string(report.end),
        ]
        if let error = report.error { members["error"] = .string(error) }
        return .object(members)
    }

    static func print(_ report: BatchRunReport, json: Bool) {
        if json {
            Swift.print(JSONWriter.canonical(jsonObject(report)))
            return
        }
        var text = "batch run: \(report.submitted) submitted, \(report.collected) collected, \(report.succeeded) succeeded, "
        text += "\(report.failed) failed, \(report.reusedVectors) reused vectors, \(report.requeued) back to pending"
        text += "; \(report.inFlight) batches in flight, \(report.pendingLeft) pending"
        if let error = report.error { text += "; stopped: \(error)" }
        if report.end == "signal" { text += "; stopped by a signal" }
        if report.inFlight > 0 || report.pendingLeft > 0 { text += " (run again to resume)" }
        Swift.print(text)
    }
}
