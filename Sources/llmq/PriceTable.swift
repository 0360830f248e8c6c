/// A model's price in USD per one million tokens.
struct ModelPrice: Sendable, Equatable {
    /// Per 1M input (prompt) tokens.
    var input: Double
    /// Per 1M output tokens; nil when not known (generate costs are then unknown).
    var output: Double?
}

/// The prices `llmq tokens` estimates with.
///
/// These are ESTIMATES, as published by OpenAI in 2026 and copied here by hand; they may be
/// outdated or differ for your account (Batch API discounts, cached input). Override or
/// add models with `--price MODEL=USD_PER_1M_INPUT[,USD_PER_1M_OUTPUT]`.
enum PriceTable {
    /// The built-in prices.
    static let defaults: [String: ModelPrice] = [
        "text-embedding-3-small": ModelPrice(input: 0.02),
        "text-embedding-3-large": ModelPrice(input: 0.13),
        "text-embedding-ada-002": ModelPrice(input: 0.10),
        "gpt-4o-mini": ModelPrice(input: 0.15, output: 0.60),
        "gpt-4o": ModelPrice(input: 2.50, output: 10.00),
    ]

    /// The built-in prices with `overrides` (each a `--price` value) applied.
    /// - Throws: `CLIError(.usage)` naming `--price` and the value that does not parse.
    static func with(overrides: [String]) throws -> [String: ModelPrice] {
        var prices = defaults
        for text in overrides {
            let (model, price) = try parse(text)
            prices[model] = price
        }
        return prices
    }

    /// Parses `MODEL=USD_PER_1M_INPUT[,USD_PER_1M_OUTPUT]`, e.g. `gpt-4o-mini=0.15,0.60`.
    /// - Throws: `CLIError(.usage)` naming `--price` and `text`.
    static func parse(_ text: String) throws -> (model: String, price: ModelPrice) {
        let bad = CLIError(.usage, "--price expects MODEL=USD_PER_1M_INPUT[,USD_PER_1M_OUTPUT] with non-negative numbers, got \"\(text)\"")
        guard let equals = text.lastIndex(of: "=") else { throw bad }
        let model = String(text[..<equals])
        let numbers = text[text.index(after: equals)...].split(separator: ",", omittingEmptySubsequences: false)
        guard !model.isEmpty, (1...2).contains(numbers.count) else { throw bad }
        var values: [Double] = []
        for number in numbers {
            guard let value = Double(number), value.isFinite, value >= 0 else { throw bad }
            values.append(value)
        }
        return (model, ModelPrice(input: values[0], output: values.count > 1 ? values[1] : nil))
    }
}
