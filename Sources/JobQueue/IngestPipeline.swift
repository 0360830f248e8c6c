import Dispatch
import Synchronization

/// Reads, validates and hashes a job source on a thread of its own and hands the results,
/// in line order, to the thread that writes them to SQLite: on two cores, ingest runs at
/// the speed of the slower half instead of the sum of both.
///
/// At most `depth` chunks of `chunkSize` lines wait between the two threads, so memory
/// stays constant whatever the file size. The consumer calls `next()` until a chunk has
/// an `end`; if it stops early it must call `cancel()`, which waits for the reading
/// thread to finish (the source's descriptor is not touched after either returns).
final class IngestPipeline: Sendable {
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
    struct Chunk: Sendable {
        var items: [Item]
        var end: End?
    }

    private let queue = Mutex<[Chunk]>([])
    /// Chunks the writer is done with, freed by the reading thread: their strings were
    /// allocated there, and freeing them on the writing thread took a tenth of its time.
    private let finished = Mutex<[Chunk]>([])
    private let freeSlots: DispatchSemaphore
    private let filledSlots = DispatchSemaphore(value: 0)
    private let stopRequested = Atomic<Bool>(false)
    private let endTaken = Atomic<Bool>(false)

    /// Starts reading `source` on a background thread.
    init(source: JobSource, parser: JobLineParser, maxLineBytes: Int, chunkSize: Int = 1_024, depth: Int = 4) {
        freeSlots = DispatchSemaphore(value: depth)
        DispatchQueue(label: "llmq.ingest.read").async { [self] in
            read(source, parser: parser, maxLineBytes: maxLineBytes, chunkSize: chunkSize)
        }
    }

    /// The next chunk, waiting for the reading thread when it is behind.
    func next() -> Chunk {
        filledSlots.wait()
        let chunk = queue.withLock { $0.removeFirst() }
        freeSlots.signal()
        if chunk.end != nil { endTaken.store(true, ordering: .releasing) }
        return chunk
    }

    /// Hands a chunk the caller has written back, to be freed on the reading thread.
    func recycle(_ chunk: Chunk) {
        finished.withLock { $0.append(chunk) }
    }

    /// Stops reading early and waits for the reading thread to end.
    func cancel() {
        stopRequested.store(true, ordering: .releasing)
        while !endTaken.load(ordering: .acquiring) { _ = next() }
    }

    private func read(_ source: JobSource, parser: JobLineParser, maxLineBytes: Int, chunkSize: Int) {
        let stream = JobLineStream(source, parser: parser, maxLineBytes: maxLineBytes)
        var items: [Item] = []
        items.reserveCapacity(chunkSize)
        // Rejected lines count too, so a file of nothing but bad lines stays in chunks.
        func handOverWhenFull() {
            guard items.count >= chunkSize else { return }
            dropFinished()
            put(Chunk(items: items, end: nil))
            items = []
            items.reserveCapacity(chunkSize)
        }
        do {
            while !stopRequested.load(ordering: .acquiring),
                  let (job, line) = try stream.next(report: { diagnostic in
                      items.append(.diagnostic(diagnostic))
                      handOverWhenFull()
                  }) {
                items.append(.job(JobSpec(job), line: line))
                handOverWhenFull()
            }
            put(Chunk(items: items, end: .finished(rejected: stream.rejected)))
        } catch {
            put(Chunk(items: items, end: .failed(error)))
        }
    }

    /// Frees the chunks the writer handed back, here on the reading thread.
    private func dropFinished() {
        var done: [Chunk] = []
        finished.withLock { swap(&done, &$0) }
    }

    private func put(_ chunk: Chunk) {
        freeSlots.wait()
        queue.withLock { $0.append(chunk) }
        filledSlots.signal()
    }
}
