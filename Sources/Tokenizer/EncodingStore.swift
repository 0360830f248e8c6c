/// Loaded encodings, one per name per process, shared by every task; concurrent
/// requests for the same encoding share one load.
public actor EncodingStore {
    /// The process-wide store.
    public static let shared = EncodingStore()

    private var loads: [EncodingName: Task<Result<Encoding, TokenizerError>, Never>] = [:]

    /// Creates an empty store (tests use their own; code uses `shared`).
    public init() {}

    /// The encoding `name`, loaded through `locator` the first time.
    ///
    /// A failed load is not remembered, so a later call may succeed (e.g. with another
    /// locator). A loaded encoding is reused whatever locator later calls pass: its
    /// content is fixed by its SHA-256.
    ///
    /// - Throws: what `RankFileLocator.locate` and `Encoding.init` throw.
    public func encoding(_ name: EncodingName, locator: RankFileLocator) async throws(TokenizerError) -> Encoding {
        let task: Task<Result<Encoding, TokenizerError>, Never>
        if let existing = loads[name] {
            task = existing
        } else {
            task = Task {
                do throws(TokenizerError) {
                    let file = try locator.locate(name)
                    return .success(try Encoding(name: name, rankFile: file.bytes, path: file.source))
                } catch {
                    return .failure(error)
                }
            }
            loads[name] = task
        }
        let result = await task.value
        if case .failure = result, loads[name] == task { loads[name] = nil }
        return try result.get()
    }

    /// The encoding of `model` (see `EncodingName.forModel`), loaded through `locator`.
    ///
    /// - Throws: `unknownModel`, or what `encoding(_:locator:)` throws.
    public func encoding(forModel model: String, locator: RankFileLocator) async throws(TokenizerError) -> Encoding {
        try await encoding(EncodingName.forModel(model), locator: locator)
    }
}
