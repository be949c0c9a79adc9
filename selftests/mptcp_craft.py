#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Crafted MPTCP packets, sent with a raw socket: the scripted fake peer of
the selftests, for what a real kernel never sends.

  mptcp_craft.py join-syn SRC DST DPORT TOKEN
      send one SYN carrying MP_JOIN (RFC 8684 3.2) for TOKEN (hex, the
      receiver's connection token) from SRC to DST:DPORT, and wait for the
      answer: exit 0 if it is a RST, printing the MP_TCPRST reason code it
      carries ("reason=N", or "reason=none"), 1 otherwise.
  mptcp_craft.py server ADDR PORT MODE READY_FILE
      be an MPTCP v1 server at ADDR:PORT on raw sockets (the caller drops
      the RSTs its own stack sends from PORT: ours carry the mark 0x5253):
      accept one MP_CAPABLE connection, acknowledge it with a DSS (the
      client is then fully established, and its path manager adds a
      subflow), then answer the client's MP_JOIN SYN (RFC 8684 3.2) with a
      SYN/ACK as MODE says: "ok" (the right HMAC), "no-mpj" (no MP_JOIN) or
      "bad-hmac" (MP_JOIN with a wrong HMAC).  READY_FILE is created once
      the sockets are open.  Exit 0 when the client did what the RFC
      expects: "ok", a third ACK with the right HMAC ("joined"), which is
      then acknowledged; otherwise a RST on the join subflow, whose
      MP_TCPRST reason it prints ("reason=N" or "reason=none").  30 s at most.
"""
import hashlib
import hmac
import os
import random
import socket
import struct
import sys
import time

TCPOPT_MPTCP = 30
MPTCPOPT_MP_CAPABLE = 0
MPTCPOPT_MP_JOIN = 1
MPTCPOPT_DSS = 2
MPTCPOPT_RST = 8
SYN, RST, ACK = 0x02, 0x04, 0x10
# SO_MARK of the fake peer's packets: the caller's nft rules drop the RSTs
# of the fake's own stack, not the fake's.
FAKE_MARK = 0x5253


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def tcp_segment(src, dst, sport, dport, seq, ack, flags, options, payload=b"", pad=True):
    """A TCP segment with a right checksum.  OPTIONS are padded with NOPs to a
    multiple of 4 (unless PAD is false: the fuzzer's truncated options), cut
    at 40 bytes, then completed with EOLs up to the data offset."""
    if pad:
        options += b"\1" * (-len(options) % 4)
    options = options[:40]
    doff = (20 + len(options) + 3) // 4
    options += b"\0" * (doff * 4 - 20 - len(options))
    hdr = struct.pack("!HHIIBBHHH", sport, dport, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF,
                      doff << 4, flags, 65535, 0, 0)
    seg = hdr + options + payload
    pseudo = socket.inet_aton(src) + socket.inet_aton(dst) + struct.pack("!BBH", 0, 6, len(seg))
    csum = checksum(pseudo + seg)
    return seg[:16] + struct.pack("!H", csum) + seg[18:]


def mp_join_syn(token, addr_id=1, backup=False):
    nonce = random.getrandbits(32)
    return struct.pack("!BBBBII", TCPOPT_MPTCP, 12, (MPTCPOPT_MP_JOIN << 4) | int(backup),
                       addr_id, token, nonce)


def mptcp_suboption(options, subtype):
    """The first MPTCP option of SUBTYPE in OPTIONS (a TCP header's option
    bytes), kind and length included, or None."""
    i = 0
    while i < len(options):
        kind = options[i]
        if kind == 0:
            break
        if kind == 1:
            i += 1
            continue
        if i + 1 >= len(options) or options[i + 1] < 2:
            break
        length = options[i + 1]
        if kind == TCPOPT_MPTCP and length > 2 and options[i + 2] >> 4 == subtype:
            return options[i:i + length]
        i += length
    return None


def mptcp_rst_reason(tcp):
    """The reason code of the MP_TCPRST option of a TCP segment, or None."""
    opt = mptcp_suboption(tcp[20:(tcp[12] >> 4) * 4], MPTCPOPT_RST)
    return opt[3] if opt is not None and len(opt) == 4 else None


def mptcp_token(key):
    """The token of an MPTCP key (8 bytes, as on the wire)."""
    return struct.unpack("!I", hashlib.sha256(key).digest()[:4])[0]


def mptcp_idsn(key):
    """The initial data sequence number of a key (RFC 8684 3.1)."""
    return struct.unpack("!Q", hashlib.sha256(key).digest()[24:])[0]


def mptcp_hmac(key1, key2, nonce1, nonce2):
    """HMAC-SHA256(key1 + key2, nonce1 + nonce2): the MP_JOIN HMAC."""
    return hmac.new(key1 + key2, nonce1 + nonce2, hashlib.sha256).digest()


def parse_tcp(pkt):
    """(src, dst, sport, dport, seq, ack, flags, options, payload) of an IPv4
    packet from a raw socket."""
    ihl = (pkt[0] & 0x0F) * 4
    tcp = pkt[ihl:]
    sport, dport, seq, ack = struct.unpack("!HHII", tcp[:12])
    doff = (tcp[12] >> 4) * 4
    return (socket.inet_ntoa(pkt[12:16]), socket.inet_ntoa(pkt[16:20]), sport, dport,
            seq, ack, tcp[13], tcp[20:doff], tcp[doff:])


class FakeServer:
    """The server side of MPTCP v1 on raw sockets, for one connection and
    one join."""

    def __init__(self, addr, port, mode):
        self.addr, self.port, self.mode = addr, port, mode
        self.rx = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_TCP)
        self.rx.settimeout(0.5)
        self.tx = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_TCP)
        self.tx.setsockopt(socket.SOL_SOCKET, socket.SO_MARK, FAKE_MARK)
        self.tx.bind((addr, 0))  # our source address, whatever the route
        self.key = struct.pack("!Q", random.getrandbits(64))
        self.flows = {}  # (client address, port) -> our ISN
        self.client_key = None

    def send(self, dst, dport, seq, ack, flags, options):
        self.tx.sendto(tcp_segment(self.addr, dst, self.port, dport, seq, ack, flags, options),
                       (dst, 0))

    def syn_ack(self, src, sport, seq, options):
        """Answers a SYN (again, if it is retransmitted)."""
        isn = self.flows.setdefault((src, sport), random.getrandbits(32))
        mpc = mptcp_suboption(options, MPTCPOPT_MP_CAPABLE)
        mpj = mptcp_suboption(options, MPTCPOPT_MP_JOIN)
        if mpc is not None and self.client_key is None:
            # version 1, flag H (HMAC-SHA256), our key
            opt = struct.pack("!BBBB", TCPOPT_MPTCP, 12, (MPTCPOPT_MP_CAPABLE << 4) | 1, 0x01) + self.key
        elif mpj is not None and len(mpj) == 12 and self.client_key is not None:
            token = struct.unpack("!I", mpj[4:8])[0]
            if token != mptcp_token(self.key):
                print(f"join for token {token:08x}, not ours", file=sys.stderr)
                return
            self.join = (src, sport)
            self.their_nonce, self.nonce = mpj[8:12], struct.pack("!I", random.getrandbits(32))
            thmac = mptcp_hmac(self.key, self.client_key, self.nonce, self.their_nonce)[:8]
            if self.mode == "no-mpj":
                opt = b""
            else:
                if self.mode == "bad-hmac":
                    thmac = bytes(b ^ 0xFF for b in thmac)
                opt = struct.pack("!BBBB", TCPOPT_MPTCP, 16, MPTCPOPT_MP_JOIN << 4, mpj[3]) + thmac + self.nonce
        else:
            return
        self.send(src, sport, isn, seq + 1, SYN | ACK, opt)

    def data_ack(self):
        """A DSS with only a data ACK (64 bits): of what the client sent."""
        data_ack = (mptcp_idsn(self.client_key) + 1 + self.data) % (1 << 64)
        return struct.pack("!BBBBQ", TCPOPT_MPTCP, 12, MPTCPOPT_DSS << 4, 0x03, data_ack)

    def run(self, ready, timeout=30):
        open(ready, "w").close()
        deadline = time.monotonic() + timeout
        joined = False
        while time.monotonic() < deadline:
            try:
                pkt = self.rx.recv(65535)
            except socket.timeout:
                continue
            src, dst, sport, dport, seq, ack, flags, options, payload = parse_tcp(pkt)
            if dst != self.addr or dport != self.port:
                continue
            flow = (src, sport)
            if flags & SYN:
                self.syn_ack(src, sport, seq, options)
                continue
            if flow not in self.flows:
                continue
            isn = self.flows[flow]
            if flags & RST:
                if flow == getattr(self, "join", None):
                    reason = mptcp_rst_reason(pkt[(pkt[0] & 0x0F) * 4:])
                    print(f"{'reset after the join: ' if joined else ''}"
                          f"reason={'none' if reason is None else reason}")
                    return 0 if self.mode != "ok" else 1
                continue
            mpc = mptcp_suboption(options, MPTCPOPT_MP_CAPABLE)
            if mpc is not None and len(mpc) in (20, 22) and self.client_key is None:
                # Third ACK (or first data) of MP_CAPABLE: the client's key
                # first.  A DSS with a data ACK makes the client fully
                # established (RFC 8684 3.1).
                self.client_key = mpc[4:12]
                self.data = len(payload)
                self.send(src, sport, isn + 1, seq + len(payload), ACK, self.data_ack())
                continue
            mpj = mptcp_suboption(options, MPTCPOPT_MP_JOIN)
            if flow == getattr(self, "join", None) and mpj is not None and len(mpj) == 24:
                want = mptcp_hmac(self.client_key, self.key, self.their_nonce, self.nonce)[:20]
                # The fourth ACK: a data ACK, or the client resets the
                # subflow as unconfirmed.
                self.send(src, sport, isn + 1, seq, ACK, self.data_ack())
                if mpj[4:24] != want:
                    print("third ACK with a wrong HMAC", file=sys.stderr)
                    return 1
                if self.mode != "ok":
                    print("joined")
                    return 1
                # Joined: no reset may follow (the client resets a join
                # whose third ACK is not acknowledged, after a timeout).
                joined = True
                deadline = time.monotonic() + 3
        if joined:
            print("joined")
            return 0
        print("timeout", file=sys.stderr)
        return 1


def join_syn(src, dst, dport, token):
    sport = random.randint(20000, 60000)
    seq = random.getrandbits(32)
    seg = tcp_segment(src, dst, sport, dport, seq, 0, SYN, mp_join_syn(token))
    rx = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_TCP)
    rx.settimeout(0.5)
    tx = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_TCP)
    tx.sendto(seg, (dst, 0))
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        try:
            pkt = rx.recv(65535)
        except socket.timeout:
            continue
        ihl = (pkt[0] & 0x0F) * 4
        tcp = pkt[ihl:]
        psrc, pdst = struct.unpack("!HH", tcp[:4])
        if socket.inet_ntoa(pkt[12:16]) != dst or psrc != dport or pdst != sport:
            continue
        if tcp[13] & RST:
            reason = mptcp_rst_reason(tcp)
            print(f"reason={'none' if reason is None else reason}")
            return 0
        print(f"answer is not a RST: flags=0x{tcp[13]:02x}", file=sys.stderr)
        return 1
    print("no answer", file=sys.stderr)
    return 1


def main(argv):
    if len(argv) == 6 and argv[1] == "join-syn":
        return join_syn(argv[2], argv[3], int(argv[4]), int(argv[5], 16))
    if len(argv) == 6 and argv[1] == "server" and argv[4] in ("ok", "no-mpj", "bad-hmac"):
        return FakeServer(argv[2], int(argv[3]), argv[4]).run(argv[5])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
