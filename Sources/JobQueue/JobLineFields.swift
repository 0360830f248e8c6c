/// The fields a native job line may carry: the one list (`JobLineParser` rejects any
/// other field, naming it and the nearest known one). A new field is added here and read
/// in `JobLineParser.parseNativeLine`.
enum JobLineFields {
    /// Fields of every native line.
    static let common: [String] = ["id", "type", "metadata"]
    /// Fields of an embed line, besides `common`.
    static let embed: [String] = ["input", "model", "dimensions", "chunk"]
    /// Fields of a generate line, besides `common`.
    static let generate: [String] = ["prompt", "system", "context", "model", "max_tokens", "temperature"]

    private static let embedAccepted = Set(common + embed)
    private static let generateAccepted = Set(common + generate)

    /// The fields a line of `type` (`embed`, `generate`) may carry, in this file's order.
    static func allowed(forType type: String) -> [String] {
        common + (type == "embed" ? embed : generate)
    }

    /// Whether a line of `type` may carry `key`.
    static func accepts(_ key: String, type: String) -> Bool {
        (type == "embed" ? embedAccepted : generateAccepted).contains(key)
    }

    /// Why `key` is not accepted on a line of `type`: the other kind's field, or an unknown
    /// one with the nearest known field when one is close (`unknown field "dimension"
    /// (did you mean "dimensions"?)`).
    static func rejection(of key: String, type: String) -> String {
        let allowed = allowed(forType: type)
        let other = type == "embed" ? generate : embed
        if other.contains(key) {
            return "field \"\(key)\" belongs to \(type == "embed" ? "generate" : "embed") jobs, not to \(type) jobs"
        }
        if let near = nearestField(to: key, among: allowed) {
            return "unknown field \"\(key)\" (did you mean \"\(near)\"?)"
        }
        return "unknown field \"\(key)\" (\(type) jobs take \(allowed.map { "\"\($0)\"" }.joined(separator: ", ")))"
    }

    /// The known field closest to `key`: at most 2 edits apart (1 for short names),
    /// ignoring case, or one that starts with `key` (`meta` → `metadata`); nil when none is.
    static func nearestField(to key: String, among fields: [String]) -> String? {
        let lowered = key.lowercased()
        var best: (field: String, distance: Int)?
        for field in fields {
            let distance = editDistance(lowered, field)
            let limit = field.count <= 4 ? 1 : 2
            let prefix = lowered.count >= 3 && field.hasPrefix(lowered)
            guard distance <= limit || prefix else { continue }
            let score = prefix ? min(distance, limit) : distance
            if let current = best, current.distance <= score { continue }
            best = (field, score)
        }
        return best?.field
    }

    /// Levenshtein distance over Unicode scalars.
    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a.unicodeScalars), b = Array(b.unicodeScalars)
        if a.isEmpty { return b.count }
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in stride(from: 1, through: b.count, by: 1) {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}
