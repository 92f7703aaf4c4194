#!/usr/bin/env python3
"""The kernel's side of the interop scenarios: small TCP peers on Linux sockets.

Each subcommand does one thing, bounded in time (every socket has a timeout), prints what it saw
as "key value" lines on standard output and exits 0 when it saw what the scenario expects.
Run inside the scenario's namespace only; it talks to 198.18.0.0/15 addresses given to it.
"""
import argparse
import errno
import hashlib
import os
import socket
import struct
import sys
import threading
import time

TIMEOUT = 60


def listen(host, port):
    s = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((host, port))
    s.listen(8)
    s.settimeout(TIMEOUT)
    print("listening", port, flush=True)
    c, peer = s.accept()
    s.close()
    c.settimeout(TIMEOUT)
    return c


def connect(host, port):
    c = socket.create_connection((host, port), timeout=TIMEOUT)
    c.settimeout(TIMEOUT)
    return c


def read_all(c, limit=None):
    """Reads until the end of the stream: (bytes count, sha256 hex, data kept up to 1 MiB)."""
    h, n, kept = hashlib.sha256(), 0, bytearray()
    while True:
        d = c.recv(65536)
        if not d:
            return n, h.hexdigest(), bytes(kept)
        h.update(d)
        n += len(d)
        if len(kept) < (1 << 20):
            kept += d[: (1 << 20) - len(kept)]
        if limit is not None and n >= limit:
            return n, h.hexdigest(), bytes(kept)


def send_file(c, path):
    with open(path, "rb") as f:
        while True:
            d = f.read(65536)
            if not d:
                return
            c.sendall(d)


def abort(c):
    """close() with SO_LINGER 0: a RST instead of a FIN."""
    c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    c.close()


def sleep_until(t):
    d = t - time.time()
    if d > 0:
        time.sleep(min(d, TIMEOUT))


def cmd_echo_server(a):
    c = listen(a.host, a.port)
    n = 0
    while True:
        d = c.recv(65536)
        if not d:
            break
        c.sendall(d)
        n += len(d)
    c.shutdown(socket.SHUT_WR)
    c.close()
    print("echoed", n)


def echo_one(host, port, path, out_path):
    """Sends the file at path and reads the echo at the same time into out_path; the send's
    error, or None."""
    c = connect(host, port)
    err = []

    def sender():
        try:
            send_file(c, path)
            c.shutdown(socket.SHUT_WR)
        except OSError as e:
            err.append(e)

    t = threading.Thread(target=sender)
    t.start()
    with open(out_path, "wb") as out:
        while True:
            d = c.recv(65536)
            if not d:
                break
            out.write(d)
    t.join(TIMEOUT)
    c.close()
    return err[0] if err else None


def cmd_echo_client(a):
    """Sends FILE and reads the echo at the same time; the echo goes to OUT."""
    err = echo_one(a.host, a.port, a.file, a.out)
    if err:
        print("send-error", err)
        sys.exit(1)
    print("done")


def cmd_echo_clients(a):
    """N echo clients at once (a thread each, one process): client i sends FILE and writes its
    echo to OUT.i; prints "done N" when every one finished."""
    failed = []

    def one(i):
        try:
            err = echo_one(a.host, a.port, a.file, "%s.%d" % (a.out, i))
        except OSError as e:
            err = e
        if err:
            failed.append((i, err))

    ts = [threading.Thread(target=one, args=(i,)) for i in range(a.n)]
    for t in ts:
        t.start()
    for t in ts:
        t.join(TIMEOUT)
    for i, e in failed:
        print("client", i, "error", e)
    print("done", a.n - len(failed))
    sys.exit(1 if failed else 0)


def cmd_read_then_reply(a):
    """Half-close, peer first: read to the end of the peer's stream, then send FILE and close."""
    c = listen(a.host, a.port)
    n, digest, _ = read_all(c)
    print("received", n, digest, flush=True)
    send_file(c, a.file)
    c.shutdown(socket.SHUT_WR)
    rest = c.recv(1)
    c.close()
    print("after-reply-eof", len(rest) == 0)


def cmd_send_shut_then_read(a):
    """Half-close, kernel first: send FILE, shut down the sending direction at once, then read
    the peer's stream to its end. As server (--listen) or client."""
    c = listen(a.host, a.port) if a.listen else connect(a.host, a.port)
    send_file(c, a.file)
    c.shutdown(socket.SHUT_WR)
    print("shut", flush=True)
    n, digest, _ = read_all(c)
    c.close()
    print("received", n, digest)


