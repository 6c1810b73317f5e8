"""`cpd review summary` over N officers' logs: wall time, CPU time and peak memory.

Generates realistic signed logs with bench/gen_logs.py (average 50 reflections, a few hundred
answered questions each; kept in --dir so later runs reuse them), then runs the real command as
a fresh process for each N. Peak memory is the child's peak RSS, read with
resource.getrusage(RUSAGE_CHILDREN) in a small wrapper process around each run.
Each N is measured five ways, interleaved so that other work on the machine affects all alike:
the baseline (one process that only reads every file and parses it with pydantic-core, on one
core: the floor of any summary), the floor of a verifying summary (every core reads, hashes and
parses each file, hashes every signed part and checks the signature, with orjson, hashlib and
cryptography alone), a cold run (a fresh home: no cached rows), a warm re-run
(the same home: every row comes from the cache) and `cpd --help` (the start-up floor of any
command). Figures are reported as ratios to the baseline, wall time and CPU time (user + system,
of the command and its workers; steadier than wall time on a busy machine) alike.
Targets (issue 18): 5,000 logs cold under 4 s on 2 cores, a warm re-run under 1 s; peak memory
under 300 MB; time linear in N. With --trusted, every officer's key is in the supervisor's trust
list (as in a force that publishes its keyring), so each log is valid rather than by an unknown
signer. With --stages, it also shows where one worker's time goes: each step of summarising a
log (read, content hash, strict parse, the summary fields' quick look, verification and
plausibility, the row), timed in this process over the first 300 logs, against orjson's bare
parse of the same bytes.

    PYTHONPATH=src python bench/bench_summary.py [--sizes 100 1000 5000] [--reps 3] [--trusted] [--stages] [--dir /tmp/scr-cpd-bench-logs]
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
TARGET_COLD = 4.0
TARGET_WARM = 1.0
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


# The least any verifying summary does, on every core: read each file, hash it (the cache's
# key), parse it with orjson, hash every part and every reflection as signed (orjson's compact
# sorted output, the canonical form of an exported log) and check the Ed25519 signature over
# the digests. Written with orjson, hashlib and cryptography only: none of the app's code.
FLOOR = r"""
import base64, hashlib, multiprocessing, os, pathlib, sys
import orjson
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

def one(path):
    raw = pathlib.Path(path).read_bytes()
    hashlib.sha256(raw).hexdigest()
    doc = orjson.loads(raw)
    for name, value in doc.items():
        if name in ("integrity", "review"):
            continue
        for item in (value if name == "reflections" else [value]):
            hashlib.sha256(orjson.dumps(item)).hexdigest()
    block = doc["integrity"]
    key = Ed25519PublicKey.from_public_bytes(base64.b64decode(block["public_key"]))
    key.verify(base64.b64decode(block["signature"]), orjson.dumps(block["digests"], option=orjson.OPT_SORT_KEYS))
    return len(raw)

