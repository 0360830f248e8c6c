import LLM

/// What a run learns about a server that does not do everything OpenAI does, and adapts to
/// without failing a job (DESIGN, "Other OpenAI-compatible servers"):
/// - a cap on inputs per request (a 413, or a 400/422 naming the batch size): halved, or
///   set to the number the message names, and kept for the run;
/// - base64 not taken (a 400/422 naming `encoding_format`): the run asks for float arrays,
///   unless `--encoding-format` fixed the format;
/// - no `x-ratelimit-*` headers: requests in flight adapt to 429/503 answers and to
///   timeouts (halved, at most once per round of responses, never below 1; grown back by
///   one per round of successes, never above `--concurrency`). A timeout counts as overload
///   there: a local server computing one request after another answers later the more are
///   in flight, and keeps computing what was given up on.
///
/// A value: ``SendGate`` keeps it behind its lock.
struct ServerAdaptation: Sendable {
    /// The most requests in flight (`--concurrency`).
    private(set) var maxConcurrency = 8
    /// Requests in flight allowed now (fractional while growing back).
    private(set) var concurrency = 8.0
    /// Inputs per request the server was found to take; nil until it refused a batch size.
    private(set) var inputCap: Int?
    /// The `encoding_format` asked for.
    private(set) var encoding = EmbeddingEncoding.base64
    /// Whether `--encoding-format` fixed the format (then a refusal stops the run instead).
    private(set) var encodingFixed = false
    /// Whether any response carried rate-limit headers (then the pacer follows them and
    /// concurrency stays as set).
    private(set) var rateLimitHeadersSeen = false
    /// Whether a successful answer came without rate-limit headers (before any answer, what
    /// the server sends is not known).
    private(set) var headerlessSuccessSeen = false
    private var responsesSinceDecrease = Int.max

    /// Starts from the run's settings: `concurrency` in flight at most; `encoding` fixed when given.
    mutating func configure(concurrency: Int, encoding: EmbeddingEncoding?) {
        maxConcurrency = max(1, concurrency)
        self.concurrency = Double(maxConcurrency)
        if let encoding {
            self.encoding = encoding
            encodingFixed = true
        }
    }

    /// Requests that may be in flight now.
    var concurrencyLimit: Int { max(1, min(maxConcurrency, Int(concurrency))) }

    /// Inputs per request for a run whose `--batch-size` is `batchSize`.
    func inputsPerRequest(_ batchSize: Int) -> Int { min(batchSize, inputCap ?? .max) }

    /// Counts a response; returns the new limit when it was lowered (a 429 or 503 from a
    /// server that sends no rate-limit headers).
    mutating func observe(status: Int, hasRateLimitHeaders: Bool) -> Int? {
        if hasRateLimitHeaders { rateLimitHeadersSeen = true }
        countRequestEnd()
        if (200..<300).contains(status) {
            if !hasRateLimitHeaders { headerlessSuccessSeen = true }
            concurrency = min(Double(maxConcurrency), concurrency + 1 / concurrency)
            return nil
        }
        guard status == 429 || status == 503 else { return nil }
        return lowerConcurrency()
    }

    /// Counts a request that timed out; returns the new limit when it was lowered (a server
    /// that sends no rate-limit headers is taken to be overloaded). A server that sends
    /// them (OpenAI) is paced by them instead: its timeouts change nothing here, nor do
    /// timeouts before the first successful answer said which kind of server it is.
    mutating func observeTimeout() -> Int? {
        countRequestEnd()
        return timeoutsMeanOverload ? lowerConcurrency() : nil
    }

    /// Whether a timeout means overload: a successful answer came without rate-limit
    /// headers and none came with them in this run.
    var timeoutsMeanOverload: Bool { headerlessSuccessSeen && !rateLimitHeadersSeen }

    private mutating func countRequestEnd() {
        if responsesSinceDecrease < Int.max { responsesSinceDecrease += 1 }
    }

    /// Halves the limit unless the server sends rate-limit headers or it was halved in this
    /// round; returns the new limit when it went down.
    private mutating func lowerConcurrency() -> Int? {
        guard !rateLimitHeadersSeen else { return nil }
        // The responses to requests sent before the last decrease say nothing new.
        guard responsesSinceDecrease >= concurrencyLimit else { return nil }
        let before = concurrencyLimit
        concurrency = max(1, Double(before / 2))
        responsesSinceDecrease = 0
        return concurrencyLimit < before ? concurrencyLimit : nil
    }

    /// A request of `sent` inputs was refused for its size with `message`; returns the new
    /// cap, or nil when it was already that low (another request's refusal lowered it).
    /// The cap is the number below `sent` that the message gives as a maximum (TEI: `batch
    /// size 512 > maximum allowed batch size 32`; infinity: `List should have at most 256
    /// items`), else half of `sent`. Other numbers (a gateway's `Error code: 422`) are not caps.
    mutating func lowerInputCap(sent: Int, message: String) -> Int? {
        guard sent > 1 else { return nil }
        let named = Self.namedMaximums(in: message).filter { $0 >= 1 && $0 < sent }.min()
        let cap = named ?? max(1, sent / 2)
        if let inputCap, inputCap <= cap { return nil }
        inputCap = cap
        return cap
    }

    /// Switches the run to float arrays; false when it was fixed by the user or already float.
    mutating func switchToFloat() -> Bool {
        guard !encodingFixed, encoding == .base64 else { return false }
        encoding = .float
        return true
    }

    /// The numbers `text` gives as a maximum: the first number within four words after
    /// `maximum`, `max`, `most`, `limit` or `allowed`.
    static func namedMaximums(in text: String) -> [Int] {
        let words = text.lowercased().split(whereSeparator: { !$0.isLetter && !$0.isNumber })
        var found: [Int] = []
        for (index, word) in words.enumerated() where ["maximum", "max", "most", "limit", "allowed"].contains(word) {
            if let number = words[(index + 1)..<min(words.count, index + 5)].lazy.compactMap({ Int($0) }).first {
                found.append(number)
            }
        }
        return found
    }
}
