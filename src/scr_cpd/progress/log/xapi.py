"""The CPD log as xAPI 1.0.3 statements, for a force's learning record store (LRS).

Built from the log document alone (the same one `cpd export` signs), so what the LRS receives is
what the supervisor can verify. One statement per event:

    attempted       a module sitting, retake or practice session started     (timestamp: start)
    answered        each question answered, with success and the response    (answered_at)
    completed       a sitting finished, with its score                        (end)
    passed/failed   a module sitting finished at or above / below its pass mark (end)
    reflected       a reflection written (metadata only: its text stays out)  (last edit)

The first five verbs are ADL's (http://adlnet.gov/expapi/verbs/…); ADL has no verb for a
reflection, so `reflected` is ours, under the same base as our activity and extension IRIs.
Statement ids are UUID v5 of the actor and the event, so the same attempt exported twice gives
the same statement, and an LRS that receives it again keeps one copy.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from typing import Any, Iterable

XAPI_VERSION = "1.0.3"
BASE = "https://scr-cpd.invalid/xapi"  # ours: stable identifiers, not web pages
ADL_VERBS = "http://adlnet.gov/expapi/verbs/"
VERBS = {
    "attempted": ADL_VERBS + "attempted",
    "answered": ADL_VERBS + "answered",
    "completed": ADL_VERBS + "completed",
    "passed": ADL_VERBS + "passed",
    "failed": ADL_VERBS + "failed",
    "reflected": f"{BASE}/verbs/reflected",
}
MODULE_TYPE = "http://adlnet.gov/expapi/activities/module"
QUESTION_TYPE = "http://adlnet.gov/expapi/activities/cmi.interaction"
REFLECTION_TYPE = f"{BASE}/activity-types/reflection"
EXT = {
    "content_hash": f"{BASE}/extensions/content-hash",
    "revision": f"{BASE}/extensions/revision",
    "confidence": f"{BASE}/extensions/confidence",
    "bank_version": f"{BASE}/extensions/bank-version",
    "session_kind": f"{BASE}/extensions/session-kind",
    "learning_points": f"{BASE}/extensions/learning-points",
    "tags": f"{BASE}/extensions/tags",
}
NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, BASE)
LANGUAGE = "en-GB"
MBOX = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
HOME_PAGE = re.compile(r"^https?://[^\s/]+\.[^\s/]+(/\S*)?$")


class XapiError(ValueError):
    """The statements cannot be made as asked; one sentence for the user."""


def force_home_page(force: str) -> str | None:
    """The default account home page: `https://www.<force>.police.uk`, from the profile's force
    ("Northshire Police" -> northshire). A guess at the force's web address: set the real one."""
    from scr_cpd.common.text import slugify

    slug = slugify(re.sub(r"\b(police|constabulary|service)\b", " ", force, flags=re.I))
    return f"https://www.{slug.replace('-', '')}.police.uk" if slug else None


def actor(
    profile: dict[str, Any], home_page: str | None = None, mbox: str | None = None
) -> dict[str, Any]:
    """The officer: an mbox when given, else an account (staff number) on the force's home page."""
    name = str(profile.get("name") or "")
    agent: dict[str, Any] = {"objectType": "Agent"} | ({"name": name} if name else {})
    if mbox:
        address = mbox.removeprefix("mailto:")
        if not MBOX.match(address):
            raise XapiError(f"{mbox!r} is not an email address (--xapi-mbox name@force.police.uk)")
        return agent | {"mbox": f"mailto:{address}"}
    staff = str(profile.get("staff_number") or "").strip()
    if not staff:
        raise XapiError(
            "xAPI needs your staff number: set it with `cpd profile --staff-number N`, or give --xapi-mbox EMAIL"
        )
    page = home_page or force_home_page(str(profile.get("force") or ""))
    if not page:
        raise XapiError(
            "xAPI needs your force's home page: give --xapi-home-page URL, or set your force with `cpd profile --force`"
        )
    if not HOME_PAGE.match(page):
        raise XapiError(
            f"{page!r} is not a web address (--xapi-home-page https://www.force.police.uk)"
        )
    return agent | {"account": {"homePage": page, "name": staff}}


def duration(seconds: float) -> str:
    """ISO 8601 duration, to the hundredth of a second: 75.5 -> PT1M15.5S."""
    hundredths = max(0, round(float(seconds) * 100))
    hours, rest = divmod(hundredths, 360000)
    mins, rest = divmod(rest, 6000)
    secs = f"{rest / 100:.2f}".rstrip("0").rstrip(".")
    return "PT" + (f"{hours}H" if hours else "") + (f"{mins}M" if mins else "") + f"{secs}S"


