#!/usr/bin/env -S python3 -S
# SPDX-License-Identifier: GPL-2.0
"""Crafted MPTCP packets, sent with a raw socket: the scripted fake peer of
the selftests, for what a real kernel never sends.

  mptcp_craft.py join-syn SRC DST DPORT TOKEN
      send one SYN carrying MP_JOIN (RFC 8684 3.2) for TOKEN (hex, the
      receiver's connection token) from SRC to DST:DPORT, IPv4 or IPv6, and
      wait for the answer: exit 0 if it is a RST, printing the MP_TCPRST
      reason code it carries ("reason=N", or "reason=none"), 1 otherwise.
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
  mptcp_craft.py client-join SRC DST DPORT MODE [GO_FILE]
      be an MPTCP v1 client from SRC (source ports 40000-40999; the caller
      drops the RSTs its own stack sends from them): open a connection with
      DST:DPORT, send one byte (the listener's connection is then fully
      established), send an MP_JOIN SYN for its token and, its SYN/ACK
      received, the join's third ACK with the right HMAC: at once (MODE
      "ok", or "reset" when the caller makes the listener refuse it), or
      after a DATA_FIN that the listener acknowledged (MODE "after-fin": the
      listener's connection is in CLOSE_WAIT).  A RST on the join subflow
      within 3 s: its MP_TCPRST reason is printed ("reason=N" or
      "reason=none"), exit 0 unless MODE is "ok"; none: "joined", exit 0 for
      "ok".  With GO_FILE: once the byte is acknowledged, create
      GO_FILE.ready and wait (60 s at most) for GO_FILE before joining.
  mptcp_craft.py client-rst SRC DST DPORT REASON TRANSIENT
      the same client: open a connection with DST:DPORT, send one byte and,
      once acknowledged, reset the subflow with MP_TCPRST (RFC 8684 3.6)
      carrying REASON (0-255) and the T flag TRANSIENT (0 or 1).  Exit 0
      once the RST is sent.
"""
import hashlib
import hmac
import os
import random
import select
import socket
import struct
import sys
import time

TCPOPT_MPTCP = 30
MPTCPOPT_MP_CAPABLE = 0
MPTCPOPT_MP_JOIN = 1
MPTCPOPT_DSS = 2
MPTCPOPT_RST = 8
SYN, RST, PSH, ACK = 0x02, 0x04, 0x08, 0x10
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


def family(addr):
    return socket.AF_INET6 if ":" in addr else socket.AF_INET


def pseudo_header(src, dst, length):
    """The pseudo-header of a TCP checksum (RFC 9293 3.1, RFC 8200 8.1)."""
    if family(src) == socket.AF_INET6:
        return (socket.inet_pton(socket.AF_INET6, src) + socket.inet_pton(socket.AF_INET6, dst) +
                struct.pack("!I3xB", length, 6))
    return socket.inet_aton(src) + socket.inet_aton(dst) + struct.pack("!BBH", 0, 6, length)


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
    csum = checksum(pseudo_header(src, dst, len(seg)) + seg)
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


def mptcp_rst_reason(options):
    """What the MP_TCPRST option in OPTIONS (a TCP header's option bytes)
    says, as the fake peer prints it: "reason=N", or "reason=none"."""
    opt = mptcp_suboption(options, MPTCPOPT_RST)
    return f"reason={opt[3] if opt is not None and len(opt) == 4 else 'none'}"


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
                    print(f"{'reset after the join: ' if joined else ''}{mptcp_rst_reason(options)}")
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


