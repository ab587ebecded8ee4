#!/usr/bin/python3
"""Record the kernel's own word on every RST: the tcp:tcp_send_reset and tcp:tcp_receive_reset
tracepoints, in a private tracefs instance, converted to the lab's JSON Lines format:

  {"ts":"2026-11-25T01:02:03.123456Z","event":"tcp_send_reset","src":"192.0.2.10:40201",
   "dst":"203.0.113.10:8200","state":"TCP_ESTABLISHED","reason":"TCP_KEEPALIVE_TIMEOUT"}

`src`/`dst` are the RST's own direction for both events: for tcp_send_reset the host that sent
it and its peer; for tcp_receive_reset the peer that sent it and the socket that accepted it.
tcp_receive_reset carries no state nor reason in the kernel: both are null there.

As a program (run-lab.sh):  ktrace.py record --out FILE [--keep ADDR ...] [--ready FILE]
  records until SIGTERM/SIGINT, then drains, writes FILE and removes its instance.
As a module (random-lab.py): KernelTrace().start() ... .stop() -> list of events.
The instance is named rsr-<pid>; instances left by a dead recorder are removed at start.
"""
import argparse, datetime, errno, json, os, re, select, signal, sys, threading, time

TRACEFS = '/sys/kernel/tracing'
EVENTS = ('tcp/tcp_send_reset', 'tcp/tcp_receive_reset')
INSTANCE_PREFIX = 'rsr-'

LINE = re.compile(r'\s(\d+\.\d+):\s+(tcp_send_reset|tcp_receive_reset):\s+(.*)$')
FIELD = re.compile(r'(\w+)=(\S+)')

class TraceUnavailable(Exception):
    pass

def ensure_tracefs():
    if os.path.isdir(os.path.join(TRACEFS, 'instances')):
        return
    rc = os.system('mount -t tracefs nodev %s 2>/dev/null' % TRACEFS)
    if rc != 0 or not os.path.isdir(os.path.join(TRACEFS, 'instances')):
        raise TraceUnavailable('tracefs is not mounted and cannot be (mount -t tracefs nodev %s)' % TRACEFS)
    fmt = os.path.join(TRACEFS, 'events/tcp/tcp_send_reset/format')
    if not os.path.exists(fmt) or 'reason' not in open(fmt).read():
        raise TraceUnavailable('this kernel has no tcp_send_reset tracepoint with a reason field (needs 6.10+)')

def remove_stale_instances():
    d = os.path.join(TRACEFS, 'instances')
    for name in os.listdir(d):
        if not name.startswith(INSTANCE_PREFIX):
            continue
        pid = name[len(INSTANCE_PREFIX):]
        if pid.isdigit() and not os.path.exists('/proc/%s' % pid):
            _remove_instance(os.path.join(d, name))

def _write(path, value):
    with open(path, 'w') as f:
        f.write(value)

def _remove_instance(path):
    for ev in EVENTS:
        try: _write(os.path.join(path, 'events', ev, 'enable'), '0')
        except OSError: pass
    try: os.rmdir(path)
    except OSError: pass

def _ep(addr, port):
    if addr.startswith('::ffff:') and '.' in addr:
        addr = addr[7:]
    return '[%s]:%s' % (addr, port) if ':' in addr else '%s:%s' % (addr, port)

def parse_line(line, mono_to_unix):
    """One trace_pipe line -> event dict (ts as float unix seconds), or None."""
    m = LINE.search(line)
    if not m:
        return None
    ts = float(m.group(1)) + mono_to_unix
    f = dict(FIELD.findall(m.group(3)))
    if m.group(2) == 'tcp_send_reset':
        if 'src' not in f or 'dest' not in f:
            return None
        return dict(t=ts, event='tcp_send_reset', src=f['src'], dst=f['dest'],
                    state=f.get('state'), reason=f.get('reason'))
    v6 = f.get('family') == 'AF_INET6'
    local = f.get('saddrv6' if v6 else 'saddr'); peer = f.get('daddrv6' if v6 else 'daddr')
    if local is None or peer is None:
        return None
    # the socket that accepted the RST is the destination; its peer sent it
    return dict(t=ts, event='tcp_receive_reset', src=_ep(peer, f.get('dport')), dst=_ep(local, f.get('sport')),
                state=None, reason=None)

