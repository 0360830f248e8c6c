import JSON
@testable import LLM
import NIOCore
import Testing

/// The Files and Batches API objects read into `RemoteBatch`, `RemoteFile` and `RemotePage`
/// with the JSON module: every member, the defaults of the optional ones, and each refusal
/// naming the member and, through `SuccessfulReply`, the request and its HTTP context.
struct BatchWireTests {
    func value(_ text: String) throws -> JSONValue { try JSONParser.parse(text) }

    func refusal(_ text: String, _ read: (JSONValue) throws(JSONFieldError) -> Void) throws -> String? {
        let parsed = try value(text)
        do throws(JSONFieldError) {
            try read(parsed)
            return nil
        } catch {
            return error.description
        }
    }

    @Test func aBatchObjectIsReadWithEveryMember() throws {
        let batch = try BatchWire.batch(try value(#"""
            {"id":"batch_1","object":"batch","endpoint":"/v1/embeddings","model":"text-embedding-3-small","errors":{"object":"list",
             "data":[{"code":"token_limit_exceeded","message":"Enqueued token limit reached.","param":null,"line":null},
                     {"code":"invalid_json_line","message":"bad","line":3}]},
             "input_file_id":"file-in","completion_window":"24h","status":"failed","output_file_id":"file-out","error_file_id":null,
             "created_at":1767225600,"in_progress_at":null,"expires_at":1767312000,"request_counts":{"total":5,"completed":3,"failed":1},
             "metadata":{"llmq_db":"abc","llmq_submission":"7"}}
            """#))
        #expect(batch == RemoteBatch(
            id: "batch_1", status: "failed", endpoint: "/v1/embeddings", model: "text-embedding-3-small", inputFileID: "file-in",
            outputFileID: "file-out", errorFileID: nil, total: 5, completed: 3, failed: 1, createdAt: 1767225600, expiresAt: 1767312000,
            metadata: ["llmq_db": "abc", "llmq_submission": "7"],
            errors: [RemoteBatch.Failure(code: "token_limit_exceeded", message: "Enqueued token limit reached.", param: nil, line: nil),
                     RemoteBatch.Failure(code: "invalid_json_line", message: "bad", param: nil, line: 3)]))
    }

    @Test func optionalMembersMissingOrNullTakeTheirDefaults() throws {
        let batch = try BatchWire.batch(try value(#"""
            {"id":"b","status":"validating","endpoint":"/v1/chat/completions","input_file_id":"f","model":null,"request_counts":null,
             "metadata":null,"errors":null,"expires_at":null}
            """#))
        #expect(batch == RemoteBatch(id: "b", status: "validating", endpoint: "/v1/chat/completions", inputFileID: "f"))
    }

    @Test func aFileAndListsOfBothAreRead() throws {
        let files = try BatchWire.page(try value(#"""
            {"object":"list","data":[{"id":"file-1","object":"file","bytes":120,"created_at":5,"filename":"a.jsonl","purpose":"batch"}],
             "has_more":true,"first_id":"file-1"}
            """#), id: \.id) { item, path throws(JSONFieldError) in try BatchWire.file(item, path: path) }
        #expect(files == RemotePage(items: [RemoteFile(id: "file-1", filename: "a.jsonl", purpose: "batch", bytes: 120, createdAt: 5)],
                                    hasMore: true, lastID: "file-1"))
        let batches = try BatchWire.page(try value(#"{"data":[],"last_id":"batch_9"}"#), id: \.id) { item, path throws(JSONFieldError) in
            try BatchWire.batch(item, path: path)
        }
        #expect(batches == RemotePage(items: [], hasMore: false, lastID: "batch_9"))
    }

    @Test func aMissingOrMistypedMemberIsNamedWithItsPath() throws {
        let batch: (JSONValue) throws(JSONFieldError) -> Void = { value throws(JSONFieldError) in _ = try BatchWire.batch(value) }
        #expect(try refusal(#"{"status":"completed","endpoint":"/v1/embeddings","input_file_id":"f"}"#, batch) == #""id" is missing"#)
        #expect(try refusal(#"{"id":null,"status":"completed","endpoint":"/v1/embeddings","input_file_id":"f"}"#, batch)
            == #""id" is missing"#)
        #expect(try refusal(#"{"id":"b","status":3,"endpoint":"/v1/embeddings","input_file_id":"f"}"#, batch)
            == #""status" must be a string, got a number"#)
        #expect(try refusal(#"{"id":"b","status":"s","endpoint":"e","input_file_id":"f","request_counts":{"total":"5"}}"#, batch)
            == #""request_counts.total" must be an integer, got a string"#)
        #expect(try refusal(#"{"id":"b","status":"s","endpoint":"e","input_file_id":"f","request_counts":[]}"#, batch)
            == #""request_counts" must be an object, got an array"#)
        #expect(try refusal(#"{"id":"b","status":"s","endpoint":"e","input_file_id":"f","metadata":{"k":1}}"#, batch)
            == #""metadata.k" must be a string, got a number"#)
        #expect(try refusal(#"{"id":"b","status":"s","endpoint":"e","input_file_id":"f","errors":{"data":[{"line":"x"}]}}"#, batch)
            == #""errors.data[0].line" must be an integer, got a string"#)
        #expect(try refusal(#"{"id":"b","status":"s","endpoint":"e","input_file_id":"f","created_at":1.5}"#, batch)
            == #""created_at" must be an integer, got a number"#)
        #expect(try refusal(#"[1]"#, batch) == "the answer must be an object, got an array")
        let files: (JSONValue) throws(JSONFieldError) -> Void = { value throws(JSONFieldError) in
            _ = try BatchWire.page(value, id: \.id) { item, path throws(JSONFieldError) in try BatchWire.file(item, path: path) }
        }
        #expect(try refusal(#"{"data":[{"id":"a","filename":"x","purpose":"batch","bytes":1,"created_at":1},{"id":"b"}]}"#, files)
            == #""data[1].filename" is missing"#)
        #expect(try refusal(#"{"data":[7]}"#, files) == #""data[0]" must be an object, got a number"#)
        #expect(try refusal(#"{"has_more":false}"#, files) == #""data" is missing"#)
        #expect(try refusal(#"{"data":[],"has_more":"no"}"#, files) == #""has_more" must be a boolean, got a string"#)
    }

    @Test func anUnreadableAnswerIsAnUnparseableResponseNamingTheRequestAndWhatIsWrong() {
        func decode(_ body: String) -> LLMError? {
            let reply = SuccessfulReply(body: ByteBuffer(string: body), status: 200, rateLimits: nil, requestID: "req_9", retries: 0,
                                        request: "GET /batches/batch_1")
            do throws(LLMError) {
                _ = try reply.decode("the batch object") { value throws(JSONFieldError) in try BatchWire.batch(value) }
                return nil
            } catch {
                return error
            }
        }
        let mistyped = decode(#"{"id":"batch_1","status":false,"endpoint":"/v1/embeddings","input_file_id":"f"}"#)
        #expect(mistyped?.kind == .unparseableResponse)
        #expect(mistyped?.description == #"""
            The API's answer could not be understood (HTTP 200, request id req_9): {"id":"batch_1","status":false,"endpoint":"/v1/embeddings","input_file_id":"f"} [the batch object from GET /batches/batch_1: "status" must be a string, got a boolean]. Check that OPENAI_BASE_URL points to an OpenAI-compatible API.
            """#)
        let garbage = decode("<html>502</html>")
        #expect(garbage?.description.contains("[the batch object from GET /batches/batch_1: invalid JSON: unexpected character at byte 1]") == true,
                "\(String(describing: garbage))")
    }
}
