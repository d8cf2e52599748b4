#!/usr/bin/env bash
# Install what stasis needs to build and test, on Debian 12 (bookworm).
# Only missing packages are installed. As a non-root user it only checks, and
# says what is missing.
set -euo pipefail

PACKAGES=(
    build-essential cmake pkg-config
    # cpack -G DEB: dpkg-shlibdeps names the package's library dependencies,
    # and CPack finds the ELF files to ask it about with file.
    dpkg-dev file
    libspdlog-dev nlohmann-json3-dev libyaml-cpp-dev doctest-dev
    libzstd-dev libxxhash-dev libcli11-dev
    python3
    # A quota for tests/agent/disk_full_real.sh (this kernel's tmpfs has none).
    btrfs-progs
    # The MPI jobs of the tests (mpirun, mpicc; tests/workloads/mpi_steps.c).
    openmpi-bin libopenmpi-dev
    util-linux passwd coreutils procps
    # The one-node test cluster (deploy/slurm-local.sh) and the SPANK
    # plugin's headers. On a machine with systemd the packages enable
    # munge.service (the system munged on /run/munge, left alone: the test
    # cluster runs a munged of its own) and slurmd/slurmctld.service, which do
    # not start without /etc/slurm/slurm.conf.
    slurmctld slurmd slurm-client munge libslurm-dev iproute2
)

missing=()
for p in "${PACKAGES[@]}"; do
    status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
    [[ $status == "install ok installed" ]] || missing+=("$p")
done

if ((${#missing[@]} == 0)); then
    echo "install-deps: all build and test dependencies are present"
    exit 0
fi

if (($(id -u) != 0)); then
    echo "install-deps: missing packages: ${missing[*]}" >&2
    echo "install-deps: run this script as root (sudo $0) to install them" >&2
    exit 1
fi

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
