"""How many numbers per second `validate` checks: the core loader, and the whole command.

Generated profiles hold 10,000 numbers in all: ten profiles of 1,000, half listing them inline
(every other one with its own display name), half through a CSV file. Numbers are the
fictional NXX-555-01XX range over 100 area codes, so every one is distinct and valid.
The target is 20,000 numbers per second.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET = 20_000
PROFILES = 10
PER_PROFILE = 1_000

_HEAD = """\
label: Bench {index}
company:
  name: Bench Co {index}
  website: https://bench{index}.example.org
  address: {{line1: 1 Main St, city: Springfield, state: IL, zip: "62701"}}
contact: {{name: Pat Doe, phone: (217) 555-0100, email: pat@bench.example.org}}
calling: {{category: Other, monthly_calls: "1000", service_provider: Bandwidth}}
display_name: BENCH {index}
numbers:
"""


def _area_codes(count: int) -> list[str]:
    """`count` US area codes in which phonenumbers accepts NXX-555-01XX."""
    import phonenumbers

    found: list[str] = []
    for npa in range(201, 990):
        number = phonenumbers.PhoneNumber(country_code=1, national_number=npa * 10**7 + 5550100)
        if phonenumbers.is_valid_number_for_region(number, "US"):
            found.append(str(npa))
            if len(found) == count:
                break
    return found


def generate(folder: Path) -> int:
    """Write the benchmark profiles into `folder`; return how many numbers they hold."""
    codes = _area_codes(PROFILES * PER_PROFILE // 100)
    numbers = [f"({npa}) 555-0{line}" for npa in codes for line in range(100, 200)]
    for index in range(PROFILES):
        chunk = numbers[index * PER_PROFILE : (index + 1) * PER_PROFILE]
        text = _HEAD.format(index=index)
        if index % 2 == 0:
            items = [
                f"  - number: {n}\n    display_name: LINE {i}\n" if i % 2 else f"  - {n}\n"
                for i, n in enumerate(chunk)
            ]
            text += "".join(items)
        else:
            csv = folder / f"bench-{index}.csv"
            csv.write_text("number,display_name\n" + "".join(f"{n},\n" for n in chunk))
            text += f"  - file: {csv.name}\n"
        (folder / f"bench-{index}.yaml").write_text(text)
    return len(numbers)


def _core(folder: Path) -> float:
    from assistant.profiles import check_profiles
    from assistant.profiles.phones import normalise_phone

    normalise_phone.cache_clear()  # measure cold: every number parsed for the first time
    start = time.perf_counter()
    report = check_profiles([folder])
    elapsed = time.perf_counter() - start
    if not all(r.valid for r in report.results):
        raise RuntimeError("benchmark profiles are invalid")
    return elapsed


def _command(folder: Path) -> float:
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "assistant", "validate", str(folder)],
        check=True,
        capture_output=True,
    )
    return time.perf_counter() - start


def run() -> str:
    """Generate the profiles, time both paths once, and return a small table."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        count = generate(folder)
        rows = [
            ("core loader (check_profiles)", _core(folder)),
            ("assistant validate", _command(folder)),
        ]
    lines = [
        f"validate: {count} numbers in {PROFILES} profiles (target {TARGET:,}/s)",
        f"{'':30} {'seconds':>8} {'numbers/s':>10} {'x target':>9}",
    ]
    for name, seconds in rows:
        rate = count / seconds
        lines.append(f"{name:30} {seconds:8.3f} {rate:10,.0f} {rate / TARGET:9.2f}")
    return "\n".join(lines)


if __name__ == "__main__":
    print(run())
