#!/usr/bin/env -S python3 -S
# SPDX-License-Identifier: GPL-2.0
"""A minimal MPTCP peer for the selftests: real sockets, real kernel. ADDR is IPv4 or IPv6
(an IPv4-mapped ::ffff:A.B.C.D too: an AF_INET6 socket).

  mptcp_peer.py server ADDR PORT [--until FILE]
                                         accept one connection, echo until EOF or reset
                                         (--until: shut down writing, i.e. send a DATA_FIN,
                                         as soon as FILE exists, then read until EOF)
  mptcp_peer.py client ADDR PORT [--linger0] [--hold SECONDS] [--idle] [--until FILE] [--bytes N]
                                 [--keepalive] [--ready FILE]
                                         connect, exchange N bytes (1000), close
                                         (--linger0: SO_LINGER {1, 0}, i.e. MP_FASTCLOSE;
                                         --hold: keep the connection open that long
                                         before closing, exchanging data every 0.2 s,
                                         or not with --idle;
                                         --until: stop holding as soon as FILE exists;
                                         --keepalive: TCP keepalive after 5 s idle, one
                                         probe 1 s apart, then TCP resets the subflow;
                                         --ready: create FILE after the first exchange)
  mptcp_peer.py refused ADDR PORT       connect; succeed only if the peer resets it
  mptcp_peer.py listen ADDR PORT        listen, accepting nothing, until killed

Exit status 0 on the expected outcome, 1 otherwise, with a reason on stderr.
"""
import os
import signal
import socket
import struct
import sys
import time

IPPROTO_MPTCP = getattr(socket, "IPPROTO_MPTCP", 262)
# Generous: a debug kernel under TCG starts a Python process in seconds.
TIMEOUT = 60


def mptcp_socket(addr):
    """An MPTCP socket for ADDR: AF_INET6 for an IPv6 address (::ffff:10.0.1.2 included: an
    IPv4-mapped one), else AF_INET."""
    family = socket.AF_INET6 if ":" in addr else socket.AF_INET
    s = socket.socket(family, socket.SOCK_STREAM, IPPROTO_MPTCP)
    s.settimeout(TIMEOUT)
    return s


def server(addr, port, until=None):
    with mptcp_socket(addr) as ls:
        ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        ls.bind((addr, port))
        ls.listen(1)
        conn, _ = ls.accept()
        with conn:
            if until:
                conn.settimeout(0.2)
            # The client's hold bounds the wait for --until, TIMEOUT the one for EOF after it.
            deadline = time.monotonic() + 3 * TIMEOUT
            shut = False
            try:
                while True:
                    try:
                        data = conn.recv(4096)
                    except socket.timeout:
                        if time.monotonic() > deadline:
                            print("server: timeout", file=sys.stderr)
                            return 1
                        if not shut and os.path.exists(until):
                            conn.shutdown(socket.SHUT_WR)
                            shut = True
                            deadline = time.monotonic() + TIMEOUT
                        continue
                    if not data:
                        break
                    if not shut:
                        conn.sendall(data)
            except ConnectionResetError:
                pass
    return 0


def exchange(s, nbytes):
    msg = b"x" * nbytes
    s.sendall(msg)
    got = 0
    while got < len(msg):
        data = s.recv(65536)
        if not data:
            print("client: connection closed early", file=sys.stderr)
            return False
        got += len(data)
    return True


def client(addr, port, linger0, hold, nbytes, until=None, idle=False, keepalive=False, ready=None):
    with mptcp_socket(addr) as s:
        if keepalive:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
            s.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE, 5)
            s.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPINTVL, 1)
            s.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPCNT, 1)
        s.connect((addr, port))
        if not exchange(s, nbytes):
            return 1
        if ready:
            open(ready, "w").close()
        deadline = time.monotonic() + hold
        while time.monotonic() < deadline:
            if until and os.path.exists(until):
                break
            time.sleep(0.2)
            if not idle and not exchange(s, nbytes):
                return 1
        if linger0:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    return 0


def refused(addr, port):
    with mptcp_socket(addr) as s:
        try:
            s.connect((addr, port))
        except (ConnectionResetError, ConnectionRefusedError):
            return 0
        print("refused: the connection was accepted", file=sys.stderr)
        return 1


def listen(addr, port):
    # Blocked before the listener exists: once it listens, SIGTERM is its exit, status 0.
    signal.pthread_sigmask(signal.SIG_BLOCK, [signal.SIGTERM])
    with mptcp_socket(addr) as ls:
        ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        ls.bind((addr, port))
        ls.listen(1)
        signal.sigwait([signal.SIGTERM])
    return 0


def main(argv):
    if len(argv) < 4:
        print(__doc__, file=sys.stderr)
        return 2
    cmd, addr, port = argv[1], argv[2], int(argv[3])
    opts = argv[4:]
    until = opts[opts.index("--until") + 1] if "--until" in opts else None
    if cmd == "server":
        return server(addr, port, until)
    if cmd == "client":
        hold = float(opts[opts.index("--hold") + 1]) if "--hold" in opts else 0
        nbytes = int(opts[opts.index("--bytes") + 1]) if "--bytes" in opts else 1000
        ready = opts[opts.index("--ready") + 1] if "--ready" in opts else None
        return client(addr, port, "--linger0" in opts, hold, nbytes, until, "--idle" in opts,
                      "--keepalive" in opts, ready)
    if cmd == "refused":
        return refused(addr, port)
    if cmd == "listen":
        return listen(addr, port)
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
