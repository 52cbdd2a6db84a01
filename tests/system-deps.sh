#!/usr/bin/env bash
# Installs the Debian packages the test suite drives (headless Chromium and its driver).
set -u
if command -v chromium >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" != "0" ]; then
  echo "chromium is not installed and this is not root: browser tests will be skipped" >&2
  exit 0
fi
echo "installing chromium from Debian's packages..." >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null && apt-get install -y -qq chromium chromium-driver fonts-noto-cjk >/dev/null \
  || { echo "could not install chromium" >&2; [ "${CI:-}" = "true" ] && exit 1; exit 0; }
