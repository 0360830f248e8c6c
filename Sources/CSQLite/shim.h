#ifndef LLMQ_CSQLITE_SHIM_H
#define LLMQ_CSQLITE_SHIM_H
#include <sqlite3.h>

/// Turns off SQLite's memory statistics (a global mutex taken on every allocation),
/// which llmq never reads. sqlite3_config is variadic, so Swift calls it through here;
/// it only works before SQLite is initialized (the first open).
static inline int llmq_sqlite3_disable_memstatus(void) {
    return sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}
#endif
