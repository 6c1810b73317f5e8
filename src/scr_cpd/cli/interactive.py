"""The interactive way a person answers: arrow-key and number-key menus (questionary), styled
output (rich). Ctrl-C at any prompt stops, keeping what was answered.

Every menu entry is wrapped to the screen, never cut; numbers select in every numbered list and
letters in matching; a menu returns the value of its entry, never its label.
"""

from __future__ import annotations

import sys
import textwrap
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from scr_cpd.cli.console import (
    echo_held,
    release_collector,
    safe,
    terminal_height,
    terminal_width,
)
from scr_cpd.cli.feedback import print_feedback, question_heading
from scr_cpd.cli.tables import cell_width
from scr_cpd.cli.ui import CONFIDENCE_LABELS, LETTERS, PlainUI, parse_number, parse_text
from scr_cpd.common.text import one_line, shorten
from scr_cpd.progress.quiz import CONFIDENCE_LEVELS, EndOfInput, Feedback, Presented, Stop

SHORTCUTS = "1234567890" + LETTERS  # questionary's own order of shortcut keys
INDENT = 6  # pointer (3) and "1) " (3): where a menu entry's text starts
UNTICKED = "○"  # questionary's mark of an entry not ticked in a checklist


def wrapped(text: str, indent: int = INDENT, reserve: int = 1) -> str:
    """A menu entry folded at words to the screen; later lines start under the first's text.
    `reserve`: columns kept free at the end of a line (for what a prompt adds after it)."""
    width = max(terminal_width() - indent - reserve, 20)
    lines = textwrap.wrap(one_line(text), width, break_on_hyphens=False) or [""]
    return ("\n" + " " * indent).join(lines)


def _questionary() -> Any:
    """questionary, imported when the first prompt is drawn (it takes most of a second on a busy
    machine), with prompt_toolkit's default key bindings built once per process."""
    import questionary

    _share_default_bindings()
    return questionary


# prompt_toolkit's loaders of its stateless default key bindings, by module: every Application
# builds them afresh (about 600 bindings; a questionary menu makes three Applications), which
# was most of the time between an answer and the next menu on screen.
_DEFAULT_BINDINGS = {
    "prompt_toolkit.application.application": (
        "load_key_bindings",
        "load_page_navigation_bindings",
    ),
    "prompt_toolkit.shortcuts.prompt": (
        "load_auto_suggest_bindings",
        "load_open_in_editor_bindings",
    ),
}


def _share_default_bindings() -> None:
    """Build prompt_toolkit's default key bindings once and share them between its
    Applications, which run one at a time here. They hold no state of their own: each handler
    and filter reads the application running when a key is pressed."""
    import functools
    import importlib

    for module_name, loaders in _DEFAULT_BINDINGS.items():
        module = importlib.import_module(module_name)
        for name in loaders:
            loader = getattr(module, name, None)
            if callable(loader) and not hasattr(loader, "cache_info"):
                setattr(module, name, functools.cache(loader))


def _ask(prompt: Any) -> Any:
    release_collector()  # the person is about to read: nothing is waiting on it now
    try:
        return prompt.unsafe_ask()
    except KeyboardInterrupt:
        raise Stop("interrupted") from None
    except EOFError:  # Ctrl-D
        raise EndOfInput("end of input") from None


def select_index(
    message: str,
    labels: list[str],
    default: int | None = None,
    one_line_echo: bool = False,
    **kw: Any,
) -> int:
    """A numbered menu; returns the index of the chosen entry. The choice is echoed whole, or
    in one line with `one_line_echo` (for entries the caller shows whole next)."""
    entries = [wrapped(label) for label in labels[: len(SHORTCUTS)]]
    shown = [f"{SHORTCUTS[n]}) {e}" for n, e in enumerate(entries)]
    with _questionary_showing(message, shown) as questionary:
        choices = [
            questionary.Choice(entry, value=n, shortcut_key=SHORTCUTS[n])
            for n, entry in enumerate(entries)
        ]
        start = choices[default] if default is not None else None
        kw.setdefault("instruction", "(number or arrow keys, then Enter)")
        # questionary's own echo of a multi-line entry is clipped at the screen's edge: erase it
        # and echo the choice ourselves, whole and folded at words.
        kw.setdefault("erase_when_done", True)
        menu = questionary.select(message, choices=choices, use_shortcuts=True, default=start, **kw)
        index = int(_ask(menu))
    echo_choice(message, labels[index], one_line_echo)
    return index


