#!/bin/sh
# Installs what poolscreen needs to build and test on Debian 12 (apt-get).
# Runs apt-get through sudo when not root. Safe to run again.
set -e
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
PKGS="build-essential cmake pkg-config libhdf5-dev libgsl-dev libcmocka-dev libcsv-dev libinih-dev libjansson-dev man-db groff-base bsdutils libjs-chart.js libopenmpi-dev openmpi-bin libdeflate-dev libisal-dev python3-h5py python3-pandas clang"
# skip the network when everything is there already
if dpkg-query -W -f='${Status}\n' $PKGS 2>/dev/null | grep -qv 'install ok installed' ||
   [ "$(dpkg-query -W -f='${Status}\n' $PKGS 2>/dev/null | wc -l)" -ne "$(echo $PKGS | wc -w)" ]; then
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $PKGS
fi
# The report test renders report.html in a real browser: Debian's chromium,
# with a CJK font for the Chinese names. The suite skips that one test, saying
# so, only when the package cannot be installed.
BROWSER="chromium fonts-noto-cjk"
if ! dpkg-query -W -f='${Status}\n' $BROWSER 2>/dev/null | grep -q 'install ok installed' ||
   [ "$(dpkg-query -W -f='${Status}\n' $BROWSER 2>/dev/null | grep -c 'install ok installed')" -ne 2 ]; then
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $BROWSER ||
    echo "deps.sh: warning: could not install $BROWSER; test_report will be skipped" >&2
fi
