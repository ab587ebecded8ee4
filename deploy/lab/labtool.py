#!/usr/bin/python3
"""rstscope capture lab: the programs that run inside the lab namespaces.

  listen   - server applications (rsl-s): echo, idle, abort, banner, tls, http, backlog, closefirst, linger
  connect  - client applications (rsl-c)
  inject   - the out-of-band injector (rsl-inj): watches the mirror of R2's traffic, forges RSTs
  r1close  - an 'accelerated close' agent on router R1 (rsl-r1): RSTs both sides after a FIN
  twcollide- client side of the TIME_WAIT collision (real sockets, then one crafted SYN)

Every program has a bounded lifetime. Printed results are one JSON object per line.
Only the injector/agents forge packets; everything else is the real kernel.
"""
import argparse, json, os, random, select, socket, ssl, struct, sys, threading, time

def out(**kw):
    print(json.dumps(kw), flush=True)

def linger0(s):
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))

# ---------------------------------------------------------------- servers
def handle(conn, addr, a):
    conn.settimeout(10)
    try:
        if a.mode == 'echo':
            while True:
                d = conn.recv(4096)
                if not d: break
                conn.sendall(b'OK ' + d)
            conn.close()
        elif a.mode == 'linger':          # echo, on EOF wait, then close
            while True:
                d = conn.recv(4096)
                if not d: break
                conn.sendall(b'OK ' + d)
            time.sleep(0.5); conn.close()
        elif a.mode == 'closefirst':      # reply, then close first (server ends in TIME_WAIT)
            d = conn.recv(4096)
            conn.sendall(b'BYE ' + d); conn.close()
        elif a.mode == 'idle':            # reset a connection silent for a.idle seconds
            conn.settimeout(a.idle)
            last = time.time()
            try:
                while True:
                    d = conn.recv(4096)
                    if not d: conn.close(); return
                    conn.sendall(b'OK ' + d); last = time.time()
            except socket.timeout:
                out(event='idle_reset', peer=str(addr), silent=round(time.time() - last, 3))
                linger0(conn); conn.close()
        elif a.mode == 'abort':           # read some of the upload, then abort
            got = 0
            while got < a.abort_after:
                d = conn.recv(4096)
                if not d: break
                got += len(d)
            out(event='abort', peer=str(addr), read=got, how=a.abort_how)
            if a.abort_how == 'linger':   # SO_LINGER 0: the kernel says TCP_STATE
                linger0(conn)
            else:                         # close() with unread data queued: TCP_ABORT_ON_CLOSE
                time.sleep(0.15)
            conn.close()
        elif a.mode == 'bigreply':        # answer a request with far more than one read takes
            conn.recv(4096)
            try:
                for i in range(64): conn.sendall(b'b' * 4096)
            except OSError: pass
            time.sleep(1); conn.close()
        elif a.mode == 'keepalive':       # echo; the kernel probes a silent peer and gives up
            conn.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE, max(1, int(a.idle)))
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPINTVL, 1)
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPCNT, a.keepcnt)
            conn.settimeout(a.lifetime)
            while True:
                d = conn.recv(4096)
                if not d: break
                conn.sendall(b'OK ' + d)
            conn.close()
        elif a.mode in ('shutdown', 'closeafter'):   # reply, then stop reading: the peer's later data is refused
            d = conn.recv(4096)
            conn.sendall(b'BYE ' + d)
            if a.mode == 'shutdown':      # socket kept, both directions shut: TCP_ABORT_ON_DATA
                conn.shutdown(socket.SHUT_RDWR); time.sleep(a.delay + 3)
            conn.close()                  # closeafter: orphaned, soon TIME_WAIT: TCP_TIMEWAIT_SOCKET
        elif a.mode == 'late':            # reply, then after a delay send again (state_lost: the device's entry is gone)
            d = conn.recv(4096)
            conn.sendall(b'OK ' + d)
            time.sleep(a.delay)
            conn.sendall(b'LATE server data\n')
            while conn.recv(4096): pass
            conn.close()
        elif a.mode == 'banner':          # a slow service: banner after a delay
            time.sleep(a.delay)
            for i in range(3):
                conn.sendall(b'220 rsl-s service ready, line %d\r\n' % i); time.sleep(0.05)
            conn.close()
        elif a.mode == 'tls':
            time.sleep(a.delay)
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            ctx.load_cert_chain(a.cert, a.key)
            t = ctx.wrap_socket(conn, server_side=True)
            t.sendall(b'hello over tls\n' * 20); t.close()
        elif a.mode == 'http':
            req = conn.recv(4096)
            time.sleep(a.delay)
            body = b'<html>' + b'x' * 3000 + b'</html>\n'
            conn.sendall(b'HTTP/1.1 200 OK\r\nContent-Length: %d\r\nConnection: close\r\n\r\n' % len(body) + body)
            conn.close()
    except OSError as e:
        out(event='server_error', mode=a.mode, peer=str(addr), error=type(e).__name__ + ': ' + str(e))

