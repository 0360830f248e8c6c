#ifndef LLMQ_CSQLITE_SHIM_H
#define LLMQ_CSQLITE_SHIM_H
#include <sqlite3.h>

/// Turns off SQLite's memory statistics (a global mutex taken on every allocation),
/// which llmq never reads. sqlite3_config is variadic, so Swift calls it through here;
/// it only works before SQLite is initialized (the first open).
static inline int llmq_sqlite3_disable_memstatus(void) {
    return sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

/// Lets this connection's C API load extensions (sqlite3_load_extension) while the SQL
/// function load_extension() stays off. sqlite3_db_config is variadic, hence this shim.
static inline int llmq_sqlite3_enable_c_load_extension(sqlite3 *db) {
    return sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_LOAD_EXTENSION, 1, (int *)0);
}
#endif
