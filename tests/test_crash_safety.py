"""Nothing answered is lost: a real `python -m scr_cpd` killed or interrupted mid-module keeps
every answer given before, and processes writing at once lose no attempts."""

from __future__ import annotations

import multiprocessing
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import TINY
from helpers import TINY_PROMPTS as PROMPTS
from helpers import TINY_RIGHT as RIGHT

from scr_cpd.progress.store import Store

pexpect = pytest.importorskip("pexpect")
from pexpect.popen_spawn import PopenSpawn  # noqa: E402

FIXTURE = TINY
SRC = Path(__file__).resolve().parent.parent / "src"


@pytest.fixture
def env(tmp_path):
    banks = tmp_path / "banks"
    banks.mkdir()
    shutil.copy(FIXTURE, banks / "tiny.yaml")
    return dict(
        os.environ,
        PYTHONPATH=str(SRC),
        SCR_CPD_HOME=str(tmp_path / "home"),
        SCR_CPD_BANKS=str(banks),
        NO_COLOR="1",
    )


def attempts(env: dict) -> list:
    store = Store.open(Path(env["SCR_CPD_HOME"]))
    try:
        return store.attempts()
    finally:
        store.close()


def answer(child, count: int) -> list[str]:
    """Answer `count` questions through the pipe as they come; return their ids."""
    answered = []
    for _ in range(count):
        child.expect(r"Question \d of 6 · [^\n]*\n([^\n]+)\n")
        qid = PROMPTS[child.match.group(1).strip()]
        child.expect(r"Your answer \(|For items 1-2")
        child.sendline(RIGHT[qid])
        child.expect("How sure were you?")
        child.sendline("")
        child.expect("Correct ✓")
        answered.append(qid)
    return answered


def start(env: dict):
    # Pipes, not a terminal: plain mode, as from a script or a screen reader.
    return PopenSpawn(
        [sys.executable, "-m", "scr_cpd", "start", "tiny"], env=env, encoding="utf-8", timeout=30
    )


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM], ids=["SIGKILL", "SIGTERM"])
def test_a_killed_process_keeps_every_answer_given_before(env, sig):
    child = start(env)
    answered = answer(child, 3)
    child.expect("Question 4 of 6")  # waiting for the next answer
    child.kill(sig)
    assert child.wait() == -sig
    saved = attempts(env)
    assert [a.question_id for a in saved] == answered and all(a.correct for a in saved)

    resumed = subprocess.run(
        [sys.executable, "-m", "scr_cpd", "start", "tiny"],
        env=env,
        input="q\n",
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert resumed.stdout.startswith("Continuing Tiny test module: 3 of 6 answered.")
    assert "Question 4 of 6" in resumed.stdout and "Question 3 of 6" not in resumed.stdout


def test_ctrl_c_stops_with_a_message_and_keeps_every_answer(env):
    child = start(env)
    answered = answer(child, 2)
    child.expect("Question 3 of 6")
    child.kill(signal.SIGINT)
    child.expect(pexpect.EOF)
    assert child.wait() == 130
    assert "Stopped. Everything you answered so far is saved." in child.before
    assert "Traceback" not in child.before
    assert [a.question_id for a in attempts(env)] == answered


BANK = """\
format: scr-cpd/bank@1
id: {id}
title: Concurrency {id}
summary: Every statement is true.
source: {{page: 3, section: Testing}}
learning_points:
  - id: lp
    text: All true.
questions:
{questions}"""
QUESTION = """\
  - id: q{n}
    type: true_false
    prompt: Statement {n} of {id} is true.
    answer: true
    explanation: True by construction.
    learning_points: [lp]
"""
COUNT = 25


def test_two_processes_answering_at_once_lose_no_attempts(env, tmp_path):
    banks = Path(env["SCR_CPD_BANKS"])
    for module_id in ("conc-a", "conc-b"):
        questions = "".join(QUESTION.format(n=n, id=module_id) for n in range(COUNT))
        (banks / f"{module_id}.yaml").write_text(BANK.format(id=module_id, questions=questions))
    subprocess.run(
        [sys.executable, "-m", "scr_cpd", "modules"], env=env, check=True, capture_output=True
    )  # warm
    typed = "1\n\n" * COUNT + "n\nn\n"  # answer true, skip the confidence; no retake, no reflection
    runs = [
        subprocess.Popen(
            [sys.executable, "-m", "scr_cpd", "start", module_id],
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for module_id in ("conc-a", "conc-b")
    ]
    outputs = [run.communicate(typed, timeout=120) for run in runs]
    for run, (out, err) in zip(runs, outputs):
        assert run.returncode == 0, err
        assert f"Module complete: {COUNT} of {COUNT} correct (100%)." in out
    saved = attempts(env)
    assert len(saved) == 2 * COUNT
    assert {(a.module_id, a.question_id) for a in saved} == {
        (m, f"q{n}") for m in ("conc-a", "conc-b") for n in range(COUNT)
    }


def test_many_writers_at_once_lose_no_attempts(tmp_path):
    home = tmp_path / "home"
    Store.open(home).close()
    context = multiprocessing.get_context("fork")
    barrier = context.Barrier(4)
    workers = [context.Process(target=_write_attempts, args=(home, n, barrier)) for n in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
    assert [w.exitcode for w in workers] == [0, 0, 0, 0]
    store = Store.open(home)
    rows = store.db.execute(
        "SELECT module_id, COUNT(*) FROM attempts GROUP BY module_id ORDER BY module_id"
    ).fetchall()
    assert [tuple(r) for r in rows] == [(f"writer-{n}", 150) for n in range(4)]


def _write_attempts(home: Path, n: int, barrier) -> None:
    store = Store.open(home)
    session = store.start_session("module", f"writer-{n}", [])
    barrier.wait()
    for i in range(150):
        store.record_attempt(session.id, f"writer-{n}", f"q{i}", 1, "h", i, True, 1.0)
    store.close()


def _children(pid: int) -> list[int]:
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="needs Linux's /proc")
def test_ctrl_c_while_a_large_import_is_checked_is_one_sentence_and_leaves_nothing(env, tmp_path):
    """Ctrl-C reaches every process of the terminal's group: here, while the forked child is
    checking the later questions of a 12,000-question import."""
    import time

    source = tmp_path / "big.aiken"
    source.write_text(
        "".join(f"Question {i}?\nA) Right {i}\nB) Wrong {i}\nANSWER: A\n\n" for i in range(12_000))
    )
    out = tmp_path / "big.yaml"
    command = [sys.executable, "-m", "scr_cpd", "--plain", "bank", "import", str(source)]
    run = subprocess.Popen(
        [*command, "-o", str(out)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # its own group, as a terminal's foreground job is
    )
    deadline = time.monotonic() + 120
    while not _children(run.pid) and run.poll() is None and time.monotonic() < deadline:
        time.sleep(0.005)
    assert _children(run.pid), "the import never started a checking process"
    os.killpg(run.pid, signal.SIGINT)
    output, _ = run.communicate(timeout=60)
    assert "Traceback" not in output
    assert run.returncode == 130, output[-500:]
    assert output.rstrip().endswith("Stopped. Nothing was left half-written.")
    assert not out.exists()
    assert [p for p in tmp_path.iterdir() if p.name.startswith(".")] == []
    with pytest.raises(ProcessLookupError):
        os.killpg(run.pid, 0)  # no process of the group is left
