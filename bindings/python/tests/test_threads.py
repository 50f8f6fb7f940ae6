"""One client shared by many threads; the GIL is released while a call waits on the network.

Every wait here has a deadline: a broken call must fail its test, not hang the run.
"""

import threading
import time

import pytest

import cloud_elements as ce

CONFIGURATION = {"username": "K", "password": "P"}
DEADLINE = 30.0  # seconds, far beyond what any test here needs


def run_threads(count, work):
    """Runs `work(i)` on `count` threads started together; returns results and errors."""
    barrier = threading.Barrier(count)
    results, errors = [None] * count, []

    def run(i):
        try:
            barrier.wait(DEADLINE)
            results[i] = work(i)
        except BaseException as e:  # reported by the test, not lost in a thread
            errors.append(e)

    # Daemon threads: one that hangs despite everything cannot keep the test run alive.
    threads = [threading.Thread(target=run, args=(i,), daemon=True) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not any(t.is_alive() for t in threads), "a thread hung"
    return results, errors


def start_call(client, name):
    """Starts `client.create_instance` on a daemon thread; `outcome` gets "instance" or "error"."""
    outcome = {}
    done = threading.Event()

    def call():
        try:
            outcome["instance"] = client.create_instance("closeio", CONFIGURATION, name=name)
        except BaseException as e:  # asserted by the test
            outcome["error"] = e
        finally:
            done.set()

    thread = threading.Thread(target=call, daemon=True)
    thread.start()
    return thread, done, outcome


def test_eight_threads_fifty_creates_each(sandbox, client):
    def work(i):
        return [client.create_instance("closeio", CONFIGURATION, name=f"t{i}-{n}") for n in range(50)]

    results, errors = run_threads(8, work)
    assert errors == []
    instances = [inst for batch in results for inst in batch]
    assert len(instances) == 400
    assert len({inst.token for inst in instances}) == 400
    assert len({inst.id for inst in instances}) == 400
    assert sandbox.request_count == 400
    assert len(sandbox.instances()) == 400


def test_the_gil_is_released_during_the_call(sandbox, client):
    delay = 0.5
    sandbox.inject("delay", ms=int(delay * 1000), times=8)

    started = time.monotonic()
    results, errors = run_threads(8, lambda i: client.create_instance("closeio", CONFIGURATION, name=f"slow{i}"))
    elapsed = time.monotonic() - started

    assert errors == []
    assert len({inst.token for inst in results}) == 8
    assert sandbox.request_count == 8
    # Eight delays served one after another would take 8 x 0.5 s; overlapping, about one.
    assert delay <= elapsed < 4 * delay, f"8 overlapping calls took {elapsed:.2f} s"


def test_python_code_runs_while_a_call_waits(sandbox, client):
    sandbox.inject("delay", ms=800)
    started = last = time.monotonic()
    thread, done, outcome = start_call(client, "slow")
    longest_pause = 0.0
    while not done.is_set():
        now = time.monotonic()
        assert now - started < DEADLINE, "the call never finished"
        longest_pause = max(longest_pause, now - last)
        last = now
    thread.join(DEADLINE)
    assert "error" not in outcome, outcome["error"]
    assert outcome["instance"].token
    assert last - started >= 0.8
    # Had the call held the GIL, this loop would have stood still for the whole 0.8 s.
    assert longest_pause < 0.4, f"the main thread stood still for {longest_pause:.2f} s"


def test_close_while_a_call_is_in_flight(sandbox, client):
    sandbox.inject("delay", ms=800)
    thread, done, outcome = start_call(client, "in flight")
    deadline = time.monotonic() + DEADLINE
    while sandbox.request_count == 0:
        assert time.monotonic() < deadline, "the call never reached the sandbox"
        time.sleep(0.005)
    assert not done.is_set(), "the call finished before the test could close the client"

    client.close()
    assert client.closed
    # Later calls fail at once, while the earlier one is still waiting on its answer...
    with pytest.raises(ce.ClosedError, match="the client is closed"):
        client.create_instance("closeio", CONFIGURATION, name="after close")
    assert not done.is_set()
    # ...which it gets: closing releases the connections only once calls in flight finish.
    assert done.wait(DEADLINE), "the call in flight never finished"
    thread.join(DEADLINE)
    assert "error" not in outcome, outcome["error"]
    assert outcome["instance"].token
    with pytest.raises(ce.ClosedError):
        client.create_instance("closeio", CONFIGURATION, name="after close")
    assert sandbox.request_count == 1
    assert [inst["name"] for inst in sandbox.instances()] == ["in flight"]
