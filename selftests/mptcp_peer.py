#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""A minimal MPTCP peer for the selftests: real sockets, real kernel.

  mptcp_peer.py server ADDR PORT        accept one connection, echo until EOF or reset
  mptcp_peer.py client ADDR PORT [--linger0]
                                         connect, exchange one message, close
                                         (--linger0: SO_LINGER {1, 0}, i.e. MP_FASTCLOSE)
  mptcp_peer.py refused ADDR PORT       connect; succeed only if the peer resets it

Exit status 0 on the expected outcome, 1 otherwise, with a reason on stderr.
"""
import socket
import struct
import sys

IPPROTO_MPTCP = getattr(socket, "IPPROTO_MPTCP", 262)
TIMEOUT = 10


def mptcp_socket():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM, IPPROTO_MPTCP)
    s.settimeout(TIMEOUT)
    return s


def server(addr, port):
    with mptcp_socket() as ls:
        ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        ls.bind((addr, port))
        ls.listen(1)
        conn, _ = ls.accept()
        with conn:
            try:
                while True:
                    data = conn.recv(4096)
                    if not data:
                        break
                    conn.sendall(data)
            except ConnectionResetError:
                pass
    return 0


def client(addr, port, linger0):
    with mptcp_socket() as s:
        s.connect((addr, port))
        msg = b"x" * 1000
        s.sendall(msg)
        got = b""
        while len(got) < len(msg):
            data = s.recv(4096)
            if not data:
                print("client: connection closed early", file=sys.stderr)
                return 1
            got += data
        if linger0:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    return 0


def refused(addr, port):
    with mptcp_socket() as s:
        try:
            s.connect((addr, port))
        except (ConnectionResetError, ConnectionRefusedError):
            return 0
        print("refused: the connection was accepted", file=sys.stderr)
        return 1


def main(argv):
    if len(argv) < 4:
        print(__doc__, file=sys.stderr)
        return 2
    cmd, addr, port = argv[1], argv[2], int(argv[3])
    if cmd == "server":
        return server(addr, port)
    if cmd == "client":
        return client(addr, port, "--linger0" in argv[4:])
    if cmd == "refused":
        return refused(addr, port)
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
