"""A bank checked against the schema (`schema.Bank`), a large one on two cores.

pydantic's validation is most of the time it takes to check a bank of tens of thousands of
questions (an import at the size limit, say), and each question is checked on its own. So where
the system can fork, a bank of `TWO_CORES_FROM` questions or more is checked in two parts at
once: a child process takes the later questions, while this one checks the rest of the bank and
runs `meanwhile` (the checks that need the whole file). The errors are pydantic's own, with the
child's question numbers moved back to their place in the whole bank, so nothing downstream can
tell the difference; should the child fail in any way, its part is checked here.
"""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")
TWO_CORES_FROM = 2_000  # questions: below this, starting a process costs more than it saves
CHILD_SHARE = 0.6  # the child's part is larger: this process also runs `meanwhile`


def validate_model(
    data: dict[str, Any], normalise: bool, meanwhile: Callable[[], T]
) -> tuple[dict[str, Any], list[dict[str, Any]], T]:
    """(the normalised bank, or `data` itself when not `normalise`; pydantic's errors, as
    `ValidationError.errors()` gives them, for the whole bank; what `meanwhile` returned)."""
    questions = data.get("questions")
    if not (isinstance(questions, list) and len(questions) >= TWO_CORES_FROM and _can_fork()):
        normalised, errors = _validated(data, normalise)
        return (normalised if normalise else data), errors, meanwhile()
    cut = len(questions) - int(len(questions) * CHILD_SHARE)
    _build_schema()  # once, before the fork, rather than once in each process
    child = _Child({**data, "questions": questions[cut:]}, normalise)
    normalised, errors = _validated({**data, "questions": questions[:cut]}, normalise)
    done = meanwhile()
    later, later_errors = child.result()
    errors += [_moved(error, cut) for error in later_errors if error["loc"][:1] == ("questions",)]
    if normalise and not errors:
        normalised["questions"] = normalised["questions"] + later["questions"]
    return (normalised if normalise else data), errors, done


def _validated(
    data: dict[str, Any], normalise: bool
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    from pydantic import ValidationError

    from scr_cpd.content.schema import Bank

    try:
        model = Bank.model_validate(data)
    except ValidationError as exc:
        return {}, [dict(error) for error in exc.errors()]
    return (model.model_dump(mode="json", exclude_none=True) if normalise else {}), []


def _build_schema() -> None:
    from scr_cpd.content.schema import Bank

    Bank.model_rebuild()


def _moved(error: dict[str, Any], offset: int) -> dict[str, Any]:
    loc = error["loc"]
    if len(loc) > 1 and isinstance(loc[1], int):
        error = {**error, "loc": (loc[0], loc[1] + offset, *loc[2:])}
    return error


def _can_fork() -> bool:
    import multiprocessing

    return (
        sys.platform == "linux"
        and (os.cpu_count() or 1) > 1
        and "fork" in multiprocessing.get_all_start_methods()
    )


class _Child:
    """One forked process checking `data`; `result()` is what `_validated` gives for it."""

    def __init__(self, data: dict[str, Any], normalise: bool):
        import multiprocessing

        self.data, self.normalise = data, normalise
        context = multiprocessing.get_context("fork")
        self.receiver, sender = context.Pipe(duplex=False)
        self.process = context.Process(target=_check_and_send, args=(data, normalise, sender))
        self.process.daemon = True  # never outlives the command
        # Ctrl-C is held back while forking, so that it never reaches the child before the child
        # ignores it (see _check_and_send); here it is delivered once the child has started.
        held = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
        try:
            self.process.start()
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, held)
        sender.close()

    def result(self) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        try:
            kind, value = self.receiver.recv()
        except (EOFError, OSError):  # the child died before it could answer
            kind, value = "failed", None
        except BaseException:  # Ctrl-C, say: the child's work is no longer wanted
            self.process.terminate()
            raise
        finally:
            self.receiver.close()
            self.process.join()
        if kind == "done":
            return value  # type: ignore[no-any-return]
        return _validated(self.data, self.normalise)


def _check_and_send(data: dict[str, Any], normalise: bool, sender: Any) -> None:
    import gc

    gc.disable()  # short-lived: a collection would touch, and so copy, the parent's whole heap
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    try:
        sender.send(("done", _validated(data, normalise)))
    except Exception:  # noqa: BLE001 - anything at all: the parent checks this part itself
        sender.send(("failed", None))
    finally:
        sender.close()
