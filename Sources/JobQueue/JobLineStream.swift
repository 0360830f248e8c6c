/// Reads a job source line by line in constant memory and hands out its valid jobs
/// (`ParsedJob`; make a `JobSpec` of one to store it);
/// blank lines are skipped, and every bad or oversized line is reported as a `.rejected`
/// diagnostic (`FILE:LINE: reason`) and counted. Shared by `enqueue` and `llmq tokens`, so
/// both reject exactly the same lines with the same words.
public final class JobLineStream {
    private let source: JobSource
    private let parser: JobLineParser
    private let maxLineBytes: Int
    private let reader: LineReader
    /// Lines rejected so far.
    public private(set) var rejected = 0

    /// A stream over `source` (its descriptor stays the caller's to close).
    /// - Parameters:
    ///   - parser: validates each line and fills in defaults.
    ///   - maxLineBytes: longer lines are rejected without being kept in memory.
    public init(_ source: JobSource, parser: JobLineParser = JobLineParser(), maxLineBytes: Int = 8 << 20) {
        self.source = source
        self.parser = parser
        self.maxLineBytes = maxLineBytes
        self.reader = LineReader(fd: source.fd, maxLineBytes: maxLineBytes)
    }

    /// The next valid job and its 1-based line number; nil at the end of the source.
    /// Rejected lines on the way go to `report`.
    /// - Throws: `JobQueueError(.io)` when reading fails.
    public func next(report: (IngestDiagnostic) -> Void) throws(JobQueueError) -> (job: ParsedJob, line: Int)? {
        while let item = try reader.next() {
            switch item {
            case .oversized(let number, let byteCount):
                rejected += 1
                report(IngestDiagnostic(severity: .rejected, file: source.name, line: number,
                                        message: "line is \(byteCount) bytes, over the limit of \(maxLineBytes) bytes"))
            case .line(let number, let bytes):
                if Self.isBlank(bytes) { continue }
                do {
                    return (try parser.parseJob(bytes), number)
                } catch {
                    rejected += 1
                    report(IngestDiagnostic(severity: .rejected, file: source.name, line: number, message: error.reason))
                }
            }
        }
        return nil
    }

    private static func isBlank(_ bytes: UnsafeRawBufferPointer) -> Bool {
        bytes.allSatisfy { $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }
    }
}
