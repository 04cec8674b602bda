"""A slow, lossy network for the reliability step of ``make bench``: a network
namespace of its own, linked to the root namespace by a private /30, every packet
delayed and 1 in 100 dropped in each direction.

    with lossy_link(delay_ms=200, loss=0.01) as link:
        # a server bound to link.server_ip (root namespace) is reached by
        # ["ip", "netns", "exec", link.netns, ...] at that address
        ...

The link is ``tc qdisc ... netem`` on a veth pair when the kernel has netem; a
kernel built without it (CONFIG_NET_SCH_NETEM unset, as in small VMs) gets the
same thing in user space: a TUN device on each side and a thread that copies
packets between them after the delay, dropping some at random (``link.kind``
says which). Everything is removed on the way out, also on Ctrl-C and SIGTERM;
namespaces left by a killed run (``yx-bench-<pid>`` of a dead pid) are removed at
the next start. Needs root and ``ip`` (iproute2); raises NoLink otherwise.
"""

import contextlib
import fcntl
import heapq
import os
import random
import selectors
import shutil
import signal
import struct
import subprocess
import threading
import time
from dataclasses import dataclass, field

PREFIX = "yx-bench-"
TUNSETIFF = 0x400454CA
IFF_TUN, IFF_NO_PI = 0x0001, 0x1000


class NoLink(RuntimeError):
    """No namespace and lossy link could be made here (not root, no ip, no tun)."""


@dataclass
class Link:
    netns: str
    server_ip: str
    client_ip: str
    kind: str  # "tc netem" | "tun emulator"
    delay_ms: int
    loss: float
    wire: "Wire | None" = field(default=None, repr=False)

    def exec_prefix(self) -> list[str]:
        return ["ip", "netns", "exec", self.netns]


