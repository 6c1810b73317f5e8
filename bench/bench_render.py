"""Rendering a heavy CPD log: Markdown, HTML, PDF and CSV from one `scr-cpd/log@1` document.

The document holds 1,000 reflections (What? So what? Now what? of a few hundred words each),
20,000 attempts and 2,000 activities. Each format is rendered in a fresh process, so its time
includes importing what it needs (fpdf2 for the PDF) and its peak memory is its own.
Target (issue 4): under 3 s and under 200 MB peak for each format.

    PYTHONPATH=src python bench/bench_render.py [--reflections 1000] [--attempts 20000] [--activities 2000]
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
CHILD = """
import json, resource, sys, time
start = time.perf_counter()
from scr_cpd.progress.log.render import render
doc = json.load(open(sys.argv[1], encoding="utf-8"))
loaded = time.perf_counter()
data = render(doc, sys.argv[2])
done = time.perf_counter()
peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"seconds": done - loaded, "with_load": done - start, "bytes": len(data), "peak_mb": peak_kb / 1024}))
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
    paragraphs = [" ".join(sentences[i:i + 4]) for i in range(0, len(sentences), 4)]
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
        "profile": {"name": "Zoë O’Brien", "role": "Detective Constable", "force": "Example Constabulary", "staff_number": "12345"},
        "period": {"since": None, "until": None},
        "banks": [{"id": m, "title": titles[m], "version": "1.0"} for m in modules],
        "modules": [
            {"id": m, "title": titles[m], "bank_version": "1.0", "status": "passed", "questions": 12, "pass_mark": 0.7,
             "best_score": 0.83, "completions": 3, "attempts": attempts // 12, "correct": attempts // 16,
             "seconds": 5400.0, "first_activity": stamp(0, 0), "last_activity": stamp(300, 0)}
            for m in modules
        ],
        "activities": [
            {"kind": rng.choice(("module", "retake", "practice")), "module_id": rng.choice(modules), "title": "Module run",
             "started_at": stamp(n // 7, n * 13), "ended_at": stamp(n // 7, n * 13 + 20), "status": "completed",
             "questions": 10, "correct": rng.randint(4, 10), "seconds": 600.0}
            for n in range(activities)
        ],
        "attempts": [
            {"module_id": rng.choice(modules), "question_id": f"q-{n % 40}", "revision": 1, "content_hash": f"{n:064x}",
             "correct": rng.random() < 0.7, "confidence": None, "answered_at": stamp(n // 70, n), "seconds": 30.0}
            for n in range(attempts)
        ],
        "reflections": [
            {"id": f"r-2026{n:05d}", "module_id": modules[n % 12], "module_title": titles[modules[n % 12]],
             "prompt_id": "r-own-practice", "prompt": "Think of a home visit where the child’s voice was not heard. What would you do now?",
             "what": text(rng, rng.randint(60, 160)), "so_what": text(rng, rng.randint(60, 160)),
             "now_what": text(rng, rng.randint(60, 160)),
             "learning_points": [{"id": "lp-1", "text": "Neglect rarely occurs on its own; look for other harms."},
                                 {"id": "lp-2", "text": "Speak to the child alone and record their words."}],
             "tags": ["emotionally-aware", "analyse-critically"], "created_at": stamp(n // 4, n * 7),
             "updated_at": stamp(n // 4, n * 7 + 30), "seconds": 900.0}
            for n in range(reflections)
        ],
        "totals": {"cpd_hours": 912.5, "seconds": 3285000.0, "modules_available": 12, "modules_completed": 12,
                   "modules_passed": 12, "questions_answered": attempts, "reflections": reflections},
        "identifiers": [],
        "integrity": {"algorithm": "ed25519", "public_key": "A" * 44, "fingerprint": "1a2b:3c4d:5e6f:7081:92a3:b4c5:d6e7:f809",
                      "digests": {}, "signature": "B" * 88},
    }


def run(argv: list[str], env: dict[str, str]) -> str:
    return subprocess.run(argv, env=env, check=True, capture_output=True, text=True).stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reflections", type=int, default=1000)
    parser.add_argument("--attempts", type=int, default=20000)
    parser.add_argument("--activities", type=int, default=2000)
    parser.add_argument("--keep", type=Path, help="also write the renderings into this folder")
    args = parser.parse_args()

    doc = heavy_document(args.reflections, args.attempts, args.activities)
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(SRC), env.get("PYTHONPATH")]))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "log.json"
        path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
        chars = sum(len(r[k]) for r in doc["reflections"] for k in ("what", "so_what", "now_what"))
        print(f"log: {args.reflections} reflections ({chars:,} characters of answers), {args.attempts} attempts, "
              f"{args.activities} activities; JSON {path.stat().st_size / 1e6:.1f} MB")
        base = float(run([sys.executable, "-c", BASELINE, str(path)], env))
        print(f"baseline (python + the loaded JSON): peak {base:.0f} MB")
        worst = True
        for fmt in FORMATS:
            figures = json.loads(run([sys.executable, "-c", CHILD, str(path), fmt], env))
            ok = figures["with_load"] < TARGET_SECONDS and figures["peak_mb"] < TARGET_MB
            worst = worst and ok
            print(f"  {fmt:<4} render {figures['seconds']:5.2f} s (with imports {figures['with_load']:5.2f} s)   "
                  f"peak {figures['peak_mb']:5.0f} MB   output {figures['bytes'] / 1e6:6.2f} MB   {'OK' if ok else 'OVER TARGET'}")
            if args.keep:
                args.keep.mkdir(parents=True, exist_ok=True)
                keep = [sys.executable, "-c", "import json,sys;from scr_cpd.progress.log.render import render;"
                        "open(sys.argv[3],'wb').write(render(json.load(open(sys.argv[1],encoding='utf-8')),sys.argv[2]))",
                        str(path), fmt, str(args.keep / f"heavy.{fmt}")]
                run(keep, env)
    print(f"targets: under {TARGET_SECONDS:.0f} s and {TARGET_MB:.0f} MB per format: {'all OK' if worst else 'NOT MET'}")


if __name__ == "__main__":
    main()
