#pragma once
// The image model: the in-memory twin of manifest.json (docs/image-format.md).
// Dump fills it, and it is written and read in one place only
// (image/manifest.hpp); every part of it belongs to the folder of its kind
// of kernel object.
#include "files/kept_file.hpp"
#include "inet_sockets/inet_socket_state.hpp"
#include "memory/vdso_layout.hpp"
#include "pipes/pipe_state.hpp"
#include "process/process_state.hpp"
#include "sockets/socket_state.hpp"

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace stasis {

struct CpuState {
    std::uint64_t xcr0 = 0;
    std::uint64_t xsave_size = 0;
    // process/cpu_features.hpp; unset in an image that did not record them
    std::optional<std::vector<std::string>> features;
};

struct Checkpoint {
    std::string host, kernel, time;
    std::string job;  // DumpOptions::job; "" when none was given
    CpuState cpu;
    std::optional<VdsoLayout> vdso;  // unset in an image that did not record it
    pid_t root_pid = 0;
    std::vector<std::string> data_files;
    std::vector<ProcessState> processes;  // parents before children; processes.front() is the root
    std::vector<PipeState> pipes;
    std::vector<UnixSocketState> unix_sockets;  // sockets/socket_state.hpp
    std::vector<InetSocketState> inet_sockets;  // inet_sockets/inet_socket_state.hpp
    std::vector<KeptFile> kept_output;  // --keep-output (files/kept_output.hpp)
    std::vector<UnnamedFile> unnamed_files;  // deleted files, memfds (unnamed_files/)
};

}  // namespace stasis
