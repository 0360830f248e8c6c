import Foundation
import JSON
import NIOCore
import NIOFoundationCompat
import Synchronization

/// The server's brain: decides each request's answer. Shared by all connections; its
/// mutable state (faults, records, counters, limit windows) lives behind one `Mutex`.
final class FakeOpenAIEngine: Sendable {
    struct Store {
        var faults: [FaultRule] = []
        var recorded: [FakeRecordedRequest] = []
        var stats = FakeOpenAIStats()
        var requestWindow: WindowedLimit?
        var tokenWindow: WindowedLimit?
        var nextRequestID = 0
        /// Callers of `FakeOpenAIServer.requestsReceived(_:)` still waiting, with their count.
        var requestWaiters: [(count: Int, continuation: CheckedContinuation<Void, Never>)] = []
        /// Files API and Batches API state.
        var files: [String: FakeFile] = [:]
        var batches: [String: FakeBatch] = [:]
        var batchOutcomes: [FakeBatchOutcome] = []
        var batchClockOffset: Double = 0
        var nextObjectID = 0
        /// Every embedding input a batch line ran, in the order run.
        var batchEmbeddedInputs: [String] = []
        /// When each answer in flight is due (``FakeServerQuirks/maxInFlight``).
        var answersDue: [UInt64] = []
        /// A compute-bound server's queue (``FakeServerQuirks/computePerInput``).
        var compute = FakeComputeQueue()
    }

    let options: FakeOpenAIOptions
    let store: Mutex<Store>
    let now: @Sendable () -> UInt64

    init(options: FakeOpenAIOptions, now: @escaping @Sendable () -> UInt64 = { NIODeadline.now().uptimeNanoseconds }) {
        self.options = options
        self.now = now
        var initial = Store()
        let window = options.rateWindow.engineNanos
        let requestWindow = (options.azure?.requestWindow ?? options.rateWindow).engineNanos
        initial.requestWindow = options.requestsPerMinute.map { WindowedLimit(perMinute: $0, windowNanos: requestWindow) }
        initial.tokenWindow = options.tokensPerMinute.map { WindowedLimit(perMinute: $0, windowNanos: window) }
        store = Mutex(initial)
    }

    /// Decides the answer to `request`.
    func handle(_ request: FakeRequest) -> FakeAction {
        let json: JSONValue? = options.recordRequests ? request.body.withUnsafeReadableBytes { try? JSONParser.parse($0) } : nil
        var arrived: [CheckedContinuation<Void, Never>] = []
        defer { for waiter in arrived { waiter.resume() } }
        let fault: FakeFault? = store.withLock { store in
            store.stats.requests += 1
            let requests = store.stats.requests
            arrived = store.requestWaiters.filter { $0.count <= requests }.map(\.continuation)
            store.requestWaiters.removeAll { $0.count <= requests }
            if options.recordRequests, store.recorded.count < options.maxRecordedRequests {
                store.recorded.append(
                    FakeRecordedRequest(
                        method: request.method, path: request.path, headers: request.headers, body: json,
                        receivedAtNanos: now(), query: request.query)
                )
            }
            guard let index = store.faults.firstIndex(where: { $0.path == nil || $0.path == request.path }) else {
                return nil
            }
            let fault = store.faults.remove(at: index).fault
            store.stats.faultsApplied += 1
            switch fault {
            case .rateLimit, .insufficientQuota: store.stats.rateLimited += 1
            case .custom(let status, _, _) where status == 429: store.stats.rateLimited += 1
            default: break
            }
            return fault
        }
        var held = Duration.zero
        if case .slowAnswer(let delay)? = fault {
            held = delay
        } else if let fault, fault != .lostAnswer {
            return FakeErrorResponses.fault(fault)
        }
        var response: FakeHTTPResponse
        if let azure = options.azure {
            response = self.azure(request, options: azure)
            if fault == .lostAnswer { return .hang }
            return .respond(response, delay: (response.status == 200 ? options.latency : .zero) + held)
        }
        if let key = options.requiredAPIKey, request.headers["authorization"] != "Bearer \(key)" {
            return .respond(FakeErrorResponses.unauthorized(), delay: .zero)
        }
        if let refusal = quirkRefusal(request, body: json) { return .respond(refusal, delay: .zero) }
        switch (request.method, request.path) {
        case ("POST", "/v1/embeddings"): response = embeddings(request.body)
        case ("POST", "/v1/chat/completions"): response = chatCompletion(request.body)
        case (_, let path) where path == "/v1/files" || path.hasPrefix("/v1/files/"): response = files(request)
        case (_, let path) where path == "/v1/batches" || path.hasPrefix("/v1/batches/"): response = batches(request)
        default:
            response = FakeErrorResponses.error(
                status: 404, message: "Invalid URL (\(request.method) \(request.path))", type: "invalid_request_error"
            )
        }
        if options.quirks.omitsRateLimitHeaders { response.headers.removeAll { $0.0.hasPrefix("x-ratelimit-") } }
        if response.status == 200, request.path == "/v1/embeddings", let perInput = options.quirks.computePerInput {
            held += computeTime(perInput: perInput, body: request.body)
        }
        // The work is done, but the answer never arrives.
        if fault == .lostAnswer { return .hang }
        return .respond(response, delay: (response.status == 200 ? options.latency : .zero) + held)
    }

