#!/usr/bin/env python3
"""Kernel TCP peers that misbehave on purpose, for lucidtcp analyze's capture tests.

  faults.py serve HOST    listeners: 8001 never closes (CLOSE-WAIT), 8002 streams until reset,
                          8004 never reads (zero window); nothing on 8003. Runs until killed
                          (at most 60 s).
  faults.py client HOST   one connection to each port, faulting as each test wants; exits 0."""
import os
import socket
import sys
import threading
import time

LIMIT = 60


def listener(host, port, handle, rcvbuf=None):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if rcvbuf:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    s.bind((host, port))
    s.listen(4)

    def run():
        c, _ = s.accept()
        handle(c)
    threading.Thread(target=run, daemon=True).start()


def never_close(c):
    while c.recv(65536):
        pass
    time.sleep(LIMIT)  # the peer's FIN came; this application never closes: CLOSE-WAIT


def stream(c):
    try:
        while True:
            c.sendall(b"x" * 65536)
    except OSError:
        pass


def never_read(c):
    time.sleep(LIMIT)


def serve(host):
    listener(host, 8001, never_close)
    listener(host, 8002, stream)
    listener(host, 8004, never_read, rcvbuf=4096)
    print("listening", flush=True)
    time.sleep(LIMIT)


def client(host):
    c = socket.create_connection((host, 8001))  # CLOSE-WAIT on the server
    c.sendall(b"hello\n")
    c.close()
    c = socket.create_connection((host, 8002))  # killed mid-transfer: close with unread data
    got = 0
    while got < 200000:
        got += len(c.recv(65536))
    os.close(c.detach())  # unread data: the kernel resets (RFC 2525 2.17)
    try:
        socket.create_connection((host, 8003), timeout=5)
        sys.exit("8003 answered")
    except ConnectionRefusedError:
        pass
    c = socket.create_connection((host, 8004))  # the server never reads: zero window
    c.setblocking(False)
    sent, t0 = 0, time.time()
    while time.time() - t0 < 2.5:  # probes go out while the window stays shut
        try:
            sent += c.send(b"y" * 65536)
        except BlockingIOError:
            time.sleep(0.05)
    print("sent", sent, flush=True)


if __name__ == "__main__":
    {"serve": serve, "client": client}[sys.argv[1]](sys.argv[2])
