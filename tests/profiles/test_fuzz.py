"""Fuzzing the profile loader: whatever the bytes, the only failure is a `ProfileError`.

`make test` runs a few hundred examples; `make fuzz` sets FUZZ_EXAMPLES=20000.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assistant.errors import ProfileError
from assistant.profiles import load_profile
from assistant.profiles.yamlstrict import MAX_DEPTH, Mapping, parse_yaml

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "200"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

# Characters that mean something to YAML, plus a little text.
YAML_ALPHABET = "[]{}:,-&*!?|>'\"#%@`\\\n\t  abcNO01+.<"
OPENERS = ["[", "{a: ", "- ", "a:\n  ", "? ", "!x ", "&a ", "*a ", "<<: "]


def only_profile_errors(data: bytes) -> None:
    """Parse `data`: a Mapping, or a ProfileError whose problems all have a place."""
    try:
        root: Mapping | None = parse_yaml(data, "f.yaml")
        problems = []
    except ProfileError as error:
        root, problems = None, error.problems
    if root is None:
        assert problems
        assert all(p.file == "f.yaml" and p.line >= 1 and p.column >= 1 for p in problems)


@FUZZ
@given(st.binary(max_size=2000))
def test_random_bytes_give_only_profile_errors(data: bytes) -> None:
    only_profile_errors(data)


@FUZZ
@given(st.text(alphabet=YAML_ALPHABET, max_size=600))
def test_yaml_looking_noise_gives_only_profile_errors(text: str) -> None:
    only_profile_errors(text.encode("utf-8"))


@FUZZ
@given(
    st.lists(st.sampled_from(OPENERS), min_size=1, max_size=40),
    st.integers(min_value=0, max_value=12_000),
    st.sampled_from(["", "x", "]", "}", "]" * 50, "\n"]),
)
def test_random_nesting_gives_only_profile_errors(
    pattern: list[str], depth: int, tail: str
) -> None:
    openers = "".join(pattern[i % len(pattern)] for i in range(depth))
    only_profile_errors((openers + tail).encode())


@FUZZ
@given(st.integers(min_value=MAX_DEPTH + 1, max_value=20_000))
def test_any_depth_past_the_cap_is_refused_as_too_deep(depth: int) -> None:
    with pytest.raises(ProfileError) as caught:
        parse_yaml(b"[" * depth, "f.yaml")
    assert caught.value.problems[0].message.startswith(f"nested deeper than {MAX_DEPTH} levels")


@FUZZ
@given(st.binary(max_size=1000))
def test_a_random_profile_file_gives_only_profile_errors(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "p.yaml"
    path.write_bytes(b"company:\n  name: x\nnumbers:\n  - " + data)
    # It lacks contact and calling, whatever the bytes: never valid, never anything but a
    # ProfileError, and every problem has its place and a message.
    with pytest.raises(ProfileError) as caught:
        load_profile(path)
    assert caught.value.problems
    for problem in caught.value.problems:
        assert problem.file == str(path)
        assert problem.line >= 1
        assert problem.column >= 1
        assert problem.message.strip()
