import Foundation

/// Who holds a lease: `host:pid:random`, so a later run on the same host can tell that
/// the owner process is gone and take its jobs at once instead of waiting for expiry.
public struct LeaseOwner: Sendable, Equatable, CustomStringConvertible {
    public let host: String
    public let pid: Int32
    public let nonce: String

    /// This process's identity.
    public static func current() -> LeaseOwner {
        LeaseOwner(host: ProcessInfo.processInfo.hostName, pid: getpid(), nonce: String(UInt32.random(in: 0...UInt32.max), radix: 36))
    }

    public init(host: String, pid: Int32, nonce: String) {
        self.host = host
        self.pid = pid
        self.nonce = nonce
    }

    /// Parses `host:pid:nonce` (the host may itself contain colons); nil otherwise.
    public init?(parsing text: String) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count >= 3, let pid = Int32(parts[parts.count - 2]) else { return nil }
        self.host = parts.dropLast(2).joined(separator: ":")
        self.pid = pid
        self.nonce = String(parts[parts.count - 1])
    }

    public var description: String { "\(host):\(pid):\(nonce)" }

    /// True when the owner ran on this host and its process no longer exists.
    public var isDeadLocalProcess: Bool {
        guard host == ProcessInfo.processInfo.hostName, pid != getpid() else { return false }
        return kill(pid, 0) == -1 && errno == ESRCH
    }
}
