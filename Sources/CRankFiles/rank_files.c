#include "CRankFiles.h"

// Bounds of the files assembled by rank_files.S.
extern const unsigned char llmq_cl100k_base_start[];
extern const unsigned char llmq_cl100k_base_end[];
extern const unsigned char llmq_o200k_base_start[];
extern const unsigned char llmq_o200k_base_end[];

const unsigned char *llmq_rank_file_cl100k_base(size_t *length) {
    *length = (size_t)(llmq_cl100k_base_end - llmq_cl100k_base_start);
    return llmq_cl100k_base_start;
}

const unsigned char *llmq_rank_file_o200k_base(size_t *length) {
    *length = (size_t)(llmq_o200k_base_end - llmq_o200k_base_start);
    return llmq_o200k_base_start;
}
