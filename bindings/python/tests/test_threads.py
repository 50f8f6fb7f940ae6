"""One client shared by many threads; the GIL is released while a call waits on the network."""

import threading
import time

CONFIGURATION = {"username": "K", "password": "P"}


def run_threads(count, work):
    """Runs `work(i)` on `count` threads started together; returns results and errors."""
    barrier = threading.Barrier(count)
    results, errors = [None] * count, []

    def run(i):
        barrier.wait()
        try:
            results[i] = work(i)
        except BaseException as e:  # reported by the test, not lost in a thread
            errors.append(e)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not any(t.is_alive() for t in threads), "a thread hung"
    return results, errors


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
    done = threading.Event()

    def call():
        client.create_instance("closeio", CONFIGURATION, name="slow")
        done.set()

    thread = threading.Thread(target=call)
    started = last = time.monotonic()
    thread.start()
    longest_pause = 0.0
    while not done.is_set():
        now = time.monotonic()
        longest_pause = max(longest_pause, now - last)
        last = now
    thread.join(10)
    assert last - started >= 0.8
    # Had the call held the GIL, this loop would have stood still for the whole 0.8 s.
    assert longest_pause < 0.4, f"the main thread stood still for {longest_pause:.2f} s"