def cmd_listen(a):
    fam = socket.AF_INET6 if ':' in a.bind else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((a.bind, a.port))
    if a.defer_accept:   # the handshake's last ACK alone does not complete a connection: its first data does
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_DEFER_ACCEPT, int(a.defer_accept))
    s.listen(a.backlog)
    open(a.ready, 'w').close() if a.ready else None
    end = time.time() + a.lifetime
    if a.mode == 'backlog':              # never accept; exiting resets the queued connections
        time.sleep(a.lifetime); out(event='listener_exit', port=a.port); return
    s.settimeout(0.2)
    while time.time() < end:
        try:
            conn, addr = s.accept()
        except socket.timeout:
            continue
        threading.Thread(target=handle, args=(conn, addr, a), daemon=True).start()

# ---------------------------------------------------------------- clients
def mksock(a, sport):
    fam = socket.AF_INET6 if ':' in a.dst else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if sport:
        s.bind(('::' if fam == socket.AF_INET6 else '0.0.0.0', sport))
    s.settimeout(a.timeout)
    return s

def client_one(a, sport, res, i=0, t_start=0.0):
    t0 = time.time()
    s = mksock(a, sport)
    r = {'sport': sport, 'dst': a.dst, 'port': a.port, 'mode': a.mode}
    try:
        s.connect((a.dst, a.port))
        r['connected'] = True
        if a.mode == 'clean':
            s.sendall(b'hello\n'); r['reply'] = s.recv(4096).decode(errors='replace').strip()
            s.shutdown(socket.SHUT_WR)
            while s.recv(4096): pass
        elif a.mode == 'idle':
            s.sendall(b'hello\n'); s.recv(4096)
            t1 = time.time(); s.recv(4096); r['silence'] = round(time.time() - t1, 3)
        elif a.mode == 'upload':
            sent = 0
            while sent < 400000:
                s.sendall(b'u' * 4096); sent += 4096; time.sleep(0.05)
        elif a.mode == 'fin':
            s.sendall(b'hello\n'); s.recv(4096)
            s.shutdown(socket.SHUT_WR)
            while s.recv(4096): pass
        elif a.mode in ('recv', 'hold'):
            d = s.recv(4096); r['got'] = len(d)
        elif a.mode == 'holddata':        # the first data a moment after the handshake (--data-at: when, per connection)
            at = a.data_at[min(i, len(a.data_at) - 1)] if a.data_at else time.time() - t_start + a.pause
            time.sleep(max(0.0, t_start + at - time.time()))
            s.sendall(b'hello\n'); d = s.recv(4096); r['got'] = len(d)
        elif a.mode == 'idleclient':      # the client application gives up on a silent server (SO_LINGER 0)
            s.sendall(b'hello\n'); s.recv(4096)
            s.settimeout(a.pause)
            try:
                s.recv(4096)
            except socket.timeout:
                r['idle_reset'] = a.pause; linger0(s)
        elif a.mode == 'abortunread':     # close with unread data in the receive buffer
            s.sendall(b'GET /big\n'); s.recv(1000); time.sleep(0.2)
        elif a.mode == 'abortlinger':     # SO_LINGER 0 close in the middle of an exchange
            s.sendall(b'hello\n'); s.recv(4096); time.sleep(a.pause); linger0(s)
        elif a.mode in ('late', 'afterclose', 'keepalive'):
            s.sendall(b'hello\n'); r['reply'] = s.recv(4096).decode(errors='replace').strip()
            if a.ready: open(a.ready, 'w').close()
            if a.mode != 'keepalive':
                time.sleep(a.pause); s.sendall(b'more data after a pause\n')
            while s.recv(4096): pass
        elif a.mode == 'tls':
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
            ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
            t = ctx.wrap_socket(s, server_hostname=a.sni)
            r['tls'] = t.version(); r['got'] = len(t.recv(4096))
        elif a.mode == 'http':
            s.sendall(b'GET /forbidden HTTP/1.1\r\nHost: www.example.test\r\nUser-Agent: rsl-lab\r\n\r\n')
            n = 0
            while True:
                d = s.recv(4096)
                if not d: break
                n += len(d)
            r['got'] = n
        r['result'] = 'ok'
    except OSError as e:
        r['result'] = type(e).__name__
        r['error'] = str(e)
    finally:
        s.close()
    r['elapsed'] = round(time.time() - t0, 3)
    res.append(r)

