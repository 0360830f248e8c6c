import Foundation
import JSON
import JobQueue

/// What `llmq tokens` reports: per kind and model, and in total. Costs are estimates from
/// the price table; a generate cost includes `max_tokens` of output, so it is an upper
/// bound ("up to").
struct TokensSummary {
    /// One kind and model.
    struct Line {
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

        /// Writes the line's object: keys sorted; `chunks` and `over_limit` for embed,
        /// `max_output_tokens` for generate; `cost_usd` null without a price.
        func write(to out: inout JSONWriter) {
            out.raw("{")
            if kind == .embed { out.member("chunks", integer: chunks, first: true) }
            out.member("cost_is_upper_bound", bool: kind == .generate, first: kind != .embed)
            out.key("cost_usd")
            out.raw(TokensSummary.decimalText(costUSD))
            out.member("exact", bool: exact)
            out.member("jobs", integer: jobs)
            out.member("kind", kind.rawValue)
            if kind == .generate { out.member("max_output_tokens", integer: maxOutputTokens) }
            out.member("model", model)
            if kind == .embed { out.member("over_limit", integer: overLimit) }
            out.member("requests", integer: requests)
            out.member("tokens", integer: tokens)
            out.raw("}")
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

    /// A cost as a plain decimal rounded to 1e-10 USD, trailing zeros dropped, so JSON shows
    /// `0.00019575` rather than the binary double's `0.00019575000000000001` (or `1.95e-05`);
    /// `null` without a price.
    static func decimalText(_ value: Double?) -> String {
        guard let value else { return "null" }
        var text = String(format: "%.10f", value)
        if text.contains(".") {
            while text.hasSuffix("0") { text.removeLast() }
            if text.hasSuffix(".") { text.removeLast() }
        }
        return text == "-0" ? "0" : text
    }

    /// The summary as one line of JSON (sorted keys; README documents them).
    func jsonText() -> String {
        var out = JSONWriter()
        out.raw("{")
        out.member("cost_is_upper_bound", bool: costIsUpperBound, first: true)
        out.key("cost_usd")
        out.raw(Self.decimalText(costUSD))
        out.member("exact", bool: exact)
        out.member("jobs", integer: jobs)
        out.key("models")
        out.raw("[")
        for (index, line) in models.enumerated() {
            if index > 0 { out.raw(",") }
            line.write(to: &out)
        }
        out.raw("]")
        out.member("rejected", integer: rejected)
        out.member("requests", integer: requests)
        out.member("tokens", integer: tokens)
        out.key("unpriced_models")
        out.write(.array(unpricedModels.map { .string($0) }))
        out.raw("}")
        return out.string
    }
}
