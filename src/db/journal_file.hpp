// The write-back journal of LmdbDatabase: an append-only file of frames, one per commit not yet
// written to the tables, each numbered and checksummed.
//
// Why a file and not an LMDB table: appending a frame is one write(2) into the OS's cache, while
// a journal table dirtied fresh pages of the memory map (each a page fault that read the file's
// page in, on ext4 a block allocation too) and an LMDB transaction per group: 18% of the
// development node's time per automined transfer on LMDB.
//
// Frame: magic "PVJ1" (4) || payload length (4, LE) || sequence number (8, LE) || checksum (8, LE)
// of the length, the sequence and the payload || payload. A frame cut short (the process died
// in the middle of a write) or damaged (an OS crash after a write that was never flushed) ends
// the journal: read() returns the frames before it and cuts the file there.
#pragma once

#include "common/types.hpp"

#include <cstdint>
#include <filesystem>
#include <vector>

namespace polyvm {

class JournalFile {
public:
    /// Opens `path`, creating it empty when missing. Throws DatabaseError when it cannot.
    explicit JournalFile(const std::filesystem::path& path);
    ~JournalFile();
    JournalFile(const JournalFile&) = delete;
    JournalFile& operator=(const JournalFile&) = delete;

    struct Frame {
        uint64_t sequence = 0;
        bytes payload;
    };
    /// The whole frames from the start of the file, in order; the file is cut after the last
    /// one (a torn or damaged tail is never followed by frames that count).
    std::vector<Frame> read();

    /// Adds a frame to those waiting to be written (in memory: nothing is written yet).
    void add(uint64_t sequence, bytes_view payload);
    bool has_pending() const noexcept { return !pending_.empty(); }
    /// Appends the waiting frames with one write and, when `flush` is true, flushes the file
    /// (fdatasync). On failure (the disk is full) the file is cut back to where it was, the
    /// frames are dropped and DatabaseError is thrown. The waiting buffer keeps its memory.
    void write_pending(bool flush);
    /// Drops the waiting frames.
    void discard_pending() noexcept { pending_.clear(); }
    /// Flushes what was written (fdatasync). Safe beside the other calls of another thread.
    void flush();
    /// Empties the file (after a write-back: the tables hold what its frames held).
    void clear();
    /// The size of the file (its written frames).
    uint64_t size() const noexcept { return size_; }

private:
    std::filesystem::path path_;
    int fd_ = -1;
    uint64_t size_ = 0;
    bytes pending_;
};

}  // namespace polyvm
