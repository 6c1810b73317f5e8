"""The shared text and file helpers (scr_cpd.common)."""

import json
import os
import stat

import pytest
from helpers import json_values
from hypothesis import given, settings
from hypothesis import strategies as st

from scr_cpd.common import strict_json
from scr_cpd.common.files import (
    InputError,
    OutputError,
    make_private_dir,
    read_bounded,
    walk_files,
    write_private,
)
from scr_cpd.common.text import (
    count,
    format_duration,
    has_hidden_characters,
    normalise_answer,
    noun,
    one_line,
    shorten,
    slugify,
    visible,
)


@pytest.mark.parametrize(
    "text, slug",
    [("Zoë Smith", "zoe-smith"), ("cumulée", "cumulee"), ("  A -- B  ", "a-b"), ("!!!", "")],
)
def test_slugify_folds_accents(text, slug):
    assert slugify(text) == slug


def test_slugify_cuts_at_a_hyphen():
    assert slugify("alpha beta gamma delta", max_len=13) == "alpha-beta"


def test_shorten_cuts_at_a_word_and_marks_it():
    assert shorten("one two three four five", 12) == "one two…"
    assert shorten("short", 12) == "short"
    assert len(shorten("x" * 50, 10)) == 10


@pytest.mark.parametrize("seconds, text", [(0, "0 min"), (419, "7 min"), (3900, "1 h 05 min")])
def test_format_duration(seconds, text):
    assert format_duration(seconds) == text


@pytest.mark.parametrize(
    "n, words, text",
    [
        (0, ("answer",), "0 answers"),
        (1, ("answer",), "1 answer"),
        (2, ("answer",), "2 answers"),
        (-1, ("answer",), "-1 answers"),
        (999, ("file",), "999 files"),
        (1000, ("reflection",), "1,000 reflections"),
        (1234567, ("attempt",), "1,234,567 attempts"),
        (1, ("entry", "entries"), "1 entry"),
        (2, ("entry", "entries"), "2 entries"),
        (0, ("summary", "summaries"), "0 summaries"),
        (3, ("reflection prompt",), "3 reflection prompts"),
    ],
)
def test_count_gives_the_form_that_goes_with_the_number(n, words, text):
    assert count(n, *words) == text


def test_noun_alone_agrees_with_its_number():
    assert [noun(n, "was", "were") for n in (0, 1, 2)] == ["were", "was", "were"]
    assert [noun(n, "file") for n in (0, 1, 2)] == ["files", "file", "files"]
    assert noun(1.0, "answer") == "answer" and noun(0.5, "answer") == "answers"


def test_normalise_answer_ignores_what_a_person_would():
    assert normalise_answer("achieving best-evidence") == normalise_answer(
        "Achieving Best Evidence"
    )
    assert normalise_answer("Zoë") == normalise_answer("zoe")
    assert normalise_answer("MASH.") == normalise_answer("mash")
    assert normalise_answer("ABE") != normalise_answer("ABC")


@pytest.mark.parametrize(
    "raw, shown",
    [
        ("Jo\nVerification: valid", "Jo\\nVerification: valid"),
        ("\x1b[2J", "<U+001B>[2J"),
        ("a\u202eb", "a<U+202E>b"),
        ("a\u200bb", "a<U+200B>b"),
        ("nul\x00", "nul<U+0000>"),
        ("\ud800", "<U+D800>"),
        ("plain text", "plain text"),
    ],
)
def test_visible_shows_what_would_act(raw, shown):
    assert visible(raw) == shown


def test_visible_multiline_keeps_line_breaks_only():
    assert visible("a\r\nb\tc\x1b", multiline=True) == "a\nb\tc<U+001B>"
    assert one_line("a\n\n b") == "a b"


@given(st.text())
def test_visible_output_never_carries_a_hidden_character(text):
    assert has_hidden_characters(visible(text), allow_newlines=False) is None