def cmd_connect(a):
    t_start = time.time()
    res = []
    ths = []
    for i, sport in enumerate(a.sport):
        if a.stagger and i:
            time.sleep(a.stagger[min(i - 1, len(a.stagger) - 1)])
        th = threading.Thread(target=client_one, args=(a, sport, res, i, t_start), daemon=True)
        th.start(); ths.append(th)
        if not a.parallel: th.join()
    for th in ths: th.join(a.timeout + 5)
    for r in sorted(res, key=lambda r: r['sport']): out(event='client', **r)

# ---------------------------------------------------------------- forging helpers
class Sender:
    """Sends hand-made IPv4/IPv6 packets. With a gateway MAC, as whole frames on one interface
    (the kernel then touches nothing: an IP ID of 0 stays 0); otherwise through raw IP sockets."""
    def __init__(self, iface=None, gw_mac=None):
        self.iface, self.gw_mac, self.socks = iface, gw_mac, {}
        if gw_mac:
            from scapy.all import get_if_hwaddr
            self.mac = get_if_hwaddr(iface)
            self.l2 = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
            self.l2.bind((iface, 0))

    def send(self, pkt, dst):
        if self.gw_mac:
            from scapy.all import Ether
            self.l2.send(bytes(Ether(src=self.mac, dst=self.gw_mac) / pkt)); return
        fam = socket.AF_INET6 if ':' in dst else socket.AF_INET
        if fam not in self.socks:   # IPPROTO_RAW: the header is ours (IPv6 too)
            self.socks[fam] = socket.socket(fam, socket.SOCK_RAW, socket.IPPROTO_RAW)
        self.socks[fam].sendto(bytes(pkt), (dst, 0))

def ip_layer(src, dst, ttl, ipid):
    from scapy.all import IP, IPv6
    if ':' in src:
        return IPv6(src=src, dst=dst, hlim=ttl)
    return IP(src=src, dst=dst, ttl=ttl, id=ipid)

def forge_send(sender, log, device, cause, phase, src, dst, sport, dport, seq, ack, flags, ttl, ipid=None, payload=b''):
    from scapy.all import TCP, Raw
    v6 = ':' in src
    if ipid is None and not v6:
        ipid = random.randint(1, 65535)
    p = ip_layer(src, dst, ttl, ipid) / TCP(sport=sport, dport=dport, seq=seq % 2**32,
                                            ack=ack % 2**32, flags=flags, window=0)
    if payload:
        p = p / Raw(load=payload)
    sender.send(p, dst)
    fmt = '[%s]:%d' if v6 else '%s:%d'
    rec = dict(device=device, cause=cause, phase=phase, src=fmt % (src, sport), dst=fmt % (dst, dport),
               seq=seq % 2**32, ack=ack % 2**32, flags=flags, ipId=None if v6 else ipid, ttl=ttl, t=time.time())
    log.write(json.dumps(rec) + '\n'); log.flush()