@contextmanager
def _questionary_showing(message: str, entries: list[str]) -> Iterator[Any]:
    """questionary, with the menu's entries on screen meanwhile: the first menu of a run is
    drawn as plain lines while questionary loads (a few hundred ms on a slow machine), so the
    person can read every choice at once; the menu, asked inside the block, then takes the
    same place, adding its pointer and instruction. Meanwhile the terminal does not echo keys
    (they wait for the menu): one echoed between moving back and the menu's start would shift
    its first line."""
    # The question is on screen from the start: Ctrl-C at any moment until the menu answers
    # (drawing the choices, loading questionary, building the menu) stops as at its prompt.
    try:
        preview = _preview(message, entries)
        with echo_held(bool(preview)):
            questionary = _questionary()
            _back_over(preview)
            yield questionary
    except KeyboardInterrupt:
        raise Stop("interrupted") from None


def _preview(message: str, entries: list[str]) -> int:
    """The lines drawn (0: none, when questionary is already loaded, the output is no
    terminal, or the lines would not fit)."""
    if "questionary" in sys.modules or not sys.stdout.isatty():
        return 0
    lines = [f"? {one_line(message)}"]
    for entry in entries:
        lines += f"   {entry}".split("\n")
    width = terminal_width()
    if len(lines) >= terminal_height() - 1 or any(cell_width(line) >= width for line in lines):
        return 0  # moving back up over it needs every line on screen, none wrapped by the terminal
    sys.stdout.write("\n".join(lines) + "\n")
    sys.stdout.flush()
    return len(lines)


def _back_over(lines: int) -> None:
    """The cursor back to the preview's first line: the menu's first drawing clears the screen
    below it and draws in one write, so the choices never blink out."""
    if lines:
        sys.stdout.write(f"\x1b[{lines}A\r")
        sys.stdout.flush()


def echo_choice(message: str, label: str, one_line_only: bool = False) -> None:
    """`? Question: the answer chosen`, every word of it, wrapped to the screen (or cut to
    one line, ending in "…")."""
    width = max(terminal_width() - 1, 20)
    head = f"? {one_line(message)} "
    if one_line_only:
        print(head + shorten(label, max(width - len(head), 10)))
        return
    line = head + one_line(label)
    print("\n".join(textwrap.wrap(line, width, subsequent_indent="  ", break_on_hyphens=False)))


