# Read by cpack (CPACK_PROJECT_CONFIG_FILE, cmake/packaging.cmake): a
# package is only right if the build was configured for the prefix it
# installs into.
if(NOT CPACK_STASIS_INSTALL_PREFIX STREQUAL CPACK_PACKAGING_INSTALL_PREFIX)
  message(FATAL_ERROR
    "this build was configured with CMAKE_INSTALL_PREFIX=${CPACK_STASIS_INSTALL_PREFIX}, "
    "but the package installs into ${CPACK_PACKAGING_INSTALL_PREFIX}: stasis.so would exec "
    "${CPACK_STASIS_INSTALL_PREFIX}/bin/stasis and sit outside Slurm's plugin directory. "
    "Configure a build for the package with -DCMAKE_INSTALL_PREFIX=${CPACK_PACKAGING_INSTALL_PREFIX}.")
endif()
