/// Reads, validates and hashes a job source on a thread of its own (`ThreadHandOver`) and
/// hands the results, in line order, to the thread that writes them to SQLite: on two
/// cores, ingest runs at the speed of the slower half instead of the sum of both.
///
/// At most `depth` chunks of `chunkSize` lines wait between the two threads, so memory
/// stays constant whatever the file size. The consumer calls `next()` until a chunk has
/// an `end`; if it stops early it must call `cancel()`, which waits for the reading
/// thread to finish (the source's descriptor is not touched after either returns).
struct IngestPipeline: Sendable {
    /// What the reading thread found, in line order.
    enum Item: Sendable {
        case job(JobSpec, line: Int)
        case diagnostic(IngestDiagnostic)
    }

    /// How reading ended.
    enum End: Sendable {
        case finished(rejected: Int)
        case failed(JobQueueError)
    }

    /// A run of consecutive items; the last chunk carries the end.
    typealias Chunk = ThreadHandOver<Item, End>.Chunk

    private let handOver: ThreadHandOver<Item, End>

    /// Starts reading `source` on a background thread.
    init(source: JobSource, parser: JobLineParser, maxLineBytes: Int, chunkSize: Int = 1_024, depth: Int = 4) {
        // Rejected lines count too, so a file of nothing but bad lines stays in chunks.
        handOver = ThreadHandOver(label: "llmq.ingest.read", chunkSize: chunkSize, depth: depth) { producer in
            let stream = JobLineStream(source, parser: parser, maxLineBytes: maxLineBytes)
            do throws(JobQueueError) {
                while !producer.stopRequested,
                      let (job, line) = try stream.next(report: { producer.append(.diagnostic($0)) }) {
                    producer.append(.job(JobSpec(job), line: line))
                }
                return .finished(rejected: stream.rejected)
            } catch {
                return .failed(error)
            }
        }
    }

    /// The next chunk, waiting for the reading thread when it is behind.
    func next() -> Chunk { handOver.next() }

    /// Hands a chunk the caller has written back, to be freed on the reading thread.
    func recycle(_ chunk: Chunk) { handOver.recycle(chunk) }

    /// Stops reading early and waits for the reading thread to end.
    func cancel() { handOver.cancel() }
}
