"""Simulated examinees behaving like the exam page (static/js/exam.js), run by
``make bench`` inside a network namespace with a slow, lossy link (bench/netem.py).

    python bench/reliability.py BASE_URL EXAM_ID EXAMINEES_JSON OUT_JSON
        [--people N] [--questions 20] [--threads 160] [--seed 9]

Each examinee starts the exam, answers every question and changes some answers,
each save naming the version it saw and the answer's age (exams/answer_versions.py),
retried like the page: a lost response, a timeout, a 5xx or a non-JSON answer is
sent again after 1 s, 2 s, 4 s … (at most 30 s). On top of what the network does,
the client makes its own faults: a response thrown away unread (the save is retried),
an old save delivered after a newer one (it must be ignored), a double-clicked submit (two at
once) or a submit retried, and an old save arriving after the submit (it must be
refused with 409). Only the standard library: no package beyond the project's.

Writes OUT_JSON {"answers": {attempt: {position: letter}}, "submitted": [attempt]},
the last answer sent for each question, and prints BENCHJSON with the counts.
"""

import argparse
import http.client
import json
import random
import secrets
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

DROP = 0.03  # a response thrown away unread: the page retries the same save
STALE = 0.05  # an old save delivered after a newer one
CHANGE = 0.25  # answers changed after the first pass
DOUBLE_SUBMIT = 0.25  # two submits at once (a double click); the others submit twice in a row
LATE_SAVE = 0.1  # an old save delivered after the submit
TIMEOUT = 20  # seconds; the page gives up on an XHR after 15 s and retries
FIRST_DELAY, MAX_DELAY, TRIES = 1.0, 30.0, 8  # exam.js: 1 s, doubled, at most 30 s
FORM = "application/x-www-form-urlencoded"


class GaveUp(RuntimeError):
    pass


class Counts:
    """Shared by all threads; += on ints under the GIL is not atomic, so a lock."""

    def __init__(self):
        self.lock = threading.Lock()
        self.values = dict.fromkeys(
            (
                "requests",
                "retries",
                "timeouts",
                "server_errors",
                "dropped",
                "gave_up",
                "late_refused",
                "late_accepted",
            ),
            0,
        )
        self.save_seconds: list[float] = []

    def add(self, name: str, n: int = 1) -> None:
        with self.lock:
            self.values[name] += n


class Client:
    def __init__(self, base: str, person: dict, counts: Counts):
        parts = urlsplit(base)
        self.host, self.port = parts.hostname, parts.port
        self.headers = {"Cookie": person["cookie"], "X-CSRFToken": person["csrf"]}
        self.counts = counts

    def once(self, path: str, body: str, kind: str, drop: bool = False):
        """One request on a new connection (gunicorn's sync workers close each one),
        headers and body in one write as a browser sends a small POST: two writes
        would let Nagle hold the body back a round trip while a worker waits for it."""
        head = f"POST {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n" + "".join(
            f"{name}: {value}\r\n" for name, value in self.headers.items()
        )
        payload = body.encode()
        head += f"Content-Type: {kind}\r\nContent-Length: {len(payload)}\r\n"
        head += "Connection: close\r\n\r\n"
        try:
            with socket.create_connection((self.host, self.port), timeout=TIMEOUT) as sock:
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                sock.sendall(head.encode() + payload)
                self.counts.add("requests")
                if drop:
                    self.counts.add("dropped")
                    return None
                response = http.client.HTTPResponse(sock)
                response.begin()
                return response.status, response.getheader("Location") or "", response.read()
        except TimeoutError:
            self.counts.add("timeouts")
            return None
        except (OSError, http.client.HTTPException):
            return None

    def post(self, path: str, body, kind: str, ok, drop: bool = False):
        """Send until ``ok(status, location, data)``; back off like exam.js meanwhile.
        ``body``: the text, or a function giving it for each try (an answer's age)."""
        delay = FIRST_DELAY
        for attempt in range(TRIES):
            text = body() if callable(body) else body
            result = self.once(path, text, kind, drop=drop and attempt == 0)
            if result is not None and result[0] >= 500:
                self.counts.add("server_errors")
            elif result is not None and ok(*result):
                return result
            self.counts.add("retries")
            time.sleep(delay)
            delay = min(delay * 2, MAX_DELAY)
        self.counts.add("gave_up")
        raise GaveUp(path)


def saved(status: int, location: str, data: bytes) -> bool:
    if status != 200:
        return False
    try:
        return json.loads(data).get("ok") is True
    except ValueError:
        return False  # e.g. a login page: the page retries


def redirected(status: int, location: str, data: bytes) -> bool:
    return status in (302, 303) and "/exams/attempts/" in location


