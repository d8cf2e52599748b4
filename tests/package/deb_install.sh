#!/usr/bin/env bash
# deb_install.sh SOURCE_DIR BUILD_DIR: the Debian package made by
# `cpack -G DEB` (cmake/packaging.cmake) installs the command, the Slurm
# plugin, the PBS hooks, the site config and the docs with `dpkg -i`, and
# `dpkg -r` then `dpkg -P` take every file of it away again.
#
# The package is made from a build of its own in BUILD_DIR/package (or
# STASIS_PACKAGE_BUILD, below): the
# suite's build is configured for /usr/local (the Slurm and PBS tests
# install it there), and a package is only right when built for /usr,
# because the plugin carries the path of the `stasis` it execs. That build
# keeps its objects between runs; the first run compiles the engine again.
#
# Run as root (ctest label "root", serial): it installs into /usr and /etc.
# Skipped (77) as another user, without dpkg or cpack, or when stasis is
# already installed here (a package or files by hand), which it would replace.
set -euo pipefail

SRC=${1:?usage: $0 SOURCE_DIR BUILD_DIR}
BUILD=${2:?usage: $0 SOURCE_DIR BUILD_DIR}
# STASIS_PACKAGE_BUILD: a build configured for /usr already (CI's Release
# build, .ci/run), used as it is instead of BUILD_DIR/package.
PKG_BUILD=${STASIS_PACKAGE_BUILD:-$BUILD/package}
EXIT_SKIP=77

log() { printf '[deb_install %s] %s\n' "$(date +%T)" "$*"; }
fail() {
    echo "FAIL: $*" >&2
    exit 1
}
skip() {
    log "SKIP: $*"
    exit "$EXIT_SKIP"
}

(($(id -u) == 0)) || skip "needs root (dpkg -i)"
for tool in dpkg dpkg-deb dpkg-query cmake cpack; do
    command -v "$tool" >/dev/null || skip "$tool is missing"
done
installed_status() { dpkg-query -W -f='${db:Status-Status}' stasis 2>/dev/null || true; }
# dpkg knows of stasis, installed or with its conffiles left.
known() { [[ ! $(installed_status) =~ ^(not-installed)?$ ]]; }
! known || skip "a stasis package is on this machine ($(installed_status)); not replacing it"

T=$(mktemp -d /tmp/stasis-deb_install.XXXXXX)
PURGE_ON_EXIT=0
cleanup() {
    local rc=$?
    trap - EXIT
    if ((PURGE_ON_EXIT)) && known; then
        dpkg -P stasis >"$T/cleanup-purge.log" 2>&1 || {
            echo "FAIL: dpkg -P stasis at exit: $(tail -n 3 "$T/cleanup-purge.log")" >&2
            rc=1
        }
    fi
    rm -rf "$T"
    exit "$rc"
}
trap cleanup EXIT
trap 'echo "FAIL: interrupted" >&2; exit 1' INT TERM

# --- the package ------------------------------------------------------------
log "building the package in $PKG_BUILD"
if [[ -z ${STASIS_PACKAGE_BUILD:-} ]]; then
    cmake -S "$SRC" -B "$PKG_BUILD" -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX=/usr \
        -DCMAKE_SKIP_INSTALL_ALL_DEPENDENCY=ON >"$T/configure.log" 2>&1 ||
        fail "configuring $PKG_BUILD: $(tail -n 5 "$T/configure.log")"
fi
# Only what the package holds: cpack builds no more with the skip above.
cmake --build "$PKG_BUILD" -j2 --target stasis stasis_spank >"$T/build.log" 2>&1 ||
    fail "building $PKG_BUILD: $(tail -n 10 "$T/build.log")"
rm -f "$PKG_BUILD"/stasis_*.deb
(cd "$PKG_BUILD" && cpack -G DEB) >"$T/cpack.log" 2>&1 ||
    fail "cpack -G DEB: $(tail -n 10 "$T/cpack.log")"