def test_read_bounded_refuses_a_fifo_without_waiting(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(InputError, match="not a regular file"):
        read_bounded(fifo, 1000)


def test_read_bounded_refuses_a_device_folder_and_big_file(tmp_path):
    with pytest.raises(InputError, match="not a regular file"):
        read_bounded("/dev/zero", 1000)
    with pytest.raises(InputError, match="folder"):
        read_bounded(tmp_path, 1000)
    big = tmp_path / "big"
    big.write_bytes(b"x" * 2000)
    with pytest.raises(InputError, match="too large"):
        read_bounded(big, 1000)
    assert read_bounded(big, 2000) == b"x" * 2000


def test_write_private_is_owner_only_whatever_the_umask(tmp_path):
    old = os.umask(0)
    try:
        folder = make_private_dir(tmp_path / "a" / "b")
        out = write_private(folder / "f.txt", "hello")
    finally:
        os.umask(old)
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE(out.stat().st_mode) == 0o600


def test_write_private_refuses_to_clobber(tmp_path):
    target = tmp_path / "out.json"
    target.write_text("keep me")
    with pytest.raises(OutputError, match="--force"):
        write_private(target, "new", force=False)
    assert target.read_text() == "keep me"
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(OutputError, match="not a regular file"):
        write_private(fifo, "x", force=True)
    assert stat.S_ISFIFO(fifo.stat().st_mode)
    with pytest.raises(OutputError, match="app's own"):
        write_private(tmp_path / "db", "x", protected=[tmp_path / "db"])


def test_write_private_cleans_a_killed_runs_leftovers(tmp_path):
    leftover = tmp_path / ".out.json.abc123.cpd-tmp"
    leftover.write_text("half")
    write_private(tmp_path / "out.json", "whole")
    assert not leftover.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.json"]


def test_walk_files_once_each_sorted_hidden_skipped(tmp_path):
    (tmp_path / "b").mkdir()
    for name in ("a.json", "b/c.json", ".hidden.json", "b/d.txt"):
        (tmp_path / name).write_text("{}")
    found = list(walk_files([tmp_path, tmp_path / "a.json"], suffixes=(".json",)))
    assert [p.relative_to(tmp_path).as_posix() for p in found] == ["a.json", "b/c.json"]


def test_walk_files_lists_links_that_lead_nowhere_so_reading_them_can_say_why(tmp_path):
    (tmp_path / "a.json").write_text("{}")
    (tmp_path / "loop.json").symlink_to(tmp_path / "loop.json")
    (tmp_path / "gone.json").symlink_to(tmp_path / "missing.json")
    (tmp_path / "gone.txt").symlink_to(tmp_path / "missing.txt")
    (tmp_path / "up").symlink_to(tmp_path)  # a link to a folder: not followed
    found = list(walk_files([tmp_path], suffixes=(".json",)))
    assert [p.name for p in found] == ["a.json", "gone.json", "loop.json"]


# --- strict JSON: the quick reader for the app's own layout, the strict one for any other -------


@settings(max_examples=150, deadline=None)
@given(json_values)
def test_strict_reading_gives_what_the_json_module_reads_in_any_layout(value):
    for text in (
        json.dumps(value, indent=2, ensure_ascii=False) + "\n",  # as the app writes a log
        json.dumps(value, indent=2, ensure_ascii=False),
        json.dumps(value),
        json.dumps(value, indent=4),
    ):
        assert strict_json.loads(text.encode()) == json.loads(text)


@settings(max_examples=150, deadline=None)
@given(json_values, st.dictionaries(st.text(max_size=6), json_values, max_size=3))
def test_a_repeated_key_is_refused_in_the_apps_own_layout_too(first, rest):
    text = json.dumps({"dup": first, **rest}, indent=2, ensure_ascii=False)
    text = text.replace('{\n  "dup": ', '{\n  "dup": 0,\n  "dup": ', 1)
    with pytest.raises(strict_json.JSONProblem, match='the key "dup" appears twice'):
        strict_json.loads(text.encode())


def test_the_apps_own_layout_is_read_the_quick_way():
    text = json.dumps({"a": [1, 2.5, {"b": "Zoë"}], "c": {}}, indent=2, ensure_ascii=False)
    assert strict_json._as_written(text.encode()) == ({"a": [1, 2.5, {"b": "Zoë"}], "c": {}}, False)
    compact = json.dumps({"a": 1}).encode()
    assert strict_json._as_written(compact)[0] is strict_json._NOT_AS_WRITTEN


@pytest.mark.parametrize(
    "text, problem",
    [
        ('{\n  "a": 1e400\n}', "a number is too large to read"),
        ('{"a": -1e999}', "a number is too large to read"),
        ('{\n  "a": NaN\n}', "NaN is not a JSON number"),
        ('{\n  "a": "\\udc00"\n}', "lone UTF-16 surrogate"),
    ],
)
def test_what_strict_reading_refuses_whatever_the_layout(text, problem):
    with pytest.raises(strict_json.JSONProblem, match=problem):
        strict_json.loads(text.encode())


@pytest.mark.parametrize("enabled", [True, False])
def test_the_collector_is_paused_inside_and_left_as_it_was_after(enabled):
    import gc

    from scr_cpd.common.collector import collector_paused

    was = gc.isenabled()
    try:
        gc.enable() if enabled else gc.disable()
        with collector_paused():
            assert not gc.isenabled()
        assert gc.isenabled() is enabled
        with pytest.raises(KeyError), collector_paused():
            raise KeyError("a failure inside")
        assert gc.isenabled() is enabled
    finally:
        gc.enable() if was else gc.disable()
