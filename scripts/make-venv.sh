#!/usr/bin/env bash
# Create the project's virtual environment. Debian's python3 ships without ensurepip unless
# python3-venv is installed; as root on Debian or Ubuntu we install it, elsewhere we say so.
set -euo pipefail
python="$1"
venv="$2"
if [ -x "$venv/bin/python" ]; then
    exit 0
fi
if "$python" -m venv "$venv" 2>/dev/null; then
    exit 0
fi
rm -rf "$venv"
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "setup: python venv support missing; installing python3-venv with apt-get" >&2
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >&2
    "$python" -m venv "$venv"
    exit 0
fi
echo "setup: '$python -m venv' failed. Install your system's venv support (Debian/Ubuntu: sudo apt-get install python3-venv) and run make again." >&2
exit 1
