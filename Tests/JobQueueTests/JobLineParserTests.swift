import Testing
@testable import JobQueue

struct JobLineParserTests {
    // MARK: Bad lines: one test per case, each checking the message.

    @Test func invalidJSONIsRejected() {
        #expect(rejection(#"{"id": "a", "type": "embed", "input": "x""#) == "invalid JSON: unterminated object at byte 42")
        #expect(rejection(#"{"id": "a",}"#) == "invalid JSON: expected a string key at byte 12")
    }

    @Test func invalidUTF8IsRejected() {
        var bytes = Array(#"{"id": "a", "type": "embed", "input": "caf"#.utf8)
        bytes += [0xC3, 0x28]  // a lead byte followed by a non-continuation byte
        bytes += Array(#""}"#.utf8)
        let reason = bytes.withUnsafeBytes { buffer -> String? in
            do throws(JobLineError) { _ = try JobLineParser().parse(buffer); return nil } catch { return error.reason }
        }
        #expect(reason == "invalid UTF-8 at byte 43")
    }

    @Test func lineThatIsNotAnObjectIsRejected() {
        #expect(rejection(#"["a", "b"]"#) == "a job must be a JSON object, got an array")
        #expect(rejection(#""just a string""#) == "a job must be a JSON object, got a string")
    }

    @Test func missingOrEmptyIDIsRejected() {
        #expect(rejection(#"{"type": "embed", "input": "x"}"#) == #"missing "id""#)
        #expect(rejection(#"{"id": "", "type": "embed", "input": "x"}"#) == #""id" must not be empty"#)
    }

    @Test func numericIDIsRejected() {
        #expect(rejection(#"{"id": 42, "type": "embed", "input": "x"}"#) == #""id" must be a string, got a number"#)
    }

    @Test func unknownOrMissingTypeIsRejected() {
        #expect(rejection(#"{"id": "a", "type": "classify", "input": "x"}"#)
            == #"unknown "type" "classify" (expected "embed" or "generate")"#)
        #expect(rejection(#"{"id": "a", "input": "x"}"#) == #"missing "type" (expected "embed" or "generate")"#)
        #expect(rejection(#"{"id": "a", "type": 1, "input": "x"}"#) == #""type" must be a string, got a number"#)
    }

    @Test func missingOrEmptyInputIsRejected() {
        #expect(rejection(#"{"id": "a", "type": "embed"}"#) == #"missing "input" for an embed job"#)
        #expect(rejection(#"{"id": "a", "type": "embed", "input": ""}"#) == #""input" must not be empty"#)
        #expect(rejection(#"{"id": "a", "type": "embed", "input": ["x"]}"#) == #""input" must be a string, got an array"#)
    }

    @Test func missingOrEmptyPromptIsRejected() {
        #expect(rejection(#"{"id": "a", "type": "generate"}"#) == #"missing "prompt" for a generate job"#)
        #expect(rejection(#"{"id": "a", "type": "generate", "prompt": ""}"#) == #""prompt" must not be empty"#)
    }

    @Test func wronglyTypedFieldsAreRejected() {
        #expect(rejection(#"{"id": "a", "type": "generate", "prompt": "p", "max_tokens": "ten"}"#)
            == #""max_tokens" must be an integer, got a string"#)
        #expect(rejection(#"{"id": "a", "type": "generate", "prompt": "p", "max_tokens": 1.5}"#)
            == #""max_tokens" must be an integer, got a number"#)
        #expect(rejection(#"{"id": "a", "type": "generate", "prompt": "p", "temperature": "hot"}"#)
            == #""temperature" must be a number, got a string"#)
        #expect(rejection(#"{"id": "a", "type": "generate", "prompt": "p", "system": 3}"#)
            == #""system" must be a string, got a number"#)
        #expect(rejection(#"{"id": "a", "type": "embed", "input": "x", "metadata": "m"}"#)
            == #""metadata" must be an object, got a string"#)
        #expect(rejection(#"{"id": "a", "type": "embed", "input": "x", "model": true}"#)
            == #""model" must be a string, got a boolean"#)
    }

    @Test func temperatureOutsideZeroToTwoIsRejected() {
        #expect(rejection(#"{"id": "a", "type": "generate", "prompt": "p", "temperature": 2.5}"#)
            == #""temperature" must be between 0 and 2, got 2.5"#)
        #expect(rejection(#"{"id": "a", "type": "generate", "prompt": "p", "temperature": -0.1}"#)
            == #""temperature" must be between 0 and 2, got -0.1"#)
        #expect(rejection(#"{"id": "a", "type": "generate", "prompt": "p", "temperature": 2}"#) == nil)
    }

    @Test func maxTokensBelowOneIsRejected() {
        #expect(rejection(#"{"id": "a", "type": "generate", "prompt": "p", "max_tokens": 0}"#)
            == #""max_tokens" must be at least 1, got 0"#)
    }

    @Test func dimensionsOutsideTheModelsRangeAreRejected() {
        #expect(rejection(#"{"id": "a", "type": "embed", "input": "x", "dimensions": 1537}"#)
            == #""dimensions" must be between 1 and 1536 for text-embedding-3-small, got 1537"#)
        #expect(rejection(#"{"id": "a", "type": "embed", "input": "x", "dimensions": 0}"#)
            == #""dimensions" must be between 1 and 1536 for text-embedding-3-small, got 0"#)
        #expect(rejection(#"{"id": "a", "type": "embed", "input": "x", "model": "text-embedding-3-large", "dimensions": 3072}"#) == nil)
        #expect(rejection(#"{"id": "a", "type": "embed", "input": "x", "model": "text-embedding-ada-002", "dimensions": 256}"#)
            == #""dimensions" is not supported by text-embedding-ada-002 (only text-embedding-3 models take it)"#)
    }

    @Test func batchLineWithUnsupportedURLOrMethodIsRejected() {
        #expect(rejection(#"{"custom_id": "a", "method": "POST", "url": "/v1/completions", "body": {"prompt": "x"}}"#)
            == #"unsupported "url" "/v1/completions" (expected "/v1/embeddings" or "/v1/chat/completions")"#)
        #expect(rejection(#"{"custom_id": "a", "method": "GET", "url": "/v1/embeddings", "body": {"input": "x"}}"#)
            == #"unsupported "method" "GET" (Batch API lines must use "POST")"#)
        #expect(rejection(#"{"custom_id": "a", "method": "POST", "url": "/v1/embeddings"}"#) == #"missing "body""#)
        #expect(rejection(#"{"custom_id": "a", "method": "POST", "url": "/v1/embeddings", "body": {"input": "x", "top_k": 3}}"#)
            == #""body.top_k" is not supported by llmq (supported: dimensions, encoding_format, input, model, user)"#)
        #expect(rejection(#"{"custom_id": "a", "method": "POST", "url": "/v1/embeddings", "body": {"input": ["x", "y"]}}"#)
            == #""body.input" must be one string (llmq batches inputs itself: put one input per line), got an array of 2"#)
        #expect(rejection(#"{"custom_id": "a", "method": "POST", "url": "/v1/chat/completions", "body": {"messages": [{"role": "user", "content": 5}]}}"#)
            == #""body.messages[0].content" must be a string"#)
        #expect(rejection(#"{"custom_id": 7, "method": "POST", "url": "/v1/embeddings", "body": {"input": "x"}}"#)
            == #""custom_id" must be a string, got a number"#)
    }

    // MARK: Good lines

    @Test func embedLineGetsDefaultsAndCanonicalRequest() throws {
        let job = try spec(#"{"type": "embed", "id": "doc-1", "input": "hello", "metadata": {"b": 1, "a": [true, null]}}"#)
        #expect(job.customID == "doc-1")
        #expect(job.kind == .embed)
        #expect(job.model == "text-embedding-3-small")
        #expect(job.dimensions == 1536)
        #expect(job.request == #"{"dimensions":1536,"input":"hello","kind":"embed","model":"text-embedding-3-small"}"#)
        #expect(job.metadata == #"{"a":[true,null],"b":1}"#)
        #expect(job.requestHash.count == 32)
    }

    @Test func generateLineBuildsMessagesInOrder() throws {
        let job = try spec(#"{"id": "q", "type": "generate", "system": "S", "context": "C", "prompt": "P", "max_tokens": 5, "temperature": 0.2}"#)
        guard case .generate(let messages, let model, let maxTokens, let temperature)? = JobRequest(storedJSON: job.request) else {
            Issue.record("request must decode")
            return
        }
        #expect(messages == [
            JobMessage(role: "system", content: "S"),
            JobMessage(role: "user", content: "Context:\nC"),
            JobMessage(role: "user", content: "P"),
        ])
        #expect(model == "gpt-4o-mini")
        #expect(maxTokens == 5)
        #expect(temperature == 0.2)
    }

    @Test func generateDefaultsAreMaxTokens1024AndTemperature07() throws {
        let job = try spec(#"{"id": "q", "type": "generate", "prompt": "P"}"#)
        #expect(job.request == #"{"kind":"generate","max_tokens":1024,"messages":[{"content":"P","role":"user"}],"model":"gpt-4o-mini","temperature":0.7}"#)
    }

    @Test func batchLinesMatchTheirNativeEquivalents() throws {
        let native = try spec(#"{"id": "e", "type": "embed", "input": "text", "dimensions": 256}"#)
        let batch = try spec(#"{"custom_id": "e", "method": "POST", "url": "/v1/embeddings", "body": {"model": "text-embedding-3-small", "input": ["text"], "dimensions": 256, "encoding_format": "float"}}"#)
        #expect(native == batch)
        let chatNative = try spec(#"{"id": "c", "type": "generate", "system": "S", "prompt": "P", "max_tokens": 9, "temperature": 1}"#)
        let chatBatch = try spec(#"{"custom_id": "c", "method": "POST", "url": "/v1/chat/completions", "body": {"model": "gpt-4o-mini", "messages": [{"role": "system", "content": "S"}, {"role": "user", "content": "P"}], "max_completion_tokens": 9, "temperature": 1.0}}"#)
        #expect(chatNative == chatBatch)
    }

    @Test func keyOrderAndWhitespaceDoNotChangeTheRequestHash() throws {
        let a = try spec(#"{"id":"x","type":"embed","input":"same","model":"text-embedding-3-small"}"#)
        let b = try spec(#"  { "model" : "text-embedding-3-small" , "input" : "same", "type": "embed", "id": "x" }  "#)
        #expect(a.requestHash == b.requestHash)
    }

    @Test func enqueueDefaultsFixModelAndDimensions() throws {
        let parser = JobLineParser(defaults: JobDefaults(embeddingModel: "text-embedding-3-large", chatModel: "gpt-4o", dimensions: 1024))
        let job = try spec(#"{"id": "e", "type": "embed", "input": "x"}"#, parser: parser)
        #expect(job.model == "text-embedding-3-large")
        #expect(job.dimensions == 1024)
        let chat = try spec(#"{"id": "c", "type": "generate", "prompt": "x"}"#, parser: parser)
        #expect(chat.model == "gpt-4o")
    }

    @Test func escapesAndNonASCIIRoundTrip() throws {
        let job = try spec(#"{"id": "ü\u00e9", "type": "embed", "input": "line\nbreak \"q\" \ud83d\ude80 \u0001"}"#)
        #expect(job.customID == "üé")
        guard case .embed(let input, _, _)? = JobRequest(storedJSON: job.request) else {
            Issue.record("request must decode")
            return
        }
        #expect(input == "line\nbreak \"q\" 🚀 \u{1}")
    }

    @Test func loneSurrogateEscapeIsRejected() {
        #expect(rejection(#"{"id": "a", "type": "embed", "input": "\ud83d x"}"#)
            == "invalid JSON: lone surrogate in a \\u escape at byte 46")
    }
}
