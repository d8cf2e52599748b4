# shellcheck shell=bash
# site_setup.sh: what the scheduler tests (tests/slurm, tests/pbs) share to
# put stasis on a test host: the build installed under a prefix, and a site
# config of the test's own. Needs fail() from the sourcing lib.

# install_build BUILD PREFIX LOG: cmake --install BUILD under PREFIX.
install_build() {
    cmake --install "$1" --prefix "$2" >"$3" 2>&1 || fail "cmake --install $1 failed: $(tail -n 3 "$3")"
}

# write_site_config FILE DEFAULTS [KEY=VALUE...] [-- REST...]: FILE gets the
# settings of the associative array named DEFAULTS, each KEY=VALUE replacing
# or adding one; what follows `--` is left in SITE_REST for the caller.
write_site_config() {
    local file=$1 key
    local -n defaults=$2
    local -A keys=()
    shift 2
    for key in "${!defaults[@]}"; do
        keys[$key]=${defaults[$key]}
    done
    SITE_REST=()
    while (($#)); do
        if [[ $1 == -- ]]; then
            shift
            # shellcheck disable=SC2034 # read by the caller
            SITE_REST=("$@")
            break
        fi
        keys[${1%%=*}]=${1#*=}
        shift
    done
    for key in "${!keys[@]}"; do
        echo "$key: ${keys[$key]}"
    done >"$file"
}
