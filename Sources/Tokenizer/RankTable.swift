/// The byte-keyed rank table of an encoding: an open-addressing hash table from token
/// bytes to rank, plus the bytes of every rank for decoding.
///
/// Keys are compared as bytes, never as `String` (Swift's `String` equality would treat
/// canonically equivalent but different byte sequences as equal).
struct RankTable: Sendable {
    /// One 16-byte slot of the hash table; length 0 marks an empty slot.
    struct Slot: Sendable {
        /// The first (up to) eight bytes of the token, little-endian, zero-padded.
        var prefix: UInt64 = 0
        var rank: UInt32 = 0
        /// The token's length (low 8 bits) and the offset of its bytes in `tokenBytes` (the rest).
        var lengthAndOffset: UInt32 = 0

        init() {}

        init(prefix: UInt64, rank: UInt32, length: Int, offset: Int) {
            self.prefix = prefix
            self.rank = rank
            self.lengthAndOffset = UInt32(truncatingIfNeeded: length) | UInt32(truncatingIfNeeded: offset) << 8
        }

        var length: Int { Int(lengthAndOffset & 0xFF) }
        var offset: Int { Int(lengthAndOffset >> 8) }
    }

    /// Rank of a byte string that is not a token.
    static let absent = UInt32.max

    /// The table, a power of two in size.
    private(set) var slots: [Slot]
    /// The bytes of every token, one after another, followed by eight zero bytes.
    private(set) var tokenBytes: [UInt8]
    /// `(offset, length)` of each rank's bytes in `tokenBytes`; length 0 when no token has that rank.
    private(set) var spans: [(offset: UInt32, length: UInt32)]
    /// The rank of every two-byte string, indexed by `first | second << 8` (`absent` if none).
    private(set) var pairRanks: [UInt32]
    /// The longest token, in bytes.
    private(set) var maxTokenLength: Int
    /// Number of tokens.
    private(set) var tokenCount: Int

    /// Builds the table from `(offset, length, rank)` triples over `tokenBytes`.
    init(tokenBytes: [UInt8], entries: [(offset: UInt32, length: UInt32, rank: UInt32)]) throws(TokenizerError) {
        var bytes = tokenBytes
        bytes.append(contentsOf: repeatElement(0, count: 8))
        var capacity = 16
        while capacity < entries.count * 2 + 2 { capacity <<= 1 }
        var slots = [Slot](repeating: Slot(), count: capacity)
        let maxRank = entries.reduce(0) { max($0, Int($1.rank)) }
        var spans = [(offset: UInt32, length: UInt32)](
            repeating: (0, 0), count: entries.isEmpty ? 0 : maxRank + 1)
        var maxLength = 0
        var pairRanks = [UInt32](repeating: Self.absent, count: 0x10000)
        let mask = capacity - 1
        guard bytes.count < 1 << 24 else {
            throw TokenizerError(.malformedRankFile, message: "tokens total more than 16 MiB")
        }
        try bytes.withUnsafeBufferPointer { buffer throws(TokenizerError) in
            guard let base = buffer.baseAddress else { return }
            for entry in entries {
                let start = base + Int(entry.offset)
                let length = Int(entry.length)
                guard length < 256 else {
                    throw TokenizerError(.malformedRankFile, message: "token of rank \(entry.rank) is longer than 255 bytes")
                }
                let prefix = Self.loadPrefix(start, length)
                var index = Self.hash(prefix, start, length) & mask
                while slots[index].length != 0 {
                    if slots[index].prefix == prefix && slots[index].length == length
                        && Self.tailsEqual(start, base + slots[index].offset, length) {
                        throw TokenizerError(.malformedRankFile, message: "duplicate token for rank \(entry.rank)")
                    }
                    index = (index + 1) & mask
                }
                slots[index] = Slot(prefix: prefix, rank: entry.rank, length: length, offset: Int(entry.offset))
                if length == 2 { pairRanks[Int(prefix)] = entry.rank }
                spans[Int(entry.rank)] = (entry.offset, entry.length)
                maxLength = max(maxLength, length)
            }
        }
        self.slots = slots
        self.tokenBytes = bytes
        self.spans = spans
        self.pairRanks = pairRanks
        self.maxTokenLength = maxLength
        self.tokenCount = entries.count
    }

