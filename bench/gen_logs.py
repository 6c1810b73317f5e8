"""Generate realistic signed CPD logs (`scr-cpd/log@1`) for N officers, for `cpd review` benchmarks.

Each officer gets the twelve bundled modules at mixed progress, a few hundred answered questions,
module and practice sittings, and on average 50 reflections of a few hundred words each, tagged
with the Competency and Values Framework. Each log is signed with its own officer's key.

    PYTHONPATH=src python bench/gen_logs.py OUT_DIR -n 1000 [--reflections 50] [--seed 1]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from scr_cpd import __version__
from scr_cpd.content.loader import load_library
from scr_cpd.progress.figures import Answered, module_record, totals
from scr_cpd.progress.log.signing import sign_log

FIRST = [
    "Alex",
    "Sam",
    "Priya",
    "Tomasz",
    "Aisha",
    "Gareth",
    "Niamh",
    "Kwame",
    "Chloé",
    "Rhys",
    "Fatima",
    "Owen",
    "Zofia",
    "Jamal",
    "Eilidh",
    "Connor",
    "Mei",
    "Dafydd",
    "Grace",
    "Ravi",
]
LAST = [
    "Jones",
    "Patel",
    "Nowak",
    "O'Brien",
    "Khan",
    "Evans",
    "Mensah",
    "Davies",
    "MacLeod",
    "Hughes",
    "Ahmed",
    "Williams",
    "Kowalski",
    "Brennan",
    "Thompson",
    "Chen",
    "Roberts",
    "Singh",
    "Morgan",
    "Lewis",
]
ROLES = ["PC", "PC", "PC", "DC", "PS", "DS", "PCSO"]
TAGS = [
    "emotionally-aware",
    "take-ownership",
    "collaborative",
    "deliver-support-inspire",
    "analyse-critically",
    "innovative-open-minded",
    "integrity",
    "impartiality",
    "public-service",
    "transparency",
]
SENTENCES = [
    "At a recent domestic incident the children were in the next room and I did not speak to them directly.",
    "I recorded what the adults told me but not what the home looked like from the child's point of view.",
    "The module made me see that neglect rarely happens on its own and often sits beside other harm.",
    "I had assumed that another agency already knew about the family, so I did not make a referral.",
    "Looking back, the signs were there over several visits, but no single visit seemed serious enough.",
    "Professional curiosity means asking the next question even when the answer seems obvious.",
    "I now check the previous call history before I attend, and I note who else lives at the address.",
    "Information shared early with partners would have given a fuller picture of the risk.",
    "Where a parent is hostile, I will escalate through my supervisor rather than accept being turned away.",
    "I will speak to the child alone where it is safe to do so, and record their words as they said them.",
    "Disguised compliance can look like cooperation: I will test what has actually changed.",
    "Teenagers who go missing are at risk of exploitation, not making lifestyle choices.",
    "This matters because the child's lived experience is the thing we most often fail to capture.",
    "I discussed the case with my sergeant and we agreed the referral should have been made on the night.",
    "Cultural difference is never a reason to accept a lower standard of care for a child.",
    "The briefing's point about men in the household not being assessed changed how I record visits.",
]


def paragraph(rng: random.Random, low: int = 3, high: int = 8) -> str:
    return " ".join(rng.choice(SENTENCES) for _ in range(rng.randint(low, high)))


_HASHES: dict[tuple[str, str], str] = {}


def content_hash(question: Any) -> str:
    if question.key not in _HASHES:
        _HASHES[question.key] = question.content_hash
    return _HASHES[question.key]


def stamp(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).isoformat(timespec="seconds")


def make_officer_log(
    rng: random.Random, index: int, banks: list[Any], reflections: int, end: datetime
) -> dict[str, Any]:
    start = end - timedelta(days=rng.randint(60, 365))
    name = f"{rng.choice(ROLES)} {1000 + index} {rng.choice(FIRST)} {rng.choice(LAST)}"
    attempts, activities, modules = [], [], []
    for bank in banks:
        runs = rng.choice([0, 0, 1, 1, 2, 3])
        module_attempts = []
        scores = []
        clock = start + timedelta(days=rng.randint(0, 40), minutes=rng.randint(0, 600))
        for _ in range(runs):
            began = clock
            asked = rng.sample(bank.questions, k=len(bank.questions))
            if rng.random() < 0.3:
                asked = asked[: rng.randint(1, len(asked))]
            right = 0
            for q in asked:
                seconds = round(rng.uniform(15, 140), 1)
                clock += timedelta(seconds=seconds + rng.uniform(2, 20))
                correct = rng.random() < 0.72
                right += correct
                module_attempts.append(
                    {
                        "module_id": bank.id,
                        "question_id": q.id,
                        "revision": q.revision,
                        "content_hash": content_hash(q),
                        "correct": correct,
                        "confidence": rng.choice(["sure", "fairly", "guess", None]),
                        "answered_at": stamp(clock),
                        "seconds": seconds,
                    }
                )
            done = len(asked) == len(bank.questions)
            if done:
                scores.append(right / len(asked))
            activities.append(
                {
                    "kind": "module",
                    "module_id": bank.id,
                    "title": bank.title,
                    "started_at": stamp(began),
                    "ended_at": stamp(clock),
                    "status": "completed" if done else "abandoned",
                    "questions": len(asked),
                    "correct": right,
                    "seconds": round(sum(a["seconds"] for a in module_attempts[-len(asked) :]), 1),
                }
            )
            clock += timedelta(days=rng.randint(1, 20))
        attempts += module_attempts
        answered = Answered(
            answers=len(module_attempts),
            correct=sum(a["correct"] for a in module_attempts),
            seconds=sum(a["seconds"] for a in module_attempts),
            first=module_attempts[0]["answered_at"] if module_attempts else None,
            last=module_attempts[-1]["answered_at"] if module_attempts else None,
        )
        modules.append(module_record(bank, scores, answered, open_run=False))
    written = []
    for n in range(max(0, int(rng.gauss(reflections, reflections / 5)))):
        bank = rng.choice(banks)
        prompt = rng.choice(bank.reflections) if bank.reflections and rng.random() < 0.8 else None
        created = start + timedelta(
            days=rng.uniform(0, (end - start).days), seconds=rng.randint(0, 86400)
        )
        updated = created + timedelta(days=rng.choice([0, 0, 0, 2, 9]))
        seconds = round(rng.uniform(300, 1500), 1)
        rid = f"r-{created:%Y%m%d}-{hashlib.sha256(f'{index}-{n}'.encode()).hexdigest()[:4]}"
        points = [
            {"id": pid, "text": bank.learning_points[pid]}
            for pid in (prompt.learning_points if prompt else ())
            if pid in bank.learning_points
        ]
        written.append(
            {
                "id": rid,
                "module_id": bank.id,
                "module_title": bank.title,
                "prompt_id": prompt.id if prompt else None,
                "prompt": prompt.prompt if prompt else "Free reflection",
                "what": paragraph(rng),
                "so_what": paragraph(rng, 2, 6),
                "now_what": paragraph(rng, 2, 6),
                "learning_points": points,
                "tags": rng.sample(TAGS, k=rng.randint(0, 3)),
                "created_at": stamp(created),
                "updated_at": stamp(updated),
                "seconds": seconds,
            }
        )
        activities.append(
            {
                "kind": "reflection",
                "module_id": bank.id,
                "title": written[-1]["prompt"][:120],
                "started_at": stamp(created),
                "ended_at": stamp(updated),
                "status": "written",
                "questions": 0,
                "correct": 0,
                "seconds": seconds,
            }
        )
    written.sort(key=lambda r: r["created_at"])
    activities.sort(key=lambda a: a["started_at"])
    attempts.sort(key=lambda a: a["answered_at"])
    return {
        "format": "scr-cpd/log@1",
        "generated_at": stamp(end),
        "app": {"name": "scr-cpd", "version": __version__},
        "profile": {
            "name": name,
            "role": name.split()[0],
            "force": "Northshire Police",
            "staff_number": str(1000 + index),
        },
        "period": {"since": start.date().isoformat(), "until": None},
        "banks": [{"id": b.id, "title": b.title, "version": b.version} for b in banks],
        "modules": [m.as_log() for m in modules],
        "activities": activities,
        "attempts": attempts,
        "reflections": written,
        "totals": totals(
            modules,
            sum(a["seconds"] for a in attempts),
            len(attempts),
            sum(r["seconds"] for r in written),
            len(written),
        ).as_log(),
        "identifiers": [],
    }


def new_key(rng: random.Random) -> Any:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    return Ed25519PrivateKey.from_private_bytes(rng.randbytes(32))


def generate(out: Path, count: int, reflections: int = 50, seed: int = 1) -> list[Path]:
    rng = random.Random(seed)
    with tempfile.TemporaryDirectory() as empty_home:
        banks = load_library(Path(empty_home)).ordered()
    end = datetime(2026, 11, 20, 17, 0, tzinfo=timezone.utc)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for index in range(count):
        doc = sign_log(make_officer_log(rng, index, banks, reflections, end), new_key(rng))
        path = out / f"officer-{index:05d}.json"
        path.write_text(json.dumps(doc, indent=2, ensure_ascii=False), encoding="utf-8")
        paths.append(path)
    return paths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="folder to write officer-NNNNN.json into")
    parser.add_argument("-n", type=int, default=100, help="number of officers (default 100)")
    parser.add_argument(
        "--reflections", type=int, default=50, help="average reflections per officer (default 50)"
    )
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    began = time.perf_counter()
    paths = generate(args.out, args.n, args.reflections, args.seed)
    size = sum(p.stat().st_size for p in paths)
    print(
        f"wrote {len(paths)} logs to {args.out} ({size / 1024 / 1024:.1f} MB, "
        f"{size / max(1, len(paths)) / 1024:.0f} KB each) in {time.perf_counter() - began:.1f} s",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
