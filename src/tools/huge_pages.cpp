#include "tools/huge_pages.hpp"

#ifdef POLYVM_JEMALLOC_OPTIONS
#include <jemalloc/jemalloc.h>
#include <sys/mman.h>

#include <cstdio>
#include <cstring>
#include <string>

// jemalloc reads its options from this symbol (MALLOC_CONF in the environment still overrides
// them). Without it, requests of 8 MiB and more go to a dedicated arena that jemalloc creates on
// first use and whose hooks cannot be set beforehand, and a block's large vectors and change set
// would stay on 4 KiB pages.
extern "C" {
const char* malloc_conf = "oversize_threshold:0";
}

namespace polyvm::tools {
namespace {

// jemalloc's own hooks, which every hook below forwards to; only `alloc` adds something.
extent_hooks_t* default_hooks = nullptr;

void* alloc_huge(extent_hooks_t*, void* address, size_t size, size_t alignment, bool* zero, bool* commit,
                 unsigned arena) {
    // A huge page needs 2 MiB of the mapping on a 2 MiB boundary: align the large mappings.
    constexpr size_t kHugePage = size_t{2} << 20;
    if (!address && size >= kHugePage && alignment < kHugePage) alignment = kHugePage;
    void* memory = default_hooks->alloc(default_hooks, address, size, alignment, zero, commit, arena);
    // Advice only: where the kernel declines, the pages stay 4 KiB and nothing else changes.
    if (memory) madvise(memory, size, MADV_HUGEPAGE);
    return memory;
}
bool dalloc(extent_hooks_t*, void* address, size_t size, bool committed, unsigned arena) {
    return default_hooks->dalloc(default_hooks, address, size, committed, arena);
}
void destroy(extent_hooks_t*, void* address, size_t size, bool committed, unsigned arena) {
    default_hooks->destroy(default_hooks, address, size, committed, arena);
}
bool commit(extent_hooks_t*, void* address, size_t size, size_t offset, size_t length, unsigned arena) {
    return default_hooks->commit(default_hooks, address, size, offset, length, arena);
}
bool decommit(extent_hooks_t*, void* address, size_t size, size_t offset, size_t length, unsigned arena) {
    return default_hooks->decommit(default_hooks, address, size, offset, length, arena);
}
bool purge_lazy(extent_hooks_t*, void* address, size_t size, size_t offset, size_t length, unsigned arena) {
    return default_hooks->purge_lazy(default_hooks, address, size, offset, length, arena);
}
bool purge_forced(extent_hooks_t*, void* address, size_t size, size_t offset, size_t length, unsigned arena) {
    return default_hooks->purge_forced(default_hooks, address, size, offset, length, arena);
}
bool split(extent_hooks_t*, void* address, size_t size, size_t first, size_t second, bool committed,
           unsigned arena) {
    return default_hooks->split(default_hooks, address, size, first, second, committed, arena);
}
bool merge(extent_hooks_t*, void* first, size_t first_size, void* second, size_t second_size, bool committed,
           unsigned arena) {
    return default_hooks->merge(default_hooks, first, first_size, second, second_size, committed, arena);
}

// A hook jemalloc does not have (null) means "cannot" to it: keep each null as null.
extent_hooks_t huge_hooks;

/// The anonymous read-write mappings that exist now (jemalloc's first extents, mapped before the
/// hooks, which a small heap never outgrows) get the same advice.
void advise_existing_heap() noexcept {
    std::FILE* maps = std::fopen("/proc/self/maps", "r");
    if (!maps) return;
    char line[512];
    while (std::fgets(line, sizeof(line), maps)) {
        unsigned long begin = 0, end = 0;
        char permissions[8] = {};
        unsigned long offset = 0, inode = 0;
        char device[16] = {};
        int path_at = 0;
        if (std::sscanf(line, "%lx-%lx %7s %lx %15s %lu %n", &begin, &end, permissions, &offset, device, &inode, &path_at) < 6)
            continue;
        const bool anonymous = inode == 0 && (path_at == 0 || line[path_at] == '\0' || line[path_at] == '\n');
        if (anonymous && std::strncmp(permissions, "rw-p", 4) == 0 && end - begin >= (size_t{2} << 20))
            madvise(reinterpret_cast<void*>(begin), end - begin, MADV_HUGEPAGE);
    }
    std::fclose(maps);
}

}  // namespace

bool use_transparent_huge_pages() noexcept {
    const char* mode = nullptr;
    size_t length = sizeof(mode);
    if (mallctl("opt.thp", &mode, &length, nullptr, 0) != 0 || !mode || std::strcmp(mode, "default") != 0)
        return false;
    length = sizeof(default_hooks);
    if (mallctl("arena.0.extent_hooks", &default_hooks, &length, nullptr, 0) != 0 || !default_hooks) return false;
    huge_hooks = extent_hooks_t{alloc_huge,
                                default_hooks->dalloc ? dalloc : nullptr,
                                default_hooks->destroy ? destroy : nullptr,
                                default_hooks->commit ? commit : nullptr,
                                default_hooks->decommit ? decommit : nullptr,
                                default_hooks->purge_lazy ? purge_lazy : nullptr,
                                default_hooks->purge_forced ? purge_forced : nullptr,
                                default_hooks->split ? split : nullptr,
                                default_hooks->merge ? merge : nullptr};
    unsigned arenas = 0;
    length = sizeof(arenas);
    if (mallctl("arenas.narenas", &arenas, &length, nullptr, 0) != 0) return false;
    extent_hooks_t* hooks = &huge_hooks;
    bool all = true;
    // Setting an arena's hooks also creates it where no thread has used it yet.
    for (unsigned i = 0; i < arenas; ++i) {
        const std::string name = "arena." + std::to_string(i) + ".extent_hooks";
        if (mallctl(name.c_str(), nullptr, nullptr, &hooks, sizeof(hooks)) != 0) all = false;
    }
    advise_existing_heap();
    return all;
}

}  // namespace polyvm::tools

#else

namespace polyvm::tools {
bool use_transparent_huge_pages() noexcept { return false; }
}  // namespace polyvm::tools

#endif