class Examinee:
    def __init__(self, base: str, exam_id: int, person: dict, questions: int, seed: int, counts):
        self.rng = random.Random(seed)
        self.client = Client(base, person, counts)
        self.exam_id, self.questions, self.counts = exam_id, questions, counts
        self.last: dict[int, str] = {}
        self.versions: dict[int, int] = {}  # position -> the version last heard of
        # The page's key and its count of saves, as exam.js sends them.
        self.page = secrets.token_hex(8)
        self.saves = 0

    def run(self) -> tuple[int, dict[int, str], bool]:
        start = f"/exams/{self.exam_id}/start"
        try:
            _, location, _ = self.client.post(start, "", FORM, redirected)
        except GaveUp:
            return 0, {}, False
        self.attempt = int(location.rstrip("/").rsplit("/", 1)[1])
        try:
            order = list(range(1, self.questions + 1))
            changes = [p for p in order if self.rng.random() < CHANGE]
            for position in order + changes:
                self.answer(position)
            self.submit()
        except GaveUp:
            return self.attempt, self.last, False
        if self.rng.random() < LATE_SAVE:
            self.late_save()
        return self.attempt, self.last, True

    def path(self, action: str) -> str:
        return f"/exams/attempts/{self.attempt}/{action}"

    def answer(self, position: int) -> None:
        letter = self.rng.choice("AB")
        previous = self.last.get(position)
        base, given = self.versions.get(position, 0), time.monotonic()
        self.last[position] = letter  # sent: from now on the server must keep it
        self.saves += 1
        order = (self.page, self.saves)
        started = time.monotonic()
        _, _, data = self.client.post(
            self.path("answer"),
            save_body(position, letter, base, given, order),
            "application/json",
            saved,
            self.drop(),
        )
        self.versions[position] = json.loads(data)["version"]
        with self.counts.lock:
            self.counts.save_seconds.append(time.monotonic() - started)
        if previous is not None and self.rng.random() < STALE:
            # The save of the answer before, given earlier, delivered only now.
            earlier = (self.page, self.saves - 1)
            stale = save_body(position, "B" if letter == "A" else "A", base, started - 1, earlier)
            self.client.post(self.path("answer"), stale, "application/json", saved)

    def drop(self) -> bool:
        return self.rng.random() < DROP

    def submit(self) -> None:
        def send():
            self.client.post(self.path("submit"), "", FORM, redirected)

        if self.rng.random() < DOUBLE_SUBMIT:
            second = threading.Thread(target=send)
            second.start()
            send()
            second.join()
        else:
            send()
            send()

    def late_save(self) -> None:
        """An old retry reaching the server after the submit: refused, nothing changes."""
        position = self.rng.randint(1, self.questions)
        other = "B" if self.last.get(position) == "A" else "A"
        self.saves += 1
        order = (self.page, self.saves)
        body = save_body(position, other, self.versions.get(position, 0), time.monotonic(), order)
        try:
            status, _, _ = self.client.post(self.path("answer"), body, "application/json", answered)
        except GaveUp:
            return
        self.counts.add("late_refused" if status == 409 else "late_accepted")


def save_body(position: int, letter: str, base: int, given: float, order: tuple[str, int]):
    """A save as the page sends it, its age measured at each try; ``order``: the
    page's key and the save's count, the same at each try."""

    def body() -> str:
        age = int((time.monotonic() - given) * 1000)
        page, n = order
        save = {"position": position, "answer": letter, "base": base, "age": age}
        return json.dumps({**save, "page": page, "n": n})

    return body


def answered(status: int, location: str, data: bytes) -> bool:
    return status < 500


def main() -> None:
    parser = argparse.ArgumentParser()
    for name in ("base", "exam_id", "people_json", "out_json"):
        parser.add_argument(name)
    parser.add_argument("--people", type=int, default=500)
    parser.add_argument("--questions", type=int, default=20)
    parser.add_argument("--threads", type=int, default=160)
    parser.add_argument("--seed", type=int, default=9)
    args = parser.parse_args()
    with open(args.people_json) as source:
        people = json.load(source)[: args.people]
    counts = Counts()
    started = time.monotonic()

    def one(item):
        n, person = item
        seed = args.seed * 100_003 + n
        return Examinee(args.base, int(args.exam_id), person, args.questions, seed, counts).run()

    with ThreadPoolExecutor(max_workers=args.threads) as pool:
        results = list(pool.map(one, enumerate(people)))
    seconds = time.monotonic() - started
    sent = {
        "answers": {str(a): {str(p): x for p, x in last.items()} for a, last, _ in results if a},
        "submitted": [a for a, _, done in results if done],
    }
    with open(args.out_json, "w") as out:
        json.dump(sent, out)
    print("BENCHJSON " + json.dumps(summary(counts, results, seconds)))


def summary(counts: Counts, results: list, seconds: float) -> dict:
    times = sorted(counts.save_seconds) or [0.0]
    return {
        **counts.values,
        "examinees": len(results),
        "submitted": sum(1 for _, _, done in results if done),
        "answers": sum(len(last) for _, last, _ in results),
        "seconds": seconds,
        "save_p50_s": times[len(times) // 2],
        "save_p99_s": times[min(len(times) - 1, len(times) * 99 // 100)],
        "save_max_s": times[-1],
    }


if __name__ == "__main__":
    main()
