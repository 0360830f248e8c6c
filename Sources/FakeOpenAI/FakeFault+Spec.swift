extension FakeFault {
    /// The faults a `fake-openai --fault SPEC` value stands for, in order. `SPEC` is a
    /// fault name with an optional `*COUNT` (default 1):
    ///
    /// - `429` (or `rate-limit`), `429=MS` with `retry-after-ms: MS`
    /// - `quota` (429 `insufficient_quota`), `401`
    /// - `500`, `502`, `503`, … (any 5xx JSON error)
    /// - `drop` (connection closed unanswered), `hang` (never answered)
    /// - `garbage` (200 with a non-JSON body), `html-502` (a proxy's HTML page)
    ///
    /// e.g. `500*20` is twenty 500 answers, `429=300*3` three 429s with `retry-after-ms: 300`.
    /// - Throws: `FakeFaultSpecError` naming the value and the accepted names.
    public static func faults(fromSpec spec: String) throws(FakeFaultSpecError) -> [FakeFault] {
        let parts = spec.split(separator: "*", omittingEmptySubsequences: false)
        guard parts.count <= 2 else { throw FakeFaultSpecError(spec: spec, reason: "more than one '*'") }
        var count = 1
        if parts.count == 2 {
            guard let value = Int(parts[1]), value >= 1 else {
                throw FakeFaultSpecError(spec: spec, reason: "the count after '*' must be a whole number ≥ 1")
            }
            count = value
        }
        let fault = try single(String(parts[0]), spec: spec)
        return Array(repeating: fault, count: count)
    }

    private static func single(_ name: String, spec: String) throws(FakeFaultSpecError) -> FakeFault {
        switch name {
        case "429", "rate-limit": return .rateLimit()
        case "quota": return .insufficientQuota
        case "401": return .unauthorized
        case "drop": return .dropConnection
        case "hang": return .hang
        case "garbage": return .garbageBody
        case "html-502": return .htmlBadGateway
        default: break
        }
        for prefix in ["429=", "rate-limit="] where name.hasPrefix(prefix) {
            guard let milliseconds = Int(name.dropFirst(prefix.count)), milliseconds >= 0 else {
                throw FakeFaultSpecError(spec: spec, reason: "retry-after-ms must be a whole number of milliseconds")
            }
            return .rateLimit(retryAfterMs: milliseconds)
        }
        if let status = Int(name), (500...599).contains(status) { return .serverError(status: status) }
        throw FakeFaultSpecError(spec: spec, reason: "unknown fault \"\(name)\"")
    }
}

/// A `--fault` value `FakeFault.faults(fromSpec:)` cannot read.
public struct FakeFaultSpecError: Error, Sendable, CustomStringConvertible {
    /// The value as given.
    public var spec: String
    /// What is wrong with it.
    public var reason: String

    /// The message: the value, what is wrong, and what is accepted.
    public var description: String {
        "cannot read fault \"\(spec)\": \(reason) (expected 429, 429=MS, quota, 401, 5xx such as 500 or 503, drop, hang, garbage or html-502, each with an optional *COUNT)"
    }
}
