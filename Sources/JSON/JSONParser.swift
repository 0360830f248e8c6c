/// A strict RFC 8259 JSON parser over UTF-8 bytes, to a ``JSONValue`` tree. The input must
/// already be valid UTF-8 when exact strings matter (see `UTF8Validation` in JobQueue);
/// strings with lone surrogate escapes are refused because they cannot become Swift strings.
/// Nesting is limited so hostile input cannot blow the stack. It reads with ``JSONCursor``,
/// so the tree and the streaming reader accept exactly the same texts.
public enum JSONParser {
    /// Nesting deeper than this is refused.
    public static let maxDepth = 256

    /// Parses exactly one JSON value filling `bytes` (surrounding whitespace allowed).
    public static func parse(_ bytes: UnsafeRawBufferPointer) throws(JSONSyntaxError) -> JSONValue {
        var cursor = JSONCursor(bytes, maxDepth: maxDepth)
        let value = try cursor.value()
        try cursor.end()
        return value
    }

    /// Parses a JSON value from bytes.
    public static func parse(_ bytes: [UInt8]) throws(JSONSyntaxError) -> JSONValue {
        let result = bytes.withUnsafeBytes { buffer in
            Result { () throws(JSONSyntaxError) -> JSONValue in try parse(buffer) }
        }
        return try result.get()
    }

    /// Parses a JSON value from a Swift string.
    public static func parse(_ text: String) throws(JSONSyntaxError) -> JSONValue {
        var text = text
        let result = text.withUTF8 { buffer in
            Result { () throws(JSONSyntaxError) -> JSONValue in try parse(UnsafeRawBufferPointer(buffer)) }
        }
        return try result.get()
    }
}