def sniff_loop(iface, bpf, ready, lifetime, cb):
    from scapy.all import sniff
    sniff(iface=iface, filter=bpf, store=False, prn=cb, timeout=lifetime,
          started_callback=lambda: open(ready, 'w').close())

# Injector behaviour per server port. trigger: what it reacts to; toward: client|server|both;
# flags R|RA; ttl: a number, 'random', or 'copy' (the claimed sender's TTL as seen at the tap);
# ipid: 'zero'|'random'|'copy' (claimed sender's last IP ID + 1); seq: 'exact' | 'spread'
# (exact, +1460, +4380) | 'out' (far outside the window); delay: seconds after the trigger.
INJECT_CAUSE = {'bypass': ('bypass_block', 'handshake'), 'tls': ('tls_block', 'data'),
                'content': ('content_block', 'data')}
SEQ_OFFSETS = {'exact': (0,), 'spread': (0, 1460, 4380), 'out': (1000000000,)}

def cmd_inject(a):
    """Out-of-band device on a router's mirror port. Sees copies, cannot drop, injects into that router."""
    from scapy.all import IP, IPv6, TCP, get_if_hwaddr
    me = get_if_hwaddr(a.iface)
    sender = Sender(a.iface, a.gw_mac)
    log = open(a.log, 'a')
    if a.spec:
        spec = {int(k): v for k, v in json.load(open(a.spec)).items()}
    else:   # the fixed lab's behaviour
        spec = {p: dict(trigger=a.mode, toward='client', flags='RA' if a.mode == 'tls' else 'R', ttl=a.ttl,
                        ipid='random', seq='spread' if a.mode == 'content' else 'exact', delay=0,
                        keyword=a.keyword) for p in a.ports}
    done, last = set(), {}
    def fire(b, cause, phase, client, server, cport, sport, cseq, sseq):
        # cseq/sseq: the next sequence number each side will send (what its peer expects)
        towards = ('client', 'server') if b['toward'] == 'both' else (b['toward'],)
        if b.get('delay'): time.sleep(b['delay'])
        for tw in towards:
            src, dst, sp, dp, base, peer = (server, client, sport, cport, sseq, cseq) if tw == 'client' \
                else (client, server, cport, sport, cseq, sseq)
            seen_ttl, seen_id = last.get(src, (64, 0))
            ttl = seen_ttl if b['ttl'] == 'copy' else random.randint(30, 255) if b['ttl'] == 'random' else int(b['ttl'])
            for off in SEQ_OFFSETS[b['seq']]:
                ipid = 0 if b['ipid'] == 'zero' else (seen_id + 1) % 65536 if b['ipid'] == 'copy' else None
                forge_send(sender, log, 'injector', cause, phase, src, dst, sp, dp, base + off,
                           peer if 'A' in b['flags'] else 0, b['flags'], ttl, ipid)
    def cb(p):
        if p.src == me or TCP not in p: return
        if IP in p: ip, ttl, ipid = p[IP], p[IP].ttl, p[IP].id
        elif IPv6 in p: ip, ttl, ipid = p[IPv6], p[IPv6].hlim, 0
        else: return
        t = p[TCP]
        last[ip.src] = (ttl, ipid)
        fl = int(t.flags)
        payload = bytes(t.payload)
        if t.sport in spec and spec[t.sport]['trigger'] == 'bypass' and fl & 0x12 == 0x12:
            b, k = spec[t.sport], (ip.src, t.sport, ip.dst, t.dport)
            if k in done: return
            done.add(k)   # race the SYN/ACK
            threading.Thread(target=fire, args=(b, 'bypass_block', 'handshake', ip.dst, ip.src, t.dport, t.sport,
                                                t.ack, t.seq + 1), daemon=True).start()
        elif t.dport in spec and spec[t.dport]['trigger'] in ('tls', 'content') and payload:
            b = spec[t.dport]
            if b['trigger'] == 'tls' and payload[:1] != b'\x16': return
            if b['keyword'].encode() not in payload: return
            k = (ip.src, t.sport)
            if k in done: return
            done.add(k)
            cause, phase = INJECT_CAUSE[b['trigger']]
            threading.Thread(target=fire, args=(b, cause, phase, ip.src, ip.dst, t.sport, t.dport,
                                                t.seq + len(payload), t.ack), daemon=True).start()
        elif t.dport in spec and spec[t.dport]['trigger'] == 'diagnostic' and payload:
            k = (ip.src, t.sport)
            if k in done: return
            done.add(k)   # block, and say why both ways: compact form to the client, free description to the server
            forge_send(sender, log, 'injector', 'content_block', 'data', ip.dst, ip.src, t.dport, t.sport,
                       t.ack, t.seq + len(payload), 'RA', a.ttl, None, RST_DIAG_COMPACT_NOT_AUTHORIZED)
            forge_send(sender, log, 'injector', 'content_block', 'data', ip.src, ip.dst, t.sport, t.dport,
                       t.seq + len(payload), 0, 'R', a.ttl, None, RST_DIAG_DESCRIPTION)
    sniff_loop(a.iface, 'tcp', a.ready, a.lifetime, cb)

