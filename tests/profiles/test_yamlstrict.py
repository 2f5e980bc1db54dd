"""The strict YAML reader: values stay text, surprises are refused fast, nothing else escapes."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
import yaml

from assistant.errors import ProfileError
from assistant.profiles import yamlstrict
from assistant.profiles.yamlstrict import Mapping, Scalar, parse_yaml, read_yaml, to_data

TAGS = " are not allowed; every value is read as text"
LOADERS = [pytest.param(yaml.BaseLoader, id="pure-python")]
if hasattr(yaml, "CBaseLoader"):
    LOADERS.append(pytest.param(yaml.CBaseLoader, id="libyaml"))


@pytest.fixture(params=LOADERS, autouse=True)
def loader(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Any:
    """Every test runs with libyaml and with the pure-Python parser."""
    monkeypatch.setattr(yamlstrict, "_Loader", request.param)
    return request.param


def problems(data: bytes | str) -> list[str]:
    raw = data.encode() if isinstance(data, str) else data
    with pytest.raises(ProfileError) as caught:
        parse_yaml(raw, "p.yaml")
    return [str(p) for p in caught.value.problems]


def test_every_scalar_is_kept_exactly_as_written() -> None:
    text = (
        "country: NO\nconsent: yes\nx: off\nzip: 01234\nzip2: 0800\n"
        "phone: +4712345678\ntime: 12:30\nnull_word: null\nempty:\nquoted: ''\n"
    )
    assert to_data(parse_yaml(text.encode(), "p.yaml")) == {
        "country": "NO",
        "consent": "yes",
        "x": "off",
        "zip": "01234",
        "zip2": "0800",
        "phone": "+4712345678",
        "time": "12:30",
        "null_word": "null",
        "empty": None,
        "quoted": "",
    }


def test_nodes_know_their_file_line_and_column() -> None:
    root = parse_yaml(b"a:\n  b: [x, y]\n", "p.yaml")
    inner = root.entries["a"].value
    assert isinstance(inner, Mapping)
    entry = inner.entries["b"]
    assert (entry.key.line, entry.key.column) == (2, 3)
    assert entry.value.where == "p.yaml:2:6"


def test_a_duplicate_key_is_refused_naming_both_lines() -> None:
    assert problems("name: a\ncity: b\nname: c\n") == [
        "p.yaml:3:1: name: duplicate key 'name': first at line 1, again at line 3"
    ]


def test_a_nested_duplicate_key_names_its_dotted_path() -> None:
    assert problems("company:\n  address:\n    zip: '1'\n    zip: '2'\n") == [
        "p.yaml:4:5: company.address.zip: duplicate key 'zip': first at line 3, again at line 4"
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            'a: !!python/object/apply:os.system ["touch /tmp/pwned-by-profile"]\n',
            "p.yaml:1:4: a: explicit tags such as !!python/object/apply:os.system are not "
            "allowed; every value is read as text",
        ),
        (
            "a: !!str x\n",
            f"p.yaml:1:4: a: explicit tags such as !!str{TAGS}",
        ),
        (
            "a: !foo x\n",
            f"p.yaml:1:4: a: explicit tags such as !foo{TAGS}",
        ),
        (
            "a: !!map {b: c}\n",
            f"p.yaml:1:4: a: explicit tags such as !!map{TAGS}",
        ),
    ],
)
def test_explicit_tags_are_refused(text: str, expected: str) -> None:
    assert problems(text) == [expected]


def test_a_python_tag_executes_nothing(tmp_path: Path) -> None:
    target = tmp_path / "pwned"
    text = f'a: !!python/object/apply:os.system ["touch {target}"]\n'
    with pytest.raises(ProfileError):
        parse_yaml(text.encode(), "p.yaml")
    assert not target.exists()


def test_anchors_and_aliases_are_refused() -> None:
    assert problems("a: &x [1]\nb: *x\n") == [
        "p.yaml:1:4: a: anchors (&name) are not allowed in a profile; write values out"
    ]
    assert problems("a: *x\n") == [
        "p.yaml:1:4: a: aliases (*name) are not allowed in a profile; write the value out"
    ]


def test_an_alias_bomb_is_refused_fast() -> None:
    bomb = "a: &a [x,x,x,x,x,x,x,x,x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [{','.join(['*' + chr(97 + i)] * 9)}]\n" for i in range(8)
    )
    start = time.perf_counter()
    found = problems(bomb)
    assert time.perf_counter() - start < 1
    assert found == [
        "p.yaml:1:4: a: anchors (&name) are not allowed in a profile; write values out"
    ]


def test_merge_keys_are_refused() -> None:
    assert problems("<<: {a: b}\nc: d\n") == [
        "p.yaml:1:1: merge keys (<<) are not allowed; use extends: to share defaults"
    ]


@pytest.mark.parametrize(
    "data",
    [b"[" * 10_000, b"- " * 10_000 + b"x", b"{a: " * 10_000, b"[" * 10_000 + b"]" * 10_000],
    ids=["flow-lists", "block-lists", "flow-maps", "closed-lists"],
)
def test_ten_thousand_levels_of_nesting_are_refused_fast(data: bytes, loader: Any) -> None:
    # libyaml (what PyYAML's wheels ship) answers in about a millisecond; the pure-Python
    # fallback scans flow brackets in ~0.25 s alone and needs headroom on a loaded 2-core box.
    limit = 1.0 if loader is not yaml.BaseLoader else 5.0
    start = time.perf_counter()
    found = problems(data)
    assert time.perf_counter() - start < limit
    assert len(found) == 1
    assert found[0].endswith("nested deeper than 32 levels; a profile needs no more than 4")


def test_nesting_up_to_the_cap_is_read() -> None:
    text = "a: " + "[" * 31 + "x" + "]" * 31 + "\n"
    root = parse_yaml(text.encode(), "p.yaml")
    assert isinstance(root, Mapping)
    value = to_data(root)["a"]
    for _ in range(31):  # every level kept, each a list of one item
        assert isinstance(value, list)
        assert len(value) == 1
        value = value[0]
    assert value == "x"
    # One level more is refused, with the place the reader noticed it.
    deeper = "a: " + "[" * 32 + "x" + "]" * 32 + "\n"
    assert problems(deeper) == [
        "p.yaml:1:35: nested deeper than 32 levels; a profile needs no more than 4"
    ]


def test_a_five_megabyte_file_is_refused_without_parsing(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    big.write_bytes(b"a: " + b"x" * (5 * 1024 * 1024) + b"\n")
    start = time.perf_counter()
    with pytest.raises(ProfileError) as caught:
        read_yaml(big)
    assert time.perf_counter() - start < 1
    assert [str(p) for p in caught.value.problems] == [
        f"{big}:1:1: file is larger than 1024 KiB; a profile is a small text file"
    ]


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (
            b"",
            "p.yaml:1:1: file is empty: a profile is a mapping of keys "
            "(company:, contact:, numbers:)",
        ),
        (
            b"# only a comment\n",
            "p.yaml:1:1: file is empty: a profile is a mapping of keys "
            "(company:, contact:, numbers:)",
        ),
        (
            b"- a\n- b\n",
            "p.yaml:1:1: a profile is a mapping of keys (company:, contact:, numbers: …), "
            "not a list",
        ),
        (
            b"just text\n",
            "p.yaml:1:1: a profile is a mapping of keys (company:, contact:, numbers: …), "
            "not plain text",
        ),
        (b"a: \xff\xfe\n", "p.yaml:1:4: file is not valid UTF-8 text; save it as UTF-8"),
        (b"\xff\xfea\x00:\x00", "p.yaml:1:1: file is saved as UTF-16; save it as UTF-8"),
        (
            b"a: b\n---\nc: d\n",
            "p.yaml:2:1: holds more than one YAML document (---); a profile is one",
        ),
        (b"a: \x00\n", "p.yaml:1:4: character U+0000 is not allowed in YAML"),
        (b"? [a]\n: b\n", "p.yaml:1:3: a key must be plain text, not a list or mapping"),
    ],
)
def test_unreadable_files_give_one_clear_problem(data: bytes, expected: str) -> None:
    assert problems(data) == [expected]


def test_a_syntax_error_names_its_place() -> None:
    (found,) = problems(b"a: b: c\n")
    # libyaml ends with "in this context", the pure-Python parser with "here"
    assert found.startswith("p.yaml:1:5: YAML syntax error: mapping values are not allowed ")


def test_a_utf8_bom_is_tolerated() -> None:
    root = parse_yaml(b"\xef\xbb\xbfname: Lakeside\n", "p.yaml")
    value = root.entries["name"].value
    assert isinstance(value, Scalar)
    assert value.value == "Lakeside"


def test_all_problems_of_a_file_come_at_once() -> None:
    assert problems("a: !x 1\nb: 2\na: 3\nc: !!int 4\n") == [
        "p.yaml:1:4: a: explicit tags such as !x are not allowed; every value is read as text",
        "p.yaml:3:1: a: duplicate key 'a': first at line 1, again at line 3",
        "p.yaml:4:4: c: explicit tags such as !!int are not allowed; every value is read as text",
    ]


def test_a_missing_file_and_a_folder_are_profile_errors(tmp_path: Path) -> None:
    with pytest.raises(ProfileError, match="file not found"):
        read_yaml(tmp_path / "absent.yaml")
    with pytest.raises(ProfileError, match="is a folder, not a regular file"):
        read_yaml(tmp_path)
