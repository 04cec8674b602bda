"""Simulated examinees behaving like the exam page (static/js/exam.js): every answer
saved with a rising sequence number and retried with backoff when the response is
lost, a late stale retry now and then, then submit twice.

    python bench/reliability.py BASE_URL EXAM_ID EXAMINEES_JSON OUT_JSON [N]

Faults are injected by the client (a dropped response, a delayed duplicate); with
root and ``ip netns`` available, run.py also runs it inside a namespace with netem.
Prints BENCHJSON {"server_errors": n, "requests": n, "sent": path}.
"""

import http.client
import json
import random
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

POSITIONS = 20
DROP = 0.05  # response lost: the page retries the same save
STALE = 0.05  # an old retry arrives after a newer answer
ATTEMPTS = 6


class Client:
    def __init__(self, base: str, person: dict):
        self.host, self.port = urlsplit(base).hostname, urlsplit(base).port
        self.person = person
        self.errors = 0
        self.requests = 0

    def post(self, path: str, body: str, kind: str, drop: bool = False):
        headers = {"Cookie": self.person["cookie"], "X-CSRFToken": self.person["csrf"]}
        headers["Content-Type"] = kind
        for attempt in range(ATTEMPTS):
            conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
            try:
                conn.request("POST", path, body, headers)
                self.requests += 1
                if drop and attempt == 0:
                    continue  # the answer never came back: retry like the page
                response = conn.getresponse()
                data = response.read()
                if response.status >= 500:
                    self.errors += 1
                    raise OSError(f"HTTP {response.status}")
                return response, data
            except OSError:
                time.sleep(0.05 * 2**attempt)
            finally:
                conn.close()
        raise RuntimeError(f"gave up on {path}")


def examinee(base: str, exam_id: int, person: dict, seed: int):
    rng = random.Random(seed)
    client = Client(base, person)
    response, _ = client.post(f"/exams/{exam_id}/start", "", "application/x-www-form-urlencoded")
    attempt_id = int(response.getheader("Location").rstrip("/").rsplit("/", 1)[1])
    last: dict[int, str] = {}
    seq = 0
    for position in list(range(1, POSITIONS + 1)) * 2:  # answer, then change some
        if position in last and rng.random() < 0.5:
            continue
        seq += 1
        letter = rng.choice("AB")
        body = json.dumps({"position": position, "answer": letter, "seq": seq})
        path = f"/exams/attempts/{attempt_id}/answer"
        client.post(path, body, "application/json", drop=rng.random() < DROP)
        if last.get(position) and rng.random() < STALE:
            stale = json.dumps({"position": position, "answer": last[position], "seq": seq - 1})
            client.post(path, stale, "application/json")
        last[position] = letter
    for _ in range(2):
        client.post(f"/exams/attempts/{attempt_id}/submit", "", "application/x-www-form-urlencoded")
    return attempt_id, last, client.errors, client.requests


def main(base: str, exam_id: int, people_path: str, out_path: str, count: int) -> None:
    people = json.load(open(people_path))[:count]  # noqa: SIM115
    with ThreadPoolExecutor(max_workers=24) as pool:
        results = list(
            pool.map(lambda ip: examinee(base, exam_id, ip[1], ip[0]), enumerate(people))
        )
    sent = {str(a): {str(p): letter for p, letter in last.items()} for a, last, _, _ in results}
    with open(out_path, "w") as out:
        json.dump(sent, out)
    summary = {
        "server_errors": sum(r[2] for r in results),
        "requests": sum(r[3] for r in results),
        "examinees": len(results),
    }
    print("BENCHJSON " + json.dumps(summary))


if __name__ == "__main__":
    args = sys.argv[1:]
    main(args[0], int(args[1]), args[2], args[3], int(args[4]) if len(args) > 4 else 300)
