"""What `make setup` says about the browser and the venv (issue 11 item 6): what it tried and
what it uses, in plain words; installers' output in a log, shown only when setup fails.

The Playwright download really runs and fails fast: `PLAYWRIGHT_DOWNLOAD_HOST` names a host
that cannot be reached, `PLAYWRIGHT_BROWSERS_PATH` an empty folder. The system browser and
apt-get are small scripts on PATH; the real apt-get never runs here.
"""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from assistant.browser import provision

ROOT = Path(__file__).resolve().parents[2]
HINT_START = "setup: No usable Chromium was found. Install one of:\n"


def script(folder: Path, name: str, body: str) -> Path:
    """An executable shell script `folder/name` running `body`."""
    folder.mkdir(exist_ok=True)
    path = folder / name
    path.write_text(f"#!/bin/sh\n{body}\n", encoding="utf-8")
    path.chmod(0o755)
    return path


def download_fails(tmp_path: Path, host: str) -> dict[str, str]:
    """The environment of a setup whose Playwright download fails at once."""
    environ = {k: v for k, v in os.environ.items() if k != "ASSISTANT_BROWSER"}
    return environ | {
        "PLAYWRIGHT_BROWSERS_PATH": str(tmp_path / "no-browsers"),
        "PLAYWRIGHT_DOWNLOAD_HOST": host,
    }