debs=("$PKG_BUILD"/stasis_*_*.deb)
[[ ${#debs[@]} == 1 && -f ${debs[0]} ]] || fail "cpack made no single stasis_*.deb: ${debs[*]}"
DEB=${debs[0]}
log "made $(basename "$DEB")"

field() { dpkg-deb -f "$DEB" "$1"; }
[[ $(field Package) == stasis && $(field Section) == admin ]] ||
    fail "control: Package '$(field Package)', Section '$(field Section)'"
# dpkg-shlibdeps worked: the libraries the command links are named.
[[ $(field Depends) == *libc6* && $(field Depends) == *libzstd* ]] ||
    fail "Depends lacks the shared libraries: '$(field Depends)'"
[[ $(field Depends) != *slurm* ]] || fail "Slurm is a hard dependency: '$(field Depends)'"
[[ $(field Recommends) == *slurm-wlm-basic-plugins* ]] ||
    fail "Recommends does not name Slurm's plugins: '$(field Recommends)'"

# Every path in the package, and which of them were here before it.
dpkg-deb --fsys-tarfile "$DEB" | tar -t | sed -e 's|^\./|/|' -e 's|/$||' | grep -v '^/\?$' >"$T/paths"
: >"$T/before"
while read -r p; do
    if [[ -e $p || -L $p ]]; then
        [[ -d $p && ! -L $p ]] || skip "$p is already here, not from a stasis package; not replacing it"
        echo "$p" >>"$T/before"
    fi
done <"$T/paths"

# --- installed --------------------------------------------------------------
PURGE_ON_EXIT=1
dpkg -i "$DEB" >"$T/install.log" 2>&1 || fail "dpkg -i $(basename "$DEB"): $(tail -n 5 "$T/install.log")"
[[ $(installed_status) == installed ]] || fail "after dpkg -i, stasis is '$(installed_status)'"
log "installed"

/usr/bin/stasis --help >"$T/help" 2>&1 || fail "/usr/bin/stasis --help failed: $(head -n 3 "$T/help")"
grep -q 'restore' "$T/help" || fail "/usr/bin/stasis --help names no restore: $(head -n 3 "$T/help")"
missing_libs=$(ldd /usr/bin/stasis | grep 'not found' || true)
[[ -z $missing_libs ]] || fail "/usr/bin/stasis lacks libraries: $missing_libs"

# The plugin sits in the directory Debian's Slurm loads plugins from, and
# runs the packaged command.
multiarch=$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || gcc -print-multiarch)
plugin=/usr/lib/$multiarch/slurm-wlm/stasis.so
[[ -f $plugin ]] || fail "no $plugin"
if [[ $(dpkg-query -W -f='${db:Status-Status}' slurm-wlm-basic-plugins 2>/dev/null) == installed ]]; then
    dpkg -L slurm-wlm-basic-plugins | grep -x "$(dirname "$plugin")" >/dev/null ||
        fail "$(dirname "$plugin") is not Slurm's plugin directory"
fi
nm -D --defined-only "$plugin" | grep -w slurm_spank_init >/dev/null || fail "$plugin has no slurm_spank_init"
grep -qaF /usr/bin/stasis "$plugin" || fail "$plugin does not exec /usr/bin/stasis"

cmp -s "$SRC/config/stasis.yaml" /etc/stasis/stasis.yaml || fail "/etc/stasis/stasis.yaml is not config/stasis.yaml"
dpkg-query -W -f='${Conffiles}' stasis | grep '^ /etc/stasis/stasis.yaml ' >/dev/null ||
    fail "/etc/stasis/stasis.yaml is not a conffile"
cmp -s "$SRC/deploy/plugstack.conf.example" /usr/share/doc/stasis/examples/plugstack.conf.example ||
    fail "no examples/plugstack.conf.example in /usr/share/doc/stasis"
[[ -f /usr/share/doc/stasis/copyright ]] || fail "no /usr/share/doc/stasis/copyright"
for doc in "$SRC"/README.md "$SRC"/docs/*.md; do
    rel=${doc#"$SRC"/}
    cmp -s "$doc" "/usr/share/doc/stasis/$rel" || fail "/usr/share/doc/stasis/$rel is not $rel"
done

# The PBS hooks: whatever pbs_hooks/ holds, scripts executable as in the
# source, without the bytecode the hooks' unit tests leave there.
hooks=/usr/share/stasis/pbs_hooks
executable() { if [[ -x $1 ]]; then echo executable; else echo "not executable"; fi; }
[[ -f $hooks/install.sh && -x $hooks/install.sh ]] || fail "no executable $hooks/install.sh"
while IFS= read -r -d '' f; do
    rel=${f#"$SRC"/pbs_hooks/}
    cmp -s "$f" "$hooks/$rel" || fail "$hooks/$rel is not pbs_hooks/$rel"
    [[ $(executable "$f") == $(executable "$hooks/$rel") ]] ||
        fail "$hooks/$rel is $(executable "$hooks/$rel"), pbs_hooks/$rel $(executable "$f")"
done < <(find "$SRC/pbs_hooks" -name __pycache__ -prune -o -type f -print0)
[[ ! -e $hooks/__pycache__ ]] || fail "$hooks/__pycache__ is in the package"
log "ok: stasis --help runs; plugin, config (conffile), docs, examples and PBS hooks in place"

# --- removed, then purged ---------------------------------------------------
# left: the package's paths that are here but were not before it.
left() {
    while read -r p; do
        if [[ -e $p || -L $p ]] && ! grep -qxF "$p" "$T/before"; then
            echo "$p"
        fi
    done <"$T/paths"
}
dpkg -r stasis >"$T/remove.log" 2>&1 || fail "dpkg -r stasis: $(tail -n 5 "$T/remove.log")"
[[ $(installed_status) == config-files ]] || fail "after dpkg -r, stasis is '$(installed_status)'"
remaining=$(left | sort | tr '\n' ' ')
[[ $remaining == "/etc/stasis /etc/stasis/stasis.yaml " ]] ||
    fail "after dpkg -r, left: ${remaining:-nothing} (only the conffile /etc/stasis/stasis.yaml should stay)"
log "ok: dpkg -r left only the conffile"

dpkg -P stasis >"$T/purge.log" 2>&1 || fail "dpkg -P stasis: $(tail -n 5 "$T/purge.log")"
! known || fail "after dpkg -P, stasis is '$(installed_status)'"
remaining=$(left | tr '\n' ' ')
[[ -z $remaining ]] || fail "after dpkg -P, left: $remaining"
while read -r p; do
    [[ -d $p ]] || fail "$p, here before the package, is gone"
done <"$T/before"
log "ok: dpkg -P left nothing of the package"
