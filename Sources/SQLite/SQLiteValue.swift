/// A value as SQLite stores it: one of its five storage classes.
public enum SQLiteValue: Sendable, Hashable {
    case integer(Int64)
    case double(Double)
    case text(String)
    case blob([UInt8])
    case null
}
