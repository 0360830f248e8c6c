import JSON
import Testing

/// The streaming reader: members read in place, values skipped but still checked.
struct JSONCursorTests {
    /// Reads `text` as an object of `name` (string), `count` (integer) and `flag` (boolean),
    /// skipping any other member.
    func read(_ text: String) throws(JSONSyntaxError) -> (name: String?, count: Int?, flag: Bool?) {
        var text = text
        let result = text.withUTF8 { utf8 in
            Result { () throws(JSONSyntaxError) -> (String?, Int?, Bool?) in
                var cursor = JSONCursor(UnsafeRawBufferPointer(utf8))
                var name: String?, count: Int?, flag: Bool?
                try cursor.object { cursor, key throws(JSONSyntaxError) in
                    switch key {
                    case "name": name = try cursor.null() ? nil : cursor.string()
                    case "count": count = try cursor.integer()
                    case "flag": flag = try cursor.bool()
                    default: try cursor.skipValue()
                    }
                }
                try cursor.end()
                return (name, count, flag)
            }
        }
        return try result.get()
    }

    func rejection(_ text: String) -> String? {
        do throws(JSONSyntaxError) {
            _ = try read(text)
            return nil
        } catch {
            return error.description
        }
    }

    @Test func membersAreReadAndOthersSkipped() throws {
        let long = String(repeating: "abcdefghij", count: 10)
        let read = try read(#"{"skip":{"a":[1,2.5e3,"\#(long)",null,{}]},"name":"n\u00e9\/","count":-42,"flag":true}"#)
        #expect(read.name == "né/")
        #expect(read.count == -42)
        #expect(read.flag == true)
        #expect(try self.read(#"{"name":null}"#).name == nil)
    }

    @Test(arguments: [
        ("[]", "invalid JSON: expected an object at byte 1"),
        (#"{"count":1.5}"#, "invalid JSON: expected an integer at byte 13"),
        (#"{"count":"1"}"#, "invalid JSON: expected a number at byte 10"),
        (#"{"name":1}"#, "invalid JSON: expected a string at byte 9"),
        (#"{"flag":null}"#, "invalid JSON: expected true or false at byte 9"),
        (#"{"skip":[1,}"#, "invalid JSON: unexpected character at byte 12"),
        (#"{"skip":"a\qb"}"#, "invalid JSON: invalid escape in a string at byte 12"),
        (#"{"skip":"\ud800"}"#, "invalid JSON: lone surrogate in a \\u escape at byte 16"),
        (#"{"skip":01}"#, "invalid JSON: leading zero in a number at byte 10"),
        (#"{"skip":tru}"#, "invalid JSON: invalid literal (expected true, false or null) at byte 9"),
        (#"{} {}"#, "invalid JSON: unexpected data after the JSON value at byte 4"),
        (#"{"skip":"# + String(repeating: "[", count: 100), "invalid JSON: nesting deeper than 64 levels at byte 72"),
    ])
    func skippedValuesAreCheckedToo(text: String, message: String) {
        #expect(rejection(text) == message)
    }

    @Test func aRecordedStringIsReadLater() throws {
        let bytes = Array(#"{"v":"a\nb", "w":"plain"}"#.utf8)
        let result = bytes.withUnsafeBytes { raw in
            Result { () throws(JSONSyntaxError) -> ([UInt8], Bool, String) in
                var cursor = JSONCursor(raw)
                var ranges: [(content: Range<Int>, escaped: Bool)] = []
                try cursor.object { cursor, _ throws(JSONSyntaxError) in ranges.append(try cursor.rawString()) }
                let plain = cursor.withBytes(in: ranges[1].content) { String(decoding: $0, as: UTF8.self) }
                return (try cursor.unescaped(ranges[0].content), ranges[0].escaped, plain)
            }
        }
        let (content, escaped, plain) = try result.get()
        #expect(String(decoding: content, as: UTF8.self) == "a\nb")
        #expect(escaped)
        #expect(plain == "plain")
    }
}
