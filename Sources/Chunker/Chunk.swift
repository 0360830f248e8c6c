/// One chunk of a text: its span as UTF-8 byte offsets and as Unicode code point offsets
/// (both 0-based, end exclusive) and its exact token count.
public struct Chunk: Sendable, Hashable {
    /// UTF-8 byte offsets into the text.
    public var byteStart: Int
    public var byteEnd: Int
    /// Unicode code point offsets into the text (Python's `text[start:end]`).
    public var start: Int
    public var end: Int
    /// The chunk's token count, counted exactly by encoding the chunk's own text.
    public var tokens: Int

    /// A chunk with the given spans and count.
    public init(byteStart: Int, byteEnd: Int, start: Int, end: Int, tokens: Int) {
        self.byteStart = byteStart
        self.byteEnd = byteEnd
        self.start = start
        self.end = end
        self.tokens = tokens
    }

    /// The chunk's text, cut from `text` (the text it was made from).
    public func text(in text: String) -> String {
        let utf8 = text.utf8
        let from = utf8.index(utf8.startIndex, offsetBy: byteStart)
        let to = utf8.index(from, offsetBy: byteEnd - byteStart)
        return String(text[from..<to])
    }
}
