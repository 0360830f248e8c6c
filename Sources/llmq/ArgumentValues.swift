import ArgumentParser
import JobQueue

// JobQueue's enums as option values: their raw values are what the user types, and a
// value that is none of them is a usage error naming the flag and listing the choices.

extension ExportFormat: ExpressibleByArgument {}
extension JobKind: ExpressibleByArgument {}
extension JobStatus: ExpressibleByArgument {}
