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

    struct Batch: Decodable {
        struct Counts: Decodable {
            var total: Int?
            var completed: Int?
            var failed: Int?
        }
        struct Errors: Decodable {
            var data: [RemoteBatch.Failure]?
        }
        var id: String
        var status: String
        var endpoint: String
        var model: String?
        var inputFileID: String
        var outputFileID: String?
        var errorFileID: String?
        var requestCounts: Counts?
        var createdAt: Int?
        var expiresAt: Int?
        var metadata: [String: String]?
        var errors: Errors?

        enum CodingKeys: String, CodingKey {
            case id, status, endpoint, model, metadata, errors
            case inputFileID = "input_file_id"
            case outputFileID = "output_file_id"
            case errorFileID = "error_file_id"
            case requestCounts = "request_counts"
            case createdAt = "created_at"
            case expiresAt = "expires_at"
        }

        var remote: RemoteBatch {
            RemoteBatch(
                id: id, status: status, endpoint: endpoint, model: model, inputFileID: inputFileID, outputFileID: outputFileID,
                errorFileID: errorFileID, total: requestCounts?.total ?? 0, completed: requestCounts?.completed ?? 0,
                failed: requestCounts?.failed ?? 0, createdAt: createdAt ?? 0, expiresAt: expiresAt, metadata: metadata ?? [:],
                errors: errors?.data ?? [])
        }
    }

    struct List<Item: Decodable>: Decodable {
        var data: [Item]
        var hasMore: Bool?
        var lastID: String?

        enum CodingKeys: String, CodingKey {
            case data
            case hasMore = "has_more"
            case lastID = "last_id"
        }
    }
}
