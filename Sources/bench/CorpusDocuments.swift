import ArgumentParser
import Foundation
import JSON

/// The documents of a corpus file holding one JSON string literal per line (the dev corpus
/// of `bench tokens` and `bench chunk`), read with the project's JSON parser.
/// - Throws: `ValidationError` naming the line that is not a JSON string.
func corpusDocuments(_ data: Data) throws -> [String] {
    try data.split(separator: 0x0A).enumerated().map { index, line in
        guard let text = (try? JSONParser.parse([UInt8](line)))?.stringValue else {
            throw ValidationError("corpus line \(index + 1) is not a JSON string literal")
        }
        return text
    }
}