def cmd_hold_after_eof(a):
    """Server: reads to the end of the peer's stream, then keeps its own direction open, sending
    a line every 0.1 s until the peer resets the connection (or TIMEOUT)."""
    c = listen(a.host, a.port)
    n, digest, _ = read_all(c)
    print("received", n, digest, flush=True)
    t0 = time.time()
    try:
        while time.time() - t0 < TIMEOUT:
            c.sendall(b"still here\n")
            time.sleep(0.1)
    except (ConnectionResetError, BrokenPipeError) as e:
        print("reset", type(e).__name__, f"{time.time() - t0:.2f}")
        return
    sys.exit(1)


def cmd_expect_refused(a):
    try:
        connect(a.host, a.port)
    except ConnectionRefusedError:
        print("ECONNREFUSED")
        return
    except OSError as e:
        print("error", e)
        sys.exit(1)
    print("connected")
    sys.exit(1)


def cmd_expect_reset(a):
    """Reads (as server or client) until the stream fails; expects ECONNRESET."""
    c = listen(a.host, a.port) if a.listen else connect(a.host, a.port)
    n = 0
    try:
        while True:
            if a.send:
                c.sendall(b"x" * 65536)
                n += 65536
            else:
                d = c.recv(65536)
                if not d:
                    print("eof-after", n)
                    sys.exit(1)
                if n == 0:
                    print("receiving", flush=True)  # the test resets only after data flowed
                n += len(d)
    except ConnectionResetError:
        print("ECONNRESET after", n)
        return
    except BrokenPipeError:
        print("EPIPE after", n)
        sys.exit(1)


def cmd_abort_after(a):
    """Reads BYTES of the peer's stream (it is still sending), then resets the connection."""
    c = listen(a.host, a.port)
    n = 0
    while n < a.bytes:
        d = c.recv(65536)
        if not d:
            print("eof-after", n)
            sys.exit(1)
        n += len(d)
    abort(c)
    print("aborted after", n)


def cmd_close_first(a):
    """Connects, sends a line, closes at once (the kernel closes first), waits for the peer's FIN
    to have arrived so the socket is in TIME-WAIT."""
    c = connect(a.host, a.port)
    c.sendall(b"bye\n")
    c.shutdown(socket.SHUT_WR)
    n, _, _ = read_all(c)
    c.close()
    print("closed", n)


def cmd_close_after_eof(a):
    """Server: reads to the end of the peer's stream (the peer closes first), then closes."""
    c = listen(a.host, a.port)
    n, _, _ = read_all(c)
    c.close()
    print("received", n)


def wait_file(path):
    """Waits (bounded, polling every 2 ms) until the file path exists."""
    for _ in range(TIMEOUT * 500):
        if os.path.exists(path):
            return
        time.sleep(0.002)


def cmd_close_at(a):
    """Server: accepts, waits until time AT (or, with --go, until file GO exists: it says
    "accepted" first), shuts down its sending direction, reads to the end."""
    c = listen(a.host, a.port)
    if a.go:
        print("accepted", flush=True)
        wait_file(a.go)
    else:
        sleep_until(a.at)
    c.shutdown(socket.SHUT_WR)
    n, _, _ = read_all(c)
    c.close()
    print("received", n)


def cmd_simultaneous_open(a):
    """Binds LPORT, connects to HOST:PORT at time AT, or as soon as file GO exists (the peer
    does the same to us)."""
    c = socket.socket()
    c.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    c.bind((a.bind, a.lport))
    c.settimeout(TIMEOUT)
    print("bound", flush=True)
    if a.go:  # wait for the file to appear (bounded), then connect at once
        wait_file(a.go)
    else:
        sleep_until(a.at)
    c.connect((a.host, a.port))
    c.sendall(b"from the kernel\n")
    c.shutdown(socket.SHUT_WR)
    n, _, data = read_all(c)
    c.close()
    print("connected", data.decode(errors="replace").strip())


