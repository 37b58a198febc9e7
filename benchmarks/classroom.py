"""Live classes under load: one teacher, many students (default 300) following over server-sent events.

    python benchmarks/classroom.py [--students 300] [--actions 60] [--interval 0.1]

Two set-ups, each ``python -m app`` on a free port (benchmarks/serving.py):

* **memory** — 1 worker, classes in its memory (BACKPROP_REDIS_URL unset);
* **redis** — 2 workers sharing a redis-server started here (no persistence), the kernel spreading the
  students' connections over the workers. Half-way through, one worker is killed (SIGKILL): its students'
  streams drop, they reconnect after the server's `retry: 1000` as a browser does, with Last-Event-ID, and
  catch up from the class's log; uvicorn starts a new worker meanwhile.

The teacher moves the class ``--actions`` times (``POST /state``, one every ``--interval`` s). Printed per set-up:
latency from the teacher's action (before its POST) to each student's receipt, p50/p95/p99/max; lost updates
(an action some student never received); for the killed worker's students, the longest time an action sent
after the kill took to reach them (the outage and the catch-up); the server's CPU (all its processes, percent of one core) during the
actions, and its resident memory before the students joined and with all of them connected. Goals: p95 ≤
250 ms, 0 lost, catch-up ≤ 5 s, RSS growth ≤ 50 MB per 300 students. The students are one asyncio process
on the same machine, so its own CPU is in the latency too.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from serving import HOST, free_port, start_server, stop_server

API = "/api/v1/classroom"
RETRY_SECONDS = 1.0  # the stream's `retry:` field: a browser waits this long before reconnecting
CLK_TCK = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")


# ------------------------------------------------------------------------------------------ processes
def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.append(int(entry.name))
    return found


def tree(pid: int) -> list[int]:
    pids = [pid]
    for child in children(pid):
        pids += tree(child)
    return pids


class CpuMeter:
    """CPU seconds of a process tree whose members come and go: each process's last reading is kept, so a
    killed worker's work still counts."""

    def __init__(self, pids: list[int]) -> None:
        self.first = self.read(pids)
        self.last = dict(self.first)

    @staticmethod
    def read(pids: list[int]) -> dict[int, float]:
        seen = {}
        for pid in pids:
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            seen[pid] = (int(fields[11]) + int(fields[12])) / CLK_TCK
        return seen

    def sample(self, pids: list[int]) -> None:
        self.last.update(self.read(pids))

    def used(self) -> float:
        return sum(value - self.first.get(pid, 0.0) for pid, value in self.last.items())


