/// Writes JSON text. `canonical` output sorts object keys and has no insignificant
/// whitespace, so equal values always give equal bytes (and equal request hashes).
public struct JSONWriter {
    /// The UTF-8 bytes written so far.
    public private(set) var bytes: [UInt8] = []

    /// An empty writer; `reserve` bytes are allocated up front.
    public init(reserve: Int = 256) { bytes.reserveCapacity(reserve) }

    /// The JSON text of `value` with sorted keys and no whitespace.
    public static func canonical(_ value: JSONValue) -> String {
        var writer = JSONWriter()
        writer.write(value, sortKeys: true)
        return writer.string
    }

    /// Forgets the bytes written but keeps their allocation, so one writer can be reused
    /// line after line.
    public mutating func removeAll() { bytes.removeAll(keepingCapacity: true) }

    /// The bytes written, as a String.
    public var string: String { String(decoding: bytes, as: UTF8.self) }

    /// Appends `value`; with `sortKeys`, object members are written in key order (byte
    /// order of their UTF-8, last one winning on repeated keys).
    public mutating func write(_ value: JSONValue, sortKeys: Bool = true) {
        switch value {
        case .null: raw("null")
        case .bool(let b): raw(b ? "true" : "false")
        case .number(let n): write(number: n)
        case .string(let s): write(string: s)
        case .array(let elements):
            bytes.append(UInt8(ascii: "["))
            for (i, element) in elements.enumerated() {
                if i > 0 { bytes.append(UInt8(ascii: ",")) }
                write(element, sortKeys: sortKeys)
            }
            bytes.append(UInt8(ascii: "]"))
        case .object(let members):
            var list = members
            // Members already in key order, each key once (as llmq builds its own requests),
            // are written as they are: sorting them would change nothing.
            if sortKeys, !Self.inKeyOrder(members) {
                // Stable sort by key bytes, then keep the last of each run of equal keys.
                let sorted = members.enumerated().sorted {
                    $0.element.key == $1.element.key ? $0.offset < $1.offset
                        : $0.element.key.utf8.lexicographicallyPrecedes($1.element.key.utf8)
                }.map(\.element)
                list = []
                list.reserveCapacity(sorted.count)
                for member in sorted {
                    if let last = list.last, last.key == member.key { list[list.count - 1] = member } else { list.append(member) }
                }
            }
            bytes.append(UInt8(ascii: "{"))
            for (i, member) in list.enumerated() {
                if i > 0 { bytes.append(UInt8(ascii: ",")) }
                write(string: member.key)
                bytes.append(UInt8(ascii: ":"))
                write(member.value, sortKeys: sortKeys)
            }
            bytes.append(UInt8(ascii: "}"))
        }
    }

    /// Whether the keys are strictly increasing by their UTF-8 bytes (so also unique).
    private static func inKeyOrder(_ members: [(key: String, value: JSONValue)]) -> Bool {
        var previous: String?
        for member in members {
            if let previous, !previous.utf8.lexicographicallyPrecedes(member.key.utf8) { return false }
            previous = member.key
        }
        return true
    }

    /// Appends a number: integers without a fraction, others in Swift's shortest
    /// round-tripping form.
    public mutating func write(number: JSONNumber) {
        if let integer = number.integer {
            raw(String(integer))
        } else {
            raw(number.double.description)
        }
    }

    /// Appends a JSON string literal; only `"`, `\` and control characters are escaped.
    /// Runs of bytes that need no escape are copied in one go.
    public mutating func write(string: String) {
        bytes.append(UInt8(ascii: "\""))
        var string = string
        string.withUTF8 { utf8 in
            var runStart = 0
            for (i, byte) in utf8.enumerated() where byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") {
                if runStart < i { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<i])) }
                appendEscaped(byte)
                runStart = i + 1
            }
            if runStart < utf8.count { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart...])) }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    private mutating func appendEscaped(_ byte: UInt8) {
        switch byte {
        case UInt8(ascii: "\""): raw("\\\"")
        case UInt8(ascii: "\\"): raw("\\\\")
        case 0x0A: raw("\\n")
        case 0x0D: raw("\\r")
        case 0x09: raw("\\t")
        case 0x08: raw("\\b")
        case 0x0C: raw("\\f")
        default:
            raw("\\u00")
            bytes.append(hexDigit(byte >> 4))
            bytes.append(hexDigit(byte & 0xF))
        }
    }

    /// Appends literal text as it is (it must already be JSON).
    public mutating func raw(_ text: String) { bytes.append(contentsOf: text.utf8) }

    /// Appends bytes as they are (they must already be JSON, e.g. a request body).
    public mutating func raw(bytes more: some Sequence<UInt8>) { bytes.append(contentsOf: more) }

    private func hexDigit(_ nibble: UInt8) -> UInt8 {
        nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "a") + nibble - 10
    }
}