def cmd_http_server(a):
    """An HTTP/1.1 server for `lucidtcp get`: files from DIR with single byte ranges
    ("bytes=N-", "bytes=A-B"), except under /norange/ (the whole file, 200); redirects
    (/hop/N -> "N-1" ... /hop/0 -> "../f.bin", /abs, /see, /t307, /t308, /loop, /nowhere,
    /offlink, /https); /cut/NAME promises NAME whole and sends half. Each request is a line
    "request PATH range=RANGE" on standard output."""
    import http.server

    redirects = {
        "/abs": (301, f"http://kpeer:{a.port}/f.bin"),
        "/see": (303, "/f.bin"),
        "/t307": (307, "./f.bin?x=1"),
        "/t308": (308, f"//kpeer:{a.port}/f.bin"),
        "/loop": (302, "/loop"),
        "/nowhere": (302, None),
        "/offlink": (302, "http://198.19.5.5/x"),
        "/https": (302, "https://kpeer/x"),
    }

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, fmt, *args):
            pass

        def reply(self, code, headers, body=b""):
            self.send_response(code)
            for k, v in headers:
                self.send_header(k, v)
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(body)
            self.close_connection = True

        def redirect(self, path):
            if path.startswith("/hop/"):
                n = int(path[5:])
                return 302, str(n - 1) if n > 0 else "../f.bin"
            return redirects.get(path)

        def do_GET(self):
            path = self.path.split("?")[0]
            rng = self.headers.get("Range")
            print("request", self.path, f"range={rng}", flush=True)
            r = self.redirect(path)
            if r:
                code, loc = r
                self.reply(code, ([("Location", loc)] if loc else []) + [("Content-Length", "0")])
                return
            cut = path.startswith("/cut/")
            whole = path.startswith("/norange/")
            name = path.split("/")[-1]
            try:
                with open(os.path.join(a.dir, name), "rb") as f:
                    data = f.read()
            except OSError:
                self.reply(404, [("Content-Length", "0")])
                return
            n = len(data)
            if cut:
                self.reply(200, [("Content-Length", str(n))], data[: n // 2])
                return
            if rng and not whole and rng.startswith("bytes="):
                first, _, last = rng[6:].partition("-")
                first = int(first)
                last = int(last) if last else n - 1
                if first >= n:
                    self.reply(416, [("Content-Range", f"bytes */{n}"), ("Content-Length", "0")])
                    return
                last = min(last, n - 1)
                self.reply(206, [("Content-Range", f"bytes {first}-{last}/{n}"),
                                 ("Content-Length", str(last - first + 1))], data[first:last + 1])
                return
            self.reply(200, [("Content-Length", str(n))], data)

    class Server(http.server.ThreadingHTTPServer):
        address_family = socket.AF_INET6 if ":" in a.host else socket.AF_INET

    srv = Server((a.host, a.port), Handler)
    srv.timeout = TIMEOUT
    print("listening", a.port, flush=True)
    srv.serve_forever()


def cmd_slowloris(a):
    """a.n slow HTTP clients, spread evenly over the source addresses in a.sources: each
    connects, sends the beginning of a request head, then one more header byte every a.every
    seconds and never the empty line that would end it; with --reconnect, a client whose
    connection ends connects again about a.every seconds later. Runs a.hold seconds.
    Prints "connected N at T" (seconds since the start) once a.report_at are connected at the
    same time (or at 5 s), then a summary: connections made, reset at once (before a byte came
    back, the connect itself included), connects that failed otherwise (by errno), 408s seen, the shortest and longest time a
    connection lived (from its handshake's end) before the server closed it after a 408 or
    silently, and those still open at the end. --rate spreads the first connects over time."""
    import resource
    import selectors
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, max(soft, a.n + 256)), hard))
    import random
    rnd = random.Random(1)
    srcs = a.sources.split(",")
    sel = selectors.DefaultSelector()
    start = time.monotonic()
    end = start + a.hold
    st = {"made": 0, "reset": 0, "r408": 0, "closed": 0, "failed": {}, "lived": []}
    clients = [{"src": srcs[i % len(srcs)], "sock": None, "due": start, "ever": False}
               for i in range(a.n)]
    gap = 1.0 / a.rate if a.rate else 0.0  # between connects: a burst beyond the backlog
    for i, c in enumerate(clients):       # costs the dropped SYNs a second's retry
        c["due"] = start + i * gap

    def open_(c, now):
        s = socket.socket()
        s.setblocking(False)
        s.bind((c["src"], 0))
        s.connect_ex((a.host, a.port))
        c.update(sock=s, up=False, t0=now, got=b"", next=now + a.every)
        sel.register(s, selectors.EVENT_WRITE, c)

    def end_(c, now, how, err=0):
        sel.unregister(c["sock"])
        c["sock"].close()
        c["sock"] = None
        if how == "reset" and not c["got"]:
            st["reset"] += 1
        elif how == "failed":
            name = errno.errorcode.get(err, str(err))
            st["failed"][name] = st["failed"].get(name, 0) + 1
        else:
            st["closed"] += 1
            st["lived"].append(now - c["t_up"])
        if b" 408 " in c["got"]:
            st["r408"] += 1
        # Reconnects spread over 0.5 to 1.5 times a.every, not all in one burst of SYNs.
        c["due"] = now + a.every * (0.5 + rnd.random()) if a.reconnect else float("inf")

    reported = False
    while True:  # bounded by a.hold
        now = time.monotonic()
        if now >= end:
            break
        for c in clients:
            if c["sock"] is None and c["due"] <= now:
                open_(c, now)
        for key, ev in sel.select(timeout=0.05):
            c = key.data
            s = c["sock"]
            if not c["up"]:
                err = s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
                if err:
                    end_(c, now, "reset" if err == errno.ECONNRESET else "failed", err)
                    continue
                c["up"] = c["ever"] = True
                c["t_up"] = now
                st["made"] += 1
                sel.modify(s, selectors.EVENT_READ, c)
                try:
                    s.send(b"GET / HTTP/1.1\r\nHost: slow\r\nX-a: ")
                except OSError:
                    end_(c, now, "reset")
                continue
            try:
                d = s.recv(4096)
            except OSError:
                end_(c, now, "reset")
                continue
            if not d:
                end_(c, now, "closed")
            else:
                c["got"] += d
        for c in clients:
            if c["sock"] is not None and c["up"] and now >= c["next"]:
                c["next"] = now + a.every
                try:
                    c["sock"].send(b"a")
                except OSError:
                    end_(c, now, "reset")
        up = sum(1 for c in clients if c["sock"] is not None and c["up"])
        if not reported and (up >= a.report_at or now - start > 5):
            reported = True
            print("connected %d at %.2f" % (up, now - start), flush=True)
    still = sum(1 for c in clients if c["sock"] is not None and c["up"])
    lived = st["lived"] or [0]
    print("made", st["made"])
    print("reset_at_once", st["reset"])
    print("failed", sum(st["failed"].values()),
          ",".join("%s=%d" % kv for kv in sorted(st["failed"].items())))
    print("got_408", st["r408"])
    print("closed_by_server", st["closed"])
    print("lived_min %.2f" % min(lived))
    print("lived_max %.2f" % max(lived))
    print("open_at_end", still, flush=True)


