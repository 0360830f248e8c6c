/// How embedding inputs are packed into requests, the rule the worker and `llmq tokens`
/// share: take the inputs in order and put as many in one request as fit under both
/// `maxInputs` and `maxTokens`; an input whose tokens alone exceed `maxTokens` still goes,
/// alone in its own request (the API answers for it; nothing is dropped or reordered).
public struct BatchPlanner: Sendable, Equatable {
    /// The API's limit on inputs per embeddings request.
    public static let apiMaxInputs = 2_048
    /// The default inputs per request (`--batch-size`).
    public static let defaultMaxInputs = 512
    /// The default token budget per request (`--max-batch-tokens`), under the API's 300k.
    public static let defaultMaxTokens = 300_000

    /// At most this many inputs per request (at least 1).
    public let maxInputs: Int
    /// At most this many tokens per request, unless one input alone is larger (at least 1).
    public let maxTokens: Int

    /// A planner with the given limits; values below 1 are taken as 1.
    /// - Parameters:
    ///   - maxInputs: inputs per request, default 512 (the caller checks it against 2,048).
    ///   - maxTokens: tokens per request, default 300,000.
    public init(maxInputs: Int = defaultMaxInputs, maxTokens: Int = defaultMaxTokens) {
        self.maxInputs = max(1, maxInputs)
        self.maxTokens = max(1, maxTokens)
    }

    /// The sizes of the requests that `tokenCounts` (one per input, in order) pack into;
    /// the sizes sum to the number of inputs. Empty input gives no batch.
    public func batchSizes(_ tokenCounts: some Sequence<Int>) -> [Int] {
        var packer = Packer(self)
        var sizes: [Int] = []
        for tokens in tokenCounts {
            if let closed = packer.add(tokens) { sizes.append(closed) }
        }
        if let last = packer.finish() { sizes.append(last) }
        return sizes
    }

    /// The streaming form of `batchSizes`: feed token counts one at a time, in constant
    /// memory, and learn the size of each batch as it closes.
    public struct Packer: Sendable {
        /// The limits.
        public let planner: BatchPlanner
        /// Inputs in the open batch.
        public private(set) var inputs = 0
        /// Tokens in the open batch.
        public private(set) var tokens = 0

        /// An empty packer for `planner`'s limits.
        public init(_ planner: BatchPlanner) { self.planner = planner }

        /// Adds the next input; returns the size of the batch this input could not join
        /// (now closed), else nil.
        public mutating func add(_ inputTokens: Int) -> Int? {
            var closed: Int?
            if inputs > 0, inputs >= planner.maxInputs || tokens + inputTokens > planner.maxTokens {
                closed = inputs
                inputs = 0
                tokens = 0
            }
            inputs += 1
            tokens += inputTokens
            return closed
        }

        /// Closes the open batch: returns its size, or nil when it is empty.
        public mutating func finish() -> Int? {
            defer { inputs = 0; tokens = 0 }
            return inputs > 0 ? inputs : nil
        }
    }
}
