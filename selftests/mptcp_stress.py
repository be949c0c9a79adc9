#!/usr/bin/env -S python3 -S
# SPDX-License-Identifier: GPL-2.0
"""Traffic for the stress selftests and the benchmarks: floods of crafted
MPTCP packets from raw sockets, malformed MPTCP options, and a bulk MPTCP
transfer between two real stacks.

  mptcp_stress.py flood SRC DST DPORT COUNT [SPORT_BASE]
      send COUNT SYNs carrying MP_JOIN for random tokens (unknown to the
      receiver: each one is answered with a stateless reset counted as
      MPJoinNoTokenReset), as fast as possible, without waiting for the
      answers; sources ports cycle over SPORT_BASE..SPORT_BASE+9999
      (default 20000).  Prints "sent=N busy_ticks=T seconds=S", T being
      the CPU time of the whole machine meanwhile (/proc/stat, USER_HZ).
  mptcp_stress.py load SRC DST BULK_PORT JOIN_PORT RATE
      until SIGTERM, in one process: MPTCP bulk transfers to DST:BULK_PORT
      (a new connection every second, every other one closed with
      SO_LINGER {1, 0}, i.e. MP_FASTCLOSE), RATE MP_JOIN SYNs a second for
      unknown tokens to DST:JOIN_PORT, and reads of /proc/net/netstat and
      /proc/net/mptcp_rst_ext.  Prints what it did when it ends.
  mptcp_stress.py fuzz-listen SRC DST DPORT COUNT SEED
      send COUNT packets with mutated MPTCP options (random subtypes, lengths,
      truncations, bogus MP_CAPABLE/MP_JOIN) to a listening port: SYNs mostly,
      some ACKs.  Fire and forget.  Prints "sent=N".
  mptcp_stress.py fuzz-est SRC DST DPORT COUNT SEED SPORT_BASE
      be a fake MPTCP peer: open MP_CAPABLE connections with the listener at
      DST:DPORT (which must accept them), then send COUNT in-window packets
      with mutated MPTCP options (random subtypes and lengths, truncations,
      bogus DSS mappings and checksums, ADD_ADDR with bad HMACs, MP_FASTCLOSE,
      MP_FAIL, MP_TCPRST with and without RST, MP_PRIO, RM_ADDR), and now and
      then an MP_JOIN for the live connection's token completed with a bad
      HMAC.  A new connection whenever the peer resets the current one, and
      every 200 packets.  Source ports from SPORT_BASE..SPORT_BASE+999: the
      caller must drop the RSTs its own stack sends from them.  Prints
      "sent=N connections=N resets_seen=N joins=N".
  mptcp_stress.py churn COUNT PARALLEL
      create COUNT network namespaces, PARALLEL at a time (each a forked
      child that unshares its netns, so the netns goes when the child exits),
      and in each send 1 + i % 5 MP_JOIN SYNs for unknown tokens to an MPTCP
      listener on its loopback; each child checks that its own counters are
      exactly that (in /proc/net/mptcp_rst_ext and, if the module appends
      there, /proc/net/netstat, next to the kernel's MPJoinNoTokenFound).
      Prints "netns=N resets=N failed=N".
  mptcp_stress.py readers N READS PREFIX
      fork N readers that start together and each open and read
      /proc/net/netstat READS times; a read is complete when it has the two
      lines (names, values) of PREFIX.  Prints "reads=N incomplete=N".
  mptcp_stress.py sink ADDR PORT
      accept MPTCP connections and read and discard, until SIGTERM.
  mptcp_stress.py bulk-server ADDR PORT
      accept one MPTCP connection, read until EOF; print "bytes=N seconds=S".
  mptcp_stress.py bulk-client ADDR PORT SECONDS [--linger0]
      connect over MPTCP and send as fast as possible for SECONDS (then
      close; with --linger0: SO_LINGER {1, 0}, i.e. MP_FASTCLOSE and resets).
  mptcp_stress.py conns-server tcp|mptcp ADDR PORT
      until killed: accept connections on ADDR:PORT (IPv6 if ADDR has a
      colon) and close each one at once.
  mptcp_stress.py conns-client tcp|mptcp ADDR PORT COUNT
      COUNT short connections to ADDR:PORT, one after the other: connect,
      close, no data; then one more, read until the server closes it (it
      has then closed all the others).  Prints "conns=N ns_per_conn=T", T
      the monotonic time of it all per connection.

Exit status 0 on success, 1 otherwise, with a reason on stderr.
"""
import errno
import os
import random
import select
import signal
import socket
import struct
import sys
import threading
import time

