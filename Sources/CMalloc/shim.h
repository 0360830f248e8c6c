#ifndef LLMQ_CMALLOC_SHIM_H
#define LLMQ_CMALLOC_SHIM_H
// glibc's malloc tuning (mallopt), which the Glibc module does not export.
#ifdef __linux__
#include <malloc.h>
#endif
#endif
