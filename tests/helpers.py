"""Small helpers shared by the CLI tests."""

from __future__ import annotations

from pathlib import Path

from hypothesis import strategies as st
from typer.testing import CliRunner

from scr_cpd.cli.app import app


def cpd(*args: str, input: str | None = None, home=None):
    """Run `cpd --plain ARGS` in-process; returns typer's Result (output, exit_code)."""
    prefix = ["--plain"] + (["--home", str(home)] if home else [])
    return CliRunner().invoke(app, [*prefix, *args], input=input)


# The tiny fixture bank (one question of each type, options in bank order) that drives the
# end-to-end tests: each prompt's question id, and the typed answer that is right in plain mode
# (the two matching sides are always shown crossed, so "ba").
TINY = Path(__file__).parent / "fixtures" / "tiny-bank.yaml"
TINY_PROMPTS = {
    "Which colour is the sky on a clear day?": "q-single",
    "Which of these are even numbers?": "q-multiple",
    "True or false, water is wet.": "q-true-false",
    "How many days are there in a week?": "q-numeric",
    "Name the capital of France.": "q-short",
    "Match each animal to its sound.": "q-matching",
}
TINY_RIGHT = {
    "q-single": "1",
    "q-multiple": "1 3",
    "q-true-false": "1",
    "q-numeric": "7",
    "q-short": "paris",
    "q-matching": "ba",
}


# Any JSON value (no lone surrogates), for the readers' and encoders' property tests.
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(st.characters(exclude_categories=["Cs"])),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4)
    ),
    max_leaves=20,
)


def no_slower_than_ordinary(parse, awkward: str, ordinary_piece: str, times: float = 3) -> None:
    """Assert that `parse` takes no more than `times` the CPU time on `awkward` text than on
    ordinary text of the same size: a reader that backtracks or rescans would take hundreds of
    times as long, so a generous ratio holds on a busy machine."""
    import time

    ordinary = ordinary_piece * (len(awkward) // len(ordinary_piece) + 1)

    def seconds(text: str) -> float:
        start = time.process_time()
        parse(text, "big.txt")
        return time.process_time() - start

    seconds(ordinary[:2000])  # warm up
    slow, usual = min(seconds(awkward) for _ in range(2)), min(seconds(ordinary) for _ in range(2))
    assert slow < times * usual, (slow, usual)
