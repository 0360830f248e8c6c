import JobQueue

/// The input file of one submission while it is packed a page of jobs at a time: what is
/// written so far against the batch's limits, the open embeddings line, and where each
/// input sent went. Its memory is one open line plus a few words per packed input (its
/// entry, without a chunk's text), never the jobs' requests.
struct PackingFile {
    /// Where an input of this batch went: identical inputs later in the batch share it.
    enum Place {
        /// In the open line, at this index.
        case open(Int)
        /// In a written line, with the input's token count.
        case written(line: String, position: Int, tokens: Int)
    }

    /// One embeddings input of the open line: identical inputs (or chunks) share it.
    struct Slot {
        var input: String
        var inputHash: [UInt8]
        var tokens: Int
        /// The jobs sending it; a chunked job's copy carries the chunk (`part`).
        var jobs: [ClaimedJob]
        var maxInputs: Int
    }

    var writer: LineFileWriter
    let maxLines: Int
    let maxFileBytes: Int
    let maxInputs: Int
    /// Prompt tokens that may still be enqueued.
    let tokenRoom: Int
    /// No other batch of the model is enqueued: the first line goes whatever its tokens.
    let alone: Bool

    private(set) var lines = 0
    private(set) var inputs = 0
    private(set) var tokens = 0
    /// A limit is reached: nothing more goes into this file.
    var closed = false
    /// Where each packed job (or chunk) went, recorded once the file is complete.
    private(set) var entries: [BatchEntry] = []
    /// The jobs with at least one entry.
    private(set) var packed: Set<Int64> = []
    /// The jobs held back (what they send is in another batch in flight).
    var heldBack: Set<Int64> = []
    private(set) var places: [[UInt8]: Place] = [:]
    /// The embeddings line being filled, and its token sum and input cap.
    private(set) var openSlots: [Slot] = []
    private var openTokens = 0
    private var openCap = 0

    init(writer: LineFileWriter, options: BatchRunOptions, tokenRoom: Int?, alone: Bool) {
        self.writer = writer
        maxLines = options.maxLines
        maxFileBytes = options.maxFileBytes
        maxInputs = options.maxInputs
        self.tokenRoom = tokenRoom ?? Int.max
        self.alone = alone
    }

    /// The custom_id of the next line written.
    func nextCustomID(submission: Int64) -> String { "llmq-\(submission)-\(lines)" }

    /// Whether a line of these tokens, bytes and inputs still fits every limit of the batch.
    func fits(tokens lineTokens: Int, bytes lineBytes: Int, inputs lineInputs: Int) -> Bool {
        lines < maxLines && writer.bytes + lineBytes <= maxFileBytes && inputs + lineInputs <= maxInputs
            && (tokens + lineTokens <= tokenRoom || (alone && lines == 0))
    }

    /// Writes a line that ``fits(tokens:bytes:inputs:)`` and records its entries.
    mutating func write(_ line: [UInt8], tokens lineTokens: Int, inputs lineInputs: Int, entries lineEntries: [BatchEntry]) throws {
        try writer.write(line)
        for entry in lineEntries { record(entry) }
        lines += 1
        inputs += lineInputs
        tokens += lineTokens
    }

    /// Joins `job` to the slot of an identical input already in the batch; false when there is none.
    mutating func share(_ job: ClaimedJob) -> Bool {
        switch places[job.inputHash] {
        case .open(let index)?:
            openSlots[index].jobs.append(job)
        case .written(let line, let position, let tokens)?:
            record(BatchEntry(jobID: job.id, line: line, position: position, inputHash: job.inputHash, tokens: tokens, part: job.part))
        case nil:
            return false
        }
        return true
    }

    /// Keeps an entry, without its chunk's text (`batch_jobs` stores the span).
    private mutating func record(_ entry: BatchEntry) {
        var entry = entry
        entry.part?.text = ""
        entries.append(entry)
        packed.insert(entry.jobID)
    }

    /// Adds a new input to the open line, first writing the line (with `makeLine`) when
    /// the input would take it over its input cap (a split job's lower cap included) or
    /// `maxLineTokens`. Sets `closed` when the batch is full.
    mutating func add(_ slot: Slot, maxLineTokens: Int, submission: Int64,
                      makeLine: (_ customID: String, _ inputs: [String]) throws -> [UInt8]) throws {
        if !openSlots.isEmpty, openSlots.count + 1 > min(openCap, slot.maxInputs) || openTokens + slot.tokens > maxLineTokens {
            try closeLine(submission: submission, makeLine: makeLine)
            if closed { return }
        }
        if openSlots.isEmpty {
            openCap = min(slot.maxInputs, maxInputs - inputs)
            guard openCap > 0 else {
                closed = true
                return
            }
        } else {
            openCap = min(openCap, slot.maxInputs)
        }
        places[slot.inputHash] = .open(openSlots.count)
        openSlots.append(slot)
        openTokens += slot.tokens
    }

    /// Writes the open line when it fits the batch, else closes the batch (its inputs are not sent now).
    mutating func closeLine(submission: Int64, makeLine: (_ customID: String, _ inputs: [String]) throws -> [UInt8]) throws {
        guard !openSlots.isEmpty else { return }
        let slots = openSlots
        let lineTokens = openTokens
        openSlots = []
        openTokens = 0
        for slot in slots { places[slot.inputHash] = nil }
        let customID = nextCustomID(submission: submission)
        let line = try makeLine(customID, slots.map(\.input))
        guard fits(tokens: lineTokens, bytes: line.count, inputs: slots.count) else {
            closed = true
            return
        }
        var lineEntries: [BatchEntry] = []
        for (position, slot) in slots.enumerated() {
            places[slot.inputHash] = .written(line: customID, position: position, tokens: slot.tokens)
            lineEntries += slot.jobs.map {
                BatchEntry(jobID: $0.id, line: customID, position: position, inputHash: $0.inputHash, tokens: slot.tokens, part: $0.part)
            }
        }
        try write(line, tokens: lineTokens, inputs: slots.count, entries: lineEntries)
    }
}
