"""`cpd review warehouse` over N officers' logs, against just reading and verifying them.

Generates signed logs with bench/gen_logs.py (kept in --dir so later runs reuse them), trusts
every officer's key, then in the same run times (1) the baseline: reading and verifying each log,
one after another, with the same function the warehouse uses; (2) loading all of them into a new
DuckDB file (worker processes on every core, as `cpd review warehouse` does); (3) loading them
again (every log already there); (4) loading them into another new file in one process only;
and (5) the baseline again. Reported as wall time and as a ratio against the mean of the two
baselines, so the figure means the same on a fast or a busy machine; and the peak memory (resident
set) of the loading process and of the largest worker process.

    PYTHONPATH=src python bench/bench_warehouse.py [-n 5000] [--reflections 10] [--dir /tmp/scr-cpd-bench-warehouse]
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(BENCH.parent / "src"))

from gen_logs import generate  # noqa: E402

from scr_cpd.progress import warehouse as wh  # noqa: E402


def logs(folder: Path, count: int, reflections: int) -> list[Path]:
    paths = sorted(folder.glob("officer-*.json"))
    if len(paths) < count:
        began = time.perf_counter()
        paths = generate(folder, count, reflections)
        print(f"generated {count} logs in {time.perf_counter() - began:.0f} s", file=sys.stderr)
    return paths[:count]


def trusted_keys(paths: list[Path]) -> dict[str, str]:
    found = {}
    for path in paths:
        doc = json.loads(path.read_text(encoding="utf-8"))
        found[doc["integrity"]["fingerprint"]] = doc["profile"]["name"]
    return found


def baseline(paths: list[Path], trusted: dict[str, str]) -> float:
    began = time.perf_counter()
    valid = sum(wh.load_verified(p, trusted)[1].ok for p in paths)
    assert valid == len(paths), f"only {valid} of {len(paths)} logs verify"
    return time.perf_counter() - began


def load(
    paths: list[Path], trusted: dict[str, str], db_path: Path, workers: int | None = None
) -> tuple[float, wh.LoadReport]:
    began = time.perf_counter()
    db = wh.connect(db_path)
    report = wh.load_logs(db, paths, trusted, workers=workers)
    db.close()
    return time.perf_counter() - began, report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=5000, help="number of logs (default 5000)")
    parser.add_argument("--reflections", type=int, default=10, help="average per log (default 10)")
    parser.add_argument(
        "--dir", type=Path, default=Path(tempfile.gettempdir()) / "scr-cpd-bench-warehouse"
    )
    args = parser.parse_args()
    paths = logs(args.dir, args.n, args.reflections)
    trusted = trusted_keys(paths)
    size = sum(p.stat().st_size for p in paths) / 1024 / 1024
    verify = baseline(paths, trusted)
    verify_peak = peak_mb(resource.RUSAGE_SELF)
    with tempfile.TemporaryDirectory() as tmp:
        db_path = Path(tmp) / "force.duckdb"
        first, report = load(paths, trusted, db_path)
        again, repeat = load(paths, trusted, db_path)
        db_size = db_path.stat().st_size / 1024 / 1024
        load_peak = peak_mb(resource.RUSAGE_SELF)
        alone, single = load(paths, trusted, Path(tmp) / "one-process.duckdb", workers=1)
    verify_again = baseline(paths, trusted)
    assert len(report.loaded) == len(paths) and len(repeat.already) == len(paths)
    assert single.rows == report.rows and len(single.loaded) == len(paths)
    mean = (verify + verify_again) / 2
    rows = ", ".join(f"{n:,} {t}" for t, n in report.rows.items())
    print(f"{len(paths)} logs, {size:.0f} MB of JSON -> {db_size:.0f} MB DuckDB: {rows}")
    print(f"read + verify only (baseline): {verify:.1f} s and {verify_again:.1f} s at the end")
    print(f"load into DuckDB:              {first:.1f} s = {first / mean:.2f} x baseline")
    print(f"load again (all kept once):    {again:.1f} s = {again / mean:.2f} x baseline")
    print(f"load, one process only:        {alone:.1f} s = {alone / mean:.2f} x baseline")
    print(
        f"peak memory: {verify_peak:.0f} MB verifying, {load_peak:.0f} MB loading"
        f" (largest worker {peak_mb(resource.RUSAGE_CHILDREN):.0f} MB)"
    )


def peak_mb(who: int) -> float:
    """The largest resident set so far (Linux counts in KB, macOS in bytes)."""
    peak = resource.getrusage(who).ru_maxrss
    return peak / (1024 * 1024 if sys.platform == "darwin" else 1024)


if __name__ == "__main__":
    main()
