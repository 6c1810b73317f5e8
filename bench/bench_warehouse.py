"""`cpd review warehouse` over N officers' logs, against just reading and verifying them.

Generates signed logs with bench/gen_logs.py (kept in --dir so later runs reuse them) and trusts
every officer's key. Then, so that a machine busy with other work weighs on every figure alike,
the logs are taken in --rounds slices, and for each slice in turn it times (1) the baseline:
reading and verifying each log, one after another, with the same function the warehouse uses;
(2) loading the slice into a DuckDB file that starts new (worker processes on every core, as
`cpd review warehouse` does); (3) the same into another new file in one process only. Finally
(4) all the logs are loaded again into the first file (every log already there). Each is
reported as wall time and CPU time (worker processes included), each as a ratio against the
baseline, with the peak memory (resident set) of the loading process and of the largest worker.

    PYTHONPATH=src python bench/bench_warehouse.py [-n 5000] [--rounds 5] [--reflections 10] [--dir /tmp/scr-cpd-bench-warehouse]
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


def baseline(paths: list[Path], trusted: dict[str, str]) -> tuple[float, float]:
    """Seconds taken and CPU seconds used."""
    began, cpu = time.perf_counter(), time.process_time()
    valid = sum(wh.load_verified(p, trusted)[1].ok for p in paths)
    assert valid == len(paths), f"only {valid} of {len(paths)} logs verify"
    return time.perf_counter() - began, time.process_time() - cpu


def load(
    paths: list[Path], trusted: dict[str, str], db_path: Path, workers: int | None = None
) -> tuple[float, float, float, wh.LoadReport]:
    """Seconds taken, CPU seconds used (worker processes too), the loading process's peak
    memory (MB) meanwhile, and the report."""
    reset_peak()
    began, cpu = time.perf_counter(), cpu_seconds()
    db = wh.connect(db_path)
    report = wh.load_logs(db, paths, trusted, workers=workers)
    db.close()
    return time.perf_counter() - began, cpu_seconds() - cpu, peak_mb(), report


def cpu_seconds() -> float:
    """CPU time of this process and of its finished worker processes."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=5000, help="number of logs (default 5000)")
    parser.add_argument("--rounds", type=int, default=5, help="slices, taken in turn (default 5)")
    parser.add_argument("--reflections", type=int, default=10, help="average per log (default 10)")
    parser.add_argument(
        "--dir", type=Path, default=Path(tempfile.gettempdir()) / "scr-cpd-bench-warehouse"
    )
    args = parser.parse_args()
    paths = logs(args.dir, args.n, args.reflections)
    trusted = trusted_keys(paths)
    size = sum(p.stat().st_size for p in paths) / 1024 / 1024
    took = {"verify": 0.0, "load": 0.0, "one": 0.0}
    cpu = {"verify": 0.0, "load": 0.0, "one": 0.0}
    peaks = {"verify": 0.0, "load": 0.0, "one": 0.0}
    with tempfile.TemporaryDirectory() as tmp:
        pooled, alone = Path(tmp) / "force.duckdb", Path(tmp) / "one-process.duckdb"
        for n in range(args.rounds):
            part = paths[n * len(paths) // args.rounds : (n + 1) * len(paths) // args.rounds]
            reset_peak()
            seconds, used = baseline(part, trusted)
            took["verify"] += seconds
            cpu["verify"] += used
            peaks["verify"] = max(peaks["verify"], peak_mb())
            for name, target, workers in (("load", pooled, None), ("one", alone, 1)):
                seconds, used, peak, report = load(part, trusted, target, workers)
                assert len(report.loaded) == len(part), report.rejected[:1]
                took[name] += seconds
                cpu[name] += used
                peaks[name] = max(peaks[name], peak)
        again, again_cpu, again_peak, repeat = load(paths, trusted, pooled)
        db_size = pooled.stat().st_size / 1024 / 1024
    assert len(repeat.already) == len(paths) and repeat.rows == report.rows
    verify, verify_cpu = took["verify"], cpu["verify"]
    rows = ", ".join(f"{n:,} {t}" for t, n in repeat.rows.items())
    print(f"{len(paths)} logs, {size:.0f} MB of JSON -> {db_size:.0f} MB DuckDB: {rows}")
    print(
        f"read + verify only (baseline): {verify:5.1f} s, CPU {verify_cpu:5.1f} s,"
        f" peak {peaks['verify']:.0f} MB"
    )
    for label, seconds, used, peak in (
        ("load into a new DuckDB file: ", took["load"], cpu["load"], peaks["load"]),
        ("load again (all kept once):  ", again, again_cpu, again_peak),
        ("load, one process only:      ", took["one"], cpu["one"], peaks["one"]),
    ):
        print(
            f"{label}  {seconds:5.1f} s = {seconds / verify:.2f} x baseline,"
            f" CPU {used:5.1f} s = {used / verify_cpu:.2f} x, peak {peak:.0f} MB"
        )
    worker = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / (
        2**20 if sys.platform == "darwin" else 1024
    )
    print(f"largest worker process: peak {worker:.0f} MB")


def reset_peak() -> None:
    """Start counting the peak resident set afresh (Linux; elsewhere it is the run's peak)."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        pass


def peak_mb() -> float:
    """The largest resident set since reset_peak (Linux) or since the process began."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024 if sys.platform == "darwin" else 1024)


if __name__ == "__main__":
    main()
