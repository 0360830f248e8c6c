import Foundation
import JobQueue
import LLM
import Tokenizer
import Worker

#if canImport(Glibc)
import Glibc
#endif

/// One `llmq run` from flags to exit status: builds the pacer, provider and worker,
/// traps SIGINT/SIGTERM, shows progress, prints the summary and maps the outcome to
/// DESIGN's exit codes.
struct RunSession {
    var databasePath: String
    var options: WorkerOptions
    var config: OpenAIConfig
    var json: Bool
    var quiet: Bool
    /// Where rank files come from (built in, unless overridden).
    var tokenizer: TokenizerOptions

    func run() async throws -> ExitStatus {
        let clock = SystemWorkerClock()
        let queue: QueueStore
        do {
            queue = try QueueStore(path: databasePath, now: { clock.now() })
        } catch {
            throw DatabaseFailure.cliError(for: error, path: databasePath) ?? CLIError(.usage, "\(error)")
        }
        let pacer = Pacer(clock: clock, requestsPerMinute: options.requestsPerMinute, tokensPerMinute: options.tokensPerMinute,
                          headerLimitShare: options.headerLimitShare)
        // Every request passes the gate: outage pauses, stops that hand waiting work back at
        // once, requests counted by outcome; the provider's backoff sleeps there too.
        let gate = SendGate(pacer: pacer, clock: clock, outagePauseBase: options.outagePauseBase, outagePauseCap: options.outagePauseCap)
        let provider: OpenAIProvider
        do {
            provider = try OpenAIProvider(config: config, sleeper: gate, observer: gate)
        } catch {
            throw CLIError(.usage, error.message)
        }
        let models = (try? await queue.unfinishedModels()) ?? []
        let counters: [String: TokenCounter]
        do {
            counters = try await tokenizer.counters(for: models, quiet: quiet)
        } catch {
            try? await provider.shutdown()
            throw error
        }
        let worker = Worker(options: options, queue: queue, provider: provider, pacer: pacer, gate: gate, clock: clock,
                            estimator: CounterEstimator(counters: counters), log: { printError("llmq: \($0)") })
        let signals = SignalTrap { Task { await worker.stopGracefully() } }
        let total = (try? await queue.pendingSummary().pending) ?? 0
        let progress = quiet ? nil : ProgressReporter(worker: worker, total: total, interactive: isatty(2) == 1)
        let progressTask = progress.map { reporter in Task { await reporter.run() } }

        let report: RunReport
        do {
            report = try await worker.run()
        } catch {
            progressTask?.cancel()
            try? await provider.shutdown()
            signals.cancel()
            throw CLIError(.usage, "run stopped on a database error: \(error)")
        }
        progressTask?.cancel()
        _ = await progressTask?.value
        progress?.finish()
        signals.cancel()
        try? await provider.shutdown()
        RunSummary.print(report, json: json)
        return Self.exitStatus(for: report)
    }

    /// DESIGN's exit code for a run: 2 on a configuration error, 77 on a fatal API refusal,
    /// 75 when stopped with work left, 1 when jobs failed, else 0.
    static func exitStatus(for report: RunReport) -> ExitStatus {
        if report.end == "configuration" { return .usage }
        if report.end == "fatal" { return .credentials }
        if report.end != "drained", report.pendingLeft > 0 { return .resumable }
        if report.failed > 0 { return .failedJobs }
        return .ok
    }
}

/// Calls `handler` on SIGINT or SIGTERM (the default actions are turned off while it lives).
final class SignalTrap {
    private let sources: [any DispatchSourceSignal]

    init(handler: @escaping @Sendable () -> Void) {
        sources = [SIGINT, SIGTERM].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler(handler: handler)
            source.resume()
            return source
        }
    }

    func cancel() {
        for source in sources { source.cancel() }
    }
}
