#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Crafted MPTCP packets, sent with a raw socket: the scripted fake peer of
the selftests, for what a real kernel never sends.

  mptcp_craft.py join-syn SRC DST DPORT TOKEN
      send one SYN carrying MP_JOIN (RFC 8684 3.2) for TOKEN (hex, the
      receiver's connection token) from SRC to DST:DPORT, and wait for the
      answer: exit 0 if it is a RST, printing the MP_TCPRST reason code it
      carries ("reason=N", or "reason=none"), 1 otherwise.
"""
import os
import random
import socket
import struct
import sys
import time

TCPOPT_MPTCP = 30
MPTCPOPT_MP_JOIN = 1
MPTCPOPT_RST = 8
SYN, RST, ACK = 0x02, 0x04, 0x10


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def tcp_segment(src, dst, sport, dport, seq, ack, flags, options):
    options += b"\0" * (-len(options) % 4)
    doff = (20 + len(options)) // 4
    hdr = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, doff << 4, flags, 65535, 0, 0)
    seg = hdr + options
    pseudo = socket.inet_aton(src) + socket.inet_aton(dst) + struct.pack("!BBH", 0, 6, len(seg))
    csum = checksum(pseudo + seg)
    return seg[:16] + struct.pack("!H", csum) + seg[18:]


def mp_join_syn(token, addr_id=1, backup=False):
    nonce = random.getrandbits(32)
    return struct.pack("!BBBBII", TCPOPT_MPTCP, 12, (MPTCPOPT_MP_JOIN << 4) | int(backup),
                       addr_id, token, nonce)


def mptcp_rst_reason(tcp):
    """The reason code of the MP_TCPRST option of a TCP segment, or None."""
    doff = (tcp[12] >> 4) * 4
    opts, i = tcp[20:doff], 0
    while i < len(opts):
        kind = opts[i]
        if kind == 0:
            break
        if kind == 1:
            i += 1
            continue
        if i + 1 >= len(opts) or opts[i + 1] < 2:
            break
        length = opts[i + 1]
        if kind == TCPOPT_MPTCP and length == 4 and opts[i + 2] >> 4 == MPTCPOPT_RST:
            return opts[i + 3]
        i += length
    return None


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
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