def main():
    p = argparse.ArgumentParser(description=__doc__)
    sub = p.add_subparsers(dest="cmd", required=True)

    def add(name, fn, *extra):
        s = sub.add_parser(name)
        s.add_argument("host")
        s.add_argument("port", type=int)
        for e in extra:
            e(s)
        s.set_defaults(fn=fn)

    add("echo-server", cmd_echo_server)
    add("echo-client", cmd_echo_client, lambda s: s.add_argument("file"), lambda s: s.add_argument("out"))
    add("echo-clients", cmd_echo_clients, lambda s: s.add_argument("file"), lambda s: s.add_argument("out"),
        lambda s: s.add_argument("--n", type=int, default=32))
    add("read-then-reply", cmd_read_then_reply, lambda s: s.add_argument("file"))
    add("send-shut-then-read", cmd_send_shut_then_read, lambda s: s.add_argument("file"),
        lambda s: s.add_argument("--listen", action="store_true"))
    add("hold-after-eof", cmd_hold_after_eof)
    add("expect-refused", cmd_expect_refused)
    add("http-server", cmd_http_server, lambda s: s.add_argument("dir"))
    add("expect-reset", cmd_expect_reset, lambda s: s.add_argument("--listen", action="store_true"),
        lambda s: s.add_argument("--send", action="store_true"))
    add("abort-after", cmd_abort_after, lambda s: s.add_argument("bytes", type=int))
    add("close-first", cmd_close_first)
    add("close-after-eof", cmd_close_after_eof)
    add("close-at", cmd_close_at, lambda s: s.add_argument("at", type=float),
        lambda s: s.add_argument("--go"))
    add("simultaneous-open", cmd_simultaneous_open, lambda s: s.add_argument("bind"),
        lambda s: s.add_argument("lport", type=int), lambda s: s.add_argument("at", type=float),
        lambda s: s.add_argument("--go"))
    add("slowloris", cmd_slowloris, lambda s: s.add_argument("sources"),
        lambda s: s.add_argument("--n", type=int, default=600),
        lambda s: s.add_argument("--every", type=float, default=0.5),
        lambda s: s.add_argument("--hold", type=float, default=10),
        lambda s: s.add_argument("--reconnect", action="store_true"),
        lambda s: s.add_argument("--report-at", type=int, default=512),
        lambda s: s.add_argument("--rate", type=float, default=0))
    a = p.parse_args()
    a.fn(a)


if __name__ == "__main__":
    main()
