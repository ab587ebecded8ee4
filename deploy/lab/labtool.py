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
        elif a.mode == 'abort':           # read some of the upload, then abort (SO_LINGER 0)
            got = 0
            while got < a.abort_after:
                d = conn.recv(4096)
                if not d: break
                got += len(d)
            out(event='abort', peer=str(addr), read=got)
            linger0(conn); conn.close()
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
    s.listen(a.backlog)
    open(a.ready, 'w').close() if a.ready else None
    end = time.time() + a.lifetime
    if a.mode == 'backlog':              # never accept
        time.sleep(a.lifetime); return
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

def client_one(a, sport, res):
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
    res = []
    ths = []
    for i, sport in enumerate(a.sport):
        if a.stagger and i:
            time.sleep(a.stagger[min(i - 1, len(a.stagger) - 1)])
        th = threading.Thread(target=client_one, args=(a, sport, res), daemon=True)
        th.start(); ths.append(th)
        if not a.parallel: th.join()
    for th in ths: th.join(a.timeout + 5)
    for r in sorted(res, key=lambda r: r['sport']): out(event='client', **r)

# ---------------------------------------------------------------- forging helpers
def raw_sender():
    return socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)

def forge_send(sock, log, device, cause, phase, src, dst, sport, dport, seq, ack, flags, ttl, payload=b''):
    from scapy.all import IP, TCP, Raw
    ipid = random.randint(1, 65535)
    p = IP(src=src, dst=dst, ttl=ttl, id=ipid) / TCP(sport=sport, dport=dport, seq=seq % 2**32,
                                                        ack=ack % 2**32, flags=flags, window=0)
    if payload:
        p = p / Raw(load=payload)
    sock.sendto(bytes(p), (dst, 0))
    rec = dict(device=device, cause=cause, phase=phase, src='%s:%d' % (src, sport), dst='%s:%d' % (dst, dport),
               seq=seq % 2**32, ack=ack % 2**32, flags=flags, ipId=ipid, ttl=ttl, t=time.time())
    log.write(json.dumps(rec) + '\n'); log.flush()

def sniff_loop(iface, bpf, ready, lifetime, cb):
    from scapy.all import sniff
    sniff(iface=iface, filter=bpf, store=False, prn=cb, timeout=lifetime,
          started_callback=lambda: open(ready, 'w').close())

def cmd_inject(a):
    """Out-of-band device on R2's mirror port. Sees copies, cannot drop, injects into R2."""
    from scapy.all import IP, TCP, Raw, get_if_hwaddr
    me = get_if_hwaddr(a.iface)
    sock = raw_sender()
    log = open(a.log, 'a')
    done = set()
    def cb(p):
        if p.src == me or IP not in p or TCP not in p: return
        ip, t = p[IP], p[TCP]
        fl = int(t.flags)
        payload = bytes(t.payload)
        if a.mode == 'bypass' and fl & 0x12 == 0x12 and t.sport in a.ports:
            k = (ip.src, t.sport, ip.dst, t.dport)
            if k in done: return
            done.add(k)   # race the SYN/ACK: reset the client as if the server refused
            forge_send(sock, log, 'injector', 'bypass_block', 'handshake', ip.src, ip.dst, t.sport, t.dport,
                       t.seq + 1, 0, 'R', a.ttl)
        elif a.mode == 'tls' and t.dport in a.ports and payload[:1] == b'\x16' and a.keyword.encode() in payload:
            k = (ip.src, t.sport)
            if k in done: return
            done.add(k)   # reset only the client, right after its ClientHello
            forge_send(sock, log, 'injector', 'tls_block', 'data', ip.dst, ip.src, t.dport, t.sport,
                       t.ack, t.seq + len(payload), 'RA', a.ttl)
        elif a.mode == 'content' and t.dport in a.ports and a.keyword.encode() in payload:
            k = (ip.src, t.sport)
            if k in done: return
            done.add(k)   # spray: seq, seq+1460, seq+4380 toward the client
            for off in (0, 1460, 4380):
                forge_send(sock, log, 'injector', 'content_block', 'data', ip.dst, ip.src, t.dport, t.sport,
                           t.ack + off, 0, 'R', a.ttl)
        elif a.mode == 'diagnostic' and t.dport in a.ports and payload:
            k = (ip.src, t.sport)
            if k in done: return
            done.add(k)   # block, and say why both ways: compact form to the client, free description to the server
            forge_send(sock, log, 'injector', 'content_block', 'data', ip.dst, ip.src, t.dport, t.sport,
                       t.ack, t.seq + len(payload), 'RA', a.ttl, RST_DIAG_COMPACT_NOT_AUTHORIZED)
            forge_send(sock, log, 'injector', 'content_block', 'data', ip.src, ip.dst, t.sport, t.dport,
                       t.seq + len(payload), 0, 'R', a.ttl, RST_DIAG_DESCRIPTION)
    sniff_loop(a.iface, 'tcp', a.ready, a.lifetime, cb)

