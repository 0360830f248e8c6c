// The shipped rank files, included byte for byte. `.incbin` finds them through the
// target's header search path (Package.swift: `.headerSearchPath("data")`), so no path
// here depends on where the package is checked out.

#if defined(__APPLE__)
#define SYMBOL(name) _##name
    .const
#else
#define SYMBOL(name) name
    .section .rodata
#endif

    .globl SYMBOL(llmq_cl100k_base_start)
    .globl SYMBOL(llmq_cl100k_base_end)
    .p2align 4
SYMBOL(llmq_cl100k_base_start):
    .incbin "cl100k_base.tiktoken"
SYMBOL(llmq_cl100k_base_end):

    .globl SYMBOL(llmq_o200k_base_start)
    .globl SYMBOL(llmq_o200k_base_end)
    .p2align 4
SYMBOL(llmq_o200k_base_start):
    .incbin "o200k_base.tiktoken"
SYMBOL(llmq_o200k_base_end):

#if !defined(__APPLE__)
    // No executable stack for the linked binary.
    .section .note.GNU-stack,"",%progbits
#endif
