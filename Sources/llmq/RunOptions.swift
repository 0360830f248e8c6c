import ArgumentParser
import Foundation
import LLM
import Worker

/// The flags of `llmq run` (and `llmq demo`) that shape how work is sent.
struct RunOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Requests in flight at once.", valueName: "n"))
    var concurrency: Int = 8

    @Option(name: [.customLong("batch-size"), .customLong("max-batch-inputs")],
            help: ArgumentHelp("Embedding inputs per request (1…2048); --max-batch-inputs is the same flag, for a server's known cap "
                + "(a smaller cap is also found from the server's refusals).", valueName: "n"))
    var batchSize: Int = 512

    @Option(help: ArgumentHelp("encoding_format of embeddings requests: base64 or float (default: base64, switched to float "
        + "for the run when the server refuses base64).", valueName: "format"))
    var encodingFormat: String?

    @Option(help: ArgumentHelp("Token budget of one embeddings request (at most 300000, the API's limit).", valueName: "n"))
    var maxBatchTokens: Int = 300_000

    @Flag(help: "Cut embedding inputs over 8,192 tokens to 8,192 (the result is flagged) instead of failing them.")
    var truncate = false

    @Option(help: ArgumentHelp("Client-side cap on requests per minute (default: follow the x-ratelimit-* headers).", valueName: "n"))
    var rpm: Int?

    @Option(help: ArgumentHelp("Client-side cap on tokens per minute (default: follow the x-ratelimit-* headers).", valueName: "n"))
    var tpm: Int?

    @Option(help: ArgumentHelp("Retries of one request inside one attempt (rate limits, 5xx, timeouts).", valueName: "n"))
    var maxRetries: Int = 2

    @Option(help: ArgumentHelp("Attempts per job across runs before it is failed.", valueName: "n"))
    var maxAttempts: Int = 8

    @Option(help: ArgumentHelp("Per-request timeout in seconds (a timed-out request may have been charged: it is not resent at once).",
                               valueName: "seconds"))
    var timeout: Double = Double(OpenAIConfig.defaultTimeout.components.seconds)

    @Option(help: ArgumentHelp("Stop claiming after this long (e.g. 45m, 2h), finish in-flight work, exit 75.", valueName: "duration"))
    var maxDuration: String?

    @Option(help: ArgumentHelp("End the run with 75 when no job finished for this long (rate limits, outage).", valueName: "duration"))
    var maxStall: String = "15m"

    @Option(help: ArgumentHelp("After SIGINT/SIGTERM, how long in-flight requests may finish (a second signal cuts them off).", valueName: "duration"))
    var shutdownGrace: String = "10s"

    @Option(help: ArgumentHelp("System prompt for generate jobs that carry none.", valueName: "text"))
    var systemPrompt: String?

    // Hidden: tests shorten the backoffs so an outage or a failing input is played in seconds.
    @Option(help: .hidden) var outagePause: String = "1s"
    @Option(help: .hidden) var outagePauseCap: String = "60s"
    @Option(help: .hidden) var retryBackoff: String = "2s"

    @Flag(help: "Print the final summary as one JSON object.")
    var json = false

    @Flag(help: "No live progress line or periodic log lines.")
    var quiet = false

    /// The worker options, or a usage error naming the flag.
    func workerOptions() throws -> WorkerOptions {
        guard concurrency >= 1 else { throw CLIError(.usage, "--concurrency must be at least 1, got \(concurrency)") }
        guard (1...2048).contains(batchSize) else {
            throw CLIError(.usage, "--batch-size must be between 1 and 2048 (the API's limit), got \(batchSize)")
        }
        var encoding: EmbeddingEncoding?
        if let encodingFormat {
            guard let format = EmbeddingEncoding(rawValue: encodingFormat) else {
                throw CLIError(.usage, "--encoding-format must be base64 or float, got \"\(encodingFormat)\"")
            }
            encoding = format
        }
        guard (1...300_000).contains(maxBatchTokens) else {
            throw CLIError(.usage, "--max-batch-tokens must be between 1 and 300000 (the API's limit), got \(maxBatchTokens)")
        }
        if let rpm, rpm < 1 { throw CLIError(.usage, "--rpm must be at least 1, got \(rpm)") }
        if let tpm, tpm < 1 { throw CLIError(.usage, "--tpm must be at least 1, got \(tpm)") }
        guard maxRetries >= 0 else { throw CLIError(.usage, "--max-retries must be 0 or more, got \(maxRetries)") }
        guard maxAttempts >= 1 else { throw CLIError(.usage, "--max-attempts must be at least 1, got \(maxAttempts)") }
        guard timeout > 0, timeout.isFinite else { throw CLIError(.usage, "--timeout must be a positive number of seconds, got \(timeout)") }
        var duration: Double?
        if let maxDuration {
            guard let seconds = parseDurationSeconds(maxDuration), seconds > 0 else {
                throw CLIError(.usage, "--max-duration: cannot read \"\(maxDuration)\" as a duration (examples: 90, 45m, 2h30m)")
            }
            duration = seconds
        }
        guard let stall = parseDurationSeconds(maxStall) else {
            throw CLIError(.usage, "--max-stall: cannot read \"\(maxStall)\" as a duration (examples: 90, 15m, 1h)")
        }
        guard stall > 0 else {
            throw CLIError(.usage, "--max-stall must be longer than 0, got \"\(maxStall)\" (how long a run may go without finishing a job before it exits 75)")
        }
        guard let grace = parseDurationSeconds(shutdownGrace) else {
            throw CLIError(.usage, "--shutdown-grace: cannot read \"\(shutdownGrace)\" as a duration (examples: 10s, 1m)")
        }
        var backoffs: [Double] = []
        for (flag, text) in [("--outage-pause", outagePause), ("--outage-pause-cap", outagePauseCap), ("--retry-backoff", retryBackoff)] {
            guard let seconds = parseDurationSeconds(text), seconds > 0 else {
                throw CLIError(.usage, "\(flag): cannot read \"\(text)\" as a duration (examples: 1s, 500ms)")
            }
            backoffs.append(seconds)
        }
        return WorkerOptions(
            concurrency: concurrency, batchSize: batchSize, maxBatchTokens: maxBatchTokens, truncateLongInputs: truncate,
            requestsPerMinute: rpm, tokensPerMinute: tpm, maxAttempts: maxAttempts,
            maxDuration: duration, maxStall: stall, shutdownGrace: grace, systemPrompt: systemPrompt,
            retryBackoffBase: backoffs[2], outagePauseBase: backoffs[0], outagePauseCap: backoffs[1], encodingFormat: encoding)
    }

    /// The settings of `provider` (``ProviderRegistry``) from the environment, with these
    /// flags; a usage error naming the variable that is missing or malformed (checked before
    /// anything is enqueued).
    func providerConfig(provider: String = "openai", environment: [String: String] = ProcessInfo.processInfo.environment) throws -> OpenAIConfig {
        try ProviderOptions.config(
            provider: provider, environment: environment, openAIKeyHint: "export your API key (or run `llmq demo` for an offline tour)",
            timeout: timeout, maxRetries: maxRetries, maxConnections: concurrency)
    }
}
