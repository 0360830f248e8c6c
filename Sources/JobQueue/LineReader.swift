#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One line handed out by `LineReader`.
public enum ReadLine {
    /// A line's bytes without its `\n` (or `\r\n`); valid only until the next call.
    case line(number: Int, bytes: UnsafeRawBufferPointer)
    /// A line longer than the limit; its bytes were skipped, not kept.
    case oversized(number: Int, byteCount: Int)
}

/// Reads `\n`-separated lines from a file descriptor in constant memory: a buffer of
/// `chunkSize` bytes that grows only to hold the longest accepted line (at most
/// `maxLineBytes`). Longer lines are skipped and reported with their size. A UTF-8
/// byte-order mark at the start of the input is skipped.
public final class LineReader {
    private let fd: Int32
    private let maxLineBytes: Int
    private var buffer: UnsafeMutableRawBufferPointer
    private var start = 0        // first unconsumed byte
    private var end = 0          // one past the last byte read
    private var lineNumber = 0
    private var atEOF = false
    private var readError: Int32 = 0

    /// A reader of `fd` (not closed by the reader).
    public init(fd: Int32, maxLineBytes: Int = 8 << 20, chunkSize: Int = 1 << 20) {
        self.fd = fd
        self.maxLineBytes = maxLineBytes
        self.buffer = .allocate(byteCount: max(chunkSize, 4096), alignment: 16)
    }

    deinit { buffer.deallocate() }

    /// The next line, nil at end of input.
    /// - Throws: `JobQueueError` when reading fails (the errno text is included).
    public func next() throws(JobQueueError) -> ReadLine? {
        while true {
            if let newline = findNewline() {
                lineNumber += 1
                var lineEnd = newline
                if lineEnd > start, buffer[lineEnd - 1] == UInt8(ascii: "\r") { lineEnd -= 1 }
                if lineEnd - start > maxLineBytes {
                    let byteCount = lineEnd - start
                    start = newline + 1
                    return .oversized(number: lineNumber, byteCount: byteCount)
                }
                let line = withoutByteOrderMark(UnsafeRawBufferPointer(rebasing: buffer[start..<lineEnd]))
                start = newline + 1
                return .line(number: lineNumber, bytes: line)
            }
            if atEOF {
                guard start < end else { return nil }
                lineNumber += 1
                if end - start > maxLineBytes {
                    let byteCount = end - start
                    start = end
                    return .oversized(number: lineNumber, byteCount: byteCount)
                }
                let line = withoutByteOrderMark(UnsafeRawBufferPointer(rebasing: buffer[start..<end]))
                start = end
                return .line(number: lineNumber, bytes: line)
            }
            if end - start > maxLineBytes {
                lineNumber += 1
                let skipped = try skipRestOfLine(alreadyBuffered: end - start)
                return .oversized(number: lineNumber, byteCount: skipped)
            }
            try fill()
        }
    }

    /// Line 1 without a leading UTF-8 byte-order mark (EF BB BF); other lines as they are.
    private func withoutByteOrderMark(_ line: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
        guard lineNumber == 1, line.count >= 3, line[0] == 0xEF, line[1] == 0xBB, line[2] == 0xBF else { return line }
        return UnsafeRawBufferPointer(rebasing: line[3...])
    }

    private func findNewline() -> Int? {
        guard start < end, let base = buffer.baseAddress else { return nil }
        guard let found = memchr(base + start, 0x0A, end - start) else { return nil }
        return base.distance(to: found)
    }

    /// Makes room (compacting, or growing up to the line limit) and reads more bytes.
    private func fill() throws(JobQueueError) {
        if start > 0 {
            let pending = end - start
            if pending > 0, let base = buffer.baseAddress {
                memmove(base, base + start, pending)
            }
            start = 0
            end = pending
        }
        if end == buffer.count {
            let grown = UnsafeMutableRawBufferPointer.allocate(byteCount: min(buffer.count * 2, maxLineBytes + buffer.count), alignment: 16)
            grown.copyMemory(from: UnsafeRawBufferPointer(rebasing: buffer[0..<end]))
            buffer.deallocate()
            buffer = grown
        }
        let count = try readSome(into: UnsafeMutableRawBufferPointer(rebasing: buffer[end...]))
        if count == 0 { atEOF = true } else { end += count }
    }

    private func readSome(into target: UnsafeMutableRawBufferPointer) throws(JobQueueError) -> Int {
        while true {
            let count = read(fd, target.baseAddress, target.count)
            if count >= 0 { return count }
            if errno == EINTR { continue }
            throw JobQueueError(.io, "cannot read input: \(String(cString: strerror(errno)))")
        }
    }

    /// Discards bytes up to and including the next newline; returns the line's length.
    private func skipRestOfLine(alreadyBuffered: Int) throws(JobQueueError) -> Int {
        var length = alreadyBuffered
        start = 0
        end = 0
        while true {
            let count = try readSome(into: buffer)
            if count == 0 { atEOF = true; return length }
            if let base = buffer.baseAddress, let found = memchr(base, 0x0A, count) {
                let offset = base.distance(to: found)
                length += offset
                start = offset + 1
                end = count
                return length
            }
            length += count
        }
    }
}