# RST diagnostic payloads (IETF TCPM draft "TCP RST Diagnostic Payload"): compact form, magic 0x33AA,
# reason 9 "Not Authorized" of the IANA registry (PEN 0); free description, magic 0xF317 + UTF-8.
RST_DIAG_COMPACT_NOT_AUTHORIZED = bytes([0x33, 0xAA, 0x00, 0x09, 0, 0, 0, 0])
RST_DIAG_DESCRIPTION = bytes([0xF3, 0x17]) + 'blocked by policy'.encode()

def cmd_r1close(a):
    """In-path accelerated-close agent on a router: after a client FIN toward a server port, RST both sides."""
    from scapy.all import IP, IPv6, TCP
    sender = Sender()
    log = open(a.log, 'a')
    done = set()
    def cb(p):
        if TCP not in p: return
        ip = p[IP] if IP in p else p[IPv6] if IPv6 in p else None
        if ip is None: return
        t = p[TCP]
        if not (int(t.flags) & 0x01) or t.dport not in a.ports: return
        k = (ip.src, t.sport)
        if k in done: return
        done.add(k)
        n = len(bytes(t.payload))
        # toward the client (spoofing the server) and toward the server (spoofing the client)
        forge_send(sender, log, a.device, 'accelerated_close', 'teardown', ip.dst, ip.src, t.dport, t.sport,
                   t.ack, 0, 'R', a.ttl)
        forge_send(sender, log, a.device, 'accelerated_close', 'teardown', ip.src, ip.dst, t.sport, t.dport,
                   t.seq + n + 1, 0, 'R', a.ttl)
    sniff_loop(a.iface, 'tcp', a.ready, a.lifetime, cb)

