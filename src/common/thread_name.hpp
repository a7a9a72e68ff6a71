// Names the calling thread (at most 15 characters on Linux), so that `top -H`, perf and
// /proc/PID/task/*/comm tell the node's miner and I/O threads apart.
#pragma once

#include <pthread.h>

#include <string>

namespace polyvm {

inline void name_this_thread(std::string name) {
    if (name.size() > 15) name.resize(15);
    pthread_setname_np(pthread_self(), name.c_str());
}

}  // namespace polyvm
