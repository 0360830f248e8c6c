import Dispatch
import Synchronization

/// Runs a producer on a thread of its own and hands what it makes, in order, to the
/// thread that consumes it (the one that writes SQLite): on two cores the work runs at the
/// speed of the slower half instead of the sum of both.
///
/// At most `depth` chunks of `chunkSize` items wait between the two threads, so memory
/// stays constant whatever the producer makes. The consumer calls `next()` until a chunk
/// has an `end`; if it stops early it must call `cancel()`, which waits for the producer
/// to finish (nothing the producer uses is touched after either returns).
final class ThreadHandOver<Item: Sendable, End: Sendable>: Sendable {
    /// A run of consecutive items; the last chunk carries the producer's end.
    struct Chunk: Sendable {
        var items: [Item]
        var end: End?
    }

    /// What the producer appends to; `stopRequested` turns true once the consumer cancels.
    struct Producer {
        fileprivate let handOver: ThreadHandOver
        fileprivate var items: [Item] = []
        fileprivate let chunkSize: Int

        /// Whether the consumer has stopped: the producer should end soon.
        var stopRequested: Bool { handOver.stopRequested.load(ordering: .acquiring) }

        /// Adds `item`, handing the chunk over when it is full (waiting while `depth`
        /// chunks are already waiting).
        mutating func append(_ item: Item) {
            items.append(item)
            guard items.count >= chunkSize else { return }
            handOver.dropFinished()
            handOver.put(Chunk(items: items, end: nil))
            items = []
            items.reserveCapacity(chunkSize)
        }
    }

    private let queue = Mutex<[Chunk]>([])
    /// Chunks the consumer is done with, freed by the producer's thread: their strings were
    /// allocated there, and freeing them on the consuming thread took a tenth of its time.
    private let finished = Mutex<[Chunk]>([])
    private let freeSlots: DispatchSemaphore
    private let filledSlots = DispatchSemaphore(value: 0)
    private let stopRequested = Atomic<Bool>(false)
    private let endTaken = Atomic<Bool>(false)

    /// Starts `produce` on a background thread (`label` names it); what it returns ends
    /// the last chunk.
    init(label: String, chunkSize: Int, depth: Int, produce: @escaping @Sendable (inout Producer) -> End) {
        freeSlots = DispatchSemaphore(value: depth)
        DispatchQueue(label: label).async { [self] in
            var producer = Producer(handOver: self, chunkSize: chunkSize)
            producer.items.reserveCapacity(chunkSize)
            let end = produce(&producer)
            put(Chunk(items: producer.items, end: end))
        }
    }

    /// The next chunk, waiting for the producer when it is behind.
    func next() -> Chunk {
        filledSlots.wait()
        let chunk = queue.withLock { $0.removeFirst() }
        freeSlots.signal()
        if chunk.end != nil { endTaken.store(true, ordering: .releasing) }
        return chunk
    }

    /// Hands a chunk the caller is done with back, to be freed on the producer's thread.
    func recycle(_ chunk: Chunk) {
        finished.withLock { $0.append(chunk) }
    }

    /// Stops the producer early and waits for it to end.
    func cancel() {
        stopRequested.store(true, ordering: .releasing)
        while !endTaken.load(ordering: .acquiring) { _ = next() }
    }

    /// Frees the chunks the consumer handed back, on the producer's thread.
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
