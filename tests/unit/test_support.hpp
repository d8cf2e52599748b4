#pragma once
// Helpers more than one unit test needs: a scratch directory, and a forked
// child for what must not touch the test runner's own process state (fd
// table, signal handlers, limits, mounts).
#include <doctest/doctest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <system_error>
#include <vector>

namespace stasis::test {

class TempDir {
public:
    TempDir()
    {
        std::string tmpl = (std::filesystem::temp_directory_path() / "stasis-unit-test-XXXXXX").string();
        REQUIRE(::mkdtemp(tmpl.data()) != nullptr);
        path_ = tmpl;
    }
    ~TempDir()
    {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    // Writes text into the file name in the directory; returns its path.
    std::filesystem::path write(const std::string& name, const std::string& text) const
    {
        auto path = path_ / name;
        std::ofstream(path) << text;
        return path;
    }
    [[nodiscard]] const std::filesystem::path& path() const { return path_; }

private:
    std::filesystem::path path_;
};

// Runs body() in a forked child and returns the child's exit status: what
// body returns, or 1 if it throws. The child never returns into doctest, so
// body must report through its status (or a file the parent reads), not
// through CHECK.
template <class F>
int in_child(F&& body)
{
    const pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        int rc = 1;
        try {
            rc = body();
        } catch (const std::exception& e) {
            std::fprintf(stderr, "child: unexpected exception: %s\n", e.what());
        }
        ::_exit(rc);
    }
    int status = 0;
    REQUIRE(::waitpid(pid, &status, 0) == pid);
    REQUIRE(WIFEXITED(status));
    return WEXITSTATUS(status);
}

// n bytes of noise, the same for the same seed: memory no codec shrinks.
inline std::vector<std::byte> random_bytes(std::size_t n, std::uint64_t seed)
{
    std::mt19937_64 rng(seed);
    std::vector<std::byte> v(n);
    for (auto& b : v) {
        b = static_cast<std::byte>(rng());
    }
    return v;
}

}  // namespace stasis::test
