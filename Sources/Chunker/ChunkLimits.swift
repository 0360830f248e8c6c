/// How long chunks may be: at most `maxTokens` tokens each, and each chunk after the first
/// starting up to `overlapTokens` tokens before the previous one ends.
public struct ChunkLimits: Sendable, Hashable {
    /// The largest `maxTokens`: the embedding models' per-input limit.
    public static let tokenLimit = 8_192

    /// At most this many tokens per chunk (1…8,192).
    public let maxTokens: Int
    /// Tokens a chunk repeats from the end of the previous one (0…maxTokens − 1); default 0.
    public let overlapTokens: Int

    /// Checked limits.
    /// - Parameters:
    ///   - maxTokens: 1…8,192.
    ///   - overlapTokens: 0 (the default) up to `maxTokens − 1`.
    /// - Throws: `ChunkLimitsError` naming the bad value and its range.
    public init(maxTokens: Int, overlapTokens: Int = 0) throws(ChunkLimitsError) {
        guard (1...Self.tokenLimit).contains(maxTokens) else {
            throw ChunkLimitsError(field: .maxTokens, rule: "must be between 1 and \(Self.tokenLimit), got \(maxTokens)")
        }
        guard overlapTokens >= 0 else {
            throw ChunkLimitsError(field: .overlapTokens, rule: "must be at least 0, got \(overlapTokens)")
        }
        guard overlapTokens < maxTokens else {
            throw ChunkLimitsError(field: .overlapTokens, rule: "must be less than max_tokens (\(maxTokens)), got \(overlapTokens)")
        }
        self.maxTokens = maxTokens
        self.overlapTokens = overlapTokens
    }
}

/// Chunk limits out of range: which value, and the rule it breaks (`must be between 1 and
/// 8192, got 0`), so a job line and a command-line flag can each name it their way.
public struct ChunkLimitsError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The two limits.
    public enum Field: String, Sendable {
        case maxTokens = "max_tokens"
        case overlapTokens = "overlap_tokens"
    }
    /// The value that is wrong.
    public var field: Field
    /// What is wrong with it, e.g. `must be between 1 and 8192, got 0`.
    public var rule: String
    /// `max_tokens must be between 1 and 8192, got 0`.
    public var description: String { "\(field.rawValue) \(rule)" }
}