def test_a_failed_download_says_so_plainly_and_uses_the_system_browser(tmp_path: Path) -> None:
    """`python -m assistant.browser.provision` as `make setup` runs it: from the project folder, in
    a fresh virtual environment `.venv` (where it keeps its log and what it found)."""
    venv = tmp_path / ".venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    bin_dir = tmp_path / "bin"
    chromium = script(bin_dir, "chromium", 'echo "Chromium 156.0.7000.1 built on Debian"')
    env = download_fails(tmp_path, "https://cdn.example.invalid") | {
        "PATH": str(bin_dir),
        "PYTHONPATH": os.pathsep.join([str(ROOT), sysconfig.get_paths()["purelib"]]),
    }
    result = subprocess.run(
        [str(venv / "bin" / "python"), "-m", "assistant.browser.provision"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert (result.returncode, result.stdout, result.stderr) == (
        0,
        "",
        "setup: downloading Playwright's Chromium; details go to .venv/browser-setup.log\n"
        "setup: no browser download available here (cdn.example.invalid cannot be reached); "
        f"using {chromium} 156\n",
    )
    log = (venv / "browser-setup.log").read_text(encoding="utf-8")
    assert log.startswith("$ ")
    assert "getaddrinfo ENOTFOUND cdn.example.invalid" in log
    assert (venv / ".browser").read_text(encoding="utf-8") == str(chromium)


@pytest.fixture
def setup_here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Provision in this process, its log and stamp in `tmp_path`, nothing on PATH but the
    scripts a test puts in `tmp_path/bin`, the download refused at once."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name, value in download_fails(tmp_path, "http://127.0.0.1:9").items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("ASSISTANT_BROWSER", raising=False)
    monkeypatch.setenv("PATH", str(bin_dir))
    monkeypatch.setattr(provision, "LOG", tmp_path / "browser-setup.log")
    monkeypatch.setattr(provision, "STAMP", tmp_path / ".browser")
    return bin_dir


DOWNLOAD_TAIL = (
    "    Downloading Chrome for Testing {version} (playwright chromium v{revision}) from "
    "http://127.0.0.1:9/builds/cft/{version}/linux64/chrome-linux64.zip\n"
    "    Error: connect ECONNREFUSED 127.0.0.1:9\n"
    "    Failed to install browsers\n"
    "    Error: Failed to download Chrome for Testing {version} (playwright chromium "
    "v{revision}), caused by\n"
    "    Error: Download failure, code=1\n"
)


def download_tail() -> str:
    from assistant.browser import launch

    entry = launch._chromium_entry() or {}
    return DOWNLOAD_TAIL.format(version=entry["browserVersion"], revision=entry["revision"])


def test_with_no_browser_at_all_the_installers_last_lines_say_why(
    setup_here: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert provision.main() == 5
    log = tmp_path / "browser-setup.log"
    assert capsys.readouterr().err == (
        f"setup: downloading Playwright's Chromium; details go to {log}\n"
        "setup: no browser download available here (127.0.0.1 cannot be reached), and no "
        "Chromium or Chrome is installed here\n"
        "setup: playwright install chromium failed (exit 1); its last lines:\n"
        f"{download_tail()}"
        f"setup: everything it printed is in {log}\n"
        f"{HINT_START}"
        "  - Playwright's own:  .venv/bin/playwright install chromium\n"
        "  - Debian/Ubuntu:     sudo apt-get install -y chromium\n"
        "  - Fedora:            sudo dnf install chromium\n"
        "  - macOS:             install Google Chrome, or run the Playwright command above\n"
        "or point $ASSISTANT_BROWSER at a Chromium or Chrome executable, then run "
        "`assistant doctor`.\n"
    )
    assert not (tmp_path / ".browser").exists()


@pytest.fixture
def apt_here(setup_here: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """`setup_here` where apt-get may be tried, and a download that fails as the real one does
    here, in a script (the real one takes seconds to fail; the tests above run it)."""
    monkeypatch.setattr(provision, "_can_apt", lambda: True)
    fake = script(
        setup_here,
        "playwright-install",
        'echo "Downloading Chrome for Testing 159.0.8154.6 from http://127.0.0.1:9/builds/c.zip"\n'
        'echo "Error: connect ECONNREFUSED 127.0.0.1:9" >&2\necho "Failed to install browsers"'
        "\nexit 1",
    )
    monkeypatch.setattr(provision, "DOWNLOAD", [str(fake)])
    return setup_here


def test_apt_gets_output_goes_to_the_log_and_only_its_last_words_show_on_failure(
    apt_here: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    script(
        apt_here,
        "apt-get",
        'if [ "$1" = update ]; then echo "Hit:1 http://deb.debian.org/debian bookworm InRelease";'
        ' exit 0; fi\necho "Reading package lists..."\necho "Building dependency tree..."\n'
        'echo "E: Unable to locate package chromium" >&2\nexit 100',
    )
    assert provision.main() == 5
    log = tmp_path / "browser-setup.log"
    err = capsys.readouterr().err
    assert err.startswith(
        f"setup: downloading Playwright's Chromium; details go to {log}\n"
        "setup: no browser download available here (127.0.0.1 cannot be reached); installing "
        f"Debian's chromium with apt-get; details go to {log}\n"
        "setup: apt-get install chromium failed (exit 100); its last lines:\n"
        "    Reading package lists...\n"
        "    Building dependency tree...\n"
        "    E: Unable to locate package chromium\n"
        f"setup: everything it printed is in {log}\n"
        f"{HINT_START}"
    )
    assert "Hit:1" not in err
    assert "Hit:1 http://deb.debian.org/debian bookworm InRelease" in log.read_text()


def test_apt_installs_the_browser_quietly(
    apt_here: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    installed = apt_here / "chromium"
    version = 'echo \\"Chromium 156.0.7000.1 built on Debian\\"'
    script(
        apt_here,
        "apt-get",
        'echo "Setting up chromium (156.0.7000.1-1~deb12u1) ..."\n'
        f"if [ \"$1\" = install ]; then printf '#!/bin/sh\\n{version}\\n' > {installed}; "
        f"/bin/chmod +x {installed}; fi",
    )
    assert provision.main() == 0
    log = tmp_path / "browser-setup.log"
    assert capsys.readouterr().err == (
        f"setup: downloading Playwright's Chromium; details go to {log}\n"
        "setup: no browser download available here (127.0.0.1 cannot be reached); installing "
        f"Debian's chromium with apt-get; details go to {log}\n"
        f"setup: using {installed} 156\n"
    )
    assert "Setting up chromium" in log.read_text()


def test_the_venv_script_keeps_apt_gets_output_in_a_log(tmp_path: Path) -> None:
    """scripts/make-venv.sh, as root on a Python without venv support (a fake `python` that
    cannot make one, a fake `apt-get` that fails, a fake `id` saying root)."""
    bin_dir = tmp_path / "bin"
    python = script(bin_dir, "python3", "exit 1")
    script(bin_dir, "id", "echo 0")
    script(
        bin_dir,
        "apt-get",
        'if [ "$1" = update ]; then echo "Hit:1 http://deb.debian.org/debian bookworm"; exit 0; fi'
        '\necho "Reading package lists..."\necho "E: Unable to locate package python3-venv" >&2'
        "\nexit 100",
    )
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}/usr/bin{os.pathsep}/bin"}
    env["TMPDIR"] = str(tmp_path)
    result = subprocess.run(
        ["bash", str(ROOT / "scripts" / "make-venv.sh"), str(python), str(tmp_path / ".venv")],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    [log] = tmp_path.glob("assistant-setup-venv.*")
    assert (result.returncode, result.stdout, result.stderr) == (
        1,
        "",
        "setup: python venv support is missing; installing python3-venv with apt-get; details "
        f"go to {log}\n"
        "setup: installing python3-venv with apt-get failed; its last lines:\n"
        "    Hit:1 http://deb.debian.org/debian bookworm\n"
        "    Reading package lists...\n"
        "    E: Unable to locate package python3-venv\n"
        f"setup: everything it printed is in {log}\n"
        f"setup: '{python} -m venv' failed. Install your system's venv support (Debian/Ubuntu: "
        "sudo apt-get install python3-venv) and run make again.\n",
    )
