import ArgumentParser
import Foundation
import JSON
import JobQueue

/// `llmq status`: what the queue holds.
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show job counts per kind and status, tokens used, the oldest pending job and the most frequent errors.",
        discussion: "Example: llmq status --json"
    )

    @OptionGroup var database: DatabaseOptions

    @Flag(help: "Print one JSON object instead of a table.")
    var json = false

    func run() async throws {
        let store = try database.openExistingStore()
        let status = try store.status()
        let inBatches = try store.jobsInBatches()
        let batches = try store.batchRows(uncollected: true).count
        if json {
            print(JSONWriter.canonical(StatusReport.jsonObject(status, inBatches: inBatches, batches: batches)))
        } else {
            var text = StatusTable.render(status, now: JobStore.systemNow())
            if inBatches > 0 || batches > 0 {
                text += "\n\nin Batch API batches: \(inBatches) running jobs in \(batches) batches (llmq batches lists them)"
            }
            print(text)
        }
    }
}

/// The JSON shape of `llmq status --json` (README): `jobs` per kind and status, `total` per
/// status and `all`, `tokens`, `reused_vectors`, `oldest_pending` (left out when no job is
/// pending), `top_errors` and `in_batches`.
enum StatusReport {
    /// The object of `status`, with `inBatches` running jobs in `batches` uncollected Batch API batches.
    static func jsonObject(_ status: QueueStatus, inBatches: Int, batches: Int) -> JSONValue {
        var total = Dictionary(uniqueKeysWithValues: JobStatus.allCases.map { ($0.rawValue, JSONValue.integer(status.total($0))) })
        total["all"] = .integer(status.total)
        var members: [String: JSONValue] = [
            "jobs": .object(status.counts.mapValues { counts in .object(counts.mapValues { .integer($0) }) }),
            "total": .object(total),
            "tokens": .object([
                "embed": .integer(status.embedTokens), "generate_input": .integer(status.generateInputTokens),
                "generate_output": .integer(status.generateOutputTokens),
            ]),
            "reused_vectors": .integer(status.reusedVectors),
            "top_errors": .array(status.topErrors.map { .object(["message": .string($0.message), "jobs": .integer($0.jobs)]) }),
            "in_batches": .object(["jobs": .integer(inBatches), "batches": .integer(batches)]),
        ]
        if let oldest = status.oldestPending {
            members["oldest_pending"] = .object([
                "custom_id": .string(oldest.customID),
                "enqueued_at": .string(Date(timeIntervalSince1970: oldest.enqueuedAt).formatted(.iso8601)),
            ])
        }
        return .object(members)
    }
}

/// The text table of `llmq status`.
enum StatusTable {
    static func render(_ status: QueueStatus, now: Double) -> String {
        let columns = JobStatus.allCases
        var lines: [String] = []
        let header = ["kind"] + columns.map(\.rawValue) + ["total"]
        var rows: [[String]] = [header]
        for kind in JobKind.allCases {
            let counts = columns.map { status.count(kind, $0) }
            rows.append([kind.rawValue] + counts.map(String.init) + [String(counts.reduce(0, +))])
        }
        rows.append(["all"] + columns.map { String(status.total($0)) } + [String(status.total)])
        for row in rows {
            let cells = row.enumerated().map { index, cell in
                index == 0 ? cell.padding(toLength: 10, withPad: " ", startingAt: 0) : String(repeating: " ", count: max(0, 10 - cell.count)) + cell
            }
            lines.append(cells.joined())
        }
        let used = status.embedTokens + status.generateInputTokens + status.generateOutputTokens
        if used > 0 || status.reusedVectors > 0 {
            lines.append("")
            lines.append("tokens used: \(used) (embed \(status.embedTokens), generate \(status.generateInputTokens) in / \(status.generateOutputTokens) out)")
            lines.append("reused vectors: \(status.reusedVectors)")
        }
        if let oldest = status.oldestPending {
            lines.append("oldest pending: \(oldest.customID), enqueued \(describeAge(now - oldest.enqueuedAt)) ago")
        }
        if !status.topErrors.isEmpty {
            lines.append("")
            lines.append("most frequent recent errors:")
            for error in status.topErrors {
                lines.append("  \(error.jobs)× \(error.message)")
            }
        }
        return lines.joined(separator: "\n")
    }

    static func describeAge(_ seconds: Double) -> String {
        let s = max(0, Int(seconds))
        if s < 60 { return "\(s)s" }
        if s < 3600 { return "\(s / 60)m\(s % 60)s" }
        if s < 86400 { return "\(s / 3600)h\(s % 3600 / 60)m" }
        return "\(s / 86400)d\(s % 86400 / 3600)h"
    }
}
