import Synchronization
import LLM

/// An `LLMProvider` that answers from a script instead of the network: each call takes
/// the next step (then `otherwise` once the script is used up), every request is
/// recorded, and, like the real provider, it asks its observer (the pacer) before each
/// call and reports each outcome's status to it, so a scripted 429 pauses the pacer.
final class ScriptedProvider: LLMProvider {
    enum Step: Sendable {
        /// Answer: a vector per input (``vector(for:)``) or a reply to the last message.
        case succeed
        /// Throw this error.
        case fail(LLMError)
        /// Throw this error when any input (or message) is `text`, else succeed.
        case failIfAnyInput(is: String, LLMError)
        /// Never answer: wait until the calling task is cancelled (a request in flight).
        case hang
        /// Throw this error when an embeddings request carries more than `count` inputs, else succeed.
        case failIfMoreInputsThan(Int, LLMError)
        /// Throw this error when an embeddings request asks for `encoding`, else succeed.
        case failIfEncoding(EmbeddingEncoding, LLMError)
    }

    /// One recorded call.
    enum Call: Sendable, Equatable {
        case embed(inputs: [String], model: String?, dimensions: Int?)
        case generate(messages: [ChatMessage])
    }

    private struct State {
        var script: [Step]
        var calls: [(call: Call, at: Double)] = []
        var encodings: [EmbeddingEncoding] = []
    }

    let name = "scripted"
    let supportsEmbeddings = true
    private let state: Mutex<State>
    private let otherwise: Step
    private let clock: ManualClock
    private let observer: (any RequestObserver)?
    /// Seconds each call takes (moved on the clock before it answers): 0 makes a success and
    /// the failure before it simultaneous, which a real server never does.
    let latency: Double

    init(_ script: [Step] = [], otherwise: Step = .succeed, clock: ManualClock, observer: (any RequestObserver)? = nil,
         latency: Double = 0) {
        state = Mutex(State(script: script))
        self.otherwise = otherwise
        self.clock = clock
        self.observer = observer
        self.latency = latency
    }

    /// Every call in order.
    var calls: [Call] { state.withLock { $0.calls.map(\.call) } }
    /// When each call was made (clock time).
    var callTimes: [Double] { state.withLock { $0.calls.map(\.at) } }
    /// The `encoding_format` of every embeddings call.
    var encodings: [EmbeddingEncoding] { state.withLock { $0.encodings } }
    /// The inputs of every embeddings call.
    var embeddedInputs: [[String]] {
        calls.compactMap { if case .embed(let inputs, _, _) = $0 { inputs } else { nil } }
    }

    /// The vector answered for `input`: a few awkward float values (negative zero, a
    /// subnormal, a long fraction) that only a bit-exact store keeps.
    static func vector(for input: String) -> [Float] {
        [Float(input.utf8.count), -0.0, Float(bitPattern: 0x0000_0001), 1 / 3, -123.456]
    }

    func embed(_ request: EmbeddingRequest) async throws -> EmbeddingResponse {
        state.withLock { $0.encodings.append(request.encoding) }
        try await perform(.embed(inputs: request.inputs, model: request.model, dimensions: request.dimensions),
                          texts: request.inputs, tokens: request.estimatedTokens ?? 1, encoding: request.encoding)
        return EmbeddingResponse(vectors: request.inputs.map(Self.vector(for:)), model: request.model ?? "embedder",
                                 inputTokens: request.inputs.reduce(0) { $0 + $1.utf8.count }, provider: name)
    }

    func generate(_ request: ChatRequest) async throws -> LLMResponse {
        try await perform(.generate(messages: request.messages), texts: request.messages.map(\.content),
                          tokens: request.estimatedTokens ?? 1)
        return LLMResponse(content: "reply to " + (request.messages.last?.content ?? ""), model: request.model ?? "chat",
                           inputTokens: 7, outputTokens: 3, provider: name, finishReason: "stop")
    }

    private func perform(_ call: Call, texts: [String], tokens: Int, encoding: EmbeddingEncoding? = nil) async throws {
        try await observer?.willSend(path: "/scripted", estimatedTokens: tokens)
        let step = state.withLock { state in
            state.calls.append((call, clock.now()))
            return state.script.isEmpty ? otherwise : state.script.removeFirst()
        }
        if latency > 0 { clock.advance(by: latency) }
        var failure: LLMError?
        switch step {
        case .succeed: break
        case .fail(let error): failure = error
        case .failIfAnyInput(let text, let error): failure = texts.contains(text) ? error : nil
        case .hang: try await clock.parkUntilCancelled()
        case .failIfMoreInputsThan(let count, let error): failure = encoding != nil && texts.count > count ? error : nil
        case .failIfEncoding(let refused, let error): failure = encoding == refused ? error : nil
        }
        if let failure, failure.isTimeout {
            // As the real provider: a timeout has no response.
            await observer?.didFailWithoutResponse(failure)
            throw failure
        }
        await observer?.didReceive(status: failure.map { $0.status ?? 500 } ?? 200, rateLimits: nil, retryAfter: failure?.retryAfter,
                                   endsRun: failure?.isFatalForRun ?? false)
        if let failure { throw failure }
    }
}

extension LLMError {
    static let serverUnavailable = LLMError(kind: .serverError(status: 503), status: 503, apiMessage: "The server is overloaded")
    /// A 500, as a server that fails on one input answers (llama.cpp's "input is too large to process").
    static let internalServerError = LLMError(kind: .serverError(status: 500), status: 500,
                                              apiMessage: "The server had an error while processing your request")
    static let quota = LLMError(kind: .quotaExhausted, status: 429, apiMessage: "You exceeded your current quota",
                                apiCode: "insufficient_quota")
    static let badKey = LLMError(kind: .authentication, status: 401, apiMessage: "Incorrect API key provided", apiCode: "invalid_api_key")

    /// No answer within a 5 s `--timeout`.
    static let timedOut = LLMError(kind: .timeout(.seconds(5)))

    static func rateLimit(after seconds: Int) -> LLMError {
        LLMError(kind: .rateLimited(retryAfter: .seconds(seconds)), status: 429, apiCode: "rate_limit_exceeded",
                 retryAfter: .seconds(seconds))
    }

    static func invalid(_ message: String) -> LLMError {
        LLMError(kind: .invalidRequest(message: message, param: "input"), status: 400, apiMessage: message)
    }
}
