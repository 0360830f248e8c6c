/// What a walk's thread found, in walk order (`FolderWalk.forEachReadAhead`).
enum FolderWalkItem: Sendable {
    case file(FolderEntry)
    case notice(String, isError: Bool)
}

extension FolderWalk {
    /// `forEach`, with the walk itself (its `getdents` and `fstatat` calls: half of a
    /// re-run over an unchanged folder) on a thread of its own that reads ahead while
    /// `file` and `notice` run here, in the same order as `forEach` calls them. At most a
    /// few chunks of `chunkSize` entries wait between the threads (constant memory); when
    /// `file` throws, the walk is stopped and waited for before the error is rethrown.
    public func forEachReadAhead(chunkSize: Int = 256, _ file: (FolderEntry) throws -> Void,
                                 notice: (String, _ isError: Bool) -> Void) throws {
        let handOver = ThreadHandOver<FolderWalkItem, Void>(label: "llmq.files.walk", chunkSize: chunkSize, depth: 4) { producer in
            try? forEach({ entry in
                if producer.stopRequested { throw WalkStopped() }
                producer.append(.file(entry))
            }, notice: { message, isError in producer.append(.notice(message, isError: isError)) })
        }
        do {
            while true {
                let chunk = handOver.next()
                for item in chunk.items {
                    switch item {
                    case .file(let entry): try file(entry)
                    case .notice(let message, let isError): notice(message, isError)
                    }
                }
                let ended = chunk.end != nil
                handOver.recycle(chunk)
                if ended { return }
            }
        } catch {
            handOver.cancel()
            throw error
        }
    }

    /// Ends the walk's thread once the consumer has stopped.
    private struct WalkStopped: Error {}
}
