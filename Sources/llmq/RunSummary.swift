import Foundation
import JSON
import Worker

/// The final summary of a run, on stdout: one line of text, or one JSON object.
enum RunSummary {
    static func print(_ report: RunReport, json: Bool) {
        if json {
            Swift.print(JSONWriter.canonical(jsonObject(report)))
            return
        }
        var text = "run: \(report.succeeded) succeeded, \(report.failed) failed, \(report.reusedVectors) reused vectors, "
        text += "\(report.requests) requests\(outcomes(report)), \(tokens(report)), "
        text += "\(report.rateLimited) 429s in \(String(format: "%.1f", report.seconds))s; "
        switch report.end {
        case "drained": text += "nothing runnable left"
        case "fatal": text += "stopped: \(report.fatalError ?? "the API refused the credentials or the account")"
        case "max-duration": text += "stopped at --max-duration"
        case "signal": text += "stopped by a signal"
        case "stall": text += "stopped: no job finished for --max-stall"
        case "configuration": text += "stopped on a configuration error (see above); no job was failed"
        default: text += report.end
        }
        if report.pendingLeft > 0 { text += "; \(report.pendingLeft) pending left (run again to resume)" }
        Swift.print(text)
    }

    /// `1234 tokens`, or, when part of it is llmq's upper bound for a model it has no
    /// tokenizer for, `≤1234 tokens (upper bound: no tokenizer for the model)`.
    static func tokens(_ report: RunReport) -> String {
        let total = report.embedTokens + report.inputTokens + report.outputTokens
        guard report.estimatedEmbedTokens > 0 else { return "\(total) tokens" }
        return "≤\(total) tokens (upper bound: no tokenizer for the model)"
    }

    /// The `--json` object: every counter (`embed_tokens_estimated`: the part of
    /// `embed_tokens` that is an upper bound), `seconds`, `end`, `request_outcomes` by outcome, and
    /// `fatal_error` / `obstacle` only when set (written with sorted keys).
    static func jsonObject(_ report: RunReport) -> JSONValue {
        var members: [String: JSONValue] = [
            "succeeded": .integer(report.succeeded), "failed": .integer(report.failed),
            "reused_vectors": .integer(report.reusedVectors), "requests": .integer(report.requests),
            "request_outcomes": .object(report.requestOutcomes.mapValues { .integer($0) }),
            "embed_tokens": .integer(report.embedTokens), "embed_tokens_estimated": .integer(report.estimatedEmbedTokens),
            "input_tokens": .integer(report.inputTokens),
            "output_tokens": .integer(report.outputTokens), "retried": .integer(report.retried),
            "rate_limited": .integer(report.rateLimited), "seconds": .number(JSONNumber(report.seconds)),
            "pending_left": .integer(report.pendingLeft), "end": .string(report.end),
        ]
        if let fatal = report.fatalError { members["fatal_error"] = .string(fatal) }
        if let obstacle = report.obstacle { members["obstacle"] = .string(obstacle) }
        return .object(members)
    }

    /// ` (40 ok, 12 HTTP 500, 3 connection refused)`: every request by outcome, most first;
    /// empty when every request succeeded.
    static func outcomes(_ report: RunReport) -> String {
        let parts = report.requestOutcomes.sorted { ($0.value, $1.key) > ($1.value, $0.key) }
        guard parts.contains(where: { $0.key != "ok" }) else { return "" }
        return " (" + parts.map { "\($0.value) \($0.key)" }.joined(separator: ", ") + ")"
    }
}
