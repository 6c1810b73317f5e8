"""A supervisor signs a log off: outcome, comments and their identity, signed with their key over
the officer's signed log, written to a new file (never over the original, nor over an earlier
sign-off unless asked)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scr_cpd.common.files import check_output_path, write_private
from scr_cpd.progress.log.keys import key_fingerprint, load_or_create_key
from scr_cpd.progress.log.signing import sign_review
from scr_cpd.progress.log.vocabulary import OUTCOMES, OUTCOMES_NEEDING_A_COMMENT, SIGNABLE
from scr_cpd.progress.supervision import SupervisionError
from scr_cpd.progress.supervision.logfile import dump_log, load_log, reviewed_path
from scr_cpd.progress.supervision.trust import load_trust

SUPERVISOR_FIELDS = ("name", "role", "force", "staff_number")


@dataclass(frozen=True)
class SignOff:
    target: Path
    fingerprint: str
    replaced: dict[str, Any] | None  # the earlier review in the file signed, if it had one
    untrusted_officer: str | None  # the officer's fingerprint, when it is not in the trust list


def parse_outcome(text: str) -> str:
    outcome = text.strip().lower()
    if outcome not in OUTCOMES:
        raise SupervisionError(
            f"{text!r} is not an outcome; use one of: {', '.join(OUTCOMES)}", usage=True
        )
    return outcome


def _supervisor(profile: dict[str, Any]) -> dict[str, str]:
    if not str(profile.get("name", "")).strip():
        raise SupervisionError(
            "your profile has no name, so the officer could not see who signed; run "
            '`cpd profile --name "Sgt 4321 Patel" --role Sergeant --staff-number 4321` first'
        )
    return {k: str(profile.get(k, "")) for k in SUPERVISOR_FIELDS}


def _check_comments(
    log: Path, doc: dict[str, Any], outcome: str, overall: str, pairs: list[tuple[str, str]]
) -> None:
    if outcome in OUTCOMES_NEEDING_A_COMMENT and not overall.strip() and not pairs:
        raise SupervisionError(
            f'--outcome {outcome} needs a comment saying what to {outcome}: add --comment "..."',
            usage=True,
        )
    known = [r["id"] for r in doc["reflections"]]
    unknown = [rid for rid, _ in pairs if rid not in known]
    if unknown:
        listed = ", ".join(known[:8]) + (" …" if len(known) > 8 else "") if known else "none"
        raise SupervisionError(
            f"{log} has no reflection {unknown[0]!r} (its reflections: {listed})", usage=True
        )


def sign_off(
    home: Path,
    log: Path,
    profile: dict[str, Any],
    outcome: str,
    overall: str,
    pairs: list[tuple[str, str]],
    when: str,
    output: Path | None = None,
    force: bool = False,
) -> SignOff:
    """Sign `log` and write the signed copy; raises SupervisionError (or OutputError) on any
    problem, before anything is written."""
    outcome = parse_outcome(outcome)
    supervisor = _supervisor(profile)
    trust = load_trust(home)
    doc, verdict = load_log(log, trust)
    if doc is None or verdict.status not in SIGNABLE:
        raise SupervisionError(f"cannot sign {log}: it is {verdict.line()}")
    _check_comments(log, doc, outcome, overall, pairs)
    target = output or reviewed_path(log)
    if target.resolve() == log.resolve():
        raise SupervisionError(
            f"the signed log would replace {log}; choose another file with -o", usage=True
        )
    check_output_path(target, force=force)
    key = load_or_create_key(home)
    fingerprint = key_fingerprint(key)
    if fingerprint == verdict.fingerprint:
        raise SupervisionError(
            f"{log} is signed with your own key: a sign-off of your own log would not count"
        )
    comments = [{"reflection": rid, "comment": text} for rid, text in pairs]
    signed = sign_review(doc, key, supervisor, when, outcome, overall, comments)
    write_private(target, dump_log(signed), force=force)
    untrusted = verdict.fingerprint if verdict.status != "valid" else None
    return SignOff(target, fingerprint, doc.get("review"), untrusted)
