import Foundation
import JobQueue

/// The text table of `llmq tokens`: one row per kind and model and a total. Upper-bound
/// token counts are marked "≤"; generate costs (which include `max_tokens` of output)
/// are marked "up to"; a model without a price shows "unknown".
enum TokensTable {
    /// The table, a total row, and notes on upper bounds and rejected lines.
    static func render(_ summary: TokensSummary) -> String {
        let chunked = summary.anyChunked
        var rows: [[String]] = [["kind", "model", "jobs"] + (chunked ? ["chunks"] : [])
            + ["tokens", "max output", "requests", "over 8192", "est. cost (USD)"]]
        for line in summary.models {
            rows.append([line.kind.rawValue, line.model, "\(line.jobs)"] + (chunked ? [line.kind == .embed ? "\(line.chunks)" : "-"] : []) + [
                tokens(line.tokens, exact: line.exact),
                line.kind == .generate ? "\(line.maxOutputTokens)" : "-", "\(line.requests)",
                line.kind == .embed ? "\(line.overLimit)" : "-",
                cost(line.costUSD, upTo: line.kind == .generate),
            ])
        }
        rows.append(["total", "", "\(summary.jobs)"] + (chunked ? ["\(summary.models.reduce(0) { $0 + $1.chunks })"] : []) + [
            tokens(summary.tokens, exact: summary.exact), "", "\(summary.requests)", "",
            cost(summary.costUSD, upTo: summary.costIsUpperBound)
                + (summary.unpricedModels.isEmpty ? "" : " + unknown for \(summary.unpricedModels.joined(separator: ", "))"),
        ])
        var text = layout(rows)
        if !summary.exact { text += "\n≤: upper bound (UTF-8 bytes): no tiktoken encoding is known for the model, see the note on stderr" }
        if summary.rejected > 0 { text += "\nrejected lines: \(summary.rejected) (see stderr)" }
        return text
    }

    private static func tokens(_ count: Int, exact: Bool) -> String { exact ? "\(count)" : "≤\(count)" }

    /// `12.50` from 1 USD up, else up to 8 decimals without trailing zeros (`0.0000036`);
    /// "up to" in front for upper bounds, "unknown" without a price.
    static func cost(_ value: Double?, upTo: Bool) -> String {
        guard let value else { return "unknown" }
        var text = String(format: value >= 1 ? "%.2f" : "%.8f", value)
        while text.hasSuffix("0"), let dot = text.firstIndex(of: "."), text.distance(from: dot, to: text.endIndex) > 3 {
            text.removeLast()
        }
        return (upTo ? "up to " : "") + text
    }

    /// Left-aligns the first two columns, right-aligns the numbers (the last column is
    /// left as it is).
    private static func layout(_ rows: [[String]]) -> String {
        let columns = rows[0].count
        var widths = [Int](repeating: 0, count: columns)
        for row in rows { for (index, cell) in row.enumerated() { widths[index] = max(widths[index], cell.count) } }
        return rows.map { row in
            row.enumerated().map { index, cell in
                let pad = String(repeating: " ", count: widths[index] - cell.count)
                if index == columns - 1 { return cell }
                return index < 2 ? cell + pad : pad + cell
            }.joined(separator: "  ")
        }.joined(separator: "\n")
    }
}
