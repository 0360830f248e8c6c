import JSON
import JobQueue
import Search

/// How `llmq search` prints its hits: an aligned table, or one JSON object per line.
enum SearchOutput {
    /// Characters of a hit's text shown in the table.
    static let snippetLength = 80

    static func print(_ hits: [SearchHit], json: Bool) throws {
        let output = BufferedOutput.standardOutput()
        if json {
            var writer = JSONWriter()
            for hit in hits {
                writer.removeAll()
                writer.write(jsonObject(hit), sortKeys: false)
                writer.raw("\n")
                try output.write(writer.bytes)
            }
        } else {
            try output.write(Array(table(hits).utf8))
        }
        try output.flush()
    }

    /// The `--json` object of a hit, keys in the documented order.
    static func jsonObject(_ hit: SearchHit) -> JSONValue {
        .object([
            ("rank", .number(JSONNumber(Int64(hit.rank)))),
            ("score", .number(JSONNumber(Double("\(hit.score)") ?? Double(hit.score)))),  // the float's shortest form
            ("custom_id", .string(hit.text.customID)),
            ("chunk", .number(JSONNumber(Int64(hit.text.chunk)))),
            ("start", .number(JSONNumber(Int64(hit.text.start)))),
            ("end", .number(JSONNumber(Int64(hit.text.end)))),
            ("text", .string(hit.text.text)),
        ])
    }

    /// The table: rank, score, id, chunk, start, end and the start of the text.
    static func table(_ hits: [SearchHit]) -> String {
        let rows = hits.map { hit in
            [String(hit.rank), formatScore(hit.score), hit.text.customID, String(hit.text.chunk), String(hit.text.start),
             String(hit.text.end), snippet(hit.text.text)]
        }
        let header = ["rank", "score", "custom_id", "chunk", "start", "end", "text"]
        let all = [header] + rows
        let widths = (0..<header.count - 1).map { column in all.map { $0[column].count }.max() ?? 0 }
        var text = ""
        for row in all {
            for column in 0..<header.count - 1 {
                let cell = row[column]
                let pad = String(repeating: " ", count: widths[column] - cell.count)
                text += column == 2 ? cell + pad : pad + cell
                text += "  "
            }
            text += row[header.count - 1] + "\n"
        }
        return text
    }

    /// A score with four decimals.
    static func formatScore(_ score: Float) -> String {
        let scaled = (Double(score) * 10_000).rounded()
        let sign = scaled < 0 ? "-" : ""
        let magnitude = Int(abs(scaled))
        let fraction = String(magnitude % 10_000)
        return "\(sign)\(magnitude / 10_000).\(String(repeating: "0", count: 4 - fraction.count))\(fraction)"
    }

    /// The text's first characters on one line (whitespace runs become one space).
    static func snippet(_ text: String) -> String {
        let words = text.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        guard words.count > snippetLength else { return words }
        return String(words.prefix(snippetLength - 1)) + "…"
    }
}