class FakeClient:
    """The client side of MPTCP v1 on raw sockets: the MP_CAPABLE handshake,
    then whatever the caller sends.  Source ports from SPORT_BASE..+999: the
    caller drops the RSTs its own stack sends from them (ours are marked)."""

    def __init__(self, src, dst, dport, rnd, sport_base):
        self.src, self.dst, self.dport, self.rnd = src, dst, dport, rnd
        self.sport_base = sport_base
        self.tx = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_TCP)
        self.tx.setsockopt(socket.SOL_SOCKET, socket.SO_MARK, FAKE_MARK)
        self.rx = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_TCP)
        self.rx.setblocking(False)
        self.rx.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 22)
        self.next_port = rnd.randrange(1000)
        self.sport = None

    def port(self):
        p = self.sport_base + self.next_port % 1000
        self.next_port += 1
        return p

    def send(self, sport, seq, ack, flags, options, payload=b""):
        seg = tcp_segment(self.src, self.dst, sport, self.dport, seq, ack, flags, options, payload)
        self.tx.sendto(seg, (self.dst, 0))

    def recv(self, sport, timeout):
        """Packets from the peer to sport until timeout: (flags, seq, ack, options)."""
        deadline = time.monotonic() + timeout
        out = []
        while True:
            try:
                pkt = self.rx.recv(65535)
            except BlockingIOError:
                left = deadline - time.monotonic()
                if left <= 0 or out:
                    return out
                select.select([self.rx], [], [], min(left, 0.05))
                continue
            src, _, psrc, pdst, seq, ack, flags, opts, _ = parse_tcp(pkt)
            if src != self.dst or psrc != self.dport or pdst != sport:
                continue
            out.append((flags, seq, ack, opts))

    def connect(self):
        """MP_CAPABLE handshake; True when established."""
        rnd = self.rnd
        sport = self.port()
        isn = rnd.getrandbits(32)
        self.send(sport, isn, 0, SYN, struct.pack("!BBBB", TCPOPT_MPTCP, 4, (MPTCPOPT_MP_CAPABLE << 4) | 1, 0x01))
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            for flags, seq, ack, opts in self.recv(sport, deadline - time.monotonic()):
                if flags & (SYN | ACK) == SYN | ACK and ack == (isn + 1) & 0xFFFFFFFF:
                    mpc = mptcp_suboption(opts, MPTCPOPT_MP_CAPABLE)
                    if not mpc or len(mpc) != 12:
                        return False
                    self.remote_key = mpc[4:12]
                    self.local_key = struct.pack("!Q", rnd.getrandbits(64))
                    self.sport, self.seq, self.ack = sport, isn + 1, seq + 1
                    # Third ACK: MP_CAPABLE with both keys (RFC 8684 3.1).
                    self.send(sport, self.seq, self.ack, ACK,
                              struct.pack("!BBBB", TCPOPT_MPTCP, 20, (MPTCPOPT_MP_CAPABLE << 4) | 1, 0x01) +
                              self.local_key + self.remote_key)
                    self.token = mptcp_token(self.remote_key)
                    # Data sequence numbers start after the IDSNs (RFC 8684 3.1).
                    self.isn = isn
                    self.dsn = (mptcp_idsn(self.local_key) + 1) % (1 << 64)
                    self.data_ack = (mptcp_idsn(self.remote_key) + 1) % (1 << 64)
                    return True
        return False

    def dss(self, length, rnd=None, fin=False):
        """A DSS with a data ACK and the mapping of the next length bytes (and
        a DATA_FIN after them, with fin); with rnd, one of its fields is wrong."""
        dsn, ssn, ack = self.dsn, (self.seq - self.isn) & 0xFFFFFFFF, self.data_ack
        mlen = length
        if fin:
            # A DATA_FIN takes one data sequence number; alone, it maps no
            # subflow byte: its subflow sequence number is 0 (RFC 8684 3.3.3).
            mlen += 1
            if not length:
                ssn = 0
        if rnd:
            what = rnd.randrange(5)
            if what == 0:
                dsn = (dsn + rnd.choice([-1, 1, 1000, 1 << 32, rnd.getrandbits(64)])) % (1 << 64)
            elif what == 1:
                ssn = (ssn + rnd.choice([-1, 1, 1000, rnd.getrandbits(32)])) & 0xFFFFFFFF
            elif what == 2:
                mlen = rnd.choice([0, 1, max(0, length - 1), length + 1, 0xFFFF])
            elif what == 3:
                ack = (ack + rnd.choice([1, 1 << 20, rnd.getrandbits(64)])) % (1 << 64)
            else:
                return bytes([TCPOPT_MPTCP, 28, MPTCPOPT_DSS << 4, 0x0F]) + struct.pack(
                    "!QQIHH", ack, dsn, ssn, mlen, rnd.getrandbits(16))  # a checksum nobody asked for
        return bytes([TCPOPT_MPTCP, 26, MPTCPOPT_DSS << 4, 0x1F if fin else 0x0F]) + struct.pack(
            "!QQIH", ack, dsn, ssn, mlen)

    def data(self, payload, options=None):
        """In-order data with a valid mapping (or options given)."""
        self.send(self.sport, self.seq, self.ack, ACK | PSH, options or self.dss(len(payload)), payload)
        self.seq = (self.seq + len(payload)) & 0xFFFFFFFF
        self.dsn = (self.dsn + len(payload)) % (1 << 64)

    def data_fin(self):
        """A DATA_FIN alone (RFC 8684 3.3.3), on the first subflow."""
        self.send(self.sport, self.seq, self.ack, ACK, self.dss(0, fin=True))
        self.dsn = (self.dsn + 1) % (1 << 64)

    def wait_ack(self, timeout=5):
        """True once the peer acknowledged all we sent on the first subflow,
        at the TCP and at the data level."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for flags, seq, ack, opts in self.recv(self.sport, deadline - time.monotonic()):
                dss = mptcp_suboption(opts, MPTCPOPT_DSS)
                if flags & RST or dss is None or len(dss) < 12 or dss[3] & 0x03 != 0x03:
                    continue
                if ack == self.seq and struct.unpack("!Q", dss[4:12])[0] == self.dsn:
                    return True
        return False

    def poll_reset(self):
        """True if the peer reset the current connection."""
        for flags, seq, ack, opts in self.recv(self.sport, 0):
            if flags & RST:
                return True
        return False

    def join_syn(self, timeout=2):
        """An MP_JOIN SYN for the live token from a new port.  On a SYN/ACK
        with MP_JOIN: the join subflow (sport, seq, ack, our nonce, theirs);
        otherwise None."""
        rnd = self.rnd
        sport = self.port()
        isn = rnd.getrandbits(32)
        nonce = struct.pack("!I", rnd.getrandbits(32))
        self.send(sport, isn, 0, SYN, struct.pack("!BBBBI", TCPOPT_MPTCP, 12, MPTCPOPT_MP_JOIN << 4, 0,
                                                  self.token) + nonce)
        for flags, seq, ack, opts in self.recv(sport, timeout):
            mpj = mptcp_suboption(opts, MPTCPOPT_MP_JOIN)
            if flags & (SYN | ACK) == SYN | ACK and mpj is not None and len(mpj) == 16:
                return (sport, isn + 1, seq + 1, nonce, mpj[12:16])
            return None
        return None

    def join_ack(self, join, good_hmac):
        """The third ACK of a join: MP_JOIN with the right HMAC, or a random one."""
        sport, seq, ack, nonce, their_nonce = join
        if good_hmac:
            mac = mptcp_hmac(self.local_key, self.remote_key, nonce, their_nonce)[:20]
        else:
            mac = self.rnd.getrandbits(160).to_bytes(20, "big")
        self.send(sport, seq, ack, ACK, bytes([TCPOPT_MPTCP, 24, MPTCPOPT_MP_JOIN << 4, 0]) + mac)

    def bad_join(self):
        """MP_JOIN for the live token, third ACK with a wrong HMAC."""
        join = self.join_syn()
        if join is None:
            return False
        self.join_ack(join, False)
        return True


def established_client(src, dst, dport):
    """A fake client's connection with DST:DPORT, one byte with a DSS sent
    and acknowledged: the listener's connection is fully established (the
    condition to accept a join's SYN).  None, said on stderr, if not."""
    client = FakeClient(src, dst, dport, random.Random(), 40000)
    if not client.connect():
        print("no MP_CAPABLE handshake", file=sys.stderr)
        return None
    client.data(b"x")
    if not client.wait_ack():
        print("the byte sent was not acknowledged", file=sys.stderr)
        return None
    return client


