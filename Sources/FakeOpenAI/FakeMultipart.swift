import Foundation
import NIOCore

/// Reads a `multipart/form-data` body into its named parts (what `POST /v1/files` sends).
enum FakeMultipart {
    struct Part {
        var name: String
        var filename: String?
        var body: ByteBuffer
    }

    /// The parts of `body`, or nil when the content type has no boundary or the body is not multipart.
    static func parse(_ body: ByteBuffer, contentType: String?) -> [Part]? {
        guard let contentType, contentType.lowercased().hasPrefix("multipart/form-data"),
              let boundaryRange = contentType.range(of: "boundary=") else { return nil }
        var boundary = String(contentType[boundaryRange.upperBound...])
        if let semicolon = boundary.firstIndex(of: ";") { boundary = String(boundary[..<semicolon]) }
        boundary = boundary.trimmingCharacters(in: ["\""])
        let delimiter = Array("--\(boundary)".utf8)
        let bytes = body.readableBytesView
        var parts: [Part] = []
        guard var cursor = find(delimiter, in: bytes, from: bytes.startIndex) else { return nil }
        while true {
            cursor += delimiter.count
            if bytes[cursor...].starts(with: Array("--".utf8)) { break }
            guard let headerEnd = find(Array("\r\n\r\n".utf8), in: bytes, from: cursor),
                  let next = find(Array("\r\n".utf8) + delimiter, in: bytes, from: headerEnd + 4) else { return nil }
            let headers = String(decoding: bytes[cursor..<headerEnd], as: UTF8.self)
            let name = attribute("name", in: headers) ?? ""
            let filename = attribute("filename", in: headers)
            let start = headerEnd + 4 - bytes.startIndex + body.readerIndex
            let part = body.getSlice(at: start, length: next - (headerEnd + 4)) ?? ByteBuffer()
            parts.append(Part(name: name, filename: filename, body: part))
            cursor = next + 2
        }
        return parts
    }

    private static func attribute(_ key: String, in headers: String) -> String? {
        guard let range = headers.range(of: "\(key)=\"") else { return nil }
        let rest = headers[range.upperBound...]
        guard let end = rest.firstIndex(of: "\"") else { return nil }
        return String(rest[..<end])
    }

    private static func find(_ needle: [UInt8], in bytes: ByteBufferView, from start: Int) -> Int? {
        guard let first = needle.first, bytes.endIndex - start >= needle.count else { return nil }
        var index = start
        let last = bytes.endIndex - needle.count
        while index <= last {
            guard let hit = bytes[index...last].firstIndex(of: first) else { return nil }
            if bytes[hit..<(hit + needle.count)].elementsEqual(needle) { return hit }
            index = hit + 1
        }
        return nil
    }
}
