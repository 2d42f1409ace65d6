# Finds libcsv (no pkg-config file, no CMake package) and makes the imported
# target poolscreen::libcsv. Used by the build and by the installed
# poolscreenConfig.cmake, so both name the dependency the same way.
if(NOT TARGET poolscreen::libcsv)
  find_path(POOLSCREEN_CSV_INCLUDE_DIR csv.h)
  find_library(POOLSCREEN_CSV_LIBRARY NAMES csv)
  if(NOT POOLSCREEN_CSV_INCLUDE_DIR OR NOT POOLSCREEN_CSV_LIBRARY)
    message(FATAL_ERROR "libcsv not found (Debian: apt-get install libcsv-dev)")
  endif()
  add_library(poolscreen::libcsv UNKNOWN IMPORTED)
  set_target_properties(poolscreen::libcsv PROPERTIES
    IMPORTED_LOCATION "${POOLSCREEN_CSV_LIBRARY}"
    INTERFACE_INCLUDE_DIRECTORIES "${POOLSCREEN_CSV_INCLUDE_DIR}")
endif()
