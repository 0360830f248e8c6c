import ArgumentParser
import FakeOpenAI
import Foundation
import JSON

#if canImport(Glibc)
import Glibc
#endif

/// `bench fake-run`: starts the fake OpenAI server in this process, runs a command against
/// it (`OPENAI_BASE_URL` and `OPENAI_API_KEY` set), and prints one JSON line with the
/// command's wall time, CPU time and peak RSS (its own, via wait4) and what the server saw:
/// requests, 429s, tokens charged and the tokens per minute achieved. With `--azure` the
/// fake serves Azure OpenAI (only `x-ratelimit-remaining-*` headers, `--rpm` counted over
/// `--request-window` seconds) and the command gets the Azure SDK's variables instead. Several commands
/// separated by `--then` run one after the other against the same server (a Batch API
/// submit, then its collection), one line each, the server's counts per command.
struct FakeRunBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fake-run",
        abstract: "Run a command against an in-process fake OpenAI server and measure it.",
        discussion: """
            Example: bench fake-run --label llmq -- .build/release/llmq run --db x.sqlite --quiet
            Steps: bench fake-run --label submit --label collect -- llmq run --db x.sqlite --batch-api --then llmq run --db x.sqlite --batch-api
            """
    )

    @Option(help: "A name for the result line (repeat it to name each --then step).")
    var label: [String] = []

    @Option(name: .customLong("latency-ms"), help: "Milliseconds before every successful answer.")
    var latencyMs: Int = 0

    @Option(help: "Tokens per sliding minute the fake enforces (default unlimited).")
    var tpm: Int?

    @Option(help: "Requests per sliding minute the fake enforces (default unlimited).")
    var rpm: Int?

    @Option(name: .customLong("rate-window"),
            help: "Seconds over which the fake enforces --rpm/--tpm (limit × SECONDS/60; headers stay per-minute).")
    var rateWindow: Double = 60

    @Flag(help: "Serve Azure OpenAI (AZURE_OPENAI_ENDPOINT, AZURE_OPENAI_API_KEY and OPENAI_API_VERSION set for the command).")
    var azure = false

    @Option(name: .customLong("request-window"), help: "With --azure: seconds over which --rpm is counted and reported.")
    var requestWindow: Double = 10

    @Argument(parsing: .postTerminator, help: "The command to run; further commands after --then.")
    var command: [String]

    func run() async throws {
        let steps = command.split(separator: "--then", omittingEmptySubsequences: true).map(Array.init)
        guard !steps.isEmpty else { throw ValidationError("name a command after --") }
        let server = try await FakeOpenAIServer.start(FakeOpenAIOptions(
            latency: .milliseconds(Int64(latencyMs)), requestsPerMinute: rpm, tokensPerMinute: tpm,
            rateWindow: .milliseconds(Int64((rateWindow * 1000).rounded())), recordRequests: false,
            azure: azure ? FakeAzureOptions(requestWindow: .milliseconds(Int64((requestWindow * 1000).rounded()))) : nil))
        var environment = ProcessInfo.processInfo.environment
        if azure {
            environment["AZURE_OPENAI_ENDPOINT"] = server.azureEndpoint
            environment["AZURE_OPENAI_API_KEY"] = "bench-offline"
            environment["OPENAI_API_VERSION"] = "2024-10-21"
        } else {
            environment["OPENAI_BASE_URL"] = server.baseURL
            environment["OPENAI_API_KEY"] = "sk-bench-offline"
        }
        for (index, step) in steps.enumerated() {
            let before = server.stats()
            let started = Date()
            let outcome = try spawnAndWait(step[0], arguments: step, environment: environment)
            let wall = Date().timeIntervalSince(started)
            let stats = server.stats()
            var result: [String: JSONValue] = [
                "label": .string(index < label.count ? label[index] : "\(label.last ?? "run")\(steps.count > 1 ? " #\(index + 1)" : "")"),
                "exit": .integer(Int(outcome.status)),
                "wall_s": .number(JSONNumber((wall * 1000).rounded() / 1000)),
                "cpu_s": .number(JSONNumber((outcome.cpuSeconds * 1000).rounded() / 1000)),
                "peak_rss_mb": .number(JSONNumber((outcome.peakRSSKiB / 102.4).rounded() / 10)),
                "server_requests": .integer(stats.requests - before.requests),
                "server_429s": .integer(stats.rateLimited - before.rateLimited),
                "server_tokens": .integer(stats.tokensCharged - before.tokensCharged),
                "tokens_per_minute": .integer(Int(Double(stats.tokensCharged - before.tokensCharged) / wall * 60)),
            ]
            if stats.batchesCreated > 0 {
                result["batches_created"] = .integer(stats.batchesCreated - before.batchesCreated)
                result["batch_lines_run"] = .integer(stats.batchLinesRun - before.batchLinesRun)
            }
            // Against both limits, the one that bound the run (the higher efficiency).
            let efficiencies = [tpm.flatMap(stats.pacingEfficiency(tokensPerMinute:)),
                                rpm.flatMap(stats.requestPacingEfficiency(requestsPerMinute:))].compactMap { $0 }
            if steps.count == 1, let efficiency = efficiencies.max() {
                result["rate_window_s"] = .number(JSONNumber(rateWindow))
                result["efficiency"] = .number(JSONNumber((efficiency * 1000).rounded() / 1000))
                result["share_429"] = .number(JSONNumber(
                    stats.requests > 0 ? (Double(stats.rateLimited) / Double(stats.requests) * 10000).rounded() / 10000 : 0))
            }
            print(JSONWriter.canonical(.object(result)))
        }
        await server.shutdown()
    }
}

/// Runs a program (searched on PATH) and returns its exit status and resource usage.
func spawnAndWait(_ executable: String, arguments: [String], environment: [String: String]) throws
    -> (status: Int32, cpuSeconds: Double, peakRSSKiB: Double)
{
    let argv = arguments.map { strdup($0) } + [nil]
    let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
    defer {
        argv.forEach { free($0) }
        envp.forEach { free($0) }
    }
    var pid: pid_t = 0
    let rc = posix_spawnp(&pid, executable, nil, nil, argv, envp)
    guard rc == 0 else { throw ValidationError("cannot start \(executable): \(String(cString: strerror(rc)))") }
    var status: Int32 = 0
    var usage = rusage()
    while wait4(pid, &status, 0, &usage) == -1, errno == EINTR {}
    let cpu = Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
        + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
    let exitStatus = (status & 0x7F) == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
    return (exitStatus, cpu, Double(usage.ru_maxrss))
}
