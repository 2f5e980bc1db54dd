#!/usr/bin/env bash
# Create the project's virtual environment. Debian's python3 ships without ensurepip unless
# python3-venv is installed; as root on Debian or Ubuntu we install it (its output in a log),
# elsewhere, or when that fails, we say what to install.
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
    # apt-get's own output goes to a log, not the screen; on failure its last lines say why.
    log="$(mktemp "${TMPDIR:-/tmp}/assistant-setup-venv.XXXXXX")"
    echo "setup: python venv support is missing; installing python3-venv with apt-get; details go to $log" >&2
    if { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv; } >"$log" 2>&1; then
        "$python" -m venv "$venv"
        exit 0
    fi
    last="$(grep -v '^[[:space:]]*$' "$log" | tail -n 6 || true)"
    if [ -n "$last" ]; then
        echo "setup: installing python3-venv with apt-get failed; its last lines:" >&2
        printf '%s\n' "$last" | sed 's/^/    /' >&2
    else
        echo "setup: installing python3-venv with apt-get failed without a word" >&2
    fi
    echo "setup: everything it printed is in $log" >&2
fi
echo "setup: '$python -m venv' failed. Install your system's venv support (Debian/Ubuntu: sudo apt-get install python3-venv) and run make again." >&2
exit 1