    /// Books an embeddings request on the compute queue (``FakeServerQuirks/computePerInput``):
    /// `perInput` for each of its inputs, after the requests booked before it. Returns how
    /// long until its answer is ready.
    private func computeTime(perInput: Duration, body: ByteBuffer) -> Duration {
        var inputs = 1
        if case .strings(let strings)? = FakeWire.EmbeddingsRequest(body)?.input { inputs = strings.count }
        let time = now()
        return store.withLock { $0.compute.book(nanos: perInput.engineNanos * UInt64(inputs), now: time) }
    }

    /// The answer of a server with ``FakeOptions/quirks`` that refuses `request` before
    /// looking at it: busy (too many in flight), a `null` member, base64 not supported.
    private func quirkRefusal(_ request: FakeRequest, body: JSONValue?) -> FakeHTTPResponse? {
        let quirks = options.quirks
        guard request.method == "POST", request.path == "/v1/embeddings" || request.path == "/v1/chat/completions" else {
            return nil
        }
        if let limit = quirks.maxInFlight {
            let time = now()
            let due = time + options.latency.engineNanos
            let busy = store.withLock { store in
                store.answersDue.removeAll { $0 <= time }
                if store.answersDue.count >= limit { return true }
                store.answersDue.append(due)
                return false
            }
            if busy { return FakeServerQuirks.busy() }
        }
        guard quirks.rejectsNullFields || quirks.refusesBase64, request.path == "/v1/embeddings" else { return nil }
        let parsed = body ?? request.body.withUnsafeReadableBytes { try? JSONParser.parse($0) }
        if quirks.rejectsNullFields, let field = FakeServerQuirks.nullMember(of: parsed) { return FakeServerQuirks.nullRefusal(field) }
        if quirks.refusesBase64, parsed?["encoding_format"] == .string("base64") {
            return FakeServerQuirks.base64Refusal()
        }
        return nil
    }

    /// Charges one request of `tokens` against the windows, or returns the 429 to send.
    /// Returns the `x-ratelimit-*` (and request id) headers for a successful answer.
    func admit(tokens: Int, model: String) -> Result<[(String, String)], LimitRejection> {
        let time = now()
        return store.withLock { store in
            let requestDecision = store.requestWindow?.check(1, now: time) ?? .admit
            let tokenDecision = store.tokenWindow?.check(tokens, now: time) ?? .admit
            let rejection: LimitRejection? =
                switch (requestDecision, tokenDecision) {
                case (.admit, .admit): nil
                case (_, .tooLarge): .tooLarge(limit: options.tokensPerMinute ?? 0, requested: tokens)
                case (.wait(let wait, _), _):
                    .requests(limit: options.requestsPerMinute ?? 0, used: store.requestWindow?.usedThisMinute(now: time) ?? 0,
                              waitNanos: wait)
                case (_, .wait(let wait, _)):
                    .tokens(limit: options.tokensPerMinute ?? 0, used: store.tokenWindow?.usedThisMinute(now: time) ?? 0,
                            requested: tokens, waitNanos: wait)
                case (.tooLarge, _): .requests(limit: 0, used: 0, waitNanos: 60_000_000_000)
                }
            if let rejection {
                store.stats.rateLimited += 1
                store.stats.limiterRejections += 1
                return .failure(rejection.with(headers: rateLimitHeaders(&store, now: time, model: model)))
            }
            store.requestWindow?.record(1, now: time)
            store.tokenWindow?.record(tokens, now: time)
            store.stats.succeeded += 1
            store.stats.tokensCharged += tokens
            store.stats.firstAdmittedNanos = store.stats.firstAdmittedNanos ?? time
            store.stats.lastAdmittedNanos = time
            store.stats.lastAdmittedTokens = tokens
            store.nextRequestID += 1
            return .success(
                rateLimitHeaders(&store, now: time, model: model)
                    + [("x-request-id", "req_fake_\(store.nextRequestID)"), ("openai-processing-ms", "1")]
            )
        }
    }

    private static let unlimitedRequests = 1_000_000
    private static let unlimitedTokens = 1_000_000_000

    private func rateLimitHeaders(_ store: inout Store, now: UInt64, model: String) -> [(String, String)] {
        if options.azure != nil { return Self.azureRateLimitHeaders(&store, now: now) }
        let requestLimit = store.requestWindow?.perMinute ?? Self.unlimitedRequests
        let tokenLimit = store.tokenWindow?.perMinute ?? Self.unlimitedTokens
        let remainingRequests = store.requestWindow?.remaining(now: now) ?? requestLimit
        let remainingTokens = store.tokenWindow?.remaining(now: now) ?? tokenLimit
        return [
            ("x-ratelimit-limit-requests", String(requestLimit)),
            ("x-ratelimit-limit-tokens", String(tokenLimit)),
            ("x-ratelimit-remaining-requests", String(remainingRequests)),
            ("x-ratelimit-remaining-tokens", String(remainingTokens)),
            ("x-ratelimit-reset-requests", GoDurationFormat.string(nanos: store.requestWindow?.resetNanos(now: now) ?? 0)),
            ("x-ratelimit-reset-tokens", GoDurationFormat.string(nanos: store.tokenWindow?.resetNanos(now: now) ?? 0)),
        ]
    }

    func enqueue(_ faults: [FakeFault], path: String?) {
        store.withLock { $0.faults += faults.map { FaultRule(fault: $0, path: path) } }
    }
}
