import CRankFiles

/// The rank files llmq ships inside its binary (target `CRankFiles`, `.incbin` of
/// `Sources/CRankFiles/data/*.tiktoken`): byte-identical to the files tiktoken downloads,
/// checked against `EncodingName.sha256` whenever an `Encoding` is made from them.
public enum BuiltInRankFiles {
    /// The description used as a built-in file's path in messages.
    public static func source(_ encoding: EncodingName) -> String {
        "built-in \(encoding.fileName)"
    }

    /// The bytes of the built-in rank file of `encoding` (a copy of the binary's read-only data).
    public static func bytes(_ encoding: EncodingName) -> [UInt8] {
        var length = 0
        let start: UnsafePointer<UInt8>? = switch encoding {
        case .cl100kBase: llmq_rank_file_cl100k_base(&length)
        case .o200kBase: llmq_rank_file_o200k_base(&length)
        }
        guard let start else { return [] }
        return Array(UnsafeBufferPointer(start: start, count: length))
    }
}