from mptcp_craft import FakeClient, TCPOPT_MPTCP, tcp_segment

IPPROTO_MPTCP = getattr(socket, "IPPROTO_MPTCP", 262)
FIN, SYN, RST, PSH, ACK = 0x01, 0x02, 0x04, 0x08, 0x10
# MPTCP suboptions (RFC 8684)
MPC, MPJ, DSS, ADD_ADDR, RM_ADDR, MP_PRIO, MP_FAIL, MP_FASTCLOSE, MP_TCPRST = range(9)


def raw_tx():
    return socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_TCP)


# --- flood -----------------------------------------------------------------

class JoinFlood:
    """MP_JOIN SYNs for random tokens.  The checksum is computed once for a
    template and kept right by a compensating word in the nonce."""

    def __init__(self, src, dst, dport, sport_base=20000):
        self.rnd = random.Random()
        self.tx = raw_tx()
        self.tx.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 1 << 20)
        opt = struct.pack("!BBBBII", TCPOPT_MPTCP, 12, MPJ << 4, 1, 0, 0)
        self.tmpl = bytearray(tcp_segment(src, dst, 0, dport, 0, 0, SYN, opt))
        # Sum of the template's words with sport, seq, token and nonce all
        # 0 (the checksum field included): every packet must sum to 0xffff.
        base = sum(struct.unpack(f"!{len(self.tmpl) // 2}H", bytes(self.tmpl)))
        pseudo = socket.inet_aton(src) + socket.inet_aton(dst) + struct.pack("!BBH", 0, 6, len(self.tmpl))
        self.base = base + sum(struct.unpack("!6H", pseudo))
        self.dest = (dst, 0)
        self.dport, self.sport_base = dport, sport_base
        self.sent = 0

    def send(self, count):
        tmpl, base, dport, dest, tx = self.tmpl, self.base, self.dport, self.dest, self.tx
        pack_into = struct.pack_into
        getrandbits = self.rnd.getrandbits
        for _ in range(count):
            sport = self.sport_base + self.sent % 10000
            seq = getrandbits(32)
            token = getrandbits(32)
            nhi = getrandbits(16)
            s = base + sport + (seq >> 16) + (seq & 0xFFFF) + (token >> 16) + (token & 0xFFFF) + nhi
            s = (s & 0xFFFF) + (s >> 16)
            s = (s & 0xFFFF) + (s >> 16)
            # nonce low word: makes the one's complement sum 0xffff
            nlo = 0xFFFF - s
            if nlo == 0:
                nlo = 0xFFFF  # -0 == +0
            pack_into("!HHI", tmpl, 0, sport, dport, seq)
            pack_into("!IHH", tmpl, 24, token, nhi, nlo)
            while True:
                try:
                    tx.sendto(tmpl, dest)
                    break
                except OSError as e:
                    if e.errno not in (errno.ENOBUFS, errno.EAGAIN):
                        raise
                    time.sleep(0.001)
            self.sent += 1


def busy_ticks():
    """CPU time of the whole machine, in USER_HZ ticks: user, nice, system,
    irq, softirq and steal of /proc/stat."""
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    return v[0] + v[1] + v[2] + v[5] + v[6] + v[7]


