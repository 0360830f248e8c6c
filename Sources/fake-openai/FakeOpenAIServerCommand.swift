import ArgumentParser
import FakeOpenAI
import Foundation

/// `fake-openai [--port N] [--latency-ms N] [--rpm N] [--tpm N] [--rate-window SECONDS] [--fault SPEC]… [--azure]
/// [--profile NAME] [--compute-ms-per-input MS]`: runs
/// the fake OpenAI (or, with `--azure`, Azure OpenAI) server on 127.0.0.1, prints its base URL (endpoint), and serves
/// until interrupted.
@main struct FakeOpenAIServerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fake-openai", abstract: "Runs the fake OpenAI server on loopback.",
        discussion: """
            Example: fake-openai --port 18080 --fault 500*20 --fault 429=300

            Faults are answered to the first requests, in the order given (--fault-path
            limits them to one path). SPEC: 429 (or rate-limit), 429=MS (with
            retry-after-ms), quota, 401, any 5xx (500, 503, …), drop, hang, garbage,
            html-502; each with an optional *COUNT.

            --azure serves Azure OpenAI instead, at the printed endpoint: the classic
            POST /openai/deployments/NAME/embeddings (and /chat/completions) with
            ?api-version=YYYY-MM-DD and an api-key header or an Entra ID token as
            Bearer, and the v1 API under /openai/v1 (api-key or Bearer); --api-key KEY
            requires one key, --entra-token TOKEN one token; only
            x-ratelimit-remaining-* headers, Azure's 401/404/429 bodies; --rpm is then
            counted over --request-window seconds (default 10).
            """
    )

    @Option(help: "TCP port on 127.0.0.1 (0 picks a free one).")
    var port: Int = 0

    @Option(name: .customLong("latency-ms"), help: "Milliseconds added before every successful answer.")
    var latencyMs: Int = 0

    @Option(help: "Requests per sliding minute (default unlimited).")
    var rpm: Int?

    @Option(help: "Tokens per sliding minute (default unlimited).")
    var tpm: Int?

    @Option(name: .customLong("rate-window"), help: ArgumentHelp(
        "Seconds over which --rpm/--tpm are enforced (limit × SECONDS/60 in any sliding SECONDS; headers stay per-minute).",
        valueName: "seconds"))
    var rateWindow: Double = 60

    @Option(name: .customLong("reject-marker"), help: "Reject embedding inputs containing this text with a 400.")
    var rejectMarker: String?

    @Option(help: ArgumentHelp("Scripted faults for the first requests, in order (repeatable; see above).", valueName: "spec"))
    var fault: [String] = []

    @Option(name: .customLong("fault-path"), help: ArgumentHelp("Only requests to this path (e.g. /v1/embeddings) get the faults.", valueName: "path"))
    var faultPath: String?

    @Option(name: .customLong("api-key"), help: ArgumentHelp(
        "Answer 401 unless requests carry 'Authorization: Bearer KEY' (with --azure: 'api-key: KEY').", valueName: "key"))
    var apiKey: String?

    @Option(name: .customLong("entra-token"), help: ArgumentHelp(
        "With --azure: answer 401 to 'Authorization: Bearer' unless it carries TOKEN (default: any, unless --api-key is given).", valueName: "token"))
    var entraToken: String?

    @Flag(help: "Serve Azure OpenAI's classic and v1 APIs (see above) and print its endpoint.")
    var azure = false

    @Option(name: .customLong("request-window"), help: ArgumentHelp(
        "With --azure: seconds over which --rpm is counted and x-ratelimit-remaining-requests reported.", valueName: "seconds"))
    var requestWindow: Double = 10

    @Option(help: ArgumentHelp("Answer embeddings as float or base64 whatever the client asks.", valueName: "float|base64"))
    var encoding: String?

    @Flag(name: .customLong("reverse-order"), help: "Return embedding items in reverse order (indices stay right).")
    var reverseOrder = false

    @Option(help: ArgumentHelp("Behave like another server: \(FakeServerQuirks.profiles.keys.sorted().joined(separator: ", ")) "
        + "(input caps, error shapes, no rate-limit headers, busy 503s, base64 refused or ignored, usage in characters).",
        valueName: "name"))
    var profile: String?

    @Option(name: .customLong("compute-ms-per-input"), help: ArgumentHelp(
        "Be compute-bound: one FIFO compute queue, each embeddings request taking MS per input after the ones before it, "
            + "computed even when its client has gone (with --profile infinity: a local model on CPU).", valueName: "ms"))
    var computeMsPerInput: Double?

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be 0…65535.") }
        guard latencyMs >= 0 else { throw ValidationError("--latency-ms must be ≥ 0.") }
        if let rpm, rpm < 1 { throw ValidationError("--rpm must be ≥ 1.") }
        if let tpm, tpm < 1 { throw ValidationError("--tpm must be ≥ 1.") }
        guard rateWindow > 0, rateWindow <= 60 else {
            throw ValidationError("--rate-window must be more than 0 and at most 60 seconds, got \(rateWindow).")
        }
        guard requestWindow > 0, requestWindow <= 60 else {
            throw ValidationError("--request-window must be more than 0 and at most 60 seconds, got \(requestWindow).")
        }
        for spec in fault {
            do { _ = try FakeFault.faults(fromSpec: spec) } catch { throw ValidationError("--fault: \(error)") }
        }
        if let profile, FakeServerQuirks.profiles[profile] == nil {
            throw ValidationError("--profile must be one of \(FakeServerQuirks.profiles.keys.sorted().joined(separator: ", ")), got \"\(profile)\".")
        }
        if let computeMsPerInput, !(computeMsPerInput > 0 && computeMsPerInput <= 60_000) {
            throw ValidationError("--compute-ms-per-input must be more than 0 and at most 60000, got \(computeMsPerInput).")
        }
        if let encoding, FakeEmbeddingEncoding(rawValue: encoding) == nil {
            throw ValidationError("--encoding must be float or base64, got \"\(encoding)\".")
        }
    }

    func run() async throws {
        let chosen = profile.flatMap { FakeServerQuirks.profiles[$0] }
        var quirks = chosen?.quirks ?? FakeServerQuirks()
        if let computeMsPerInput { quirks.computePerInput = .microseconds(Int64((computeMsPerInput * 1000).rounded())) }
        let server = try await FakeOpenAIServer.start(
            FakeOpenAIOptions(
                port: port, latency: .milliseconds(latencyMs), requestsPerMinute: rpm, tokensPerMinute: tpm,
                rateWindow: .milliseconds(Int64((rateWindow * 1000).rounded())), rejectInputsContaining: rejectMarker,
                requiredAPIKey: azure ? nil : apiKey,
                forceEncoding: encoding.flatMap(FakeEmbeddingEncoding.init(rawValue:)) ?? (chosen?.forceFloat == true ? .float : nil),
                reverseEmbeddingOrder: reverseOrder, recordRequests: false,
                azure: azure ? FakeAzureOptions(apiKey: apiKey, entraToken: entraToken, requestWindow: .milliseconds(Int64((requestWindow * 1000).rounded()))) : nil,
                quirks: quirks
            )
        )
        var faults: [FakeFault] = []
        guard requestWindow > 0, requestWindow <= 60 else {
            throw ValidationError("--request-window must be more than 0 and at most 60 seconds, got \(requestWindow).")
        }
        for spec in fault { faults += try FakeFault.faults(fromSpec: spec) }
        if !faults.isEmpty { server.enqueueFaults(faults, path: faultPath) }
        // Unbuffered, so a parent process reading a pipe sees the URL at once.
        FileHandle.standardOutput.write(Data(((azure ? server.azureEndpoint : server.baseURL) + "\n").utf8))
        while !Task.isCancelled {
            try? await Task.sleep(for: .seconds(3600))
        }
        await server.shutdown()
    }
}
