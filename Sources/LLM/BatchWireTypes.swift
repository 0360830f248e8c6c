import JSON
import NIOCore

/// The JSON shapes of the Files and Batches APIs (only the fields llmq reads or sends).
enum BatchWire {
    /// The `POST /batches` body: `{"input_file_id", "endpoint", "completion_window": "24h", "metadata"}`.
    static func createBatch(inputFileID: String, endpoint: String, metadata: [String: String]) -> ByteBuffer {
        var out = JSONWriter()
        out.raw("{")
        out.member("input_file_id", inputFileID, first: true)
        out.member("endpoint", endpoint)
        out.member("completion_window", "24h")
        out.key("metadata")
        out.raw("{")
        for (index, key) in metadata.keys.sorted().enumerated() { out.member(key, metadata[key], first: index == 0) }
        out.raw("}}")
        return ByteBuffer(bytes: out.bytes)
    }

    /// A batch object (`POST /batches`, `GET /batches/{id}`, an element of a list).
    /// - Throws: ``JSONFieldError`` naming a required member that is missing or a member of another type.
    static func batch(_ value: JSONValue, path: String = "") throws(JSONFieldError) -> RemoteBatch {
        let fields = try JSONObjectFields(value, path: path)
        let counts = try fields.optionalObject("request_counts")
        let errors = try fields.optionalObject("errors")?.optionalArray("data") { item, path throws(JSONFieldError) in
            let failure = try JSONObjectFields(item, path: path)
            return RemoteBatch.Failure(code: try failure.optionalString("code"), message: try failure.optionalString("message"),
                                       param: try failure.optionalString("param"), line: try failure.optionalInt("line"))
        }
        return RemoteBatch(
            id: try fields.string("id"), status: try fields.string("status"), endpoint: try fields.string("endpoint"),
            model: try fields.optionalString("model"), inputFileID: try fields.string("input_file_id"),
            outputFileID: try fields.optionalString("output_file_id"), errorFileID: try fields.optionalString("error_file_id"),
            total: try counts?.optionalInt("total") ?? 0, completed: try counts?.optionalInt("completed") ?? 0,
            failed: try counts?.optionalInt("failed") ?? 0, createdAt: try fields.optionalInt("created_at") ?? 0,
            expiresAt: try fields.optionalInt("expires_at"), metadata: try fields.optionalStringMap("metadata") ?? [:],
            errors: errors ?? [])
    }

    /// A file object (`POST /files`, an element of `GET /files`).
    /// - Throws: ``JSONFieldError`` naming a required member that is missing or a member of another type.
    static func file(_ value: JSONValue, path: String = "") throws(JSONFieldError) -> RemoteFile {
        let fields = try JSONObjectFields(value, path: path)
        return RemoteFile(id: try fields.string("id"), filename: try fields.string("filename"), purpose: try fields.string("purpose"),
                          bytes: try fields.int("bytes"), createdAt: try fields.int("created_at"))
    }

    /// A list object (`{"data": [...], "has_more", "last_id"}`) whose elements `item` reads;
    /// without `last_id`, the last element's id.
    static func page<Item>(_ value: JSONValue, id: (Item) -> String,
                           _ item: (JSONValue, String) throws(JSONFieldError) -> Item) throws(JSONFieldError) -> RemotePage<Item> {
        let fields = try JSONObjectFields(value)
        let items = try fields.array("data", item)
        return RemotePage(items: items, hasMore: try fields.optionalBool("has_more") ?? false,
                          lastID: try fields.optionalString("last_id") ?? items.last.map(id))
    }
}
