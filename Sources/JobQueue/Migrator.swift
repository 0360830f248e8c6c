import SQLite

/// Applies embedded migrations in version order, each in its own transaction, and
/// records the version in `PRAGMA user_version`. Safe when several processes open a new
/// database at once: the version is re-read under the write lock.
public struct Migrator: Sendable {
    /// The migrations to apply, in any order (they are sorted by version).
    public let migrations: [EmbeddedMigration]

    /// A migrator over `migrations`.
    public init(migrations: [EmbeddedMigration]) {
        self.migrations = migrations.sorted { $0.version < $1.version }
    }

    /// Brings `db` up to the newest version.
    /// - Throws: `JobQueueError.schemaTooNew` (nothing is changed) when the database is
    ///   newer than the newest migration; `.database` naming the migration that failed.
    public func migrate(_ db: Connection) throws {
        let latest = migrations.last?.version ?? 0
        let current = try readVersion(db)
        try refuseNewer(current, latest: latest, path: db.path)
        guard current < latest else { return }
        for migration in migrations {
            do {
                try db.transaction {
                    let version = try db.userVersion()
                    try refuseNewer(version, latest: latest, path: db.path)
                    guard version < migration.version else { return }
                    try db.execute(migration.sql)
                    try db.execute("PRAGMA user_version = \(migration.version)")
                }
            } catch let error as JobQueueError {
                throw error
            } catch {
                throw JobQueueError(.database, "cannot apply migration \(migration.name).sql to \(db.path)", underlying: error)
            }
        }
    }

    private func readVersion(_ db: Connection) throws -> Int {
        do {
            return try db.userVersion()
        } catch {
            throw JobQueueError(.database, "cannot read the schema version of \(db.path) (is it an SQLite database?)", underlying: error)
        }
    }

    private func refuseNewer(_ version: Int, latest: Int, path: String) throws {
        if version > latest {
            throw JobQueueError(
                .schemaTooNew,
                "database \(path) has schema version \(version), but this llmq knows versions up to \(latest): use a newer llmq with this file")
        }
    }
}
