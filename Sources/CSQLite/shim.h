#ifndef LLMQ_CSQLITE_SHIM_H
#define LLMQ_CSQLITE_SHIM_H
#include <sqlite3.h>
#endif
