import NIOCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes downloaded bytes to a file descriptor (a download streamed to disk, never held whole).
enum FileOutput {
    /// Reading or writing a local file failed (the disk, not the network): not retried.
    struct Failure: Error {
        var message: String
    }

    /// Empties the file and rewinds to its start (before each download attempt).
    static func truncate(_ fd: Int32) throws {
        guard ftruncate(fd, 0) == 0, lseek(fd, 0, SEEK_SET) == 0 else {
            throw Failure(message: "cannot truncate the download file: \(String(cString: strerror(errno)))")
        }
    }

    /// Writes all of `buffer`.
    static func write(_ buffer: ByteBuffer, to fd: Int32) throws {
        try buffer.withUnsafeReadableBytes { raw in
            var offset = 0
            while offset < raw.count {
                let written = Glibc.write(fd, raw.baseAddress! + offset, raw.count - offset)
                if written < 0, errno == EINTR { continue }
                guard written > 0 else {
                    throw Failure(message: "cannot write the download file: \(String(cString: strerror(errno)))")
                }
                offset += written
            }
        }
    }
}
