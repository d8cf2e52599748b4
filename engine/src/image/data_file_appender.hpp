#pragma once
// A new data file that is only ever appended to, in large writes past the
// page cache (O_DIRECT) where the file system allows it. An image is
// written once and usually restored on another node: caching it copies
// every byte on the job's cores while the job is frozen, leaves writeback
// to compete with the job once it runs again, and evicts the job's own
// cached files. Measured (docs/engine.md, Commit) the job is frozen for
// less this way, also when it runs on after the checkpoint. Bytes are
// gathered into aligned blocks; where direct writes are refused (tmpfs
// before Linux 6.6, FUSE, an alignment the file system wants larger), the
// file is written through the page cache as any other.
#include <stasis/unique_fd.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>

namespace stasis::image {

class DataFileAppender {
public:
    // Creates path, which must not exist; its bytes are written gather_size
    // bytes at a time (rounded to whole blocks, at least one). Throws
    // sys_error naming it.
    DataFileAppender(std::filesystem::path path, std::size_t gather_size);

    // Room for up to n bytes at the end of the file (n at most
    // max_reserve); commit() then says how many of them hold data.
    std::span<std::byte> reserve(std::size_t n);
    void commit(std::size_t n);
    void append(std::span<const std::byte> data);

    // Writes what is still gathered and closes the file. The data is not
    // synced (GenerationWriter::sync). Throws sys_error naming the file.
    void finish();

    // Bytes appended so far: the offset the next byte will have.
    [[nodiscard]] std::uint64_t size() const { return written_ + gathered_; }
    // Whether the whole blocks written so far went past the page cache.
    [[nodiscard]] bool direct() const { return direct_; }
    // Bytes per second of the direct writes so far, as this file's writer
    // saw them (other writers' load on the disk included); 0 before the
    // first one, and once the file goes through the page cache.
    [[nodiscard]] double direct_write_speed() const;

    static constexpr std::size_t max_reserve = (std::size_t{1} << 20) + (std::size_t{8} << 10);

private:
    // The buffer is a mapping of its own: a few MiB per file and
    // checkpoint, which through malloc would raise glibc's mmap threshold
    // and stay behind in a long-running agent's heap.
    struct Unmap {
        std::size_t size;
        void operator()(std::byte* p) const;
    };

    // Clears O_DIRECT; false (errno set) if the file refused.
    bool to_page_cache();
    void write_full_blocks();
    void write_out(std::size_t n);

    std::filesystem::path path_;
    std::size_t gather_size_;
    std::size_t capacity_;
    UniqueFd fd_;
    bool direct_ = false;
    std::unique_ptr<std::byte[], Unmap> buffer_;
    std::size_t gathered_ = 0;   // bytes in buffer_ not yet written
    std::uint64_t written_ = 0;  // bytes in the file
    std::chrono::duration<double> direct_write_time_{0};
};

}  // namespace stasis::image