class InteractiveUI(PlainUI):
    """Arrow-key prompts (questionary) and styled output (rich)."""

    stop_hint = "Press Ctrl-C at any prompt to stop; your answers are kept."

    def ask(self, p: Presented) -> Any:
        q = p.question
        self.console.print()
        self.console.rule(question_heading(p), style="cyan")
        self.console.print(safe(q.prompt))
        if q.type == "single":
            return p.option_order[select_index("Your answer:", self._texts(p))]
        if q.type == "multiple":
            return self._ask_multiple(p)
        if q.type == "true_false":
            return select_index("Your answer:", ["True", "False"]) == 0
        if q.type == "numeric":
            return self._ask_number(q.unit)
        if q.type == "short_answer":
            questionary = _questionary()
            valid = lambda t: bool(t.strip()) or "Type an answer."  # noqa: E731
            return parse_text(_ask(questionary.text("Your answer:", validate=valid)))
        if q.type == "matching":
            return self._ask_matching(p)
        raise ValueError(f"unknown question type {q.type}")

    @staticmethod
    def _texts(p: Presented) -> list[str]:
        return [p.question.options[i].text for i in p.option_order]

    def _ask_number(self, unit: str | None) -> Any:
        questionary = _questionary()

        def valid(text: str) -> bool | str:
            try:
                parse_number(text, unit)
                return True
            except ValueError as exc:
                return str(exc)

        label = f"Your answer ({unit}):" if unit else "Your answer:"
        return parse_number(_ask(questionary.text(label, validate=valid)), unit)

    def _ask_multiple(self, p: Presented) -> Any:
        while True:
            picked = self.pick_many("Choose all that apply:", self._texts(p))
            if picked:
                return sorted(p.option_order[n] for n in picked)
            self.console.print("Select at least one option (space bar), then press Enter.")

    def pick_many(self, title: str, labels: list[str]) -> list[int]:
        """A checklist; space or an entry's number ticks it, Enter submits."""
        entries = [wrapped(f"{SHORTCUTS[n]}. {t}", indent=INDENT + 2) for n, t in enumerate(labels)]
        with _questionary_showing(title, [f"{UNTICKED} {e}" for e in entries]) as questionary:
            choices = [questionary.Choice(entry, value=n) for n, entry in enumerate(entries)]
            question = questionary.checkbox(
                title, choices=choices, instruction="(space or number to tick, Enter to submit)"
            )
            _number_keys_toggle(question, len(choices))
            return [int(n) for n in _ask(question)]

    def _ask_matching(self, p: Presented) -> list[int]:
        """One menu per item; an answer given to one item cannot be given to another."""
        questionary = _questionary()
        q = p.question
        rights = [q.pairs[r].right for r in p.right_order]
        given: dict[int, str] = {}  # display position -> the item it was given to
        answer = []
        for pair in q.pairs:
            choices = [
                questionary.Choice(
                    wrapped(text),
                    value=n,
                    shortcut_key=LETTERS[n],
                    disabled=f"given to {given[n]}" if n in given else None,
                )
                for n, text in enumerate(rights)
            ]
            picked = _ask(
                questionary.select(
                    f"{pair.left} →",
                    choices=choices,
                    use_shortcuts=True,
                    instruction="(letter or arrow keys, then Enter)",
                )
            )
            given[picked] = pair.left
            answer.append(p.right_order[picked])
        return answer

    def ask_confidence(self) -> str | None:
        """Nothing is chosen for the person: the pointer starts on Skip, so a quick Enter
        records no confidence rather than "sure"."""
        labels = [CONFIDENCE_LABELS[c] for c in CONFIDENCE_LEVELS] + ["Skip"]
        picked = select_index("How sure were you?", labels, default=len(labels) - 1)
        return CONFIDENCE_LEVELS[picked] if picked < len(CONFIDENCE_LEVELS) else None

    def show_feedback(self, fb: Feedback) -> None:
        print_feedback(self.console, fb, plain=False)

    def pause(self, message: str = "Enter for the next question") -> None:
        """Wait for Enter, so that what was just printed stays on screen; Ctrl-C stops.

        A one-line prompt_toolkit application, not a PromptSession: there is nothing to edit,
        and a PromptSession's editing machinery took longer to build than the rest of the
        step from an answer to the next question."""
        from prompt_toolkit.application import Application
        from prompt_toolkit.data_structures import Point
        from prompt_toolkit.key_binding import KeyBindings
        from prompt_toolkit.layout import Layout, Window
        from prompt_toolkit.layout.controls import FormattedTextControl

        _share_default_bindings()
        keys = KeyBindings()

        @keys.add("enter", eager=True)
        def _done(event: Any) -> None:
            event.app.exit(result="")

        @keys.add("c-c", eager=True)
        def _stop(event: Any) -> None:
            event.app.exit(exception=KeyboardInterrupt())

        @keys.add("<any>")
        def _ignore(event: Any) -> None:
            """Other keys do nothing."""

        shown = f"{message} "
        line = FormattedTextControl(
            shown, show_cursor=True, get_cursor_position=lambda: Point(x=len(shown), y=0)
        )
        application: Application[str] = Application(
            layout=Layout(Window(line, height=1, dont_extend_height=True)),
            key_bindings=keys,
            full_screen=False,
        )
        try:
            application.run()
        except (KeyboardInterrupt, EOFError):
            raise Stop("interrupted") from None

    def confirm(self, question: str, default: bool = True) -> bool:
        questionary = _questionary()
        message = wrapped(question, indent=2, reserve=9)  # room for " (Y/n) "
        return bool(_ask(questionary.confirm(message, default=default)))  # Ctrl-C: Stop

    def choose(
        self, title: str, choices: list[tuple[str, Any]], one_line_echo: bool = False
    ) -> Any:
        labels = [label for label, _ in choices]
        return choices[select_index(title, labels, one_line_echo=one_line_echo)][1]

    def text(self, prompt: str, multiline: bool = True, default: str = "") -> str:
        questionary = _questionary()
        hint = " (Esc then Enter to finish)" if multiline else ""
        self.console.print(safe(prompt) + hint)
        question = questionary.text(
            "", multiline=multiline, default=default, qmark="›", instruction=""
        )
        try:
            return str(_ask(question) or "").strip()
        except Stop as stop:
            stop.written = typed_so_far(question)
            raise


def typed_so_far(question: Any) -> str:
    """The text in a stopped text prompt's box: prompt_toolkit keeps it after Ctrl-C."""
    try:
        return str(question.application.current_buffer.text).strip()
    except AttributeError:  # not a prompt_toolkit prompt (a test's stand-in)
        return ""


def _number_keys_toggle(question: Any, count: int) -> None:
    """Let the number keys tick and untick a checkbox's entries, as they select in a menu."""
    from questionary.prompts.common import InquirerControl

    app = question.application
    control = next(c for c in app.layout.find_all_controls() if isinstance(c, InquirerControl))

    def toggle(n: int) -> None:
        control.pointed_at = n
        if n in control.selected_options:
            control.selected_options.remove(n)
        else:
            control.selected_options.append(n)

    for n in range(min(count, 10)):
        app.key_bindings.add(SHORTCUTS[n], eager=True)(lambda _event, n=n: toggle(n))
