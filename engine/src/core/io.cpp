#include "core/io.hpp"

#include "core/error.hpp"

#include <unistd.h>

#include <cerrno>

namespace stasis {

namespace {

// Runs one transfer step until it is not interrupted; returns its result.
template <typename Step>
ssize_t retrying(Step step)
{
    ssize_t n = 0;
    do {
        n = step();
    } while (n < 0 && errno == EINTR);
    return n;
}

}  // namespace

std::size_t pread_full(int fd, std::span<std::byte> out, std::uint64_t offset, const std::string& what)
{
    std::size_t done = 0;
    while (done < out.size()) {
        ssize_t n = retrying([&] {
            return ::pread(fd, out.data() + done, out.size() - done, static_cast<off_t>(offset + done));
        });
        if (n < 0) {
            throw sys_error("cannot read " + what);
        }
        if (n == 0) {
            break;
        }
        done += static_cast<std::size_t>(n);
    }
    return done;
}

void pwrite_all(int fd, std::span<const std::byte> data, std::uint64_t offset, const std::string& what)
{
    std::size_t done = 0;
    while (done < data.size()) {
        ssize_t n = retrying([&] {
            return ::pwrite(fd, data.data() + done, data.size() - done, static_cast<off_t>(offset + done));
        });
        if (n < 0) {
            throw sys_error("cannot write " + what);
        }
        done += static_cast<std::size_t>(n);
    }
}

void write_all(int fd, std::span<const std::byte> data, const std::string& what)
{
    std::size_t done = 0;
    while (done < data.size()) {
        ssize_t n = retrying([&] { return ::write(fd, data.data() + done, data.size() - done); });
        if (n < 0) {
            throw sys_error("cannot write " + what);
        }
        done += static_cast<std::size_t>(n);
    }
}

std::string read_to_end(int fd, const std::string& what)
{
    std::string text;
    char buf[65536];
    for (;;) {
        ssize_t n = retrying([&] { return ::read(fd, buf, sizeof buf); });
        if (n < 0) {
            throw sys_error("cannot read " + what);
        }
        if (n == 0) {
            return text;
        }
        text.append(buf, static_cast<std::size_t>(n));
    }
}

}  // namespace stasis