def client_join(src, dst, dport, mode, go_file=None):
    """A connection of our own, then a join: its third ACK (right HMAC)
    after a DATA_FIN (mode "after-fin"), or without one (mode "ok",
    "reset")."""
    client = established_client(src, dst, dport)
    if client is None:
        return 1
    if go_file:
        open(go_file + ".ready", "w").close()
        deadline = time.monotonic() + 60
        while not os.path.exists(go_file):
            if time.monotonic() > deadline:
                print(f"{go_file} not created", file=sys.stderr)
                return 1
            time.sleep(0.1)
    join = client.join_syn()
    if join is None:
        print("the join's SYN got no SYN/ACK with MP_JOIN", file=sys.stderr)
        return 1
    if mode == "after-fin":
        client.data_fin()
        if not client.wait_ack():
            print("the DATA_FIN was not acknowledged", file=sys.stderr)
            return 1
    client.join_ack(join, True)
    deadline = time.monotonic() + 3
    while time.monotonic() < deadline:
        for flags, seq, ack, opts in client.recv(join[0], deadline - time.monotonic()):
            if flags & RST:
                print(mptcp_rst_reason(opts))
                return 0 if mode != "ok" else 1
    if mode == "ok":
        print("joined")
        return 0
    print("no RST on the join subflow", file=sys.stderr)
    return 1


