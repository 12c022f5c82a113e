#!/usr/bin/env bash
# Installs the Debian packages voicekit needs (ffmpeg, ...) when they are missing and apt is usable.
# Usage: scripts/install-system-deps.sh PACKAGE...   (Debian package names)
set -euo pipefail
missing=()
for pkg in "$@"; do
  if command -v dpkg-query >/dev/null 2>&1; then
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed" || missing+=("$pkg")
  else
    command -v "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0
if ! command -v apt-get >/dev/null 2>&1; then
  echo "voicekit: please install: ${missing[*]} (no apt-get on this machine)" >&2
  exit 0
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  if sudo -n true 2>/dev/null; then sudo="sudo"; else
    echo "voicekit: please run: sudo apt-get install ${missing[*]}" >&2
    exit 0
  fi
fi
echo "voicekit: installing ${missing[*]} with apt-get" >&2
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
