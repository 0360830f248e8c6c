/// One schema migration as carried by the binary: the text of `migrations/NNNN_name.sql`.
public struct EmbeddedMigration: Sendable {
    /// The file's numeric prefix; applied in increasing order and recorded in `PRAGMA user_version`.
    public let version: Int
    /// The file name without `.sql`.
    public let name: String
    /// The SQL text, run in one transaction.
    public let sql: String
}

/// Every migration in `migrations/`, in version order, as embedded at build time.
public let allMigrations: [EmbeddedMigration] = embeddedMigrations