def ip(*args: str, netns: str | None = None) -> None:
    prefix = ["ip", "-n", netns] if netns else ["ip"]
    done = subprocess.run([*prefix, *args], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise NoLink(f"ip {' '.join(args)}: {done.stderr.strip()}")


@contextlib.contextmanager
def lossy_link(delay_ms: int = 200, loss: float = 0.01):
    if os.geteuid() != 0:
        raise NoLink("not root")
    if shutil.which("ip") is None:
        raise NoLink("no ip command (iproute2)")
    remove_stale()
    pid = os.getpid()
    netns = f"{PREFIX}{pid}"
    # A /30 of 10.237.0.0/16 chosen by pid, so two benches do not collide.
    block = (pid % 16384) * 4
    server_ip = f"10.237.{block // 256}.{block % 256 + 1}"
    client_ip = f"10.237.{block // 256}.{block % 256 + 2}"
    names = (f"yxb{pid}a", f"yxb{pid}b")  # root side, namespace side (<= 15 chars)
    link = Link(netns, server_ip, client_ip, "", delay_ms, loss)
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        ip("netns", "add", netns)
        ip("link", "set", "lo", "up", netns=netns)
        try:
            _veth_netem(link, names)
        except NoLink:
            _remove_link(names[0])
            _tun_wire(link, names)
        yield link
    finally:
        # A second Ctrl-C or SIGTERM must not stop the cleanup half-way.
        interrupt = signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        if link.wire:
            link.wire.stop()
        _remove_link(names[0])
        subprocess.run(["ip", "netns", "del", netns], capture_output=True, check=False)
        signal.signal(signal.SIGINT, interrupt)
        signal.signal(signal.SIGTERM, previous)


def _interrupt(signum, frame):
    signal.signal(signal.SIGTERM, signal.SIG_IGN)  # once is enough: now clean up
    raise KeyboardInterrupt


def _veth_netem(link: Link, names: tuple[str, str]) -> None:
    root, inside = names
    if shutil.which("tc") is None:
        raise NoLink("no tc command")
    ip("link", "add", root, "type", "veth", "peer", "name", inside, "netns", link.netns)
    _address(link, names)
    for name, netns in ((root, None), (inside, link.netns)):
        prefix = ["ip", "netns", "exec", netns] if netns else []
        qdisc = ["tc", "qdisc", "add", "dev", name, "root", "netem"]
        qdisc += ["delay", f"{link.delay_ms}ms", "loss", f"{link.loss * 100:g}%"]
        done = subprocess.run([*prefix, *qdisc], capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise NoLink(f"tc netem: {done.stderr.strip()}")
    link.kind = "tc netem"


def _tun_wire(link: Link, names: tuple[str, str]) -> None:
    fds = [_open_tun(name) for name in names]
    link.wire = Wire(fds, link.delay_ms / 1000, link.loss)
    ip("link", "set", names[1], "netns", link.netns)
    _address(link, names)
    link.wire.start()
    link.kind = "tun emulator"


def _address(link: Link, names: tuple[str, str]) -> None:
    root, inside = names
    ip("addr", "add", link.server_ip, "peer", link.client_ip, "dev", root)
    ip("link", "set", root, "up")
    ip("addr", "add", link.client_ip, "peer", link.server_ip, "dev", inside, netns=link.netns)
    ip("link", "set", inside, "up", netns=link.netns)


def _open_tun(name: str) -> int:
    try:
        fd = os.open("/dev/net/tun", os.O_RDWR | os.O_NONBLOCK)
        fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH", name.encode(), IFF_TUN | IFF_NO_PI))
    except OSError as exc:
        raise NoLink(f"tun: {exc}") from exc
    return fd


def _remove_link(name: str) -> None:
    subprocess.run(["ip", "link", "del", name], capture_output=True, check=False)


def remove_stale() -> None:
    """Namespaces of earlier runs whose process is gone (killed with SIGKILL)."""
    done = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True, check=False)
    for line in done.stdout.splitlines():
        name = line.split()[0] if line.split() else ""
        pid = name[len(PREFIX) :]
        if name.startswith(PREFIX) and pid.isdigit() and not _alive(int(pid)):
            subprocess.run(["ip", "netns", "del", name], capture_output=True, check=False)
            _remove_link(f"yxb{pid}a")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class Wire(threading.Thread):
    """netem in user space: packets read from one TUN device are written to the
    other after ``delay`` seconds, in order, each lost with probability ``loss``."""

    def __init__(self, fds: list[int], delay: float, loss: float, seed: int = 9):
        super().__init__(name="netem-wire", daemon=True)
        self.fds, self.delay, self.loss = fds, delay, loss
        self.rng = random.Random(seed)
        self.dropped = self.passed = 0
        self._wake_r, self._wake_w = os.pipe()

    def stop(self) -> None:
        os.write(self._wake_w, b"x")
        self.join(timeout=5)
        for fd in (*self.fds, self._wake_r, self._wake_w):
            with contextlib.suppress(OSError):
                os.close(fd)

    def run(self) -> None:
        selector = selectors.DefaultSelector()
        a, b = self.fds
        selector.register(a, selectors.EVENT_READ, b)
        selector.register(b, selectors.EVENT_READ, a)
        selector.register(self._wake_r, selectors.EVENT_READ, None)
        queue: list[tuple[float, int, int, bytes]] = []
        count = 0
        while True:
            timeout = max(0.0, queue[0][0] - time.monotonic()) if queue else None
            for key, _ in selector.select(timeout):
                if key.data is None:
                    return
                for packet in self._drain(key.fd):
                    count += 1
                    heapq.heappush(queue, (time.monotonic() + self.delay, count, key.data, packet))
            now = time.monotonic()
            while queue and queue[0][0] <= now:
                _, _, out, packet = heapq.heappop(queue)
                with contextlib.suppress(OSError):  # a full or closed device: a lost packet
                    os.write(out, packet)

    def _drain(self, fd: int):
        for _ in range(256):
            try:
                packet = os.read(fd, 65536)
            except (BlockingIOError, OSError):
                return
            if self.rng.random() < self.loss:
                self.dropped += 1
            else:
                self.passed += 1
                yield packet