def rss_mb(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            total += int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE
        except OSError:
            continue
    return total / 1e6


def workers(pid: int) -> list[int]:
    return [p for p in children(pid) if b"spawn_main" in Path(f"/proc/{p}/cmdline").read_bytes()]


# ------------------------------------------------------------------------------------------ students
@dataclass
class Student:
    token: str
    received: dict[int, float] = field(default_factory=dict)  # action number -> when it arrived
    last_id: str | None = None
    dropped_at: float | None = None
    snapshot: asyncio.Event = field(default_factory=asyncio.Event)


async def follow(base: str, code: str, student: Student, stop: asyncio.Event) -> None:
    """Read the class's stream as a browser does, reconnecting with Last-Event-ID after a drop."""
    host, port = base.removeprefix("http://").split(":")
    while not stop.is_set():
        headers = f"GET {API}/{code}/events HTTP/1.1\r\nHost: {host}\r\nAccept: text/event-stream\r\n"
        headers += f"X-Classroom-Seat: {student.token}\r\n"  # as a student's page sends it: counted as connected
        if student.last_id is not None:
            headers += f"Last-Event-ID: {student.last_id}\r\n"
        try:
            reader, writer = await asyncio.open_connection(host, int(port))
        except OSError:
            await asyncio.sleep(RETRY_SECONDS)
            continue
        writer.write((headers + "\r\n").encode())
        try:
            while not stop.is_set():
                block = await reader.readuntil(b"\n\n")  # one event (chunk framing lines ride along)
                at = block.find(b"\nid: ")
                if at < 0:
                    continue
                student.last_id = block[at + 5 : block.index(b"\n", at + 5)].decode()
                if b"event: snapshot" in block:
                    student.snapshot.set()
                elif b"event: state" in block:
                    # the view is "step=<action>": read it without parsing the whole event
                    start = block.index(b'"view":"step=') + 13
                    action = int(block[start : block.index(b'"', start)])
                    student.received.setdefault(action, time.perf_counter())
        except (ConnectionError, OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
            pass
        finally:
            writer.close()
        if stop.is_set():
            return
        if student.dropped_at is None:
            student.dropped_at = time.perf_counter()
        await asyncio.sleep(RETRY_SECONDS)


async def post(client: httpx.AsyncClient, path: str, **kwargs: object) -> httpx.Response:
    """POST, again on a fresh connection when a kept-alive one was closed (by the idle timeout, or a killed
    worker): what a browser does too."""
    for attempt in range(3):
        try:
            return await client.post(path, **kwargs)  # type: ignore[arg-type]
        except httpx.TransportError:
            if attempt == 2:
                raise
            await asyncio.sleep(0.05)
    raise AssertionError("unreachable")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


async def run_class(base: str, server: subprocess.Popen, args: argparse.Namespace, kill: bool) -> dict[str, object]:
    pids = lambda: tree(server.pid)  # noqa: E731 (workers come and go)
    async with httpx.AsyncClient(base_url=base, timeout=30, limits=httpx.Limits(max_connections=50)) as client:
        rss_before = rss_mb(pids())
        started = (await post(client, API, json={"state": {"path": "/", "view": "step=-1"}})).json()
        code, teacher = started["code"], {"Authorization": f"Bearer {started['teacher_token']}"}
        joins = await asyncio.gather(*[post(client, f"{API}/join", json={"code": code}) for _ in range(args.students)])
        students = [Student(response.json()["student_token"]) for response in joins]
        stop = asyncio.Event()
        tasks = [asyncio.create_task(follow(base, code, student, stop)) for student in students]
        await asyncio.wait_for(asyncio.gather(*(s.snapshot.wait() for s in students)), 60)
        await asyncio.sleep(1)
        rss_connected = rss_mb(pids())
        connected = (await client.get(f"{API}/{code}/teacher", headers=teacher)).json()["connected"]
        sent: dict[int, float] = {}
        killed_at = None
        meter, wall_start = CpuMeter(pids()), time.perf_counter()
        client_start = resource.getrusage(resource.RUSAGE_SELF)
        for action in range(args.actions):
            if kill and action == args.actions // 2:
                victim = workers(server.pid)[0]
                os.kill(victim, signal.SIGKILL)
                killed_at = time.perf_counter()
            meter.sample(pids())
            sent[action] = time.perf_counter()
            response = await post(
                client, f"{API}/{code}/state", json={"path": "/", "view": f"step={action}"}, headers=teacher
            )
            response.raise_for_status()
            await asyncio.sleep(max(0.0, sent[action] + args.interval - time.perf_counter()))
        meter.sample(pids())
        wall = time.perf_counter() - wall_start
        cpu = meter.used() / wall * 100
        client_end = resource.getrusage(resource.RUSAGE_SELF)
        client_cpu = (
            (client_end.ru_utime + client_end.ru_stime - client_start.ru_utime - client_start.ru_stime) / wall * 100
        )
        deadline = time.perf_counter() + 30
        while time.perf_counter() < deadline and any(len(s.received) < len(sent) for s in students):
            await asyncio.sleep(0.1)
        connected_after = (await client.get(f"{API}/{code}/teacher", headers=teacher)).json()["connected"]
        stop.set()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    latencies = [s.received[a] - t for s in students for a, t in sent.items() if a in s.received]
    lost = sum(a not in s.received for s in students for a in sent)
    dropped = [s for s in students if s.dropped_at is not None]
    # for each student whose worker was killed: the longest wait for an action sent after the kill
    catch_up = [
        max(s.received[a] - t for a, t in sent.items() if t >= killed_at and a in s.received)
        for s in dropped
        if killed_at is not None and any(t >= killed_at and a in s.received for a, t in sent.items())
    ]
    steady = [s.received[a] - t for s in students if s.dropped_at is None for a, t in sent.items() if a in s.received]
    return {
        "latencies": latencies,
        "steady": steady,
        "lost": lost,
        "dropped": len(dropped),
        "catch_up": max(catch_up) if catch_up else None,
        "cpu": cpu,
        "client_cpu": client_cpu,
        "rss": (rss_before, rss_connected),
        "connected": (connected, connected_after),
    }


def report(name: str, result: dict[str, object], args: argparse.Namespace) -> None:
    ms = [1000 * x for x in result["latencies"]]  # type: ignore[attr-defined]
    print(f"\n{name}: {args.students} students, {args.actions} actions every {args.interval * 1000:.0f} ms")
    print(
        f"  latency, action → student (ms): p50 {percentile(ms, 50):.1f}  p95 {percentile(ms, 95):.1f}  "
        f"p99 {percentile(ms, 99):.1f}  max {max(ms):.1f}  (mean {statistics.fmean(ms):.1f}, n={len(ms)})"
    )
    if result["dropped"]:
        steady = [1000 * x for x in result["steady"]]  # type: ignore[attr-defined]
        print(
            f"  students never dropped: p50 {percentile(steady, 50):.1f}  p95 {percentile(steady, 95):.1f}  "
            f"p99 {percentile(steady, 99):.1f} ms"
        )
        print(
            f"  worker killed: {result['dropped']} students reconnected; each action sent after the kill "
            f"reached them within {result['catch_up']:.2f} s"
        )
    before, connected = result["rss"]  # type: ignore[misc]
    print(f"  lost updates: {result['lost']}")
    joined_live, at_end = result["connected"]  # type: ignore[misc]
    print(f"  connected (teacher's count): {joined_live} once all joined, {at_end} at the end (of {args.students})")
    print(
        f"  server CPU during the actions: {result['cpu']:.0f} % of one core (the students' process: "
        f"{result['client_cpu']:.0f} %)"
    )
    print(
        f"  server RSS: {before:.0f} MB before the students, {connected:.0f} MB with them connected "
        f"(+{connected - before:.1f} MB)"
    )


def start_redis() -> tuple[subprocess.Popen, str, tempfile.TemporaryDirectory]:
    folder = tempfile.TemporaryDirectory()
    port = free_port()
    process = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", HOST, "--save", "", "--appendonly", "no", "--dir", folder.name],
        stdout=subprocess.DEVNULL,
    )
    time.sleep(0.5)
    return process, f"redis://{HOST}:{port}/0", folder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--students", type=int, default=300)
    parser.add_argument("--actions", type=int, default=60)
    parser.add_argument("--interval", type=float, default=0.1)
    parser.add_argument("--only", choices=["memory", "redis"])
    args = parser.parse_args()
    settings = {
        "BACKPROP_LOG_LEVEL": "warning",
        "BACKPROP_LIMIT_CONCURRENCY": "2000",
        "BACKPROP_CLASSROOM_MAX_STUDENTS": str(max(400, args.students)),
    }
    print(f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    if args.only in (None, "memory"):
        port = free_port()
        server = start_server(port, {**settings, "BACKPROP_WORKERS": "1"})
        try:
            report(
                "memory backend, 1 worker", asyncio.run(run_class(f"http://{HOST}:{port}", server, args, False)), args
            )
        finally:
            stop_server(server)
    if args.only in (None, "redis"):
        redis, url, folder = start_redis()
        port = free_port()
        server = start_server(
            port,
            {**settings, "BACKPROP_WORKERS": "2", "BACKPROP_REDIS_URL": url},
            ready=lambda s: len(workers(s.pid)) == 2,
        )
        try:
            result = asyncio.run(run_class(f"http://{HOST}:{port}", server, args, True))
            report("Redis backend, 2 workers, one killed half-way", result, args)
            print(f"  redis-server RSS: {rss_mb([redis.pid]):.0f} MB")
        finally:
            stop_server(server)
            redis.terminate()
            redis.wait()
            folder.cleanup()


if __name__ == "__main__":
    main()
