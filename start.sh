#!/usr/bin/env bash
# Sets up what Unrolled needs (OpenBLAS; in the course also SQLite's headers: via apt-get when missing), then starts the tutor.
#   bash start.sh               set up, build, and run `swift run tutor`
#   bash start.sh --setup-only  set up only (what CI uses)
set -euo pipefail
cd "$(dirname "$0")"

if ! command -v swift >/dev/null 2>&1; then
  echo "start.sh: Swift is not installed: get a Swift 6 toolchain from swift.org, then run this again." >&2
  exit 1
fi

if ! pkg-config --exists openblas 2>/dev/null; then
  echo "Installing OpenBLAS (libopenblas-dev) and pkg-config with apt-get..."
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq libopenblas-dev pkg-config >/dev/null
fi

# The course (not a student edition) also builds the instructor's gradebook: SQLite's headers.
if grep -q '^let edition = false$' Package.swift && ! pkg-config --exists sqlite3 2>/dev/null; then
  echo "Installing SQLite's headers (libsqlite3-dev, for tutor grade's gradebook) with apt-get..."
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq libsqlite3-dev pkg-config >/dev/null
fi

if [ "${1:-}" = "--setup-only" ]; then exit 0; fi
exec swift run tutor "$@"
