#!/usr/bin/env bash
# Installs the system packages that some tests use when they are missing: Debian's chromium
# (the real-browser test of the HTML report), a JDK (the JVM reproductions), dash and busybox
# (the POSIX sh capture script), xz, bzip2 and zstd (compressed test archives). Runs before
# `npm test`; only installs as root with apt-get (a CI or fresh machine), never fails the run:
# without them those tests are skipped and say why.
set -u
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
{ command -v java >/dev/null 2>&1 && command -v javac >/dev/null 2>&1; } || need+=(default-jdk-headless)
command -v dash >/dev/null 2>&1 || need+=(dash)
command -v busybox >/dev/null 2>&1 || need+=(busybox)
command -v xz >/dev/null 2>&1 || need+=(xz-utils)
command -v bzip2 >/dev/null 2>&1 || need+=(bzip2)
command -v zstd >/dev/null 2>&1 || need+=(zstd)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != "0" ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "ensure-test-deps: ${need[*]} missing and not root with apt-get; the tests that need them will be skipped" >&2
  exit 0
fi
echo "ensure-test-deps: installing ${need[*]} (Debian packages) for the browser and JVM tests" >&2
export DEBIAN_FRONTEND=noninteractive
{ apt-get update -qq && apt-get install -y -qq --no-install-recommends "${need[@]}"; } >/tmp/mapmortem-apt.log 2>&1 \
  || echo "ensure-test-deps: apt-get failed (see /tmp/mapmortem-apt.log); the tests that need ${need[*]} will be skipped" >&2
exit 0
