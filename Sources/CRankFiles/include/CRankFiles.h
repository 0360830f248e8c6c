#ifndef LLMQ_CRANKFILES_H
#define LLMQ_CRANKFILES_H

#include <stddef.h>

/// The rank files llmq ships, assembled into the binary by `rank_files.S` (`.incbin` of
/// `data/*.tiktoken`). Read-only bytes in the binary's data segment; the Tokenizer module
/// checks their SHA-256 before use.

/// The bytes of `cl100k_base.tiktoken`; `*length` receives its size.
const unsigned char *llmq_rank_file_cl100k_base(size_t *length);

/// The bytes of `o200k_base.tiktoken`; `*length` receives its size.
const unsigned char *llmq_rank_file_o200k_base(size_t *length);

#endif
