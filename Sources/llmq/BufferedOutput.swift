#if canImport(Glibc)
import Glibc
#endif

/// A file descriptor written through a fixed buffer: bytes are copied in and written out
/// with `write(2)` whenever the buffer fills, so memory stays constant however much is
/// written. Call `flush()` at the end; a file it opened is closed when it is released.
final class BufferedOutput {
    /// The name used in error messages (the path, or "standard output").
    let name: String
    private let fd: Int32
    private let ownsDescriptor: Bool
    private var buffer: [UInt8] = []
    private let capacity: Int

    /// Standard output.
    static func standardOutput(capacity: Int = 256 << 10) -> BufferedOutput {
        BufferedOutput(fd: 1, name: "standard output", ownsDescriptor: false, capacity: capacity)
    }

    /// Creates or truncates the file at `path`.
    /// - Throws: `CLIError(.usage)` naming the file and the reason it cannot be opened.
    static func create(path: String, capacity: Int = 256 << 10) throws -> BufferedOutput {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw CLIError(.usage, "cannot write output file \(path): \(String(cString: strerror(errno)))")
        }
        return BufferedOutput(fd: fd, name: path, ownsDescriptor: true, capacity: capacity)
    }

    private init(fd: Int32, name: String, ownsDescriptor: Bool, capacity: Int) {
        self.fd = fd
        self.name = name
        self.ownsDescriptor = ownsDescriptor
        self.capacity = capacity
        buffer.reserveCapacity(capacity)
    }

    deinit { if ownsDescriptor { close(fd) } }

    /// Appends `bytes`, writing the buffer out first when they would not fit.
    /// - Throws: `CLIError(.usage)` naming the output when a write fails (disk full, …).
    func write(_ bytes: [UInt8]) throws {
        if buffer.count + bytes.count > capacity { try flush() }
        if bytes.count >= capacity {
            try writeAll(bytes)
        } else {
            buffer.append(contentsOf: bytes)
        }
    }

    /// Writes out what is buffered.
    /// - Throws: `CLIError(.usage)` naming the output when a write fails.
    func flush() throws {
        guard !buffer.isEmpty else { return }
        try writeAll(buffer)
        buffer.removeAll(keepingCapacity: true)
    }

    private func writeAll(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { raw in
            guard let base = raw.baseAddress else { return }
            var offset = 0
            while offset < raw.count {
                let written = Glibc.write(fd, base + offset, raw.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    throw CLIError(.usage, "cannot write \(name): \(String(cString: strerror(errno)))")
                }
                offset += written
            }
        }
    }
}