def utc(t):
    return datetime.datetime.fromtimestamp(t, datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%S.%fZ')

def host_of(ep):
    return ep[1:ep.index(']')] if ep.startswith('[') else ep.rsplit(':', 1)[0]

def to_jsonl(ev):
    return json.dumps(dict(ts=utc(ev['t']), event=ev['event'], src=ev['src'], dst=ev['dst'],
                           state=ev['state'], reason=ev['reason']), separators=(',', ':'))

UNNAMED_PEERS = ('0.0.0.0:0', '[::]:0')

def keep_only(events, addrs):
    """events whose source or destination address belongs to one of addrs (the configuration's hosts);
    a listener's reset without a named peer (destination 0.0.0.0:0 or [::]:0, e.g. an overflowing accept
    queue: reason INVALID_SYN, state TCP_LISTEN) is kept through its source, the listener's address"""
    addrs = set(addrs)
    return [e for e in events if host_of(e['src']) in addrs
            or (e['dst'] not in UNNAMED_PEERS and host_of(e['dst']) in addrs)]

class KernelTrace:
    """A private tracefs instance with both RST tracepoints, read by a thread."""
    def __init__(self, name=None):
        self.name = name or '%s%d' % (INSTANCE_PREFIX, os.getpid())
        self.path = os.path.join(TRACEFS, 'instances', self.name)
        self.events, self.unparsed = [], 0
        self._stop = threading.Event(); self._thread = None; self._fd = None

    def start(self):
        ensure_tracefs(); remove_stale_instances()
        if os.path.isdir(self.path):
            _remove_instance(self.path)
        os.mkdir(self.path)
        _write(os.path.join(self.path, 'trace_clock'), 'mono')
        # trace time (CLOCK_MONOTONIC) -> unix time: both read back to back
        a = time.time(); m = time.clock_gettime(time.CLOCK_MONOTONIC); b = time.time()
        self.mono_to_unix = (a + b) / 2 - m
        for ev in EVENTS:
            _write(os.path.join(self.path, 'events', ev, 'enable'), '1')
        self._fd = os.open(os.path.join(self.path, 'trace_pipe'), os.O_RDONLY | os.O_NONBLOCK)
        self._thread = threading.Thread(target=self._run, daemon=True); self._thread.start()
        return self

    def _run(self):
        buf = b''
        while True:
            stopping = self._stop.is_set()
            r, _, _ = select.select([self._fd], [], [], 0.2)
            chunk = b''
            if r:
                try: chunk = os.read(self._fd, 65536)
                except OSError as e:
                    if e.errno != errno.EAGAIN: raise
            if chunk:
                buf += chunk
                *lines, buf = buf.split(b'\n')
                for l in lines:
                    ev = parse_line(l.decode(errors='replace'), self.mono_to_unix)
                    if ev: self.events.append(ev)
                    elif l.strip(): self.unparsed += 1
            elif stopping:
                return

    def stop(self):
        """drain what the kernel still holds, remove the instance, return the events"""
        if self._thread:
            time.sleep(0.3)
            self._stop.set(); self._thread.join(5)
            self._thread = None
        if self._fd is not None:
            os.close(self._fd); self._fd = None
        _remove_instance(self.path)
        return sorted(self.events, key=lambda e: e['t'])

def main():
    ap = argparse.ArgumentParser()
    sp = ap.add_subparsers(dest='cmd', required=True)
    p = sp.add_parser('record')
    p.add_argument('--out', required=True); p.add_argument('--keep', nargs='*', default=[])
    p.add_argument('--ready')
    a = ap.parse_args()
    if os.geteuid() != 0:
        sys.exit('ktrace: must run as root (tracefs)')
    try:
        kt = KernelTrace().start()
    except TraceUnavailable as e:
        sys.exit('ktrace: %s' % e)
    done = threading.Event()
    for s in (signal.SIGTERM, signal.SIGINT):
        signal.signal(s, lambda *_: done.set())
    if a.ready: open(a.ready, 'w').close()
    try:
        while not done.wait(0.5): pass
    finally:
        evs = kt.stop()
    if a.keep: evs = keep_only(evs, a.keep)
    with open(a.out, 'w') as f:
        for e in evs: f.write(to_jsonl(e) + '\n')

if __name__ == '__main__':
    main()
