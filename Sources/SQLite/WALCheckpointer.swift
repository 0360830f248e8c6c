import CSQLite
import Dispatch
import Synchronization

/// Checkpoints a WAL database on a thread of its own, so that the connection writing
/// results never waits for the checkpoint's copying and `fsync`s (with
/// `synchronous=NORMAL` those are the only `fsync`s a WAL database makes).
///
/// The writer's commit hook calls `commitFinished(walFrames:)`; past `startPages` the
/// checkpointer copies the WAL into the database with its own connection (a PASSIVE
/// checkpoint: it never blocks the writer or readers). If the writer outruns it and the
/// WAL reaches `limitPages`, the writer itself runs a RESTART checkpoint, which waits
/// (at most `forcedWaitMilliseconds`) for the background one and for readers, and lets
/// the next transaction start the WAL over: the WAL never grows past about `limitPages`
/// pages plus one transaction. While a long reader (an export) keeps the WAL in use, the
/// next try waits for another `limitPages` pages, so the writer is not held up on every
/// commit.
final class WALCheckpointer: Sendable {
    /// WAL size (pages) at which a background checkpoint starts.
    let startPages: Int32
    /// WAL size (pages) at which the writer checkpoints itself.
    let limitPages: Int32
    /// How long the writer's own checkpoint waits for readers and the background one.
    static let forcedWaitMilliseconds: Int32 = 250
    /// The writer's busy timeout, restored after its own checkpoint.
    private let writerBusyTimeout: Int32
    /// WAL size (pages) at which the writer next tries its own checkpoint.
    private let nextForcedAt: Atomic<Int32>
    /// The writer's own checkpoints tried so far (for tests).
    let forcedAttempts = Atomic<Int>(0)

    private let queue = DispatchQueue(label: "llmq.sqlite.checkpoint")
    /// The checkpointing connection, nil once closed. Only touched under the lock.
    private let connection: Mutex<OpaquePointer?>
    /// True while a checkpoint is queued and has not started yet.
    private let scheduled = Mutex(false)

    /// Opens a second connection to `path` for checkpointing.
    /// - Throws: `SQLiteError` when it cannot be opened.
    init(path: String, startPages: Int32, limitPages: Int32, writerBusyTimeout: Int32) throws {
        self.startPages = startPages
        self.limitPages = limitPages
        self.writerBusyTimeout = writerBusyTimeout
        self.nextForcedAt = Atomic(limitPages)
        var handle: OpaquePointer?
        let rc = sqlite3_open_v2(path, &handle, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nil)
        guard rc == SQLITE_OK, let handle else {
            let message = handle.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            sqlite3_close_v2(handle)
            throw SQLiteError(code: ResultCode(rawValue: rc), message: "cannot open a checkpoint connection: \(message)", path: path)
        }
        sqlite3_exec(handle, "PRAGMA cache_size = -256", nil, nil, nil)
        connection = Mutex(handle)
    }

    /// Called by the writer after each commit with the WAL's size in pages; runs on the
    /// writer's thread.
    func commitFinished(writer: OpaquePointer, walFrames: Int32) {
        if walFrames < limitPages {
            nextForcedAt.store(limitPages, ordering: .relaxed)
        } else if walFrames >= nextForcedAt.load(ordering: .relaxed) {
            forcedAttempts.add(1, ordering: .relaxed)
            var logFrames: Int32 = 0
            var copiedFrames: Int32 = 0
            sqlite3_busy_timeout(writer, Self.forcedWaitMilliseconds)
            let rc = sqlite3_wal_checkpoint_v2(writer, nil, SQLITE_CHECKPOINT_RESTART, &logFrames, &copiedFrames)
            sqlite3_busy_timeout(writer, writerBusyTimeout)
            if rc != SQLITE_OK { nextForcedAt.store(walFrames + limitPages, ordering: .relaxed) }
            return
        }
        guard walFrames >= startPages else { return }
        let alreadyQueued = scheduled.withLock { queued in
            defer { queued = true }
            return queued
        }
        guard !alreadyQueued else { return }
        queue.async { [self] in
            scheduled.withLock { $0 = false }
            checkpoint()
        }
    }

    /// One PASSIVE checkpoint with the checkpointing connection (busy is fine: the next
    /// commit asks again).
    private func checkpoint() {
        connection.withLock { handle in
            guard let handle else { return }
            var logFrames: Int32 = 0
            var copiedFrames: Int32 = 0
            sqlite3_wal_checkpoint_v2(handle, nil, SQLITE_CHECKPOINT_PASSIVE, &logFrames, &copiedFrames)
        }
    }

    /// Returns once the checkpoints asked for so far have run.
    func waitForCheckpoints() {
        queue.sync {}
    }

    /// Waits for a running checkpoint and closes the checkpointing connection.
    func close() {
        queue.sync {}
        connection.withLock { handle in
            sqlite3_close_v2(handle)
            handle = nil
        }
    }
}
