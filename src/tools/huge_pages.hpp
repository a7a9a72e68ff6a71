#pragma once
// Transparent huge pages for the polyvm program's heap, asked for by the commands that build
// large states (a block's execution, change set and root touch tens of megabytes of fresh
// memory, and on 4 KiB pages each first touch is a fault that costs microseconds under
// virtualisation) and by the interpreter's benchmark (main.cpp lists them). The
// single-transaction tools keep 4 KiB pages: with huge pages every arena's first touch makes
// 2 MiB resident, which doubles their footprint.

namespace polyvm::tools {

// Marks every jemalloc arena's future mappings MADV_HUGEPAGE, and the heap's mappings of 2 MiB
// and more that exist already. Returns false where the program does not run on jemalloc, where
// MALLOC_CONF says thp:never (or jemalloc already does it, with thp:always), or where jemalloc
// refuses; the heap then stays as it is.
bool use_transparent_huge_pages() noexcept;

}  // namespace polyvm::tools
