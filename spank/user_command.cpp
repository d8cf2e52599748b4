#include "user_command.hpp"

#include "plugin_error.hpp"

#include <stasis/unique_fd.hpp>

#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <thread>

namespace stasis::spank {

namespace {

using Clock = std::chrono::steady_clock;

[[noreturn]] void fail(const std::string& what)
{
    throw PluginError(what + ": " + std::strerror(errno));
}

// fd moved above 0-2, so that putting the child's ends in place cannot
// overwrite one with another, even when slurmstepd runs with its stdio closed.
UniqueFd above_stdio(UniqueFd fd)
{
    if (fd.get() <= STDERR_FILENO) {
        fd.reset(::fcntl(fd.get(), F_DUPFD_CLOEXEC, STDERR_FILENO + 1));
        if (!fd.valid()) {
            fail("cannot duplicate a file descriptor");
        }
    }
    return fd;
}

struct Pipe {
    UniqueFd read_end, write_end;
};

Pipe make_pipe()
{
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) < 0) {
        fail("cannot open a pipe");
    }
    UniqueFd read_end(fds[0]), write_end(fds[1]);
    return {above_stdio(std::move(read_end)), above_stdio(std::move(write_end))};
}

UniqueFd open_dev_null()
{
    UniqueFd fd(::open("/dev/null", O_RDONLY | O_CLOEXEC));
    if (!fd.valid()) {
        fail("cannot open /dev/null");
    }
    return above_stdio(std::move(fd));
}

// Everything the child needs, made before fork: slurmstepd has threads, and
// between fork and exec the child may only make async-signal-safe calls.
struct ChildSetup {
    std::vector<char*> argv;
    std::vector<char*> envp;
    int in = -1, out = -1, err = -1;
    uid_t uid = 0;
    gid_t gid = 0;
};

void say(const char* text)
{
    auto ignored = ::write(STDERR_FILENO, text, std::strlen(text));
    (void)ignored;
}

[[noreturn]] void become_user_and_exec(const ChildSetup& setup)
{
    if (::dup2(setup.in, STDIN_FILENO) < 0 || ::dup2(setup.out, STDOUT_FILENO) < 0 ||
        ::dup2(setup.err, STDERR_FILENO) < 0) {
        ::_exit(127);
    }
    ::close_range(3, ~0U, 0);
    sigset_t none;
    ::sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    if (::chdir("/") < 0 || ::setgroups(0, nullptr) < 0 || ::setgid(setup.gid) < 0 || ::setuid(setup.uid) < 0) {
        say("stasis.so: cannot become the job's user\n");
        ::_exit(127);
    }
    ::execve(setup.argv[0], setup.argv.data(), setup.envp.data());
    say("stasis.so: cannot execute ");
    say(setup.argv[0]);
    say("\n");
    ::_exit(127);
}

// The child until it is reaped: killed and reaped by its pid if it is left
// behind, so slurmstepd keeps no zombie and no stray process.
class Child {
public:
    explicit Child(pid_t pid) : pid_(pid) {}
    Child(const Child&) = delete;
    Child& operator=(const Child&) = delete;
    ~Child()
    {
        if (pid_ > 0) {
            ::kill(pid_, SIGKILL);
            while (::waitpid(pid_, nullptr, 0) < 0 && errno == EINTR) {
            }
        }
    }

    // Its wait status, once it ended before deadline; throws after that.
    int wait_until(Clock::time_point deadline)
    {
        for (;;) {
            int status = 0;
            pid_t got = ::waitpid(pid_, &status, WNOHANG);
            if (got == pid_) {
                pid_ = -1;
                return status;
            }
            if (got < 0 && errno != EINTR) {
                pid_ = -1;  // not a child to wait for (or kill) any more
                fail("cannot wait for it");
            }
            if (Clock::now() >= deadline) {
                throw PluginError("it did not end in time");
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
    }

private:
    pid_t pid_;
};

// Reads out and err until both are closed, into output.
void collect(UniqueFd out, UniqueFd err, CommandOutput& output, Clock::time_point deadline, std::size_t max_output)
{
    pollfd fds[2] = {{out.get(), POLLIN, 0}, {err.get(), POLLIN, 0}};
    std::string* into[2] = {&output.out, &output.err};
    while (fds[0].fd >= 0 || fds[1].fd >= 0) {
        auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now());
        if (left.count() <= 0) {
            throw PluginError("it did not end in time");
        }
        if (::poll(fds, 2, static_cast<int>(left.count())) < 0) {
            if (errno == EINTR) {
                continue;
            }
            fail("cannot wait for its output");
        }
        for (int i = 0; i < 2; ++i) {
            if (fds[i].fd < 0 || fds[i].revents == 0) {
                continue;
            }
            char buffer[16384];
            auto n = ::read(fds[i].fd, buffer, sizeof buffer);
            if (n < 0 && errno != EINTR && errno != EAGAIN) {
                fail("cannot read its output");
            }
            if (n == 0) {
                fds[i].fd = -1;  // poll passes over negative fds
            } else if (n > 0) {
                into[i]->append(buffer, static_cast<std::size_t>(n));
            }
        }
        if (output.out.size() + output.err.size() > max_output) {
            throw PluginError("it wrote more than " + std::to_string(max_output) + " bytes");
        }
    }
}

}  // namespace

CommandOutput run_as_user(const std::vector<std::string>& argv, const JobOwner& owner,
                          std::chrono::milliseconds timeout, std::size_t max_output)
{
    auto deadline = Clock::now() + timeout;
    auto in = open_dev_null();
    auto out = make_pipe();
    auto err = make_pipe();
    ChildSetup setup;
    for (const auto& arg : argv) {
        setup.argv.push_back(const_cast<char*>(arg.c_str()));
    }
    setup.argv.push_back(nullptr);
    std::string path = "PATH=/usr/bin:/bin";
    std::string locale = "LC_ALL=C";
    setup.envp = {path.data(), locale.data(), nullptr};
    setup.in = in.get();
    setup.out = out.write_end.get();
    setup.err = err.write_end.get();
    setup.uid = owner.uid;
    setup.gid = owner.gid;

    pid_t pid = ::fork();
    if (pid < 0) {
        fail("cannot start " + argv.front());
    }
    if (pid == 0) {
        become_user_and_exec(setup);
    }
    Child child(pid);
    in.reset();
    out.write_end.reset();
    err.write_end.reset();
    CommandOutput output;
    try {
        collect(std::move(out.read_end), std::move(err.read_end), output, deadline, max_output);
        output.status = child.wait_until(deadline);
    } catch (const PluginError& e) {
        throw PluginError(argv.front() + " (as uid " + std::to_string(owner.uid) + "): " + e.what());
    }
    return output;
}

}  // namespace stasis::spank
