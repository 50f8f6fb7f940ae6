"""The Python contenders of `make bench` (see bench/run.py), run with the bench venv's interpreter.

    contender.py module   create N WARMUP    this library's module: cloud_elements.Client
    contender.py requests create N WARMUP    the peer: one requests.Session posting JSON
    contender.py module   memory N WARMUP    resident memory before and after N creates

Both talk to the server CLOUD_ELEMENTS_BASE_URL names with the secrets from the environment, over
one kept-alive connection, and both check every answer and read its token, as an application
would. Imports, the client's construction and a warm-up (which opens the connection) are not
measured. Prints one JSON line, as the other contenders do.
"""

import json
import os
import resource
import sys
import time

# The request every contender sends (bench/run.py's BODY).
ELEMENT = "closeio"
CONFIGURATION = {"username": "bench-key", "password": "bench-password"}
NAME = "bench"
TAGS = ["bench"]


def module_creator():
    import cloud_elements

    client = cloud_elements.Client()  # the environment names the server and the secrets

    def create():
        instance = client.create_instance(ELEMENT, CONFIGURATION, name=NAME, tags=TAGS)
        return instance.token

    return create


def requests_creator():
    import requests

    url = os.environ["CLOUD_ELEMENTS_BASE_URL"].rstrip("/") + "/instances"
    user, org = os.environ["CLOUD_ELEMENTS_USER_SECRET"], os.environ["CLOUD_ELEMENTS_ORG_SECRET"]
    session = requests.Session()
    session.headers["Authorization"] = f"User {user}, Organization {org}"
    session.headers["Accept"] = "application/json"
    payload = {"element": {"key": ELEMENT}, "configuration": CONFIGURATION, "tags": TAGS, "name": NAME}

    def create():
        response = session.post(url, json=payload, timeout=60)
        response.raise_for_status()
        return response.json()["token"]

    return create


def run(create, n):
    for _ in range(n):
        if not create():
            raise SystemExit("an instance without a token")


def rss_kib():
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise SystemExit("no VmRSS in /proc/self/status")


def main():
    if len(sys.argv) != 5 or sys.argv[1] not in ("module", "requests") or sys.argv[2] not in ("create", "memory"):
        raise SystemExit("usage: contender.py module|requests create|memory N WARMUP")
    kind, mode, n, warmup = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    create = module_creator() if kind == "module" else requests_creator()
    run(create, warmup)
    if mode == "memory":
        before = rss_kib()
        run(create, n)
        print(json.dumps({"n": n, "rss_before_kib": before, "rss_after_kib": rss_kib()}))
        return
    u0 = resource.getrusage(resource.RUSAGE_SELF)
    start = time.perf_counter()
    run(create, n)
    wall = time.perf_counter() - start
    u1 = resource.getrusage(resource.RUSAGE_SELF)
    user, sys_ = u1.ru_utime - u0.ru_utime, u1.ru_stime - u0.ru_stime
    print(json.dumps({"n": n, "user_s": user, "sys_s": sys_, "cpu_s": user + sys_, "wall_s": wall}))


if __name__ == "__main__":
    main()
