import CSQLite
import Dispatch
import Foundation

/// The default VFS with one change: its `xSleep`, which SQLite's busy timeout waits with
/// between retries, first reports the sleep. A test can then act once a connection is
/// really waiting on a lock, instead of after a guessed delay.
enum SleepObservingVFS {
    private static let slept = DispatchSemaphore(value: 0)

    /// The VFS in use before this one was made; every call but `xSleep` goes to its code.
    // Set once when first used, then only read (by SQLite, through `observing`).
    nonisolated(unsafe) private static let base: UnsafeMutablePointer<sqlite3_vfs>? = sqlite3_vfs_find(nil)

    // A copy of `base` under another name, allocated once and never freed or changed.
    nonisolated(unsafe) private static let observing: UnsafeMutablePointer<sqlite3_vfs>? = {
        guard let base else { return nil }
        let vfs = UnsafeMutablePointer<sqlite3_vfs>.allocate(capacity: 1)
        vfs.initialize(to: base.pointee)
        vfs.pointee.pNext = nil
        vfs.pointee.zName = UnsafePointer(strdup("llmq-test-sleep-observer"))
        vfs.pointee.xSleep = { vfs, microseconds in
            SleepObservingVFS.slept.signal()
            return SleepObservingVFS.base?.pointee.xSleep?(vfs, microseconds) ?? 0
        }
        return vfs
    }()

    /// Runs `body` (which opens the connections to observe) with this VFS as the default,
    /// then makes the previous default the default again.
    static func asDefault<T>(_ body: () throws -> T) rethrows -> T {
        guard let observing, let base else { return try body() }
        sqlite3_vfs_register(observing, 1)
        defer { sqlite3_vfs_register(base, 1) }
        return try body()
    }

    /// Blocks until a connection opened under `asDefault` sleeps in its busy timeout.
    static func waitForASleep() {
        slept.wait()
    }
}
