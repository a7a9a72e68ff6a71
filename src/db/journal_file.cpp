#include "db/journal_file.hpp"

#include "state/database.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace polyvm {

namespace {

constexpr uint8_t kMagic[4] = {'P', 'V', 'J', '1'};
constexpr size_t kHeaderSize = 4 + 4 + 8 + 8;

[[noreturn]] void fail(const std::string& what, const std::filesystem::path& path) {
    throw DatabaseError("journal " + path.string() + ": " + what + ": " + std::strerror(errno));
}

void store_le(uint8_t* out, uint64_t value, size_t size) {
    for (size_t i = 0; i < size; ++i) out[i] = static_cast<uint8_t>(value >> (8 * i));
}

uint64_t load_le(const uint8_t* in, size_t size) {
    uint64_t value = 0;
    for (size_t i = 0; i < size; ++i) value |= uint64_t{in[i]} << (8 * i);
    return value;
}

/// Not cryptographic: it tells a frame written whole from a torn, zeroed or stale one, at a
/// fraction of a nanosecond per byte (keccak would cost microseconds per block).
uint64_t frame_checksum(uint32_t length, uint64_t sequence, bytes_view payload) {
    constexpr uint64_t kMultiplier = 0x9E3779B97F4A7C15ull;
    uint64_t h = 0x50564A31ull ^ (uint64_t{length} << 32);
    const auto mix = [&](uint64_t word) {
        h = (h ^ word) * kMultiplier;
        h ^= h >> 29;
    };
    mix(sequence);
    size_t i = 0;
    for (; i + 8 <= payload.size(); i += 8) {
        uint64_t word;
        std::memcpy(&word, payload.data() + i, 8);
        mix(word);
    }
    uint64_t tail = 0;
    std::memcpy(&tail, payload.data() + i, payload.size() - i);
    mix(tail);
    mix(h);
    return h;
}

}  // namespace

JournalFile::JournalFile(const std::filesystem::path& path) : path_(path) {
    fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd_ < 0) fail("cannot open", path_);
    struct stat st {};
    if (::fstat(fd_, &st) != 0) {
        ::close(fd_);
        fail("cannot stat", path_);
    }
    size_ = static_cast<uint64_t>(st.st_size);
}

JournalFile::~JournalFile() {
    if (fd_ >= 0) ::close(fd_);
}

std::vector<JournalFile::Frame> JournalFile::read() {
    bytes content(size_);
    for (size_t done = 0; done < content.size();) {
        const ssize_t n = ::pread(fd_, content.data() + done, content.size() - done, static_cast<off_t>(done));
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) fail("cannot read", path_);
        if (n == 0) {
            content.resize(done);
            break;
        }
        done += static_cast<size_t>(n);
    }
    std::vector<Frame> frames;
    size_t offset = 0;
    while (content.size() - offset >= kHeaderSize) {
        const uint8_t* header = content.data() + offset;
        if (std::memcmp(header, kMagic, 4) != 0) break;
        const uint32_t length = static_cast<uint32_t>(load_le(header + 4, 4));
        const uint64_t sequence = load_le(header + 8, 8);
        if (content.size() - offset - kHeaderSize < length) break;  // cut short
        const bytes_view payload(header + kHeaderSize, length);
        if (load_le(header + 16, 8) != frame_checksum(length, sequence, payload)) break;
        frames.push_back(Frame{sequence, bytes(payload.begin(), payload.end())});
        offset += kHeaderSize + length;
    }
    if (offset != size_) {
        if (::ftruncate(fd_, static_cast<off_t>(offset)) != 0) fail("cannot cut off the damaged tail", path_);
        size_ = offset;
    }
    return frames;
}

void JournalFile::add(uint64_t sequence, bytes_view payload) {
    if (payload.size() > UINT32_MAX) throw DatabaseError("journal entry of " + std::to_string(payload.size()) + " bytes is over 4 GiB");
    const size_t at = pending_.size();
    pending_.resize(at + kHeaderSize + payload.size());
    uint8_t* header = pending_.data() + at;
    const uint32_t length = static_cast<uint32_t>(payload.size());
    std::memcpy(header, kMagic, 4);
    store_le(header + 4, length, 4);
    store_le(header + 8, sequence, 8);
    store_le(header + 16, frame_checksum(length, sequence, payload), 8);
    if (!payload.empty()) std::memcpy(header + kHeaderSize, payload.data(), payload.size());
}

void JournalFile::write_pending(bool flush_now) {
    if (pending_.empty()) return;
    size_t done = 0;
    while (done < pending_.size()) {
        const ssize_t n = ::pwrite(fd_, pending_.data() + done, pending_.size() - done, static_cast<off_t>(size_ + done));
        if (n < 0 && errno == EINTR) continue;
        if (n == 0) errno = ENOSPC;
        if (n <= 0) break;
        done += static_cast<size_t>(n);
    }
    if (done == pending_.size() && (!flush_now || ::fdatasync(fd_) == 0)) {
        size_ += done;
        pending_.clear();
        return;
    }
    const int error = errno;
    pending_.clear();
    (void)!::ftruncate(fd_, static_cast<off_t>(size_));  // the frames that made it are not whole: gone
    errno = error;
    fail("cannot write", path_);
}

void JournalFile::flush() {
    if (::fdatasync(fd_) != 0) fail("cannot flush", path_);
}

void JournalFile::clear() {
    if (size_ == 0) return;
    if (::ftruncate(fd_, 0) != 0) fail("cannot empty", path_);
    size_ = 0;
}

}  // namespace polyvm
