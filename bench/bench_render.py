"""Rendering a heavy CPD log: Markdown, HTML, PDF and CSV from one `scr-cpd/log@1` document.

The document holds 1,000 reflections (What? So what? Now what? of 60 to 160 words each, about
1.9 million characters in all), 20,000 attempts and 2,000 activities. Each format is rendered in
a fresh process, so its time includes importing what it needs (fpdf2 for the PDF) and its peak
memory is its own.
Target (issue 4): under 3 s and under 200 MB peak for each format.

    PYTHONPATH=src python bench/bench_render.py [--repeat 3] [--keep DIR]
        [--reflections 1000] [--attempts 20000] [--activities 2000]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
from pathlib import Path

SRC = Path(__file__).resolve().parent.parent / "src"
FORMATS = ("md", "html", "pdf", "csv")
TARGET_SECONDS = 3.0
TARGET_MB = 200.0

WORDS = (
    "the child was seen at home by officers who noted neglect and a pattern of missed appointments; "
    "information was not shared with children’s social care, so the risk was not understood. "
    "I will ask to speak to the child alone, record what I see and hear, and make a referral the same day — "
    "even when the family seem cooperative. Zoë O’Brien’s “professional curiosity” briefing made me think again."
).split()

# Run in a child process: time and peak memory of one rendering, printed as JSON.
# The clock starts after the JSON is read (that is the builder's and the CLI's part) but includes
# importing the renderer and what it needs (fpdf2). CPU time is printed too: on a busy machine it
# shows what the rendering itself costs.
CHILD = """
import json, resource, sys, time
doc = json.load(open(sys.argv[1], encoding="utf-8"))
start, cpu = time.perf_counter(), time.process_time()
from scr_cpd.progress.log.render import render
data = render(doc, sys.argv[2])
seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"seconds": seconds, "cpu": cpu, "bytes": len(data), "peak_mb": peak_mb}))
"""

BASELINE = """
import json, resource, sys
doc = json.load(open(sys.argv[1], encoding="utf-8"))
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
"""


def text(rng: random.Random, words: int) -> str:
    sentences = []
    while words > 0:
        n = min(words, rng.randint(8, 24))
        sentences.append(" ".join(rng.choice(WORDS) for _ in range(n)).capitalize() + ".")
        words -= n
    paragraphs = [" ".join(sentences[i : i + 4]) for i in range(0, len(sentences), 4)]
    return "\n\n".join(paragraphs)


def stamp(day: int, minute: int) -> str:
    return f"2026-{1 + day // 28 % 12:02d}-{1 + day % 28:02d}T{minute // 60 % 24:02d}:{minute % 60:02d}:00+00:00"


def heavy_document(reflections: int, attempts: int, activities: int, seed: int = 4) -> dict:
    rng = random.Random(seed)
    modules = [f"module-{n:02d}" for n in range(12)]
    titles = {m: f"Module {n}: learning from serious case reviews" for n, m in enumerate(modules)}
    return {
        "format": "scr-cpd/log@1",
        "generated_at": "2026-11-26T14:03:00+00:00",
        "app": {"name": "scr-cpd", "version": "0.1.0"},
        "profile": {
            "name": "Zoë O’Brien",
            "role": "Detective Constable",
            "force": "Example Constabulary",
            "staff_number": "12345",
        },
        "period": {"since": None, "until": None},
        "banks": [{"id": m, "title": titles[m], "version": "1.0"} for m in modules],
        "modules": [
            {
                "id": m,
                "title": titles[m],
                "bank_version": "1.0",
                "status": "passed",
                "questions": 12,
                "pass_mark": 0.7,
                "best_score": 0.83,
                "completions": 3,
                "attempts": attempts // 12,
                "correct": attempts // 16,
                "seconds": 5400.0,
                "first_activity": stamp(0, 0),
                "last_activity": stamp(300, 0),
            }
            for m in modules
        ],
        "activities": [
            {
                "kind": rng.choice(("module", "retake", "practice")),
                "module_id": rng.choice(modules),
                "title": "Module run",
                "started_at": stamp(n // 7, n * 13),
                "ended_at": stamp(n // 7, n * 13 + 20),
                "status": "completed",
                "questions": 10,
                "correct": rng.randint(4, 10),
                "seconds": 600.0,
            }
            for n in range(activities)
        ],
        "attempts": [
            {
                "module_id": rng.choice(modules),
                "question_id": f"q-{n % 40}",
                "revision": 1,
                "content_hash": f"{n:064x}",
                "correct": rng.random() < 0.7,
                "confidence": None,
                "answered_at": stamp(n // 70, n),
                "seconds": 30.0,
            }
            for n in range(attempts)
        ],
        "reflections": [
            {
                "id": f"r-2026{n:05d}",
                "module_id": modules[n % 12],
                "module_title": titles[modules[n % 12]],
                "prompt_id": "r-own-practice",
                "prompt": "Think of a home visit where the child’s voice was not heard. What would you do now?",
                "what": text(rng, rng.randint(60, 160)),
                "so_what": text(rng, rng.randint(60, 160)),
                "now_what": text(rng, rng.randint(60, 160)),
                "learning_points": [
                    {
                        "id": "lp-1",
                        "text": "Neglect rarely occurs on its own; look for other harms.",
                    },
                    {"id": "lp-2", "text": "Speak to the child alone and record their words."},
                ],
                "tags": ["emotionally-aware", "analyse-critically"],
                "created_at": stamp(n // 4, n * 7),
                "updated_at": stamp(n // 4, n * 7 + 30),
                "seconds": 900.0,
            }
            for n in range(reflections)
        ],
        "totals": {
            "cpd_hours": 912.5,
            "seconds": 3285000.0,
            "modules_available": 12,
            "modules_completed": 12,
            "modules_passed": 12,
            "questions_answered": attempts,
            "reflections": reflections,
        },
        "identifiers": [],
        "integrity": {
            "algorithm": "ed25519",
            "public_key": "A" * 44,
            "fingerprint": "1a2b:3c4d:5e6f:7081:92a3:b4c5:d6e7:f809",
            "digests": {},
            "signature": "B" * 88,
        },
    }


def run(argv: list[str], env: dict[str, str]) -> str:
    return subprocess.run(argv, env=env, check=True, capture_output=True, text=True).stdout


def render_once(path: Path, fmt: str, env: dict[str, str]) -> dict:
    return json.loads(run([sys.executable, "-c", CHILD, str(path), fmt], env))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reflections", type=int, default=1000)
    parser.add_argument("--attempts", type=int, default=20000)
    parser.add_argument("--activities", type=int, default=2000)
    parser.add_argument(
        "--repeat",
        type=int,
        default=3,
        help="runs of each format; the fastest is reported (default 3)",
    )
    parser.add_argument("--keep", type=Path, help="also write the renderings into this folder")
    args = parser.parse_args()

    doc = heavy_document(args.reflections, args.attempts, args.activities)
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(SRC), env.get("PYTHONPATH")]))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "log.json"
        path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
        chars = sum(len(r[k]) for r in doc["reflections"] for k in ("what", "so_what", "now_what"))
        print(
            f"log: {args.reflections} reflections ({chars:,} characters of answers), {args.attempts} attempts, "
            f"{args.activities} activities; JSON {path.stat().st_size / 1e6:.1f} MB"
        )
        base = float(run([sys.executable, "-c", BASELINE, str(path)], env))
        print(
            f"python with the log loaded: peak {base:.0f} MB; load average {os.getloadavg()[0]:.1f} on "
            f"{os.cpu_count()} CPUs; best of {args.repeat} runs, each in a fresh process"
        )
        all_ok = True
        for fmt in FORMATS:
            runs = [render_once(path, fmt, env) for _ in range(args.repeat)]
            best = min(runs, key=lambda figures: figures["seconds"])
            peak = max(figures["peak_mb"] for figures in runs)
            ok = best["seconds"] < TARGET_SECONDS and peak < TARGET_MB
            all_ok = all_ok and ok
            print(
                f"  {fmt:<4} {best['seconds']:5.2f} s (cpu {best['cpu']:5.2f} s)   peak {peak:4.0f} MB   "
                f"output {best['bytes'] / 1e6:5.2f} MB   {'OK' if ok else 'OVER TARGET'}"
            )
            if args.keep:
                args.keep.mkdir(parents=True, exist_ok=True)
                keep = (
                    "import json, sys; from scr_cpd.progress.log.render import render; "
                    "doc = json.load(open(sys.argv[1], encoding='utf-8')); "
                    "open(sys.argv[3], 'wb').write(render(doc, sys.argv[2]))"
                )
                run(
                    [sys.executable, "-c", keep, str(path), fmt, str(args.keep / f"heavy.{fmt}")],
                    env,
                )
    verdict = "all OK" if all_ok else "NOT MET"
    print(
        f"targets: under {TARGET_SECONDS:.0f} s and {TARGET_MB:.0f} MB for each format: {verdict}"
    )


if __name__ == "__main__":
    main()
