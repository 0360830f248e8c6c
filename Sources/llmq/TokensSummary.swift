import Foundation
import JobQueue

/// What `llmq tokens` reports: per kind and model, and in total. Costs are estimates from
/// the price table; a generate cost includes `max_tokens` of output, so it is an upper
/// bound ("up to").
struct TokensSummary: Encodable {
    /// One kind and model.
    struct Line: Encodable {
        var kind: JobKind
        var model: String
        var jobs: Int
        /// Input tokens (embed) or prompt tokens (generate).
        var tokens: Int
        var exact: Bool
        var requests: Int
        /// embed: inputs over the 8,192-token limit (not sent, not in the cost).
        var overLimit: Int
        /// generate: the sum of `max_tokens`.
        var maxOutputTokens: Int
        /// embed: inputs sent (chunks of chunked jobs, one per other job).
        var chunks: Int
        /// embed: jobs cut into chunks.
        var chunkedJobs: Int
        /// USD, nil when the model has no price.
        var costUSD: Double?

        enum CodingKeys: String, CodingKey {
            case kind, model, jobs, tokens, exact, requests, over_limit, max_output_tokens, cost_usd, cost_is_upper_bound, chunks
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(kind.rawValue, forKey: .kind)
            try container.encode(model, forKey: .model)
            try container.encode(jobs, forKey: .jobs)
            try container.encode(tokens, forKey: .tokens)
            try container.encode(exact, forKey: .exact)
            try container.encode(requests, forKey: .requests)
            switch kind {
            case .embed:
                try container.encode(overLimit, forKey: .over_limit)
                try container.encode(chunks, forKey: .chunks)
            case .generate: try container.encode(maxOutputTokens, forKey: .max_output_tokens)
            }
            try container.encode(TokensSummary.jsonNumber(costUSD), forKey: .cost_usd)
            try container.encode(kind == .generate, forKey: .cost_is_upper_bound)
        }
    }

    var models: [Line]
    var rejected: Int

    /// The summary of `tally` priced with `prices`.
    init(_ tally: TokensTally, prices: [String: ModelPrice], rejected: Int) {
        self.rejected = rejected
        models = tally.rows.sorted { $0.key < $1.key }.map { key, row in
            Line(kind: key.kind, model: key.model, jobs: row.jobs, tokens: row.tokens, exact: row.exact,
                 requests: row.requests, overLimit: row.overLimit, maxOutputTokens: row.maxOutputTokens,
                 chunks: row.inputs, chunkedJobs: row.chunkedJobs,
                 costUSD: Self.cost(key.kind, row, prices[key.model]))
        }
    }

    /// Input price × tokens sent, plus (generate) output price × `max_tokens`; nil
    /// without a price (or without an output price for generate).
    static func cost(_ kind: JobKind, _ row: TokensTally.Row, _ price: ModelPrice?) -> Double? {
        guard let price else { return nil }
        let input = Double(row.sentTokens) * price.input / 1_000_000
        switch kind {
        case .embed: return input
        case .generate:
            guard let output = price.output else { return nil }
            return input + Double(row.maxOutputTokens) * output / 1_000_000
        }
    }

    var jobs: Int { models.reduce(0) { $0 + $1.jobs } }
    var tokens: Int { models.reduce(0) { $0 + $1.tokens } }
    var requests: Int { models.reduce(0) { $0 + $1.requests } }
    var exact: Bool { models.allSatisfy(\.exact) }
    /// The sum of the known costs.
    var costUSD: Double { models.reduce(0) { $0 + ($1.costUSD ?? 0) } }
    /// Models without a price (their cost is not in `costUSD`).
    var unpricedModels: [String] { Array(Set(models.filter { $0.costUSD == nil }.map(\.model))).sorted() }
    var costIsUpperBound: Bool { models.contains { $0.kind == .generate } }
    /// Whether any embed job was cut into chunks (the table then shows a chunks column).
    var anyChunked: Bool { models.contains { $0.chunkedJobs > 0 } }

    enum CodingKeys: String, CodingKey {
        case models, jobs, tokens, requests, rejected, exact, cost_usd, cost_is_upper_bound, unpriced_models
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(models, forKey: .models)
        try container.encode(jobs, forKey: .jobs)
        try container.encode(tokens, forKey: .tokens)
        try container.encode(requests, forKey: .requests)
        try container.encode(rejected, forKey: .rejected)
        try container.encode(exact, forKey: .exact)
        try container.encode(Self.jsonNumber(costUSD), forKey: .cost_usd)
        try container.encode(costIsUpperBound, forKey: .cost_is_upper_bound)
        try container.encode(unpricedModels, forKey: .unpriced_models)
    }

    /// A cost as a decimal rounded to 1e-10 USD, so JSON shows `0.00019575` rather than
    /// the binary double's `0.00019575000000000001`.
    static func jsonNumber(_ value: Double?) -> Decimal? {
        value.flatMap { Decimal(string: String(format: "%.10f", $0)) }
    }

    /// The summary as one line of JSON (sorted keys).
    func jsonText() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }
}