def flood(src, dst, dport, count, sport_base=20000):
    f = JoinFlood(src, dst, dport, sport_base)
    b0 = busy_ticks()
    start = time.monotonic()
    f.send(count)
    secs = time.monotonic() - start
    print(f"sent={f.sent} busy_ticks={busy_ticks() - b0} seconds={secs:.6f}")
    return 0


def load(src, dst, bulk_port, join_port, rate):
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    stats = {"connections": 0, "fastcloses": 0, "bytes": 0, "joins": 0, "reads": 0, "errors": 0}

    def bulk():
        buf = b"\0" * 65536
        linger0 = False
        while not stop.is_set():
            try:
                with mptcp_socket() as s:
                    s.settimeout(10)
                    s.connect((dst, bulk_port))
                    end = time.monotonic() + 1
                    while time.monotonic() < end and not stop.is_set():
                        s.sendall(buf)
                        stats["bytes"] += len(buf)
                        time.sleep(0.002)
                    if linger0:
                        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                        stats["fastcloses"] += 1
                    stats["connections"] += 1
                linger0 = not linger0
            except OSError:
                stats["errors"] += 1
                stop.wait(0.1)

    def joins():
        f = JoinFlood(src, dst, join_port)
        while not stop.wait(0.1):
            f.send(max(1, rate // 10))
        stats["joins"] = f.sent

    def reader():
        while not stop.wait(0.01):
            for path in ("/proc/net/netstat", "/proc/net/mptcp_rst_ext"):
                try:
                    with open(path) as fh:
                        fh.read()
                    stats["reads"] += 1
                except OSError:
                    pass

    threads = [threading.Thread(target=t) for t in (bulk, joins, reader)]
    for t in threads:
        t.start()
    while not stop.wait(1):
        pass
    for t in threads:
        t.join()
    print(" ".join(f"{k}={v}" for k, v in stats.items()))
    return 0


# --- fuzzing -----------------------------------------------------------------

def rand_bytes(rnd, n):
    return bytes(rnd.getrandbits(8) for _ in range(n))


def mptcp_opt(subtype, body, length=None, rnd=None):
    """An MPTCP option: kind, length, subtype nibble + body.  length may lie."""
    opt = bytes([TCPOPT_MPTCP, 0]) + bytes([((subtype & 0xF) << 4) | (body[0] & 0xF if body else 0)]) + body[1:]
    real = len(opt)
    return opt[:1] + bytes([real if length is None else length & 0xFF]) + opt[2:]


def opt_random_subtype(rnd):
    subtype = rnd.randrange(16)
    n = rnd.choice([0, 1, 2, 4, 6, 8, 10, 12, 14, 18, 22, 30, 36])
    return mptcp_opt(subtype, rand_bytes(rnd, n + 1))


def opt_mp_capable(rnd, keys=None):
    version = rnd.choice([0, 1, 1, 1, 2, 15])
    flags = rnd.choice([0x01, 0x81, 0x00, 0xFF, rnd.getrandbits(8)])
    n = rnd.choice([0, 8, 16, 18, 20, 3])
    body = bytes([version, flags]) + (keys or rand_bytes(rnd, 20))[:n]
    return mptcp_opt(MPC, body)


def opt_mp_join_syn(rnd, token):
    return mptcp_opt(MPJ, bytes([rnd.getrandbits(1), rnd.getrandbits(8)]) +
                     struct.pack("!II", token, rnd.getrandbits(32)))


def opt_dss(rnd):
    # flags: F m M a A (bits 4..0)
    flags = rnd.getrandbits(5)
    body = bytes([0, flags])
    if flags & 0x01:  # A: data ack
        body += rand_bytes(rnd, 8 if flags & 0x02 else 4)
    if flags & 0x04:  # M: mapping
        body += rand_bytes(rnd, 8 if flags & 0x08 else 4)
        body += struct.pack("!IH", rnd.getrandbits(32), rnd.choice([0, 1, 100, 0xFFFF, rnd.getrandbits(16)]))
        if rnd.random() < 0.5:
            body += rand_bytes(rnd, 2)  # checksum nobody negotiated
    if rnd.random() < 0.2:
        body = body[: rnd.randrange(1, len(body) + 1)]
    return mptcp_opt(DSS, body)


def opt_add_addr(rnd):
    echo = rnd.getrandbits(1)
    body = bytes([echo, rnd.getrandbits(8)]) + socket.inet_aton(f"10.0.{rnd.randrange(1, 4)}.{rnd.randrange(1, 9)}")
    if rnd.random() < 0.5:
        body += struct.pack("!H", rnd.getrandbits(16))
    if not echo or rnd.random() < 0.5:
        body += rand_bytes(rnd, 8)  # HMAC: wrong
    return mptcp_opt(ADD_ADDR, body)


def opt_simple(rnd, subtype, nbody):
    return mptcp_opt(subtype, bytes([rnd.getrandbits(4)]) + rand_bytes(rnd, nbody))


def truncate(rnd, opt):
    """A lying length: shorter than the data, longer than it, below 2."""
    how = rnd.randrange(4)
    if how == 0:
        return opt[:1] + bytes([rnd.choice([0, 1, 2, 3])]) + opt[2:]
    if how == 1:
        return opt[:1] + bytes([min(255, len(opt) + rnd.randrange(1, 40))]) + opt[2:]
    if how == 2:
        return opt[: rnd.randrange(1, len(opt) + 1)]
    return opt[:1] + bytes([rnd.randrange(2, max(3, len(opt)))]) + opt[2:]


def fuzz_options(rnd, established, keys=None, token=0):
    """A TCP option area with one to three mutated MPTCP options."""
    opts = b""
    if rnd.random() < 0.3:
        opts += b"\1\1\x08\x0a" + rand_bytes(rnd, 8)  # NOP NOP TS
    for _ in range(rnd.choice([1, 1, 1, 2, 3])):
        r = rnd.random()
        if established:
            if r < 0.25:
                o = opt_dss(rnd)
            elif r < 0.35:
                o = opt_add_addr(rnd)
            elif r < 0.40:
                o = opt_simple(rnd, RM_ADDR, rnd.randrange(0, 4))
            elif r < 0.45:
                o = opt_simple(rnd, MP_PRIO, rnd.choice([0, 1]))
            elif r < 0.50:
                o = opt_simple(rnd, MP_FAIL, rnd.choice([9, 5]))
            elif r < 0.55:
                # MP_FASTCLOSE with a wrong key (fuzz_est sends the right
                # one now and then)
                o = mptcp_opt(MP_FASTCLOSE, b"\0\0" + rand_bytes(rnd, 8))
            elif r < 0.60:
                o = mptcp_opt(MP_TCPRST, bytes([rnd.getrandbits(4), rnd.randrange(8)]))
            elif r < 0.70:
                o = opt_mp_capable(rnd, keys)
            elif r < 0.75:
                o = opt_mp_join_syn(rnd, token)
            else:
                o = opt_random_subtype(rnd)
        else:
            if r < 0.35:
                o = opt_mp_capable(rnd)
            elif r < 0.60:
                o = opt_mp_join_syn(rnd, token if rnd.random() < 0.5 else rnd.getrandbits(32))
            else:
                o = opt_random_subtype(rnd)
        if rnd.random() < 0.25:
            o = truncate(rnd, o)
        opts += o
    return opts[:40]


def fuzz_listen(src, dst, dport, count, seed):
    rnd = random.Random(seed)
    tx = raw_tx()
    for i in range(count):
        sport = 30000 + rnd.randrange(10000)
        flags = SYN if rnd.random() < 0.8 else rnd.choice([ACK, ACK | PSH, SYN | ACK, RST, ACK | FIN])
        payload = rand_bytes(rnd, rnd.choice([0, 0, 1, 20])) if flags & ACK else b""
        seg = tcp_segment(src, dst, sport, dport, rnd.getrandbits(32),
                          rnd.getrandbits(32) if flags & ACK else 0, flags,
                          fuzz_options(rnd, False), payload, pad=rnd.random() < 0.8)
        tx.sendto(seg, (dst, 0))
        if i % 64 == 63:
            time.sleep(0.002)  # let the peer's RSTs to the SYN/ACKs through
    print(f"sent={count}")
    return 0


def fuzz_est(src, dst, dport, count, seed, sport_base):
    rnd = random.Random(seed)
    peer = FakeClient(src, dst, dport, rnd, sport_base)
    sent = conns = resets = joins = 0
    since = 0
    up = False
    failures = 0
    while sent < count:
        if not up or since >= 200:
            up = peer.connect()
            if not up:
                failures += 1
                if failures > 20:
                    print("fuzz-est: cannot establish a connection", file=sys.stderr)
                    return 1
                continue
            conns += 1
            since = 0
            # Data with MP_CAPABLE first (RFC 8684 3.1.1): the connection
            # is then fully established, and cannot fall back to TCP
            # silently any more.
            peer.data(b"x" * 10, struct.pack("!BBBB", TCPOPT_MPTCP, 22, (MPC << 4) | 1, 0x01) +
                      peer.local_key + peer.remote_key + struct.pack("!H", 10))
            time.sleep(0.02)
        r = rnd.random()
        if r < 0.01:
            joins += peer.bad_join()
            continue
        if r < 0.25:
            # data with a DSS mapping, right or with one field wrong
            payload = rand_bytes(rnd, rnd.choice([1, 100, 1000]))
            if r < 0.12:
                peer.data(payload)
            else:
                peer.data(payload, peer.dss(len(payload), rnd))
            sent += 1
            since += 1
            continue
        flags = ACK
        r = rnd.random()
        if r < 0.03:
            flags |= RST
        elif r < 0.035:
            # MP_FASTCLOSE with the right key: the peer closes for real
            peer.send(peer.sport, peer.seq, peer.ack, ACK,
                      bytes([TCPOPT_MPTCP, 12, MP_FASTCLOSE << 4, 0]) + peer.remote_key)
            sent += 1
            up = False
            continue
        payload = b""
        if rnd.random() < 0.4:
            payload = rand_bytes(rnd, rnd.choice([1, 10, 100, 500]))
            flags |= PSH
        # in window, sometimes a bit off
        seq = peer.seq + (0 if rnd.random() < 0.9 else rnd.randrange(-100, 3000))
        peer.send(peer.sport, seq, peer.ack, flags,
                  fuzz_options(rnd, True, peer.local_key + peer.remote_key, peer.token), payload)
        if seq == peer.seq:
            peer.seq += len(payload)
        sent += 1
        since += 1
        if flags & RST or sent % 16 == 0:
            if peer.poll_reset() or flags & RST:
                resets += 1
                up = False
    print(f"sent={sent} connections={conns} resets_seen={resets} joins={joins}")
    return 0


# --- netns churn -----------------------------------------------------------

CLONE_NEWNET = 0x40000000


def read_netstat_file(path):
    """{Prefix: {name: value}} of a file in the format of /proc/net/netstat."""
    out = {}
    with open(path) as f:
        lines = f.read().splitlines()
    for names, values in zip(lines[0::2], lines[1::2]):
        p, names = names.split(":", 1)
        _, values = values.split(":", 1)
        out[p] = dict(zip(names.split(), (int(v) for v in values.split())))
    return out


def lo_up():
    import fcntl
    SIOCGIFFLAGS, SIOCSIFFLAGS, IFF_UP = 0x8913, 0x8914, 0x1
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        ifr = struct.pack("16sH14x", b"lo", 0)
        flags = struct.unpack("16sH14x", fcntl.ioctl(s, SIOCGIFFLAGS, ifr))[1]
        fcntl.ioctl(s, SIOCSIFFLAGS, struct.pack("16sH14x", b"lo", flags | IFF_UP))


def churn_child(k):
    import ctypes
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.unshare(CLONE_NEWNET):
        print(f"unshare: {os.strerror(ctypes.get_errno())}", file=sys.stderr)
        return 1
    lo_up()
    ls = mptcp_socket()
    ls.bind(("127.0.0.1", 10000))
    ls.listen(8)
    tx = raw_tx()
    rnd = random.Random()
    for _ in range(k):
        tx.sendto(tcp_segment("127.0.0.1", "127.0.0.1", rnd.randrange(20000, 60000), 10000,
                              rnd.getrandbits(32), 0, SYN,
                              struct.pack("!BBBBII", TCPOPT_MPTCP, 12, MPJ << 4, 1,
                                          rnd.getrandbits(32), rnd.getrandbits(32))),
                  ("127.0.0.1", 0))
    want = {"MPJoinNoTokenReset": k, "TxMptcp": k, "TxStateless": k}
    deadline = time.monotonic() + 60
    while True:
        ours = read_netstat_file("/proc/net/mptcp_rst_ext")["MPTcpRstExt"]
        if ours.get("MPJoinNoTokenReset", 0) >= k or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    errs = []
    for name, v in ours.items():
        if v != want.get(name, 0):
            errs.append(f"{name}={v} (expected {want.get(name, 0)})")
    netstat = read_netstat_file("/proc/net/netstat")
    if netstat["MPTcpExt"].get("MPJoinNoTokenFound") != k:
        errs.append(f"MPTcpExtMPJoinNoTokenFound={netstat['MPTcpExt'].get('MPJoinNoTokenFound')}")
    if "MPTcpRstExt" in netstat and netstat["MPTcpRstExt"] != ours:
        errs.append("/proc/net/netstat and /proc/net/mptcp_rst_ext differ")
    if errs:
        print(f"netns with {k} resets: " + ", ".join(errs), file=sys.stderr)
        return 1
    return 0


def churn(count, parallel):
    running = {}
    failed = resets = done = 0
    i = 0
    while done < count:
        while i < count and len(running) < parallel:
            k = 1 + i % 5
            pid = os.fork()
            if pid == 0:
                try:
                    rc = churn_child(k)
                except Exception as e:  # noqa: BLE001 - report, whatever it is
                    print(f"child: {e!r}", file=sys.stderr)
                    rc = 1
                sys.stderr.flush()
                os._exit(rc)
            running[pid] = k
            i += 1
        pid, status = os.wait()
        k = running.pop(pid)
        done += 1
        resets += k
        if os.waitstatus_to_exitcode(status) != 0:
            failed += 1
    print(f"netns={done} resets={resets} failed={failed}")
    return 0 if failed == 0 else 1


# --- real sockets ------------------------------------------------------------

def mptcp_socket():
    return socket.socket(socket.AF_INET, socket.SOCK_STREAM, IPPROTO_MPTCP)


def sink(addr, port):
    ls = mptcp_socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((addr, port))
    ls.listen(128)
    conns = [ls]
    while True:
        for s in select.select(conns, [], [])[0]:
            if s is ls:
                c, _ = ls.accept()
                c.setblocking(False)
                conns.append(c)
                continue
            try:
                data = s.recv(65536)
            except (ConnectionError, BlockingIOError, OSError):
                data = b""
            if not data:
                conns.remove(s)
                s.close()


def readers(n, reads, prefix):
    start_r, start_w = os.pipe()
    done_r, done_w = os.pipe()
    tag = (prefix + ":").encode()
    pids = []
    for _ in range(n):
        pid = os.fork()
        if pid == 0:
            os.close(start_w)
            os.read(start_r, 1)  # EOF once the parent closes its end
            bad = 0
            for _ in range(reads):
                with open("/proc/net/netstat", "rb") as f:
                    lines = f.read().split(b"\n")
                if sum(line.startswith(tag) for line in lines) != 2:
                    bad += 1
            os.write(done_w, struct.pack("I", bad))
            os._exit(0)
        pids.append(pid)
    os.close(start_r)
    os.close(start_w)  # go
    os.close(done_w)
    bad = 0
    for _ in range(n):
        bad += struct.unpack("I", os.read(done_r, 4))[0]
    failed = sum(os.waitpid(pid, 0)[1] != 0 for pid in pids)
    print(f"reads={n * reads} incomplete={bad}")
    return 1 if failed else 0


def bulk_server(addr, port):
    with mptcp_socket() as ls:
        ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        ls.bind((addr, port))
        ls.listen(1)
        ls.settimeout(120)
        conn, _ = ls.accept()
        start = time.monotonic()
        buf = bytearray(1 << 20)
        total = 0
        with conn:
            conn.settimeout(120)
            while True:
                n = conn.recv_into(buf)
                if not n:
                    break
                total += n
        print(f"bytes={total} seconds={time.monotonic() - start:.4f}")
    return 0


def bulk_client(addr, port, seconds, linger0=False):
    with mptcp_socket() as s:
        s.settimeout(120)
        s.connect((addr, port))
        buf = b"\0" * (1 << 18)
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            s.sendall(buf)
        if linger0:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    return 0


def conns_socket(proto, addr):
    family = socket.AF_INET6 if ":" in addr else socket.AF_INET
    return socket.socket(family, socket.SOCK_STREAM, IPPROTO_MPTCP if proto == "mptcp" else 0)


def conns_server(proto, addr, port):
    ls = conns_socket(proto, addr)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((addr, port))
    ls.listen(65535)
    while True:
        c, _ = ls.accept()
        c.close()


def conns_client(proto, addr, port, count):
    start = time.monotonic_ns()
    for _ in range(count):
        with conns_socket(proto, addr) as s:
            s.connect((addr, port))
    # One more, read to the end: the server closes it once it has accepted
    # and closed every connection before it (its queue is in order), so the
    # time covers the server's work too.
    with conns_socket(proto, addr) as s:
        s.connect((addr, port))
        s.settimeout(120)
        s.recv(1)
    print(f"conns={count} ns_per_conn={(time.monotonic_ns() - start) // count}")
    return 0


def main(argv):
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    cmd, a = argv[1], argv[2:]
    if cmd == "flood" and len(a) in (4, 5):
        return flood(a[0], a[1], int(a[2]), int(a[3]), *(int(x) for x in a[4:]))
    if cmd == "load" and len(a) == 5:
        return load(a[0], a[1], int(a[2]), int(a[3]), int(a[4]))
    if cmd == "fuzz-listen" and len(a) == 5:
        return fuzz_listen(a[0], a[1], int(a[2]), int(a[3]), int(a[4]))
    if cmd == "fuzz-est" and len(a) == 6:
        return fuzz_est(a[0], a[1], int(a[2]), int(a[3]), int(a[4]), int(a[5]))
    if cmd == "churn" and len(a) == 2:
        return churn(int(a[0]), int(a[1]))
    if cmd == "readers" and len(a) == 3:
        return readers(int(a[0]), int(a[1]), a[2])
    if cmd == "sink" and len(a) == 2:
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        return sink(a[0], int(a[1]))
    if cmd == "bulk-server" and len(a) == 2:
        return bulk_server(a[0], int(a[1]))
    if cmd == "conns-server" and len(a) == 3 and a[0] in ("tcp", "mptcp"):
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        return conns_server(a[0], a[1], int(a[2]))
    if cmd == "conns-client" and len(a) == 4 and a[0] in ("tcp", "mptcp"):
        return conns_client(a[0], a[1], int(a[2]), int(a[3]))
    if cmd == "bulk-client" and len(a) in (3, 4):
        return bulk_client(a[0], int(a[1]), float(a[2]), a[3:] == ["--linger0"])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