# RST diagnostic payloads (IETF TCPM draft "TCP RST Diagnostic Payload"): compact form, magic 0x33AA,
# reason 9 "Not Authorized" of the IANA registry (PEN 0); free description, magic 0xF317 + UTF-8.
RST_DIAG_COMPACT_NOT_AUTHORIZED = bytes([0x33, 0xAA, 0x00, 0x09, 0, 0, 0, 0])
RST_DIAG_DESCRIPTION = bytes([0xF3, 0x17]) + 'blocked by policy'.encode()

def cmd_r1close(a):
    """In-path agent on R1: after a client FIN toward a server port, RST both sides at once."""
    from scapy.all import IP, TCP
    sock = raw_sender()
    log = open(a.log, 'a')
    done = set()
    def cb(p):
        if IP not in p or TCP not in p: return
        ip, t = p[IP], p[TCP]
        if not (int(t.flags) & 0x01) or t.dport not in a.ports: return
        k = (ip.src, t.sport)
        if k in done: return
        done.add(k)
        n = len(bytes(t.payload))
        # toward the client (spoofing the server) and toward the server (spoofing the client)
        forge_send(sock, log, 'r1agent', 'accelerated_close', 'teardown', ip.dst, ip.src, t.dport, t.sport,
                   t.ack, 0, 'R', a.ttl)
        forge_send(sock, log, 'r1agent', 'accelerated_close', 'teardown', ip.src, ip.dst, t.sport, t.dport,
                   t.seq + n + 1, 0, 'R', a.ttl)
    sniff_loop(a.iface, 'tcp', a.ready, a.lifetime, cb)

def cmd_twcollide(a):
    """Two real connections on one 4-tuple (server closes first both times), then a SYN for the
    same 4-tuple with an ISN below the one the server's TIME_WAIT socket remembers."""
    from scapy.all import IP, TCP, AsyncSniffer
    isns = []
    sn = AsyncSniffer(iface=a.iface, filter='tcp and port %d' % a.sport, store=False,
                      prn=lambda p: isns.append(p[TCP].seq) if TCP in p and int(p[TCP].flags) & 0x12 == 0x02 else None)
    sn.start(); time.sleep(1.0)
    for i in range(2):
        s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(('0.0.0.0', a.sport)); s.settimeout(5)
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
    from scapy.all import IP as _IP
    p = _IP(src=a.src, dst=a.dst, ttl=64, id=random.randint(1, 65535)) / TCP(sport=a.sport, dport=a.port, flags='S',
            seq=seq, window=64240, options=[('MSS', 1460), ('SAckOK', b''), ('WScale', 7)])
    raw_sender().sendto(bytes(p), (a.dst, 0))
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
    p.add_argument('--cert'); p.add_argument('--key')
    p = sp.add_parser('connect')
    p.add_argument('--dst', required=True); p.add_argument('--port', type=int, required=True)
    p.add_argument('--sport', type=int, nargs='+', default=[0]); p.add_argument('--mode', default='clean')
    p.add_argument('--timeout', type=float, default=8); p.add_argument('--sni', default='blocked.example')
    p.add_argument('--parallel', action='store_true'); p.add_argument('--stagger', type=float, nargs='*')
    for name in ('inject', 'r1close'):
        p = sp.add_parser(name)
        p.add_argument('--iface', required=True); p.add_argument('--mode', default='')
        p.add_argument('--ports', type=int, nargs='+', required=True); p.add_argument('--keyword', default='')
        p.add_argument('--ttl', type=int, default=128); p.add_argument('--log', required=True)
        p.add_argument('--ready', required=True); p.add_argument('--lifetime', type=float, default=60)
    p = sp.add_parser('twcollide')
    p.add_argument('--iface', required=True); p.add_argument('--src', required=True)
    p.add_argument('--dst', required=True); p.add_argument('--port', type=int, required=True)
    p.add_argument('--sport', type=int, required=True)
    a = ap.parse_args()
    {'listen': cmd_listen, 'connect': cmd_connect, 'inject': cmd_inject, 'r1close': cmd_r1close,
     'twcollide': cmd_twcollide}[a.cmd](a)

if __name__ == '__main__':
    main()
