"""The names of a run's files: by profile and submission, never one written over another."""

from __future__ import annotations

from pathlib import Path

from assistant.paths import write_private
from assistant.records import runfiles


def test_files_are_named_by_profile_and_submission() -> None:
    assert runfiles.slug("Riverbend Clinic (east) [b]") == "riverbend-clinic-east-b"
    assert runfiles.slug("Ünïcode — only") == "n-code-only"
    assert runfiles.slug("***") == "profile"
    assert runfiles.slug("x" * 60) == "x" * 40


def test_a_second_profile_with_the_same_label_gets_its_own_names(tmp_path: Path) -> None:
    first = runfiles.prefix(tmp_path, "Harbor 1", 1, "+16195550100")
    assert first == "harbor-1-s1"
    write_private(tmp_path / f"{first}-01-email.jpg", b"jpeg")
    write_private(tmp_path / f"{first}-review.png", b"png")
    # Its second submission is its own; another profile labelled alike is told apart.
    assert runfiles.prefix(tmp_path, "Harbor 1", 2, "+16195550120") == "harbor-1-s2"
    second = runfiles.prefix(tmp_path, "Harbor 1", 1, "+16195550300")
    assert second == "harbor-1-16195550300-s1"
    write_private(tmp_path / f"{second}-review.png", b"png")
    assert runfiles.review_shots(tmp_path, "Harbor 1", 1, "+16195550100") == [
        tmp_path / "harbor-1-s1-review.png"
    ]
    assert runfiles.review_shots(tmp_path, "Harbor 1", 1, "+16195550300") == [
        tmp_path / "harbor-1-16195550300-s1-review.png"
    ]
    assert runfiles.review_shots(tmp_path, "Harbor 2", 1, "+16195550200") == []
    assert runfiles.review_shots(tmp_path / "gone", "Harbor 1", 1, "+16195550100") == []


def test_a_name_taken_is_never_written_over(tmp_path: Path) -> None:
    taken = write_private(tmp_path / "harbor-1-s1-review.png", b"the first")
    (tmp_path / "harbor-1-s1-review-2.png").symlink_to(tmp_path / "nowhere")  # even a dead link
    fresh = runfiles.fresh(taken)
    assert fresh == tmp_path / "harbor-1-s1-review-3.png"
    write_private(fresh, b"the second")
    assert taken.read_bytes() == b"the first"
    assert runfiles.review_shots(tmp_path, "Harbor 1", 1, "+16195550100") == [
        taken,
        tmp_path / "harbor-1-s1-review-2.png",
        fresh,
    ]
