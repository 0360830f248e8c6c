import JSON
import Testing

/// The value tree: what is accepted, and every refusal with its reason and byte.
struct JSONParserTests {
    func rejection(_ text: String) -> String? {
        do throws(JSONSyntaxError) {
            _ = try JSONParser.parse(text)
            return nil
        } catch {
            return error.description
        }
    }

    @Test func valuesOfEveryKindAreRead() throws {
        let value = try JSONParser.parse(#" {"a": [1, -2.5, 3e2, true, false, null], "b": "x\"\u00e9\ud83d\ude80", "a": {}} "#)
        guard case .object(let members) = value else {
            Issue.record("not an object")
            return
        }
        #expect(members.map(\.key) == ["a", "b", "a"])
        #expect(value["a"] == .object([]))
        #expect(members[0].value == .array([.number(JSONNumber(Int64(1))), .number(JSONNumber(-2.5)), .number(JSONNumber(Int64(300))),
                                            .bool(true), .bool(false), .null]))
        #expect(value["b"]?.stringValue == "x\"é🚀")
        #expect(try JSONParser.parse("9223372036854775807").intValue == Int.max)
        #expect(try JSONParser.parse("9223372036854775808").intValue == nil)
        #expect(try JSONParser.parse("-0").doubleValue == 0)
    }

    @Test(arguments: [
        ("", "invalid JSON: unexpected end of input at byte 1"),
        ("{\"a\":1,}", "invalid JSON: expected a string key at byte 8"),
        ("{\"a\" 1}", "invalid JSON: expected ':' after a key at byte 6"),
        ("{\"a\":1", "invalid JSON: unterminated object at byte 7"),
        ("{\"a\":1 2}", "invalid JSON: expected ',' or '}' in an object at byte 8"),
        ("[1,]", "invalid JSON: unexpected character at byte 4"),
        ("[1 2]", "invalid JSON: expected ',' or ']' in an array at byte 4"),
        ("[1", "invalid JSON: unterminated array at byte 3"),
        ("nul", "invalid JSON: unexpected end of input at byte 1"),
        ("nope", "invalid JSON: invalid literal (expected true, false or null) at byte 1"),
        ("01", "invalid JSON: leading zero in a number at byte 2"),
        ("-x", "invalid JSON: invalid number at byte 2"),
        ("1.", "invalid JSON: invalid number at byte 3"),
        ("1e+", "invalid JSON: invalid number at byte 4"),
        ("1e999", "invalid JSON: number out of range at byte 6"),
        ("+1", "invalid JSON: unexpected character at byte 1"),
        ("\"abc", "invalid JSON: unterminated string at byte 5"),
        ("\"a\u{01}\"", "invalid JSON: unescaped control character in a string at byte 3"),
        ("\"a\\x\"", "invalid JSON: invalid escape in a string at byte 4"),
        ("\"\\u12x4\"", "invalid JSON: invalid \\u escape at byte 6"),
        ("\"\\u12", "invalid JSON: truncated \\u escape at byte 4"),
        ("\"\\ud83d\"", "invalid JSON: lone surrogate in a \\u escape at byte 8"),
        ("\"\\ude80\"", "invalid JSON: lone surrogate in a \\u escape at byte 8"),
        ("\"\\ud83d\\u0041\"", "invalid JSON: lone surrogate in a \\u escape at byte 14"),
        ("1 2", "invalid JSON: unexpected data after the JSON value at byte 3"),
        (String(repeating: "[", count: 257), "invalid JSON: nesting deeper than 256 levels at byte 257"),
    ])
    func badTextIsRefusedWithItsReasonAndByte(text: String, message: String) {
        #expect(rejection(text) == message)
    }

    @Test func nestingUpToTheLimitIsRead() throws {
        let text = String(repeating: "[", count: 256) + String(repeating: "]", count: 256)
        #expect(try JSONParser.parse(text) != .null)
    }
}
