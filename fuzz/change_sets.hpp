// Comparing change sets in the fuzz targets (accounts in full, codes by hash: the code behind a
// hash is the same by construction).
#pragma once

#include "state/database.hpp"

inline bool same_change_set(const polyvm::ChangeSet& a, const polyvm::ChangeSet& b) {
    if (a.accounts != b.accounts || a.codes.size() != b.codes.size()) return false;
    for (size_t i = 0; i < a.codes.size(); ++i)
        if (a.codes[i].first != b.codes[i].first) return false;
    return true;
}
