#!/bin/sh
# deps.sh: install the Debian packages exportctl needs to build, test and run.
# As root it installs what is missing (apt-get update first); otherwise it
# prints the exact apt-get line to run and fails.
set -eu

PACKAGES="gcc libc6-dev make cmake ninja-build pkg-config iso-codes \
libsqlite3-dev libjansson-dev libsodium-dev libssl-dev libcmocka-dev libcsv-dev libicu-dev libxml2-dev libmicrohttpd-dev libcurl4-openssl-dev"

missing=""
for p in $PACKAGES; do
    status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
    case "$status" in
        *"install ok installed"*) ;;
        *) missing="$missing $p" ;;
    esac
done

[ -z "$missing" ] && exit 0

if [ "$(id -u)" != 0 ]; then
    echo "exportctl needs these Debian packages:$missing" >&2
    echo "run as root:  apt-get update && apt-get install -y --no-install-recommends$missing" >&2
    exit 1
fi

echo "installing Debian packages:$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing
