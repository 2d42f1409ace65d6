#!/bin/sh
# Installs what poolscreen needs to build and test on Debian 12 (apt-get).
# Runs apt-get through sudo when not root. Safe to run again.
set -e
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
PKGS="build-essential cmake pkg-config libhdf5-dev libgsl-dev libcmocka-dev libcsv-dev libinih-dev libjansson-dev man-db groff-base bsdutils libdeflate-dev python3-h5py python3-pandas clang"
# skip the network when everything is there already
if dpkg-query -W -f='${Status}\n' $PKGS 2>/dev/null | grep -qv 'install ok installed' ||
   [ "$(dpkg-query -W -f='${Status}\n' $PKGS 2>/dev/null | wc -l)" -ne "$(echo $PKGS | wc -w)" ]; then
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $PKGS
fi