    /// Loads the first `min(length, 8)` bytes at `start` into a little-endian word. At least
    /// eight bytes must be readable at `start` (callers pad their buffers).
    @inline(__always)
    static func loadPrefix(_ start: UnsafePointer<UInt8>, _ length: Int) -> UInt64 {
        let word = UInt64(littleEndian: UnsafeRawPointer(start).loadUnaligned(as: UInt64.self))
        if length >= 8 { return word }
        return word & ((1 &<< UInt64(length &* 8)) &- 1)
    }

    /// Hash of a byte string whose first eight bytes are `prefix`.
    @inline(__always)
    static func hash(_ prefix: UInt64, _ start: UnsafePointer<UInt8>, _ length: Int) -> Int {
        var hash = (prefix ^ (UInt64(truncatingIfNeeded: length) &* 0x9E37_79B9_7F4A_7C15)) &* 0xBF58_476D_1CE4_E5B9
        if length > 8 {
            var offset = 8
            while offset < length {
                let word = loadPrefix(start + offset, length - offset)
                hash = ((hash ^ (hash &>> 31)) ^ word) &* 0x94D0_49BB_1331_11EB
                offset &+= 8
            }
        }
        hash ^= hash &>> 29
        return Int(truncatingIfNeeded: hash &>> 8)
    }

    /// Whether bytes 8..<length of two byte strings are equal.
    @inline(__always)
    static func tailsEqual(_ left: UnsafePointer<UInt8>, _ right: UnsafePointer<UInt8>, _ length: Int) -> Bool {
        var index = 8
        while index < length {
            if left[index] != right[index] { return false }
            index &+= 1
        }
        return true
    }
}

/// A borrowed, pointer-based view of a `RankTable` for the hot loops.
struct RankLookup {
    let slots: UnsafeBufferPointer<RankTable.Slot>
    let pairRanks: UnsafePointer<UInt32>
    let tokenBytes: UnsafePointer<UInt8>
    let mask: Int
    let maxTokenLength: Int

    /// The rank of the `length` bytes at `start`, or `RankTable.absent`. At least eight
    /// bytes must be readable at `start`.
    @inline(__always)
    func rank(_ start: UnsafePointer<UInt8>, _ length: Int) -> UInt32 {
        if length == 2 { return pairRank(start) }
        if length > maxTokenLength { return RankTable.absent }
        let prefix = RankTable.loadPrefix(start, length)
        var index = RankTable.hash(prefix, start, length) & mask
        while true {
            let slot = slots[index]
            if slot.lengthAndOffset == 0 { return RankTable.absent }
            if slot.prefix == prefix && slot.length == length
                && (length <= 8 || RankTable.tailsEqual(start, tokenBytes + slot.offset, length)) {
                return slot.rank
            }
            index = (index &+ 1) & mask
        }
    }
}

extension RankLookup {
    /// The rank of the two bytes at `start`, or `RankTable.absent`.
    @inline(__always)
    func pairRank(_ start: UnsafePointer<UInt8>) -> UInt32 {
        pairRanks[Int(start[0]) | Int(start[1]) << 8]
    }
}

extension RankTable {
    /// Calls `body` with a pointer-based lookup over this table.
    @inline(__always)
    func withLookup<R>(_ body: (RankLookup) -> R) -> R {
        slots.withUnsafeBufferPointer { slots in
            pairRanks.withUnsafeBufferPointer { pairs in
            tokenBytes.withUnsafeBufferPointer { bytes in
                // `tokenBytes` always holds its eight padding bytes, so it has a base address.
                // `pairRanks` always has 65,536 entries.
                body(RankLookup(
                    slots: slots, pairRanks: pairs.baseAddress!, tokenBytes: bytes.baseAddress!,
                    mask: slots.count - 1, maxTokenLength: maxTokenLength))
            }
            }
        }
    }
}
