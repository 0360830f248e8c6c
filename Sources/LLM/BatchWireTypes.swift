/// The JSON shapes of the Files and Batches APIs (only the fields llmq reads or sends).
enum BatchWire {
    struct CreateBatch: Encodable {
        var inputFileID: String
        var endpoint: String
        var completionWindow = "24h"
        var metadata: [String: String]

        enum CodingKeys: String, CodingKey {
            case endpoint, metadata
            case inputFileID = "input_file_id"
            case completionWindow = "completion_window"
        }
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
