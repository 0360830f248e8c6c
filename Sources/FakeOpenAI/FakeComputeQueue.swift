/// The compute queue of a compute-bound server (``FakeServerQuirks/computePerInput``): one
/// request at a time, first come first served, each taking its compute time after the ones
/// booked before it. A booking is never taken back: a request whose client has gone is
/// still computed, as real servers do. A value: the engine keeps it behind its lock.
struct FakeComputeQueue: Sendable {
    /// When everything booked so far is computed (the engine's clock, nanoseconds).
    private(set) var freeAt: UInt64 = 0

    /// Books `nanos` of compute for a request arriving at `now`; returns how long after
    /// `now` its answer is ready.
    mutating func book(nanos: UInt64, now: UInt64) -> Duration {
        freeAt = max(freeAt, now) + nanos
        return .nanoseconds(Int64(freeAt - now))
    }
}

extension Duration {
    /// The span in whole nanoseconds, as the engine's clock counts (negative spans as 0).
    var engineNanos: UInt64 {
        UInt64(max(0, components.seconds * 1_000_000_000 + components.attoseconds / 1_000_000_000))
    }
}
