"""`cpd review summary` over N officers' logs: wall time, CPU time and peak memory.

Generates realistic signed logs with bench/gen_logs.py (average 50 reflections, a few hundred
answered questions each; kept in --dir so later runs reuse them), then runs the real command as
a fresh process for each N. Peak memory is the child's peak RSS, read with
resource.getrusage(RUSAGE_CHILDREN) in a small wrapper process around each run.
Targets (issue 5): 1,000 logs in under 5 s with peak memory under 300 MB; time linear in N.

    PYTHONPATH=src python bench/bench_summary.py [--sizes 100 1000 5000] [--reps 3] [--dir /tmp/scr-cpd-bench-logs]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

BENCH = Path(__file__).resolve().parent
SRC = BENCH.parent / "src"
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(SRC))

from gen_logs import generate  # noqa: E402

# Runs the command once and reports the child's wall time, CPU time and peak RSS as JSON. The
# peak from getrusage is that of the largest single process (cpd, or one of its workers); on
# Linux the wrapper also samples /proc every 20 ms for the peak of cpd and its workers together.
WRAPPER = r"""
import json, os, resource, subprocess, sys, time

def tree_rss_kb(root):
    pids, total = {root}, 0
    try:
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                with open(f"/proc/{entry}/stat") as f:
                    if int(f.read().rsplit(")", 1)[1].split()[1]) == root:
                        pids.add(int(entry))
        for pid in pids:
            with open(f"/proc/{pid}/status") as f:
                total += next(int(l.split()[1]) for l in f if l.startswith("VmRSS:"))
    except (OSError, StopIteration, ValueError):
        pass
    return total

start = time.perf_counter()
child = subprocess.Popen(sys.argv[1:], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
peak_tree = 0
while child.poll() is None:
    if os.path.isdir("/proc"):
        peak_tree = max(peak_tree, tree_rss_kb(child.pid))
    time.sleep(0.02)
wall = time.perf_counter() - start
stderr = child.stderr.read().decode()
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
scale = 1 if sys.platform == "darwin" else 1024  # ru_maxrss: bytes on macOS, KiB on Linux
print(json.dumps({"wall": wall, "cpu": usage.ru_utime + usage.ru_stime, "peak_mb": usage.ru_maxrss * scale / 1e6,
                  "tree_mb": peak_tree * 1024 / 1e6, "exit": child.returncode, "stderr": stderr[-300:]}))
"""
TARGET_SECONDS = 5.0
TARGET_MB = 300.0


def ensure_logs(folder: Path, count: int) -> list[Path]:
    existing = sorted(folder.glob("officer-*.json"))
    if len(existing) >= count:
        return existing[:count]
    print(f"generating {count} logs in {folder} (once; reused on later runs)…", file=sys.stderr)
    return generate(folder, count)


def subset(logs: list[Path], count: int, parent: Path) -> Path:
    folder = parent / f"n{count}"
    folder.mkdir()
    for path in logs[:count]:
        (folder / path.name).symlink_to(path)
    return folder


def measure(folder: Path, home: Path) -> dict:
    env = dict(os.environ, SCR_CPD_HOME=str(home), NO_COLOR="1")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(SRC), env.get("PYTHONPATH")]))
    argv = [
        sys.executable,
        "-c",
        WRAPPER,
        sys.executable,
        "-m",
        "scr_cpd",
        "--plain",
        "review",
        "summary",
        str(folder),
    ]
    out = subprocess.run(argv, env=env, capture_output=True, text=True, check=True)
    result = json.loads(out.stdout)
    if result["exit"] not in (
        0,
        1,
    ):  # 1 = some log is not valid (here: keys not trusted), still a full report
        raise SystemExit(f"summary failed (exit {result['exit']}): {result['stderr']}")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 5000])
    parser.add_argument(
        "--reps", type=int, default=3, help="runs per size; the median is reported (default 3)"
    )
    parser.add_argument(
        "--dir",
        type=Path,
        default=Path(tempfile.gettempdir()) / "scr-cpd-bench-logs",
        help="where generated logs are kept between runs",
    )
    args = parser.parse_args()

    logs = ensure_logs(args.dir, max(args.sizes))
    size_mb = sum(p.stat().st_size for p in logs) / len(logs) / 1e6
    print(
        f"logs: average {size_mb * 1000:.0f} KB each; python {sys.version.split()[0]}; {os.cpu_count()} CPU(s); "
        f"load average before {os.getloadavg()[0]:.1f}"
    )
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp) / "home"
        for count in sorted(args.sizes):
            folder = subset(logs, count, Path(tmp))
            for path in logs[:count]:  # warm the file cache: measure the work, not the disk
                path.read_bytes()
            runs = [measure(folder, home) for _ in range(args.reps)]
            wall = statistics.median(r["wall"] for r in runs)
            fastest = min(r["wall"] for r in runs)
            cpu = statistics.median(r["cpu"] for r in runs)
            peak = max(r["peak_mb"] for r in runs)
            tree = max(r["tree_mb"] for r in runs)
            rows.append((count, wall, cpu, max(peak, tree)))
            print(
                f"  N = {count:>5}: {wall:6.2f} s wall (median of {args.reps}; fastest {fastest:.2f} s), {cpu:6.2f} s CPU, "
                f"{wall / count * 1000:5.2f} ms per log; peak RSS {peak:4.0f} MB (largest process), "
                f"{tree:4.0f} MB (all processes, sampled)"
            )
    print(
        f"load average after {os.getloadavg()[0]:.1f} (other work on this machine slows the wall times)"
    )
    for count, wall, _, peak in rows:
        if count == 1000:
            verdict = "OK" if wall < TARGET_SECONDS and peak < TARGET_MB else "OVER TARGET"
            print(
                f"target for N = 1000: < {TARGET_SECONDS:.0f} s and < {TARGET_MB:.0f} MB: {verdict}"
            )
    if len(rows) > 1:
        (n0, w0, c0, _), (n1, w1, c1, _) = rows[0], rows[-1]
        print(
            f"growth from N = {n0} to {n1} ({n1 / n0:.0f}x the logs): {w1 / w0:.1f}x the wall time, "
            f"{c1 / c0:.1f}x the CPU time; per log {w0 / n0 * 1000:.2f} → {w1 / n1 * 1000:.2f} ms"
        )


if __name__ == "__main__":
    main()
