#!/usr/bin/env bash
# Installs the Debian packages the test suite drives (headless Chromium and its driver).
# `system-deps.sh fonts`: only the CJK font the pages need (for `make run`).
set -u
if [ "${1:-}" = "fonts" ]; then
  if fc-list :lang=zh 2>/dev/null | grep -q .; then
    exit 0
  fi
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing the CJK font for the pages (fonts-noto-cjk)..." >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-noto-cjk >/dev/null 2>&1 \
      || { apt-get update -qq >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-noto-cjk >/dev/null 2>&1; } \
      || echo "could not install fonts-noto-cjk; Chinese text may show as boxes" >&2
    exit 0
  fi
  echo "no CJK font: Chinese text may show as boxes; install one with: sudo apt-get install fonts-noto-cjk" >&2
  exit 0
fi
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
