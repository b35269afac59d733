"""What the side-by-side benchmarks (bench_chat, bench_checkins) share: servers
on loopback in their own process groups, the worker's CPU time from the
kernel's scheduler statistics, rounds, and the one closing line.

CPU time comes from /proc/<pid>/task/*/schedstat of the server's gunicorn
worker: the time it really ran, which other work on a shared machine does not
inflate (it only shows up as time waiting for a core). A round with a refused
or lost event is not reported: its rate would measure the refusal.
"""

from __future__ import annotations

import os
import signal
import socket
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(cmd: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        cmd,
        env=env,
        cwd=PROJECT_ROOT,
        stdout=open(log, "wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group, ended as a whole
    )


def stop(proc: subprocess.Popen[bytes] | None, timeout: float = 60) -> None:
    if proc is None or proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=timeout)
    except ProcessLookupError:
        pass
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)


def worker_pid(master: int) -> int:
    """A gunicorn master's (one) worker, the process doing the work; any other process itself."""
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    return int(children[0]) if children else master


def bare_server(app: str, port: int) -> list[str]:
    """A bare baseline served as Nattlys is: gunicorn, one gevent worker."""
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "--worker-class",
        "gevent",
        "--workers",
        "1",
        "--no-control-socket",
        "--worker-connections",
        "5000",
        "--bind",
        f"127.0.0.1:{port}",
        app,
    ]


def sched_seconds(pid: int) -> tuple[float, float]:
    """(on a CPU, runnable but waiting for one) in seconds, summed over the
    process's threads."""
    on_cpu = waiting = 0
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            ran, waited, _ = (task / "schedstat").read_text().split()
        except (OSError, ValueError):
            continue
        on_cpu += int(ran)
        waiting += int(waited)
    return on_cpu / 1e9, waiting / 1e9


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def open_sockets(pid: int) -> int:
    count = 0
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            count += os.readlink(fd).startswith("socket:")
        except OSError:
            continue
    return count


def wait_sockets_closed(pid: int, *, down_to: int, timeout: float = 120) -> float:
    """Wait until the worker holds at most `down_to` sockets; returns the seconds it took."""
    started = time.monotonic()
    while open_sockets(pid) > down_to and time.monotonic() - started < timeout:
        time.sleep(0.5)
    return time.monotonic() - started


def percentile(ordered: list[float], q: float) -> float:
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, max(0, int(len(ordered) * q + 0.999999) - 1))]


@dataclass
class Round:
    server: str
    number: int
    seconds: float
    latencies: list[float] = field(default_factory=list)
    refused: int = 0
    # The server worker's CPU time in the round; None where it was not measured.
    cpu: float | None = None
    waiting: float = 0.0

    @property
    def events(self) -> int:
        return len(self.latencies)

    @property
    def valid(self) -> bool:
        return self.refused == 0 and self.events > 0

    @property
    def rate(self) -> float:
        return self.events / self.seconds

    @property
    def p50_ms(self) -> float:
        return percentile(sorted(self.latencies), 0.5) * 1000

    @property
    def p99_ms(self) -> float:
        return percentile(sorted(self.latencies), 0.99) * 1000

    @property
    def cpu_ms_per_event(self) -> float:
        return 1000 * self.cpu / self.events if self.events and self.cpu is not None else float("nan")

    def line(self, unit: str) -> str:
        head = f"round {self.number} {self.server:<8}"
        if not self.valid:
            return f"{head} not reported: {self.refused} refused or lost, {self.events} answered"
        line = f"{head} {self.rate:7.0f} {unit}/s  p50 {self.p50_ms:6.1f} ms  p99 {self.p99_ms:6.1f} ms"
        if self.cpu is None:
            return line
        return (
            f"{line}  server CPU {self.cpu_ms_per_event:5.2f} ms/event (on CPU {100 * self.cpu / self.seconds:3.0f}%, "
            f"waiting for a core {100 * self.waiting / self.seconds:3.0f}%)"
        )


def ratio_line(kind: str, pairs: list[tuple[Round, Round]]) -> str:
    """`<kind> ratio: <median> (rounds …), p99 <ms>, cpu/event <ms>` over the
    rounds in which neither server refused anything; Nattlys' p99 and CPU per
    event are the medians over those rounds, the bare server's follow."""
    good = [(bare, ours) for bare, ours in pairs if bare.valid and ours.valid]
    if not good:
        return f"{kind} ratio: none (every round had refused or lost events)"
    ratios = [ours.rate / bare.rate for bare, ours in good]
    left_out = len(pairs) - len(good)
    return (
        f"{kind} ratio: {statistics.median(ratios):.2f} (rounds {' '.join(f'{r:.2f}' for r in ratios)}"
        + (f"; {left_out} not reported" if left_out else "")
        + f"), p99 {statistics.median(o.p99_ms for _, o in good):.1f} ms, "
        f"cpu/event {statistics.median(o.cpu_ms_per_event for _, o in good):.2f} ms "
        f"(bare: p99 {statistics.median(b.p99_ms for b, _ in good):.1f} ms, "
        f"cpu/event {statistics.median(b.cpu_ms_per_event for b, _ in good):.2f} ms)"
    )


def load_line() -> str:
    one, five, fifteen = os.getloadavg()
    return f"machine: {os.cpu_count()} cores, load average {one:.2f} {five:.2f} {fifteen:.2f}"
