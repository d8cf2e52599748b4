# What `cmake --install` puts beside the command and the plugin, and the
# Debian package `cpack -G DEB` makes of it (README, "Install").
include(GNUInstallDirs)

# The docs keep the source tree's layout, so README's links into docs/ and
# the docs' links to each other still lead somewhere once installed.
install(FILES README.md DESTINATION ${CMAKE_INSTALL_DOCDIR})
# Debian's form of LICENSE's notice, which dpkg-based tools look for.
install(FILES cmake/deb/copyright DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(DIRECTORY docs/ DESTINATION ${CMAKE_INSTALL_DOCDIR}/docs FILES_MATCHING PATTERN "*.md")
install(FILES deploy/plugstack.conf.example DESTINATION ${CMAKE_INSTALL_DOCDIR}/examples)

# The site config goes where plugstack.conf.example and the PBS hooks look
# for it, as a conffile: every key in it is a default, so it changes
# nothing until edited, and dpkg keeps an admin's edits on upgrade and
# removal (until purge). Only the package installs it: `cmake --install`
# would overwrite those edits each time. The FULL path, because
# GNUInstallDirs only maps the prefix /usr to /etc there.
install(FILES config/stasis.yaml DESTINATION ${CMAKE_INSTALL_FULL_SYSCONFDIR}/stasis
        COMPONENT site_config EXCLUDE_FROM_ALL)
set(STASIS_DEB_CONFFILES ${PROJECT_BINARY_DIR}/deb/conffiles)
file(WRITE ${STASIS_DEB_CONFFILES} "${CMAKE_INSTALL_FULL_SYSCONFDIR}/stasis/stasis.yaml\n")

# Every file of pbs_hooks/, scripts staying executable, but not the
# bytecode a run of the hooks' unit tests leaves there: install.sh imports
# the hooks' source into PBS, and Python compiles what it runs itself.
install(DIRECTORY pbs_hooks/ DESTINATION ${CMAKE_INSTALL_DATADIR}/stasis/pbs_hooks USE_SOURCE_PERMISSIONS
        PATTERN __pycache__ EXCLUDE)

# The plugin is only loaded by the Slurm release it was built against
# (same major.minor), but the package must also install on a PBS-only host:
# that Slurm is recommended, not required.
file(STRINGS ${SLURM_INCLUDE_DIR}/slurm/slurm_version.h STASIS_SLURM_VERSION_LINE
     REGEX "^#define SLURM_VERSION_NUMBER ")
string(REGEX MATCH "0x[0-9a-fA-F]+" STASIS_SLURM_VERSION "${STASIS_SLURM_VERSION_LINE}")
math(EXPR STASIS_SLURM_MAJOR "${STASIS_SLURM_VERSION} >> 16")
math(EXPR STASIS_SLURM_MINOR "(${STASIS_SLURM_VERSION} >> 8) & 0xff")
math(EXPR STASIS_SLURM_NEXT_MINOR "${STASIS_SLURM_MINOR} + 1")
# Slurm writes its releases 22.05, 23.02: two-digit minors.
if(STASIS_SLURM_MINOR LESS 10)
  set(STASIS_SLURM_MINOR 0${STASIS_SLURM_MINOR})
endif()
if(STASIS_SLURM_NEXT_MINOR LESS 10)
  set(STASIS_SLURM_NEXT_MINOR 0${STASIS_SLURM_NEXT_MINOR})
endif()
set(STASIS_SLURM_RELEASE ${STASIS_SLURM_MAJOR}.${STASIS_SLURM_MINOR})

set(CPACK_PACKAGE_NAME stasis)
set(CPACK_PACKAGE_VENDOR "the stasis authors")
set(CPACK_PACKAGE_CONTACT "stasis maintainers <maintainers@users.noreply.r-seed-02415762.example>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "transparent checkpoint/restart for HPC batch jobs")
# CPackDeb puts the summary above this and indents each line as dpkg wants;
# it does not wrap them.
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION
"stasis checkpoints a running Linux process tree to disk and restores it
later, with no kernel module, relinking or LD_PRELOAD. The package holds
the stasis command, the Slurm SPANK plugin stasis.so (built for Slurm ${STASIS_SLURM_RELEASE}),
the PBS hooks, an example site configuration and the documentation.")
set(CPACK_DEBIAN_PACKAGE_SECTION admin)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS
    "slurm-wlm-basic-plugins (>= ${STASIS_SLURM_RELEASE}), slurm-wlm-basic-plugins (<< ${STASIS_SLURM_MAJOR}.${STASIS_SLURM_NEXT_MINOR})")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA ${STASIS_DEB_CONFFILES})
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_STRIP_FILES ON)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
# The plugin carries the path of the `stasis` it execs, and GNUInstallDirs
# picks Debian's Slurm plugin directory, from the prefix the build was
# configured with: a package of another build would be broken. Checked by
# cpack (cmake/check_package_prefix.cmake), not here: builds for tests and
# development install under /usr/local.
set(CPACK_STASIS_INSTALL_PREFIX ${CMAKE_INSTALL_PREFIX})
set(CPACK_INSTALL_CMAKE_PROJECTS
    ${PROJECT_BINARY_DIR} ${PROJECT_NAME} ALL /
    ${PROJECT_BINARY_DIR} ${PROJECT_NAME} site_config /)
set(CPACK_PROJECT_CONFIG_FILE ${CMAKE_CURRENT_LIST_DIR}/check_package_prefix.cmake)
include(CPack)