def module_iri(module_id: str) -> str:
    return f"{BASE}/modules/{module_id}"


def question_iri(module_id: str, question_id: str) -> str:
    return f"{module_iri(module_id)}/questions/{question_id}"


def _ifi(agent: dict[str, Any]) -> str:
    account = agent.get("account")
    return f"{account['homePage']}|{account['name']}" if account else str(agent["mbox"])


def _id(*parts: Any) -> str:
    return str(uuid.uuid5(NAMESPACE, "\n".join(str(p) for p in parts)))


def interaction(response: Any) -> tuple[str, str] | None:
    """(xAPI interactionType, `result.response`) for a log response (see progress.log.response);
    None for an attempt from an older log, which has none."""
    if not isinstance(response, dict):
        return None
    if "options" in response:
        return "choice", "[,]".join(f"option-{o['index']}" for o in response["options"])
    if "pairs" in response:
        chosen = (f"left-{p['left']}[.]right-{p['right']}" for p in response["pairs"])
        return "matching", "[,]".join(chosen)
    value = response.get("value")
    if isinstance(value, bool):
        return "true-false", "true" if value else "false"
    if isinstance(value, (int, float)):
        return "numeric", str(value)
    return ("fill-in", value) if isinstance(value, str) else None


class _Builder:
    def __init__(self, doc: dict[str, Any], agent: dict[str, Any]):
        self.doc, self.agent, self.who = doc, agent, _ifi(agent)
        self.modules = {m["id"]: m for m in doc.get("modules", [])}
        self.app = f"{doc['app']['name']} {doc['app']['version']}"
        self.sessions = sorted(
            (a for a in doc.get("activities", []) if a["kind"] != "reflection"),
            key=lambda a: a["started_at"],
        )

    def registration(self, session: dict[str, Any]) -> str:
        return _id(
            self.who, "session", session["kind"], session["module_id"], session["started_at"]
        )

    def context(
        self, module_id: str | None, session: dict[str, Any] | None, parent: bool = False
    ) -> dict[str, Any]:
        extensions: dict[str, Any] = {}
        module = self.modules.get(module_id or "")
        if module:
            extensions[EXT["bank_version"]] = module["bank_version"]
        if session:
            extensions[EXT["session_kind"]] = session["kind"]
        context: dict[str, Any] = {"platform": self.app, "language": LANGUAGE}
        if session:
            context["registration"] = self.registration(session)
        if parent and module:
            context["contextActivities"] = {"parent": [self.module_object(module_id or "")]}
        return context | ({"extensions": extensions} if extensions else {})

    def module_object(self, module_id: str) -> dict[str, Any]:
        title = (self.modules.get(module_id) or {}).get("title") or module_id
        return {
            "objectType": "Activity",
            "id": module_iri(module_id),
            "definition": {"type": MODULE_TYPE, "name": {LANGUAGE: title}},
        }

    def statement(
        self,
        sid: str,
        verb: str,
        obj: dict[str, Any],
        timestamp: str,
        context: dict[str, Any],
        result: dict[str, Any] | None,
    ) -> dict[str, Any]:
        statement = {
            "id": sid,
            "actor": self.agent,
            "verb": {"id": VERBS[verb], "display": {"en-US": verb}},
            "object": obj,
            "timestamp": timestamp,
            "context": context,
            "version": XAPI_VERSION,
        }
        return statement | ({"result": result} if result else {})

    def session_of(self, attempt: dict[str, Any]) -> dict[str, Any] | None:
        """The sitting an attempt belongs to: the latest started before it that covers it."""
        found = None
        for s in self.sessions:
            if s["started_at"] > attempt["answered_at"]:
                break
            if s["module_id"] in (None, attempt["module_id"]) and (
                s["ended_at"] is None or attempt["answered_at"] <= s["ended_at"]
            ):
                found = s
        return found


def statements(
    doc: dict[str, Any], home_page: str | None = None, mbox: str | None = None
) -> list[dict[str, Any]]:
    """Every statement for the log, oldest first."""
    builder = _Builder(doc, actor(doc["profile"], home_page, mbox))
    out = list(_session_statements(builder))
    out += _attempt_statements(builder)
    out += _reflection_statements(builder)
    out.sort(key=lambda s: (s["timestamp"], list(VERBS).index(_verb_name(s))))
    return out


