import Foundation
import JSON
import NIOCore
import NIOFoundationCompat

/// Ways other OpenAI-compatible servers differ from OpenAI (TEI, infinity, Ollama, old vLLM, LM Studio),
/// so that llmq's adaptations are tested offline. The default has none.
public struct FakeServerQuirks: Sendable, Hashable {
    /// How a server refuses more inputs per request than it takes.
    public enum InputCapStyle: String, Sendable, Hashable {
        /// HF TEI: 422 `{"message":"batch size 512 > maximum allowed batch size 32","code":422,"type":"Validation"}`.
        case tei
        /// infinity (FastAPI): 422 `{"detail":[{"type":"too_long","msg":"List should have at most 256 items after validation, not 512",…}]}`.
        case infinity
        /// A payload limit: 413 with a plain-text body.
        case payload
    }

    /// Most inputs per embeddings request; more are refused in `inputCapStyle` (nil: 2,048, OpenAI's).
    public var maxInputsPerRequest: Int?
    /// The shape of that refusal.
    public var inputCapStyle: InputCapStyle
    /// `encoding_format: base64` gets vLLM < 0.5.1's 400 "base64 encoding is not currently supported".
    public var refusesBase64: Bool
    /// No `x-ratelimit-*` header on any answer (every server but OpenAI's and Azure's).
    public var omitsRateLimitHeaders: Bool
    /// More requests in flight than this get Ollama's 503 "server busy" (nil: no limit).
    /// A request is in flight from its arrival until its answer is due (after the latency).
    public var maxInFlight: Int?
    /// `usage` counts characters instead of tokens (infinity).
    public var usageInCharacters: Bool
    /// A `null` member in a request body gets a 422 (vLLM, TEI and infinity reject them).
    public var rejectsNullFields: Bool
    /// `dimensions` is ignored: every vector has the model's native length (a server whose
    /// model cannot shorten its vectors and says nothing).
    public var ignoresDimensions: Bool
    /// A compute-bound server (a local model on CPU): one FIFO compute queue, each
    /// embeddings request taking this long per input after the requests before it, so an
    /// answer's latency grows with the requests in flight. A request whose client has gone
    /// keeps its place and its compute time, as real servers do (nil: none).
    public var computePerInput: Duration?

    /// Quirks as named; see each property for its default.
    public init(maxInputsPerRequest: Int? = nil, inputCapStyle: InputCapStyle = .tei, refusesBase64: Bool = false,
                omitsRateLimitHeaders: Bool = false, maxInFlight: Int? = nil, usageInCharacters: Bool = false,
                rejectsNullFields: Bool = false, ignoresDimensions: Bool = false, computePerInput: Duration? = nil) {
        self.maxInputsPerRequest = maxInputsPerRequest
        self.inputCapStyle = inputCapStyle
        self.refusesBase64 = refusesBase64
        self.omitsRateLimitHeaders = omitsRateLimitHeaders
        self.maxInFlight = maxInFlight
        self.usageInCharacters = usageInCharacters
        self.rejectsNullFields = rejectsNullFields
        self.ignoresDimensions = ignoresDimensions
        self.computePerInput = computePerInput
    }

    /// The profiles of `fake-openai --profile`, each like the server it is named after
    /// (`forceFloat`: the server answers float arrays whatever is asked).
    public static let profiles: [String: (quirks: FakeServerQuirks, forceFloat: Bool)] = [
        "tei": (FakeServerQuirks(maxInputsPerRequest: 32, inputCapStyle: .tei, omitsRateLimitHeaders: true,
                                 rejectsNullFields: true), false),
        "infinity": (FakeServerQuirks(maxInputsPerRequest: 256, inputCapStyle: .infinity, omitsRateLimitHeaders: true,
                                      usageInCharacters: true, rejectsNullFields: true), false),
        "ollama": (FakeServerQuirks(omitsRateLimitHeaders: true, maxInFlight: 4), true),
        "vllm-old": (FakeServerQuirks(refusesBase64: true, omitsRateLimitHeaders: true, rejectsNullFields: true), false),
        "lmstudio": (FakeServerQuirks(omitsRateLimitHeaders: true), true),
    ]

    /// The refusal of a request of `count` inputs, or nil when the server takes it.
    func inputCapRefusal(count: Int) -> FakeHTTPResponse? {
        guard let cap = maxInputsPerRequest, count > cap else { return nil }
        switch inputCapStyle {
        case .tei:
            return Self.json(status: 422, [
                "message": .string("batch size \(count) > maximum allowed batch size \(cap)"), "code": .number(422),
                "type": .string("Validation"),
            ])
        case .infinity:
            return Self.json(status: 422, ["detail": .array([.object([
                "type": .string("too_long"), "loc": .array([.string("body"), .string("input")]),
                "msg": .string("List should have at most \(cap) items after validation, not \(count)"),
            ])])])
        case .payload:
            return FakeHTTPResponse(status: 413, headers: [("content-type", "text/plain")],
                                    body: ByteBuffer(string: "Failed to buffer the request body: length limit exceeded"))
        }
    }

    /// vLLM < 0.5.1's answer to `encoding_format: base64`.
    static func base64Refusal() -> FakeHTTPResponse {
        json(status: 400, [
            "object": .string("error"), "message": .string("base64 encoding is not currently supported"),
            "type": .string("BadRequestError"), "param": .null, "code": .number(400),
        ])
    }

    /// Ollama's answer when its queue is full.
    static func busy() -> FakeHTTPResponse {
        FakeErrorResponses.error(status: 503, message: "server busy, please try again.  maximum pending requests exceeded",
                                 type: "api_error")
    }

    /// The 422 for a `null` member named `field` (pydantic's words).
    static func nullRefusal(_ field: String) -> FakeHTTPResponse {
        json(status: 422, ["detail": .array([.object([
            "type": .string("string_type"), "loc": .array([.string("body"), .string(field)]),
            "msg": .string("Input should be a valid string"), "input": .null,
        ])])])
    }

    /// The first top-level member of `body` whose value is `null`.
    static func nullMember(of body: JSONValue?) -> String? {
        guard case .object(let members)? = body else { return nil }
        return members.filter { $0.value == .null }.map(\.key).sorted().first
    }

    private static func json(status: Int, _ members: [String: JSONValue]) -> FakeHTTPResponse {
        FakeErrorResponses.json(.object(members), status: status)
    }
}
