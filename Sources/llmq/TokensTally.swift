import JobQueue

/// The running totals of `llmq tokens` per kind and model, with the requests the worker
/// would send: embed jobs packed per (model, dimensions) by `BatchPlanner`, one request
/// per generate job. Constant memory in the number of jobs.
struct TokensTally {
    /// A summary row's key.
    struct Key: Hashable, Comparable {
        var kind: JobKind
        var model: String

        static func < (lhs: Key, rhs: Key) -> Bool {
            (lhs.kind.rawValue, lhs.model) < (rhs.kind.rawValue, rhs.model)
        }
    }

    /// The totals of one kind and model.
    struct Row {
        var jobs = 0
        /// Input tokens (embed) or prompt tokens (generate), over-long inputs included.
        var tokens = 0
        /// Input tokens of the jobs that would be sent (over-long inputs are not).
        var sentTokens = 0
        /// Whether every count in `tokens` is exact.
        var exact = true
        var requests = 0
        /// embed: inputs over the model's input limit.
        var overLimit = 0
        /// generate: the sum of `max_tokens`, the bound on output tokens.
        var maxOutputTokens = 0
        /// embed: the inputs sent (a chunked job's chunks, else one per job).
        var inputs = 0
        /// embed: jobs cut into chunks.
        var chunkedJobs = 0
    }

    private struct EmbedGroup: Hashable {
        var model: String
        var dimensions: Int?
    }

    /// The packing rule for embed requests.
    let planner: BatchPlanner
    /// The totals so far.
    private(set) var rows: [Key: Row] = [:]
    private var packers: [EmbedGroup: BatchPlanner.Packer] = [:]

    /// An empty tally packing embed requests with `planner`.
    init(planner: BatchPlanner) {
        self.planner = planner
    }

    /// Adds one job.
    mutating func add(_ job: JobTokenCount) {
        let key = Key(kind: job.kind, model: job.model)
        var row = rows[key] ?? Row()
        row.jobs += 1
        row.tokens += job.tokens
        row.exact = row.exact && job.exact
        switch job.kind {
        case .embed:
            if job.overLimit {
                row.overLimit += 1
            } else {
                row.sentTokens += job.tokens
                let group = EmbedGroup(model: job.model, dimensions: job.dimensions)
                var packer = packers[group] ?? BatchPlanner.Packer(planner)
                let inputs = job.chunkTokens ?? [job.tokens]
                for tokens in inputs where packer.add(tokens) != nil { row.requests += 1 }
                row.inputs += inputs.count
                if job.chunkTokens != nil { row.chunkedJobs += 1 }
                packers[group] = packer
            }
        case .generate:
            row.sentTokens += job.tokens
            row.requests += 1
            row.maxOutputTokens += job.maxTokens ?? 0
        }
        rows[key] = row
    }

    /// Closes the open embedding batches (each is one more request).
    mutating func finish() {
        for (group, packer) in packers {
            var open = packer
            if open.finish() != nil { rows[Key(kind: .embed, model: group.model), default: Row()].requests += 1 }
        }
        packers = [:]
    }
}