def _verb_name(statement: dict[str, Any]) -> str:
    return str(statement["verb"]["display"]["en-US"])


def _session_statements(b: _Builder) -> Iterable[dict[str, Any]]:
    for s in b.sessions:
        module_id = s["module_id"]
        obj = b.module_object(module_id) if module_id else _practice_object()
        key = (b.who, s["kind"], module_id, s["started_at"])
        context = b.context(module_id, s)
        yield b.statement(_id(*key, "attempted"), "attempted", obj, s["started_at"], context, None)
        if s["status"] != "completed" or not s["ended_at"]:
            continue
        asked = s["questions"] or 1
        result = {
            "score": {"scaled": round(s["correct"] / asked, 4), "raw": s["correct"]}
            | {"min": 0, "max": s["questions"]},
            "completion": True,
            "duration": duration(s["seconds"]),
        }
        yield b.statement(_id(*key, "completed"), "completed", obj, s["ended_at"], context, result)
        module = b.modules.get(module_id or "")
        if s["kind"] == "module" and module:
            passed = s["correct"] / asked >= module["pass_mark"]
            verb = "passed" if passed else "failed"
            outcome = result | {"success": passed}
            yield b.statement(_id(*key, verb), verb, obj, s["ended_at"], context, outcome)


def _practice_object() -> dict[str, Any]:
    return {
        "objectType": "Activity",
        "id": f"{BASE}/practice",
        "definition": {"type": MODULE_TYPE, "name": {LANGUAGE: "Practice across modules"}},
    }


def _attempt_statements(b: _Builder) -> Iterable[dict[str, Any]]:
    seen: dict[tuple[str, str, str], int] = {}
    for a in b.doc.get("attempts", []):
        key = (a["module_id"], a["question_id"], a["answered_at"])
        seen[key] = seen.get(key, 0) + 1
        extensions = {EXT["content_hash"]: a["content_hash"], EXT["revision"]: a["revision"]}
        definition: dict[str, Any] = {
            "type": QUESTION_TYPE,
            "name": {LANGUAGE: f"{a['module_id']}: {a['question_id']}"},
            "extensions": extensions,
        }
        obj = {"objectType": "Activity", "id": question_iri(*key[:2]), "definition": definition}
        result: dict[str, Any] = {"success": a["correct"], "duration": duration(a["seconds"])}
        found = interaction(a.get("response"))
        if found is not None:
            definition["interactionType"], result["response"] = found
        if a.get("confidence"):
            result["extensions"] = {EXT["confidence"]: a["confidence"]}
        context = b.context(a["module_id"], b.session_of(a), parent=True)
        sid = _id(b.who, "answered", *key, seen[key])
        yield b.statement(sid, "answered", obj, a["answered_at"], context, result)


def _reflection_statements(b: _Builder) -> Iterable[dict[str, Any]]:
    for r in b.doc.get("reflections", []):
        module_id = r.get("module_id")
        where = f"{module_iri(module_id)}/reflections" if module_id else f"{BASE}/reflections"
        prompt = r.get("prompt_id") or "free"
        obj = {
            "objectType": "Activity",
            "id": f"{where}/{prompt}",
            "definition": {"type": REFLECTION_TYPE, "name": {LANGUAGE: str(r["prompt"])[:120]}},
        }
        extensions = {
            EXT["learning_points"]: [lp["id"] for lp in r.get("learning_points", [])],
            EXT["tags"]: list(r.get("tags", [])),
        }
        context = b.context(module_id, None, parent=bool(module_id))
        context["extensions"] = context.get("extensions", {}) | extensions
        result = {"completion": True, "duration": duration(r.get("seconds", 0))}
        sid = _id(b.who, "reflected", r["id"], r["updated_at"])
        yield b.statement(sid, "reflected", obj, r["updated_at"], context, result)


@dataclass(frozen=True)
class XapiFile:
    data: bytes
    count: int
    actor: dict[str, Any]


def render(doc: dict[str, Any], ndjson: bool, home_page: str | None, mbox: str | None) -> XapiFile:
    """The file `cpd export --format xapi` writes: a JSON array, or one statement per line."""
    import json

    found = statements(doc, home_page, mbox)
    if ndjson:
        text = "".join(json.dumps(s, ensure_ascii=False) + "\n" for s in found)
    else:
        text = json.dumps(found, indent=2, ensure_ascii=False) + "\n"
    who = found[0]["actor"] if found else actor(doc["profile"], home_page, mbox)
    return XapiFile(text.encode("utf-8"), len(found), who)
