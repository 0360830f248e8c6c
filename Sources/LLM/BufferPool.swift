import Synchronization

/// A few large buffers kept between responses for reuse.
///
/// Why: a 512-input embeddings answer is a 4 MB body and 3 MB of vectors. Allocated fresh
/// for every response, each is a new mapping whose every page faults in and is zeroed by
/// the kernel again (about 8% of a 100,000-job run's CPU); a kept buffer is already mapped.
/// At most `capacity` buffers of at most `maxBytes` each are kept, so what the pool holds
/// is bounded (and is memory the next response would have needed anyway).
///
/// A taken buffer belongs to the taker; giving it back while something else still refers
/// to its storage is safe: the next writer copies first (copy on write), so only the saving
/// is lost.
public final class BufferPool<Buffer: Sendable>: Sendable {
    /// The most buffers kept.
    public let capacity: Int
    /// Buffers larger than this are not kept.
    public let maxBytes: Int
    private let kept: Mutex<[Buffer]>

    /// A pool keeping up to `capacity` buffers of up to `maxBytes` bytes.
    public init(capacity: Int, maxBytes: Int) {
        self.capacity = capacity
        self.maxBytes = maxBytes
        kept = Mutex([])
    }

    /// A kept buffer, or nil when none is.
    public func take() -> Buffer? {
        kept.withLock { $0.popLast() }
    }

    /// Keeps `buffer` (of `bytes` capacity) for a later ``take()``, unless the pool is full
    /// or the buffer is over ``maxBytes``.
    public func give(_ buffer: Buffer, bytes: Int) {
        guard bytes > 0, bytes <= maxBytes else { return }
        kept.withLock { buffers in
            if buffers.count < capacity { buffers.append(buffer) }
        }
    }

    /// How many buffers are kept now (for tests).
    public var count: Int { kept.withLock { $0.count } }
}
