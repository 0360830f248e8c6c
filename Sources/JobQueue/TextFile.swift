#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads a file as one embed input: UTF-8 text (a leading byte-order mark skipped), no NUL
/// bytes, at most `maxBytes` bytes (a larger file is refused before it is read, so memory
/// stays bounded by the limit). The error is the reason for `PATH: reason`.
public enum TextFile {
    /// The text of the file at `path`, or why it cannot be an input.
    public static func read(_ path: String, maxBytes: Int) -> Result<String, TextFileError> {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return .failure(TextFileError("cannot read: \(String(cString: strerror(errno)))")) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { return .failure(TextFileError("cannot read: \(String(cString: strerror(errno)))")) }
        let size = Int(info.st_size)
        if size > maxBytes {
            return .failure(TextFileError("\(size) bytes, over the \(maxBytes)-byte limit for one input (--max-line-bytes); split it or raise the limit"))
        }
        var bytes = [UInt8](repeating: 0, count: size)
        var filled = 0
        while filled < size {
            let got = bytes.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress! + filled, size - filled) }
            if got < 0 {
                if errno == EINTR { continue }
                return .failure(TextFileError("cannot read: \(String(cString: strerror(errno)))"))
            }
            if got == 0 { break }
            filled += got
        }
        bytes.removeLast(size - filled)
        var start = 0
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { start = 3 }
        if let nul = bytes[start...].firstIndex(of: 0) {
            return .failure(TextFileError("not a text file (a NUL byte at offset \(nul)), skipped"))
        }
        if let bad = bytes[start...].withUnsafeBytes({ firstInvalidUTF8Offset($0) }) {
            return .failure(TextFileError("not UTF-8 text (invalid byte at offset \(start + bad)), skipped"))
        }
        return .success(String(decoding: bytes[start...], as: UTF8.self))
    }
}

/// Why a file cannot be an input: the text after `PATH: `.
public struct TextFileError: Error, Sendable {
    public var reason: String
    init(_ reason: String) { self.reason = reason }
}