def client_rst(src, dst, dport, reason, transient):
    """A connection of our own, reset with MP_TCPRST (REASON, T flag)."""
    client = established_client(src, dst, dport)
    if client is None:
        return 1
    # MP_TCPRST: subtype 8 and the flags (T is the lowest bit), the reason.
    rst = bytes([TCPOPT_MPTCP, 4, (MPTCPOPT_RST << 4) | transient, reason])
    client.send(client.sport, client.seq, client.ack, RST | ACK, rst)
    return 0


def parse_tcp6(seg, addr):
    """parse_tcp() of a TCP segment from an IPv6 raw socket, which gives no IP header: ADDR is
    the sender's, as recvfrom() gives it."""
    sport, dport, seq, ack = struct.unpack("!HHII", seg[:12])
    doff = (seg[12] >> 4) * 4
    return addr[0], None, sport, dport, seq, ack, seg[13], seg[20:doff], seg[doff:]


def join_syn(src, dst, dport, token):
    sport = random.randint(20000, 60000)
    seq = random.getrandbits(32)
    seg = tcp_segment(src, dst, sport, dport, seq, 0, SYN, mp_join_syn(token))
    fam = family(dst)
    rx = socket.socket(fam, socket.SOCK_RAW, socket.IPPROTO_TCP)
    rx.settimeout(0.5)
    tx = socket.socket(fam, socket.SOCK_RAW, socket.IPPROTO_TCP)
    tx.sendto(seg, (dst, 0))
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        try:
            pkt, addr = rx.recvfrom(65535)
        except socket.timeout:
            continue
        if fam == socket.AF_INET6:
            psrc_addr, _, psrc, pdst, _, _, flags, options, _ = parse_tcp6(pkt, addr)
        else:
            psrc_addr, _, psrc, pdst, _, _, flags, options, _ = parse_tcp(pkt)
        if psrc_addr != dst or psrc != dport or pdst != sport:
            continue
        if flags & RST:
            print(mptcp_rst_reason(options))
            return 0
        print(f"answer is not a RST: flags=0x{flags:02x}", file=sys.stderr)
        return 1
    print("no answer", file=sys.stderr)
    return 1


def main(argv):
    if len(argv) == 6 and argv[1] == "join-syn":
        return join_syn(argv[2], argv[3], int(argv[4]), int(argv[5], 16))
    if len(argv) in (6, 7) and argv[1] == "client-join" and argv[5] in ("ok", "reset", "after-fin"):
        return client_join(argv[2], argv[3], int(argv[4]), argv[5], (argv[6:] or [None])[0])
    if len(argv) == 7 and argv[1] == "client-rst" and argv[6] in ("0", "1"):
        return client_rst(argv[2], argv[3], int(argv[4]), int(argv[5]), int(argv[6]))
    if len(argv) == 6 and argv[1] == "server" and argv[4] in ("ok", "no-mpj", "bad-hmac"):
        return FakeServer(argv[2], int(argv[3]), argv[4]).run(argv[5])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
