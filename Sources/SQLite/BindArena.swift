/// The texts and blobs of one multi-row statement, copied once into one buffer that is
/// kept from statement to statement, and bound from there without SQLite copying them
/// again (`SQLITE_STATIC`).
///
/// Why: a bound value SQLite copies itself (`SQLITE_TRANSIENT`) is one allocation and free
/// per value, which for a 64-row statement of 6 KiB vectors was most of its binding cost;
/// here the values cost one copy into memory that is already mapped and warm.
///
/// Use: ``removeAll()``, ``append(_:)`` each value (keeping the ranges), then bind and run
/// the statement inside ``withBytes(_:)``; reset the statement before the arena changes.
public struct BindArena {
    private var storage: [UInt8] = []

    /// An empty arena.
    public init() {}

    /// Forgets the values, keeping the buffer.
    public mutating func removeAll() { storage.removeAll(keepingCapacity: true) }

    /// Copies `bytes` in; returns where they are.
    public mutating func append(_ bytes: some Collection<UInt8>) -> Range<Int> {
        let start = storage.count
        storage.append(contentsOf: bytes)
        return start..<storage.count
    }

    /// Calls `body` with the values, which stay valid (and must be used) only inside it.
    public func withBytes<T>(_ body: (Bytes) throws -> T) rethrows -> T {
        try storage.withUnsafeBytes { try body(Bytes(raw: $0)) }
    }

    /// The arena's values while ``withBytes(_:)`` runs: binds them by their ranges.
    public struct Bytes {
        let raw: UnsafeRawBufferPointer

        /// Binds the UTF-8 text at `range` to parameter `index` of `statement`, or NULL when nil.
        public func bindText(_ range: Range<Int>?, to statement: Statement, at index: Int32) throws {
            guard let range else { return try statement.bindNull(at: index) }
            try statement.bindText(borrowedUTF8: UnsafeRawBufferPointer(rebasing: raw[range]), at: index)
        }

        /// Binds the bytes at `range` as a blob to parameter `index` of `statement`, or NULL when nil.
        public func bindBlob(_ range: Range<Int>?, to statement: Statement, at index: Int32) throws {
            guard let range else { return try statement.bindNull(at: index) }
            try statement.bindBlob(borrowed: UnsafeRawBufferPointer(rebasing: raw[range]), at: index)
        }
    }
}
