import LLM

/// A model of a server that advertises a per-minute token limit but enforces
/// `limit × window / 60` in any sliding `window` (like the fake's `--rate-window`):
/// answers a request of `tokens` arriving at `now` with 200 or a 429 (retry-after until
/// enough has left the window), and headers with the per-minute reading.
struct WindowedServerModel {
    let tokensPerMinute: Double
    let window: Double
    private var admitted: [(time: Double, tokens: Double)] = []
    private(set) var answered = 0
    private(set) var rejected = 0
    /// Send times and sizes of the admitted requests.
    var admittedSends: [(time: Double, tokens: Double)] { admitted }

    init(tokensPerMinute: Double, window: Double) {
        self.tokensPerMinute = tokensPerMinute
        self.window = window
    }

    private func used(span: Double, now: Double) -> Double {
        admitted.filter { $0.time > now - span }.reduce(0) { $0 + $1.tokens }
    }

    /// The answer to a request of `tokens` at `now`.
    mutating func answer(tokens: Double, now: Double) -> (status: Int, headers: RateLimitSnapshot, retryAfter: Duration?) {
        answered += 1
        let budget = tokensPerMinute * window / 60
        var retryAfter: Duration?
        if used(span: window, now: now) + tokens > budget {
            rejected += 1
            var left = used(span: window, now: now)
            var wait = window
            for entry in admitted where entry.time > now - window {
                left -= entry.tokens
                if left + tokens <= budget {
                    wait = entry.time + window - now
                    break
                }
            }
            retryAfter = .milliseconds(Int64((wait * 1000).rounded(.up)))
        } else {
            admitted.append((now, tokens))
        }
        let headers = RateLimitSnapshot(
            limitRequests: 1_000_000, limitTokens: Int(tokensPerMinute), remainingRequests: 1_000_000,
            remainingTokens: Int(max(0, tokensPerMinute - used(span: 60, now: now))),
            resetRequests: .zero, resetTokens: .seconds(60))
        return (retryAfter == nil ? 200 : 429, headers, retryAfter)
    }

    /// The most admitted in any `span` seconds.
    func busiest(span: Double) -> Double {
        admitted.map { start in
            admitted.filter { $0.time >= start.time && $0.time < start.time + span }.reduce(0) { $0 + $1.tokens }
        }.max() ?? 0
    }
}
