#!/bin/sh
# Installs the build into a temporary prefix and builds examples/plan_summary.c
# against it with pkg-config and with find_package (shared and static), runs
# each, and checks the installed man page, library and files.
# Usage: install_test.sh BUILD_DIR SOURCE_DIR LIBDIR VERSION SOVERSION SHARED [CFLAGS]
#   SHARED: the build's BUILD_SHARED_LIBS (1 or 0)
set -eu
build=$1 src=$2 libdir=$3 version=$4 soversion=$5 shared=$6 cflags=${7:-}
tmp=$(mktemp -d /tmp/psc-install-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
prefix=$tmp/prefix
fail() { echo "install_test: $*" >&2; exit 1; }

cmake --install "$build" --prefix "$prefix" >/dev/null
for f in bin/poolscreen include/poolscreen/poolscreen.h include/poolscreen/version.h \
         include/poolscreen/plan.h "$libdir/libpoolscreen.a" "$libdir/libpoolscreen.so" \
         "$libdir/libpoolscreen.so.$soversion" "$libdir/libpoolscreen.so.$version" \
         "$libdir/pkgconfig/poolscreen.pc" "$libdir/cmake/poolscreen/poolscreenConfig.cmake" \
         "$libdir/cmake/poolscreen/poolscreenConfigVersion.cmake" share/man/man1/poolscreen.1 \
         share/doc/poolscreen/LICENSE share/doc/poolscreen/CHANGELOG.md \
         share/doc/poolscreen/examples/plan_summary.c; do
  [ -e "$prefix/$f" ] || fail "not installed: $f"
done
soname=$(readelf -d "$prefix/$libdir/libpoolscreen.so.$version" | sed -n 's/.*SONAME.*\[\(.*\)\]/\1/p')
[ "$soname" = "libpoolscreen.so.$soversion" ] || fail "soname is '$soname'"
# BUILD_SHARED_LIBS: the program links the shared library (and finds it
# from the prefix it was installed to), or has the library inside
if readelf -d "$prefix/bin/poolscreen" | grep -q 'NEEDED.*libpoolscreen'; then linked=1; else linked=0; fi
[ "$linked" = "$shared" ] || fail "BUILD_SHARED_LIBS=$shared but the program links libpoolscreen.so: $linked"
"$prefix/bin/poolscreen" --version | grep -qx "poolscreen $version" || fail "installed --version"
MANWIDTH=100 man -l "$prefix/share/man/man1/poolscreen.1" 2>&1 | grep -q "POOLSCREEN(1)" ||
  fail "man -l does not show the page"

tiny=$src/tests/data/tiny/scenario.ini
check() { # the example's output on the tiny scenario
  out=$("$@" "$tiny") || fail "$1 exited with $?"
  printf '%s\n' "$out" | grep -qx "libpoolscreen $version (headers $version)" || fail "$1: version: $out"
  printf '%s\n' "$out" | grep -qx "tiny: 95 residents in [0-9]* tubes" || fail "$1: residents: $out"
  printf '%s\n' "$out" | grep -q "^street North: complete at minute [0-9]*, deadline [0-9]*: met$" ||
    fail "$1: street: $out"
  printf '%s\n' "$out" | grep -q "^district: complete at minute [0-9]*, deadline 1440: met$" ||
    fail "$1: district: $out"
}

# pkg-config, the shared library
export PKG_CONFIG_PATH="$prefix/$libdir/pkgconfig"
pkg-config --exact-version="$version" poolscreen || fail "pkg-config version"
# shellcheck disable=SC2046,SC2086
cc $cflags "$src/examples/plan_summary.c" $(pkg-config --cflags --libs poolscreen) \
  -o "$tmp/ex_pkgconfig" || fail "pkg-config build"
LD_LIBRARY_PATH="$prefix/$libdir" check "$tmp/ex_pkgconfig"

# find_package: the default poolscreen::poolscreen follows BUILD_SHARED_LIBS
cmake -S "$src/examples" -B "$tmp/b-default" -DCMAKE_PREFIX_PATH="$prefix" \
  -DCMAKE_C_FLAGS="$cflags" >/dev/null || fail "find_package configure (default)"
cmake --build "$tmp/b-default" >/dev/null || fail "find_package build (default)"
check "$tmp/b-default/plan_summary"
if readelf -d "$tmp/b-default/plan_summary" | grep -q 'NEEDED.*libpoolscreen'; then linked=1; else linked=0; fi
[ "$linked" = "$shared" ] || fail "poolscreen::poolscreen does not follow BUILD_SHARED_LIBS=$shared"
# and either one by choice
for static in OFF ON; do
  cmake -S "$src/examples" -B "$tmp/b-$static" -DCMAKE_PREFIX_PATH="$prefix" \
    -DPOOLSCREEN_USE_STATIC_LIBS=$static -DCMAKE_C_FLAGS="$cflags" >/dev/null ||
    fail "find_package configure ($static)"
  cmake --build "$tmp/b-$static" >/dev/null || fail "find_package build ($static)"
  check "$tmp/b-$static/plan_summary"
done
if readelf -d "$tmp/b-ON/plan_summary" | grep -q libpoolscreen; then
  fail "POOLSCREEN_USE_STATIC_LIBS=ON linked the shared library"
fi
echo "install_test: installed, built with pkg-config and find_package, ran: ok"