def cmd_twcollide(a):
    """Two real connections on one 4-tuple (server closes first both times), then a SYN for the
    same 4-tuple with an ISN below the one the server's TIME_WAIT socket remembers."""
    from scapy.all import TCP, AsyncSniffer
    isns = []
    sn = AsyncSniffer(iface=a.iface, filter='tcp and port %d' % a.sport, store=False,
                      prn=lambda p: isns.append(p[TCP].seq) if TCP in p and int(p[TCP].flags) & 0x12 == 0x02 else None)
    sn.start(); time.sleep(1.0)
    v6 = ':' in a.dst
    for i in range(2):
        s = socket.socket(socket.AF_INET6 if v6 else socket.AF_INET); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(('::' if v6 else '0.0.0.0', a.sport)); s.settimeout(5)
        try:
            s.connect((a.dst, a.port)); s.sendall(b'hello %d\n' % i)
            while s.recv(4096): pass
            out(event='client', attempt=i + 1, sport=a.sport, result='ok')
        except OSError as e:
            out(event='client', attempt=i + 1, sport=a.sport, result=type(e).__name__, error=str(e))
        finally:
            s.close()
        time.sleep(0.3)
    isn = isns[-1]
    seq = (isn - 1000000) % 2**32
    p = ip_layer(a.src, a.dst, a.ttl, random.randint(1, 65535)) / TCP(sport=a.sport, dport=a.port, flags='S',
            seq=seq, window=64240, options=[('MSS', 1440), ('SAckOK', b''), ('WScale', 7)])
    Sender().send(p, a.dst)
    out(event='crafted_syn', sport=a.sport, seq=seq, previous_isn=isn)
    time.sleep(1.5)
    sn.stop()

def main():
    ap = argparse.ArgumentParser()
    sp = ap.add_subparsers(dest='cmd', required=True)
    p = sp.add_parser('listen')
    p.add_argument('--bind', default='0.0.0.0'); p.add_argument('--port', type=int, required=True)
    p.add_argument('--mode', required=True); p.add_argument('--backlog', type=int, default=16)
    p.add_argument('--lifetime', type=float, default=60); p.add_argument('--ready')
    p.add_argument('--idle', type=float, default=3); p.add_argument('--delay', type=float, default=0.3)
    p.add_argument('--abort-after', type=int, default=16384)
    p.add_argument('--abort-how', choices=('linger', 'unread'), default='linger')
    p.add_argument('--keepcnt', type=int, default=2)
    p.add_argument('--defer-accept', type=float, default=0, help='TCP_DEFER_ACCEPT seconds')
    p.add_argument('--cert'); p.add_argument('--key')
    p = sp.add_parser('connect')
    p.add_argument('--dst', required=True); p.add_argument('--port', type=int, required=True)
    p.add_argument('--sport', type=int, nargs='+', default=[0]); p.add_argument('--mode', default='clean')
    p.add_argument('--timeout', type=float, default=8); p.add_argument('--sni', default='blocked.example')
    p.add_argument('--parallel', action='store_true'); p.add_argument('--stagger', type=float, nargs='*')
    p.add_argument('--pause', type=float, default=1.0)
    p.add_argument('--ready', help='file created once the first exchange is done')
    p.add_argument('--data-at', type=float, nargs='*', help='holddata: seconds after the start each connection sends')
    for name in ('inject', 'r1close'):
        p = sp.add_parser(name)
        p.add_argument('--iface', required=True); p.add_argument('--mode', default='')
        p.add_argument('--ports', type=int, nargs='+', default=[]); p.add_argument('--keyword', default='')
        p.add_argument('--ttl', type=int, default=128); p.add_argument('--log', required=True)
        p.add_argument('--ready', required=True); p.add_argument('--lifetime', type=float, default=60)
        p.add_argument('--spec', help='JSON file: server port -> behaviour (inject)')
        p.add_argument('--gw-mac', help='send whole frames to this next hop (inject)')
        p.add_argument('--device', default='r1agent', help='name logged as the forging device (r1close)')
    p = sp.add_parser('twcollide')
    p.add_argument('--iface', required=True); p.add_argument('--src', required=True)
    p.add_argument('--dst', required=True); p.add_argument('--port', type=int, required=True)
    p.add_argument('--sport', type=int, required=True); p.add_argument('--ttl', type=int, default=64)
    a = ap.parse_args()
    {'listen': cmd_listen, 'connect': cmd_connect, 'inject': cmd_inject, 'r1close': cmd_r1close,
     'twcollide': cmd_twcollide}[a.cmd](a)

if __name__ == '__main__':
    main()