if __name__ == "__main__":
    paths = sorted(str(p) for p in pathlib.Path(sys.argv[1]).glob("*.json"))
    with multiprocessing.Pool(os.cpu_count()) as pool:
        sum(pool.imap(one, paths, chunksize=max(1, min(64, len(paths) // (os.cpu_count() * 8)))))
"""
BASELINE = (
    "import sys, pathlib; from pydantic_core import from_json\n"
    "for p in sorted(pathlib.Path(sys.argv[1]).glob('*.json')): from_json(p.read_bytes())"
)


def trusted_keys(logs: list[Path]) -> dict:
    """Every officer's key, trusted under the name and staff number their log carries."""
    from scr_cpd.common.strict_json import loads
    from scr_cpd.progress.supervision.trust import TrustedKey

    keys = {}
    for path in logs:
        doc = loads(path.read_bytes())
        fp, profile = doc["integrity"]["fingerprint"], doc["profile"]
        keys[fp] = TrustedKey(fp, profile["name"], profile.get("staff_number", ""))
    return keys


def measure(folder: Path, home: Path, kind: str = "summary") -> dict:
    env = dict(os.environ, SCR_CPD_HOME=str(home), NO_COLOR="1")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(SRC), env.get("PYTHONPATH")]))
    command = {
        "baseline": ["-c", BASELINE, str(folder)],
        "floor": ["-c", FLOOR, str(folder)],
        "help": ["-m", "scr_cpd", "--help"],
        "summary": ["-m", "scr_cpd", "--plain", "review", "summary", str(folder)],
    }[kind]
    argv = [sys.executable, "-c", WRAPPER, sys.executable, *command]
    out = subprocess.run(argv, env=env, capture_output=True, text=True, check=True)
    result = json.loads(out.stdout)
    if result["exit"] not in (
        0,
        1,
    ):  # 1 = some log is not valid (here: keys not trusted), still a full report
        raise SystemExit(f"summary failed (exit {result['exit']}): {result['stderr']}")
    return result


def stages(logs: list[Path], count: int = 300) -> None:
    """CPU per log of each step a worker takes (summary_entry), in the order it takes them."""
    import gc
    import hashlib
    import time

    import orjson

    from scr_cpd.common.strict_json import loads
    from scr_cpd.progress.supervision.logfile import summary_problem
    from scr_cpd.progress.supervision.team import summarise, summary_entry
    from scr_cpd.progress.supervision.trust import TrustList
    from scr_cpd.progress.supervision.verdicts import judge

    files = logs[:count]
    raws = [path.read_bytes() for path in files]
    docs = [loads(raw) for raw in raws]
    verdicts = [judge(doc) for doc in docs]
    steps = {
        "read the file": lambda i: files[i].read_bytes(),
        "content hash (sha256)": lambda i: hashlib.sha256(raws[i]).hexdigest(),
        "strict parse": lambda i: loads(raws[i]),
        "summary fields' quick look": lambda i: summary_problem(docs[i]),
        "verify + plausibility": lambda i: judge(docs[i]),
        "the row": lambda i: summarise(files[i], docs[i], verdicts[i]),
        "all of it (summary_entry)": lambda i: summary_entry(files[i], TrustList()),
        "orjson.loads alone (floor)": lambda i: orjson.loads(raws[i]),
    }
    gc.disable()
    print(f"where one worker's time goes ({count} logs, best of 3, CPU ms per log):")
    results = {
        name: min(_cpu(step, len(files), time) for _ in range(3)) for name, step in steps.items()
    }
    floor = results["orjson.loads alone (floor)"]
    for name, best in results.items():
        print(f"  {name:<30} {best * 1000:6.3f} ms  = {best / floor:4.2f}x orjson.loads")
    gc.enable()


def _cpu(step, count, time) -> float:
    start = time.process_time()
    for index in range(count):
        step(index)
    return (time.process_time() - start) / count


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
    parser.add_argument(
        "--trusted", action="store_true", help="trust every officer's key (logs are then valid)"
    )
    parser.add_argument(
        "--stages", action="store_true", help="also time each step of one worker's work"
    )
    args = parser.parse_args()

    logs = ensure_logs(args.dir, max(args.sizes))
    if args.stages:
        stages(logs)
    size_mb = sum(p.stat().st_size for p in logs) / len(logs) / 1e6
    keys = trusted_keys(logs) if args.trusted else {}
    print(
        f"logs: average {size_mb * 1000:.0f} KB each; python {sys.version.split()[0]}; {os.cpu_count()} cores; "
        f"load average before {os.getloadavg()[0]:.1f}; "
        + (f"{len(keys)} officers' keys trusted" if args.trusted else "no key trusted")
    )
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for count in sorted(args.sizes):
            folder = subset(logs, count, Path(tmp))
            for path in logs[:count]:  # warm the file cache: measure the work, not the disk
                path.read_bytes()
            runs: dict[str, list[dict]] = {
                "baseline": [],
                "floor": [],
                "cold": [],
                "warm": [],
                "help": [],
            }
            for rep in range(args.reps):
                home = Path(tmp) / f"home-{count}-{rep}"
                if keys:
                    from scr_cpd.progress.supervision.trust import save_trusted

                    save_trusted(home, keys)
                runs["baseline"].append(measure(folder, home, "baseline"))
                runs["floor"].append(measure(folder, home, "floor"))
                runs["cold"].append(measure(folder, home))
                runs["warm"].append(measure(folder, home))
                runs["help"].append(measure(folder, home, "help"))
            wall = {k: statistics.median(r["wall"] for r in v) for k, v in runs.items()}
            cpu = {k: statistics.median(r["cpu"] for r in v) for k, v in runs.items()}
            b, c, w, h = (wall[k] for k in ("baseline", "cold", "warm", "help"))
            bc, cc, wc, hc = (cpu[k] for k in ("baseline", "cold", "warm", "help"))
            peak = max(max(r["peak_mb"], r["tree_mb"]) for r in runs["cold"] + runs["warm"])
            rows.append((count, c, w, peak))
            print(
                f"  N = {count:>5} (median of {args.reps}): baseline {b:6.2f} s wall, {bc:6.2f} s CPU\n"
                f"    cold  {c:6.2f} s wall = {c / b:4.2f}x baseline; {cc:6.2f} s CPU = "
                f"{cc / bc:4.2f}x baseline ({cc / count * 1000:.2f} ms CPU per log)\n"
                f"    floor {wall['floor']:6.2f} s wall (read, hash, parse, digests and signature on"
                f" every core) = {wall['floor'] / b:4.2f}x baseline; the cold run is"
                f" {c / wall['floor']:4.2f}x the floor's wall, {cc / cpu['floor']:4.2f}x its CPU\n"
                f"    warm  {w:6.2f} s wall = {w / b:4.2f}x baseline; {wc:6.2f} s CPU = "
                f"{wc / bc:4.2f}x baseline; `cpd --help` {h:.2f} s wall, {hc:.2f} s CPU\n"
                f"    peak RSS {peak:4.0f} MB; load average now {os.getloadavg()[0]:.1f}"
            )
    print(
        f"load average after {os.getloadavg()[0]:.1f} (other work on this machine slows the wall times)"
    )
    for count, cold_s, warm_s, peak in rows:
        if count == 5000:
            ok = cold_s < TARGET_COLD and warm_s < TARGET_WARM and peak < TARGET_MB
            print(
                f"target for N = 5000: cold < {TARGET_COLD:.0f} s, warm < {TARGET_WARM:.0f} s, "
                f"< {TARGET_MB:.0f} MB: {'OK' if ok else 'OVER TARGET'}"
            )
    if len(rows) > 1:
        (n0, c0, _, _), (n1, c1, _, _) = rows[0], rows[-1]
        print(
            f"growth from N = {n0} to {n1} ({n1 / n0:.0f}x the logs): {c1 / c0:.1f}x the cold time"
        )


if __name__ == "__main__":
    main()
