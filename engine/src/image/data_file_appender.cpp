#include "image/data_file_appender.hpp"

#include "core/error.hpp"

#include <spdlog/spdlog.h>

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <new>

namespace stasis::image {

namespace {

// What direct writes must be aligned to, in memory, offset and length, on
// the file systems checkpoints go to (4 KiB sectors, Lustre's pages).
constexpr std::size_t block = 4096;

static_assert(DataFileAppender::max_reserve % block == 0);

}  // namespace

DataFileAppender::DataFileAppender(std::filesystem::path path, std::size_t gather_size)
    : path_(std::move(path)),
      gather_size_(std::max(block, gather_size - gather_size % block)),
      capacity_(gather_size_ + max_reserve + block)
{
    fd_ = UniqueFd(::open(path_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
    if (!fd_.valid()) {
        const int err = errno;
        throw sys_error("creating " + path_.string(), err);
    }
    // Set after creating: an open with O_DIRECT that the file system
    // refuses has already created the file.
    const int flags = ::fcntl(fd_.get(), F_GETFL);
    direct_ = flags >= 0 && ::fcntl(fd_.get(), F_SETFL, flags | O_DIRECT) == 0;
    if (!direct_) {
        spdlog::debug("{}: written through the page cache (the file system takes no direct writes)", path_.string());
    }
    void* map = ::mmap(nullptr, capacity_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (map == MAP_FAILED) {
        throw std::bad_alloc();
    }
    buffer_ = std::unique_ptr<std::byte[], Unmap>(static_cast<std::byte*>(map), Unmap{capacity_});
}

void DataFileAppender::Unmap::operator()(std::byte* p) const
{
    ::munmap(p, size);
}

std::span<std::byte> DataFileAppender::reserve(std::size_t n)
{
    if (n > max_reserve) {
        throw Error("DataFileAppender: " + std::to_string(n) + " bytes reserved at once, more than " +
                    std::to_string(max_reserve));
    }
    if (gathered_ + n > capacity_) {
        write_full_blocks();
    }
    return {buffer_.get() + gathered_, n};
}

void DataFileAppender::commit(std::size_t n)
{
    gathered_ += n;
    if (gathered_ >= gather_size_) {
        write_full_blocks();
    }
}

void DataFileAppender::append(std::span<const std::byte> data)
{
    while (!data.empty()) {
        const std::size_t n = std::min(data.size(), max_reserve);
        std::memcpy(reserve(n).data(), data.data(), n);
        commit(n);
        data = data.subspan(n);
    }
}

void DataFileAppender::finish()
{
    write_full_blocks();
    if (gathered_ > 0) {
        // The tail is no whole block: it goes through the page cache.
        if (direct_ && !to_page_cache()) {
            throw sys_error("cannot write " + path_.string());
        }
        write_out(gathered_);
        gathered_ = 0;
    }
    fd_.reset();
}

bool DataFileAppender::to_page_cache()
{
    direct_ = false;
    const int flags = ::fcntl(fd_.get(), F_GETFL);
    return flags >= 0 && ::fcntl(fd_.get(), F_SETFL, flags & ~O_DIRECT) == 0;
}

void DataFileAppender::write_full_blocks()
{
    const std::size_t n = gathered_ - gathered_ % block;
    if (n == 0) {
        return;
    }
    write_out(n);
    std::memmove(buffer_.get(), buffer_.get() + n, gathered_ - n);
    gathered_ -= n;
}

double DataFileAppender::direct_write_speed() const
{
    const double seconds = direct_write_time_.count();
    return direct_ && seconds > 0 ? static_cast<double>(written_) / seconds : 0;
}

void DataFileAppender::write_out(std::size_t n)
{
    const auto start = std::chrono::steady_clock::now();
    std::size_t done = 0;
    while (done < n) {
        const ssize_t rc = ::pwrite(fd_.get(), buffer_.get() + done, n - done, static_cast<off_t>(written_ + done));
        const int err = rc < 0 ? errno : ENOSPC;
        if (rc < 0 && err == EINTR) {
            continue;
        }
        if (rc < 0 && err == EINVAL && direct_) {
            // An alignment this file system does not take, or a short write
            // before: the rest goes through the page cache.
            spdlog::debug("{}: written through the page cache from byte {} on (a direct write was refused)",
                          path_.string(), written_ + done);
            if (to_page_cache()) {
                continue;
            }
        }
        if (rc <= 0) {
            throw sys_error("cannot write " + path_.string(), err);
        }
        done += static_cast<std::size_t>(rc);
    }
    written_ += n;
    direct_write_time_ += std::chrono::steady_clock::now() - start;
}

}  // namespace stasis::image
