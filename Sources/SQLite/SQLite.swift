/// Placeholder; the SQLite wrapper lands with issue 2.
public enum SQLiteModule {}
