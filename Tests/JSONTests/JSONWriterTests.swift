import JSON
import Testing

/// The writer: canonical output (sorted keys, last repeated key wins), escapes, numbers.
struct JSONWriterTests {
    @Test func canonicalTextSortsKeysAndEscapes() throws {
        let value = try JSONParser.parse(#"{"b": [1, 2.5, -0.0, 1e2, true, null], "a": "q\"\\\n\t\u0001é", "b": 3}"#)
        #expect(JSONWriter.canonical(value) == #"{"a":"q\"\\\n\t\u0001é","b":3}"#)
        #expect(JSONWriter.canonical(try JSONParser.parse("[1, 2.5, -0.0, 1e2, 1e300]")) == "[1,2.5,0,100,1e+300]")
    }

    @Test func keysInOrderAreWrittenAsSortingWouldWriteThemAndOthersAreSorted() {
        let sorted: JSONValue = .object([("a", .number(JSONNumber(Int64(1)))), ("b", .string("x")), ("c", .null)])
        let shuffled: JSONValue = .object([("c", .null), ("a", .number(JSONNumber(Int64(1)))), ("b", .string("x"))])
        let repeated: JSONValue = .object([("a", .number(JSONNumber(Int64(0)))), ("b", .string("x")), ("c", .null), ("a", .number(JSONNumber(Int64(1))))])
        let adjacentRepeat: JSONValue = .object([("a", .number(JSONNumber(Int64(0)))), ("a", .number(JSONNumber(Int64(1)))), ("b", .string("x")), ("c", .null)])
        for value in [sorted, shuffled, repeated, adjacentRepeat] {
            #expect(JSONWriter.canonical(value) == #"{"a":1,"b":"x","c":null}"#)
        }
        // Byte order, not character order: "Z" (0x5A) before "a" (0x61), "é" after both.
        #expect(JSONWriter.canonical(.object([("é", .null), ("a", .null), ("Z", .null)])) == #"{"Z":null,"a":null,"é":null}"#)
    }

    @Test func membersAndFloatsAreWrittenInPlace() {
        var writer = JSONWriter()
        writer.raw("{")
        writer.member("id", "x", first: true)
        writer.member("n", integer: nil)
        writer.key("v")
        writer.write(floats: [0.1, -2, .nan])
        writer.raw("}")
        #expect(writer.string == #"{"id":"x","n":null,"v":[0.1,-2.0,null]}"#)
    }

    @Test func writtenTextReadsBackTheSame() throws {
        let text = #"{"a":[{"b":"\u0000\u001f\ud83d\ude80"},-12345678901234,0.25]}"#
        let value = try JSONParser.parse(text)
        #expect(try JSONParser.parse(JSONWriter.canonical(value)) == value)
    }
}
