/// The members of one JSON object read by type, to decode a wire object (an API's answer)
/// into a struct: a required member that is missing or `null`, or any member of another
/// type, throws a ``JSONFieldError`` naming it with the path of the objects around it
/// (`"request_counts.total" must be an integer, got a string`). Optional members may be
/// missing or `null`; members not asked for are ignored. A repeated key reads its last member.
public struct JSONObjectFields: Sendable {
    /// The path of this object inside the value read, ending in a dot (`""` at the top,
    /// `"data[2]."` for the third element of `data`).
    public let path: String
    private let members: [(key: String, value: JSONValue)]

    /// The members of `value`, an object found at `path` (empty for the value read).
    /// - Throws: ``JSONFieldError`` when `value` is not an object.
    public init(_ value: JSONValue, path: String = "") throws(JSONFieldError) {
        guard case .object(let members) = value else {
            let name = path.isEmpty ? "the answer" : "\"\(path.dropLast())\""
            throw JSONFieldError("\(name) must be an object, got \(value.typeDescription)")
        }
        self.path = path
        self.members = members
    }

    /// The member `key`, nil when missing or `null`.
    public func value(_ key: String) -> JSONValue? {
        guard let value = members.last(where: { $0.key == key })?.value, value != .null else { return nil }
        return value
    }

    /// A required string.
    public func string(_ key: String) throws(JSONFieldError) -> String { try required(key, optionalString(key)) }

    /// A string, nil when missing or `null`.
    public func optionalString(_ key: String) throws(JSONFieldError) -> String? { try optional(key, "a string", \.stringValue) }

    /// A required integer that fits an `Int`.
    public func int(_ key: String) throws(JSONFieldError) -> Int { try required(key, optionalInt(key)) }

    /// An integer that fits an `Int`, nil when missing or `null`.
    public func optionalInt(_ key: String) throws(JSONFieldError) -> Int? { try optional(key, "an integer", \.intValue) }

    /// A boolean, nil when missing or `null`.
    public func optionalBool(_ key: String) throws(JSONFieldError) -> Bool? { try optional(key, "a boolean", \.boolValue) }

    /// A nested object, nil when missing or `null`.
    public func optionalObject(_ key: String) throws(JSONFieldError) -> JSONObjectFields? {
        guard let value = value(key) else { return nil }
        return try JSONObjectFields(value, path: path + key + ".")
    }

    /// A required array, each element handed to `element` with its index.
    public func array<T>(_ key: String, _ element: (JSONValue, _ path: String) throws(JSONFieldError) -> T) throws(JSONFieldError) -> [T] {
        try required(key, optionalArray(key, element))
    }

    /// An array, each element handed to `element` with its path (`data[2].`); nil when missing or `null`.
    public func optionalArray<T>(_ key: String, _ element: (JSONValue, _ path: String) throws(JSONFieldError) -> T) throws(JSONFieldError) -> [T]? {
        guard let value = value(key) else { return nil }
        guard let elements = value.arrayValue else { throw wrongType(key, "an array", value) }
        var result: [T] = []
        result.reserveCapacity(elements.count)
        for (index, item) in elements.enumerated() { result.append(try element(item, "\(path)\(key)[\(index)].")) }
        return result
    }

    /// An object of strings (`metadata`), nil when missing or `null`.
    public func optionalStringMap(_ key: String) throws(JSONFieldError) -> [String: String]? {
        guard let object = try optionalObject(key) else { return nil }
        var result: [String: String] = [:]
        for (name, value) in object.members {
            guard let string = value.stringValue else { throw object.wrongType(name, "a string", value) }
            result[name] = string
        }
        return result
    }

    /// `value`, or the error that `key` is missing.
    private func required<T>(_ key: String, _ value: T?) throws(JSONFieldError) -> T {
        guard let value else { throw JSONFieldError("\"\(path)\(key)\" is missing") }
        return value
    }

    /// The member `key` read by `read` (nil when it is of another type: then an error saying `expected`).
    private func optional<T>(_ key: String, _ expected: String, _ read: (JSONValue) -> T?) throws(JSONFieldError) -> T? {
        guard let value = value(key) else { return nil }
        guard let typed = read(value) else { throw wrongType(key, expected, value) }
        return typed
    }

    private func wrongType(_ key: String, _ expected: String, _ value: JSONValue) -> JSONFieldError {
        JSONFieldError("\"\(path)\(key)\" must be \(expected), got \(value.typeDescription)")
    }
}

/// A member of a JSON object that is missing or of another type than a reader expects.
public struct JSONFieldError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What is wrong, naming the member: `"id" is missing`, `"data[0].bytes" must be an integer, got a string`.
    public var description: String

    /// An error saying `description`.
    public init(_ description: String) { self.description = description }
}
