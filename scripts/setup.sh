#!/usr/bin/env bash
# One-time setup of a fresh checkout on Debian/Ubuntu: the system packages (Mesa's software OpenGL for
# Dawn/WebGPU, so webgpu runs even without a GPU; Chromium, for the web mode's end-to-end tests; Redis, for the
# scale-out queue tests, started by the tests themselves on 127.0.0.1), then the npm
# dependencies from the lock file.
# Safe to run again: installs only what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(libegl1 libegl-mesa0 libgl1-mesa-dri libgles2 mesa-vulkan-drivers chromium redis-server)

missing=()
if command -v dpkg-query >/dev/null 2>&1; then
  for p in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
fi
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ]; then
    echo "setup: installing ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  elif command -v sudo >/dev/null 2>&1; then
    echo "setup: installing ${missing[*]} (sudo)"
    sudo apt-get update -qq
    sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "setup: warning: ${missing[*]} missing and no root; the webgpu backend will be unavailable" >&2
  fi
fi

npm ci --no-audit --no-fund
