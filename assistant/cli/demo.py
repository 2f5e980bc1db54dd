"""`assistant demo` (interim): check the example profiles and show what each would register.

The fill helper replaces this with a run against the replica portal; until then it proves the
example profiles load and shows how their numbers split into submissions.
"""

from __future__ import annotations

from pathlib import Path

import typer

from assistant.cli.app import app
from assistant.errors import ExitCode, UsageError

SUBMISSION_LIMIT = 20  # numbers per submission on the Free Caller Registry


def examples_folder() -> Path:
    """The example `profiles/` folder: in the current directory, else beside the package."""
    import assistant

    for candidate in (
        Path("profiles"),
        Path(assistant.__file__).resolve().parent.parent / "profiles",
    ):
        if candidate.is_dir():
            return candidate
    raise UsageError("no example profiles/ folder here or beside the assistant package")


@app.command()
def demo() -> None:
    """Check every example profile and print a summary of each (nothing is submitted)."""
    from assistant.cli.validate import summary
    from assistant.profiles import check_profiles

    report = check_profiles([examples_folder()])
    for result in report.results:
        for problem in result.problems:
            print(problem)
        if result.loaded is None:
            continue
        profile = result.loaded.profile
        count = len(profile.numbers)
        sizes = [min(SUBMISSION_LIMIT, count - i) for i in range(0, count, SUBMISSION_LIMIT)]
        print(f"{profile.label}")
        print(f"  company      {profile.company.name}")
        print(f"  category     {profile.calling.category}")
        print(f"  numbers      {count}")
        print(
            f"  submissions  {', '.join(str(s) for s in sizes)} (at most {SUBMISSION_LIMIT} each)"
        )
    print(summary(report))
    if any(not r.valid for r in report.results):
        raise typer.Exit(int(ExitCode.INVALID))
