#!/usr/bin/python3
"""Write truth.json for one lab scenario from its captures (P1/P2/P3.pcap) and from what the
scenario knows it did (forged packets logged by the injector/agents, which host runs what).

Every RST in any capture gets one entry. Its `expected` verdict comes from the scenario's
rules below (who really sent it); each verdict is then cross-checked against the captures:
the set of points that saw it, which point saw it first, and the TTL it had there must match
where the emitter sits. Any RST that no rule explains, or any failed check, fails the run.
"""
import argparse, json, os, sys
from scapy.all import PcapReader, IP, IPv6, TCP

PATH = ['P1', 'P2', 'P3']
POINTS = {
    'P1': "client-R1 link, captured at R1's port facing the client (r1-c): client packets before R1 decrements them",
    'P2': "R1-R2 link, captured at R2's port facing R1 (r2-r1): packets from the client side before R2 decrements them",
    'P3': "R2-server link, captured at R2's port facing the server (r2-s): server packets before R2 decrements them",
}
CLIENT4, SERVER4, CLIENT6, SERVER6 = '10.0.1.2', '10.0.3.2', 'fd00:1::2', 'fd00:3::2'

# Where each emitting device sits, and the TTL its packets have at the first point they reach.
#   device: (emitter, location, {direction: (first point, ttl there)})
DEVICES = {
    'client':   ('client', 'client', {'to_server': ('P1', 64)}),
    'server':   ('server', 'server', {'to_client': ('P3', 64)}),
    'r1fw':     ('middlebox', 'segment:P1-P2', {'to_client': ('P1', 64), 'to_server': ('P2', 64)}),
    'r2fw':     ('middlebox', 'segment:P2-P3', {'to_client': ('P2', 64), 'to_server': ('P3', 64)}),
    'injector': ('middlebox', 'segment:P2-P3', {'to_client': ('P2', 127), 'to_server': ('P3', 127)}),
    'r1agent':  ('middlebox', 'segment:P1-P2', {'to_client': ('P1', 255), 'to_server': ('P2', 255)}),
}

FLAGS = [(0x01, 'F'), (0x02, 'S'), (0x04, 'R'), (0x08, 'P'), (0x10, 'A'), (0x20, 'U'), (0x40, 'E'), (0x80, 'W')]
def flagstr(v):
    return ''.join(c for b, c in FLAGS if v & b)

def ep(addr, port):
    return '[%s]:%d' % (addr, port) if ':' in addr else '%s:%d' % (addr, port)

def read_point(path, point, shift):
    pk = []
    with PcapReader(path) as rd:
        for p in rd:
            if TCP not in p: continue
            if IP in p: ip, ttl, ipid, v6 = p[IP], p[IP].ttl, p[IP].id, False
            elif IPv6 in p: ip, ttl, ipid, v6 = p[IPv6], p[IPv6].hlim, None, True
            else: continue
            t = p[TCP]
            pk.append(dict(point=point, ts=float(p.time), tsc=float(p.time) - shift, src=ep(ip.src, t.sport),
                           dst=ep(ip.dst, t.dport), saddr=ip.src, daddr=ip.dst, sport=t.sport, dport=t.dport,
                           seq=t.seq, ack=t.ack, fl=int(t.flags), flags=flagstr(int(t.flags)), ttl=ttl,
                           ipId=ipid, v6=v6, plen=len(bytes(t.payload))))
    return pk

class Ctx:
    def __init__(self, pkts, forged, events):
        self.pkts, self.forged, self.events = pkts, forged, events
        self.first_syn = {}
        for p in sorted(pkts, key=lambda p: p['tsc']):
            if p['fl'] & 0x02 and not p['fl'] & 0x10:
                k = frozenset((p['src'], p['dst']))
                self.first_syn.setdefault(k, p)

    def flow(self, r):
        k = frozenset((r['src'], r['dst']))
        s = self.first_syn.get(k)
        if s: return s['src'], s['dst']
        a, b = r['src'], r['dst']   # no SYN seen: the lower port is the server
        return (a, b) if int(a.rsplit(':', 1)[1]) > int(b.rsplit(':', 1)[1]) else (b, a)

    def before(self, r, **kw):
        """packets of r's flow seen (at any point) before r was first seen"""
        k = frozenset((r['src'], r['dst']))
        return [p for p in self.pkts if frozenset((p['src'], p['dst'])) == k and p['tsc'] < r['first_tsc']]

def V(device, phase, cause):
    return dict(device=device, phase=phase, cause=cause)

# ------------------------------------------------------------------ scenario knowledge
# rule(r, ctx) -> V(...) or None. r: src,dst,seq,ack,flags,ipId,client,server,toward,sport,dport
def srv_port(r): return int(r['server'].rsplit(':', 1)[1])
def from_server(r): return r['src'] == r['server']
def from_client(r): return r['src'] == r['client']

def forged_rule(r, ctx):
    for f in ctx.forged:
        if (f['src'], f['dst'], f['seq'], f['ack'], f['flags'], f['ipId']) == (r['src'], r['dst'], r['seq'], r['ack'], r['flags'], r['ipId']):
            return V(f['device'], f['phase'], f['cause'])
    return None

def collateral_client(r, ctx):
    # the client's kernel answering a server segment for a connection it no longer has
    if from_client(r) and r['flags'] == 'R': return V('client', 'data', 'no_socket')

SCENARIOS = {
  'port_closed': dict(
    description='Client 10.0.1.2:40001 connects to 10.0.3.2:8081 where nothing listens; the server kernel answers the SYN with RST+ACK.',
    rules=[lambda r, c: V('server', 'handshake', 'port_closed') if from_server(r) and srv_port(r) == 8081 else None],
    require={'port_closed': 1}),
  'clock_skew': dict(
    description="port_closed traffic (10.0.1.2:40016 -> 10.0.3.2:8081, server RST+ACK) with P3's capture clock shifted: every P3 timestamp was rewritten +1.5 s (editcap -t 1.5), so P3 seems to see the server's RST after P2 and P1.",
    rules=[lambda r, c: V('server', 'handshake', 'port_closed') if from_server(r) and srv_port(r) == 8081 else None],
    require={'port_closed': 1}),
  'firewall_reject': dict(
    description='R2 rejects TCP to 10.0.3.2:8080 with iptables REJECT --reject-with tcp-reset (FORWARD chain); the server DOES listen on 8080. Before that, a clean connection 10.0.1.2:40012 -> 10.0.3.2:8090 (allowed) shows the server\'s real TTL. The rejected connect is 10.0.1.2:40002 -> 10.0.3.2:8080.',
    rules=[lambda r, c: V('r2fw', 'handshake', 'firewall_reject') if srv_port(r) == 8080 and from_server(r) else None],
    require={'firewall_reject': 1}),
  'clean_close': dict(
    description='Negative control: 10.0.1.2:40010 -> 10.0.3.2:8080, request, reply, FIN both ways. No RST.',
    rules=[], require={}),
  'bypass_block': dict(
    description='Out-of-band injector on R2\'s mirror port sees the server\'s SYN/ACK for 10.0.3.2:8088 and fires a forged RST (flags R, seq = SYN/ACK seq+1, TTL 128) at the client 10.0.1.2:40007. The real SYN/ACK and the client\'s ACK still pass; the server sends its banner 0.3 s later and the client\'s kernel, whose socket is gone, answers with RST.',
    rules=[forged_rule, collateral_client], require={'bypass_block': 1}),
  'tls_block': dict(
    description='TLS to 10.0.3.2:443 from 10.0.1.2:40008 with SNI blocked.example. The injector sees the ClientHello and resets only the client (forged RST+ACK, TTL 128); the server (slow by 0.3 s) keeps sending its ServerHello flight and the client\'s kernel answers it with RST.',
    rules=[forged_rule, collateral_client], require={'tls_block': 1}),
  'content_block': dict(
    description='Plain HTTP 10.0.1.2:40009 -> 10.0.3.2:80, "GET /forbidden". The injector sprays three forged RSTs toward the client with seq = ack, ack+1460, ack+4380 (flags R, TTL 128); the server still answers (after 0.3 s) and the client\'s kernel RSTs that data.',
    rules=[forged_rule, collateral_client], require={'content_block': 3}),
  'accelerated_close': dict(
    description='10.0.1.2:40015 -> 10.0.3.2:8085; the client half-closes (FIN). An agent on R1 (TTL 255) sees the FIN and at once RSTs both sides: toward the client spoofing the server, toward the server spoofing the client.',
    rules=[forged_rule, collateral_client,
           lambda r, c: V('server', 'teardown', 'no_socket') if from_server(r) and r['flags'] == 'R' else None],
    require={'accelerated_close': 2}),
  'idle_timeout': dict(
    description='10.0.1.2:40005 -> 10.0.3.2:8086: one request and reply, then silence; the server application resets the connection (SO_LINGER 0 close) after %(idle)s s without traffic.',
    rules=[lambda r, c: V('server', 'data', 'idle_timeout') if from_server(r) and r['flags'] == 'RA' else None],
    require={'idle_timeout': 1}),
  'abort': dict(
    description='10.0.1.2:40006 uploads to 10.0.3.2:8087 (4 KiB every 50 ms); the server application reads 16 KiB then closes with SO_LINGER 0 while data is still flowing and unread: RST+ACK. Client data already in flight is answered by the server kernel with RSTs (no socket any more).',
    rules=[lambda r, c: V('server', 'data', 'abort') if from_server(r) and r['flags'] == 'RA' else None,
           lambda r, c: V('server', 'data', 'no_socket') if from_server(r) and r['flags'] == 'R' else None],
    require={'abort': 1}),
  'syn_scan': dict(
    description='nmap -sS from 10.0.1.2 (source port 40003) against 10.0.3.2 ports 8080 (open), 8081, 8082 (closed). Closed ports: server RST+ACK. Open port: SYN/ACK, then the client kernel (nmap used a raw socket, so no socket exists) sends RST without ACK.',
    rules=[lambda r, c: V('client', 'handshake', 'syn_scan') if from_client(r) and srv_port(r) == 8080 else None,
           lambda r, c: V('server', 'handshake', 'port_closed') if from_server(r) and srv_port(r) in (8081, 8082) else None],
    require={'syn_scan': 1, 'port_closed': 2}),
  'connect_scan': dict(
    description='nmap -sT from 10.0.1.2 against 10.0.3.2 ports 8080 (open), 8081, 8082 (closed). Open port: full handshake, then nmap closes at once with RST+ACK. Closed ports: server RST+ACK.',
    rules=[lambda r, c: V('client', 'handshake', 'connect_scan') if from_client(r) and srv_port(r) == 8080 else None,
           lambda r, c: V('server', 'handshake', 'port_closed') if from_server(r) and srv_port(r) in (8081, 8082) else None],
    require={'connect_scan': 1, 'port_closed': 2}),
  'malformed_syn': dict(
    description='hping3 from 10.0.1.2: SYN+FIN to 10.0.3.2:8080 (open, sport 40011), SYN+FIN to 8081 (closed, sport 40013), SYN+URG to 8080 (open, sport 40014). See README for what Linux answers.',
    rules=[lambda r, c: V('server', 'handshake', 'malformed_syn') if from_server(r) else None,
           lambda r, c: V('client', 'handshake', 'syn_scan') if from_client(r) and r['flags'] == 'R' else None],
    require={'malformed_syn': 1}),
  'backlog_overflow': dict(
    description='Listener 10.0.3.2:8089 with backlog 1 that never accepts; server namespace has net.ipv4.tcp_abort_on_overflow=1 (and tcp_syncookies=0). Four connects from 10.0.1.2:40021-40024 over a slow (4 kbit/s tbf) link into the server so the handshakes interleave; completed handshakes that find the accept queue full are reset by the server.',
    rules=[lambda r, c: V('server', 'handshake', 'backlog_overflow') if from_server(r) else None],
    require={'backlog_overflow': 1}),
  'time_wait_collision': dict(
    description='10.0.1.2:40031 -> 10.0.3.2:8084 twice with real sockets (the server closes first, so its side enters TIME_WAIT; the second connect on the same 4-tuple is accepted by Linux), then a SYN on the same 4-tuple with an ISN 1,000,000 below the last one (as a client with a non-monotonic ISN would send). See README for what Linux answers.',
    rules=[lambda r, c: V('client', 'handshake', 'time_wait_collision') if from_client(r) else None,
           lambda r, c: V('server', 'handshake', 'time_wait_collision') if from_server(r) else None],
    require={'time_wait_collision': 1}),
  'rst_diagnostic': dict(
    description='10.0.1.2:40051 -> 10.0.3.2:8092 (echo). The injector on R2\'s mirror port blocks the connection at the client\'s first data and resets both sides (TTL 128), saying why in a RST diagnostic payload: toward the client the compact form (0x33AA, reason 9 "Not Authorized", PEN 0), toward the server the free description (0xF317, "blocked by policy"). The injector is slower than the server\'s echo, so the client ignores the RST sent to it (its sequence number is behind the reply) and closes after 3 s; the server, whose socket the other RST removed, answers that FIN with a RST.',
    rules=[forged_rule, collateral_client,
           lambda r, c: V('server', 'teardown', 'no_socket') if from_server(r) and r['flags'] == 'R' else None],
    require={'content_block': 2}),
  'ipv6_port_closed': dict(
    description='IPv6: [fd00:1::2]:40041 -> [fd00:3::2]:8081 where nothing listens (server RST+ACK); and [fd00:1::2]:40042 -> [fd00:3::2]:8080 where the server listens but R1 rejects with ip6tables REJECT --reject-with tcp-reset.',
    rules=[lambda r, c: V('server', 'handshake', 'port_closed') if from_server(r) and srv_port(r) == 8081 else None,
           lambda r, c: V('r1fw', 'handshake', 'firewall_reject') if from_server(r) and srv_port(r) == 8080 else None],
    require={'port_closed': 1, 'firewall_reject': 1}),
}

def expected_points(location, toward):
    i = {'client': 0, 'segment:client-P1': 0, 'segment:P1-P2': 1, 'segment:P2-P3': 2, 'segment:P3-server': 3, 'server': 3}[location]
    return PATH[:i] if toward == 'to_client' else PATH[i:]

def read_kernel(path):
    """the kernel trace recorded beside the captures (ktrace.py), [] when there is none"""
    import datetime
    out = []
    if not os.path.exists(path): return out
    for l in open(path):
        e = json.loads(l)
        e['t'] = datetime.datetime.strptime(e['ts'], '%Y-%m-%dT%H:%M:%S.%fZ').replace(tzinfo=datetime.timezone.utc).timestamp()
        out.append(e)
    return out

WILDCARD_HOSTS = ('0.0.0.0', '[::]', '::')
UNNAMED_PEERS = ('0.0.0.0:0', '[::]:0')

def _ep_host(ep): return ep.rsplit(':', 1)[0]
def _ep_port(ep): return ep.rsplit(':', 1)[1]

def kernel_claims(k, g):
    """whether tcp_send_reset event k is about RST group g: the same 4-tuple; a listener bound to every
    address (wildcard source) matched by its port; or a listener's reset whose peer the kernel did not
    name (destination 0.0.0.0:0 or [::]:0: an overflowing accept queue, reason INVALID_SYN, state
    TCP_LISTEN) matched by the listener's port and address (or its wildcard)"""
    if k['event'] != 'tcp_send_reset': return False
    same_src = k['src'] == g['src'] or (_ep_host(k['src']) in WILDCARD_HOSTS and _ep_port(k['src']) == _ep_port(g['src']))
    return same_src and (k['dst'] == g['dst'] or k['dst'] in UNNAMED_PEERS)

def kernel_match(kernel, g):
    """the tcp_send_reset an endpoint logged for RST group g (kernel_claims; within [-0.05 s, +1 s] of
    its first sighting), each used once"""
    best = None
    for k in kernel:
        if k.get('_used') or not kernel_claims(k, g): continue
        dt = g['first_tsc'] - k['t']
        if -0.05 <= dt <= 1.0 and (best is None or abs(dt) < abs(g['first_tsc'] - best['t'])): best = k
    if best: best['_used'] = True
    return best

def group_rsts(pkts):
    """One group per RST packet, seen at one or more points, in order of first sighting.
    Identical RSTs (same src,dst,seq,ack,flags,ipId - e.g. a kernel answering three data segments
    with IP ID 0) are distinct packets: the n-th copy at one point is paired with the n-th copy at
    the others, and each is its own group."""
    groups, nth = {}, {}
    for p in sorted(pkts, key=lambda p: p['tsc']):
        if not p['fl'] & 0x04: continue
        k = (p['src'], p['dst'], p['seq'], p['ack'], p['flags'], p['ipId'])
        n = nth[(k, p['point'])] = nth.get((k, p['point']), -1) + 1
        g = groups.setdefault((k, n), dict(src=p['src'], dst=p['dst'], seq=p['seq'], ack=p['ack'], flags=p['flags'],
                                           ipId=p['ipId'], sight={}, first_tsc=p['tsc'], dup=n))
        g['sight'][p['point']] = p
    return sorted(groups.values(), key=lambda g: g['first_tsc'])

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--scenario', required=True); ap.add_argument('--dir', required=True)
    ap.add_argument('--work', required=True); ap.add_argument('--shift', action='append', default=[])
    a = ap.parse_args()
    sc = SCENARIOS[a.scenario]
    shifts = {s.split('=')[0]: float(s.split('=')[1]) for s in a.shift}
    pkts = []
    counts = {}
    for pt in PATH:
        f = os.path.join(a.dir, pt + '.pcap')
        if not os.path.exists(f): sys.exit('truth: missing %s' % f)
        pp = read_point(f, pt, shifts.get(pt, 0.0))
        counts[pt] = len(pp); pkts += pp
    def jl(name):
        f = os.path.join(a.work, name)
        return [json.loads(l) for l in open(f) if l.strip().startswith('{')] if os.path.exists(f) else []
    forged, events = jl('forged.jsonl'), jl('events.jsonl')
    ctx = Ctx(pkts, forged, events)

    groups = group_rsts(pkts)
    dups = sum(1 for g in groups if g['dup'])

    kernel = read_kernel(os.path.join(a.dir, 'kernel.jsonl'))
    errors, rsts, causes = [], [], {}
    for g in groups:
        g['client'], g['server'] = ctx.flow(g)
        g['toward'] = 'to_client' if g['dst'] == g['client'] else 'to_server'
        v = None
        for rule in sc['rules']:
            v = rule(g, ctx)
            if v: break
        tag = '%s -> %s seq %d ack %d %s id %s' % (g['src'], g['dst'], g['seq'], g['ack'], g['flags'], g['ipId'])
        if not v:
            errors.append('no rule explains RST ' + tag); continue
        emitter, location, firsts = DEVICES[v['device']]
        is_forged = v['device'] not in ('client', 'server') or \
            (v['device'] == 'client' and g['src'] != g['client']) or (v['device'] == 'server' and g['src'] != g['server'])
        # cross-checks against the captures
        want = expected_points(location, g['toward'])
        seen = [pt for pt in PATH if pt in g['sight']]
        if set(seen) != set(want):
            errors.append('%s: seen at %s, but a RST from %s (%s) toward the %s must be seen at exactly %s'
                          % (tag, seen, v['device'], location, g['toward'][3:], want))
        else:
            order = sorted(seen, key=lambda pt: g['sight'][pt]['tsc'])
            fp, fttl = firsts[g['toward']]
            if order[0] != fp:
                errors.append('%s: first seen at %s, expected %s' % (tag, order[0], fp))
            if g['sight'][fp]['ttl'] != fttl:
                errors.append('%s: TTL %d at %s, expected %d for %s' % (tag, g['sight'][fp]['ttl'], fp, fttl, v['device']))
            for x, y in zip(order, order[1:]):
                if g['sight'][x]['ttl'] - g['sight'][y]['ttl'] != 1:
                    errors.append('%s: TTL %d at %s then %d at %s (one router between)' % (tag, g['sight'][x]['ttl'], x, g['sight'][y]['ttl'], y))
        causes[v['cause']] = causes.get(v['cause'], 0) + 1
        rsts.append(dict(
            flow=dict(client=g['client'], server=g['server'], proto='tcp'),
            rst=dict(src=g['src'], dst=g['dst'], seq=g['seq'], ack=g['ack'], flags=g['flags'], ipId=g['ipId']),
            sightings=[dict(point=pt, ttl=g['sight'][pt]['ttl']) for pt in PATH if pt in g['sight']],
            expected=dict(emitter=emitter, location=location, forged=is_forged, phase=v['phase'], cause=v['cause'])))
        if emitter in ('client', 'server') and not is_forged:
            k = kernel_match(kernel, g)
            if k: rsts[-1]['kernel'] = dict(event='tcp_send_reset', reason=k['reason'], state=k['state'])
    for pt in PATH:
        if not counts[pt]:
            errors.append('capture at %s is empty (was the point capturing?)' % pt)
    for cause, n in sc['require'].items():
        if causes.get(cause, 0) < n:
            errors.append('expected at least %d RST(s) with cause %s, found %d' % (n, cause, causes.get(cause, 0)))
    if a.scenario == 'clean_close' and rsts:
        errors.append('negative control has RSTs')
    for f in forged:   # every packet the injector/agents sent must be in the captures
        if not any((r['rst']['src'], r['rst']['dst'], r['rst']['seq'], r['rst']['flags'], r['rst']['ipId']) ==
                   (f['src'], f['dst'], f['seq'], f['flags'], f['ipId']) for r in rsts):
            errors.append('forged packet not found in any capture: %s' % f)

    extra = {}
    if a.scenario == 'idle_timeout':
        ev = [e for e in events if e.get('event') == 'idle_reset']
        extra['idleSecondsConfigured'] = ev[0]['silent'] if ev else None
        # silence measured at P3 (the server's own point): last packet before the server's RST
        rst = [r for r in rsts if r['expected']['cause'] == 'idle_timeout']
        if rst:
            k = rst[0]['rst']
            at3 = sorted([p for p in pkts if p['point'] == 'P3' and frozenset((p['src'], p['dst'])) == frozenset((k['src'], k['dst']))], key=lambda p: p['ts'])
            ri = next(i for i, p in enumerate(at3) if p['fl'] & 0x04)
            extra['silenceBeforeRstSecondsAtP3'] = round(at3[ri]['ts'] - at3[ri - 1]['ts'], 3)
    desc = sc['description']
    if '%(idle)s' in desc:
        desc = desc % {'idle': extra.get('silenceBeforeRstSecondsAtP3')}
    truth = dict(scenario=a.scenario, description=desc, path=PATH, points=POINTS,
                 clockOffsetsMicros={pt: int(round(s * 1e6)) for pt, s in shifts.items()}, rsts=rsts)
    with open(os.path.join(a.dir, 'truth.json'), 'w') as fo:
        json.dump(truth, fo, indent=2); fo.write('\n')
    run = dict(scenario=a.scenario, packetsPerPoint=counts, identicalRstRepeats=dups, forgedLog=forged, events=events, **extra)
    with open(os.path.join(a.dir, 'run.json'), 'w') as fo:
        json.dump(run, fo, indent=2); fo.write('\n')
    per = ' '.join('%s=%d' % (pt, sum(1 for r in rsts if any(s['point'] == pt for s in r['sightings']))) for pt in PATH)
    cs = ','.join('%s:%d' % kv for kv in sorted(causes.items())) or '-'
    if errors:
        print('%-20s FAIL  RSTs %d (%s) causes %s' % (a.scenario, len(rsts), per, cs))
        for e in errors: print('    cross-check: ' + e, file=sys.stderr)
        sys.exit(1)
    print('%-20s ok    RSTs %d (%s) causes %s  cross-check passed' % (a.scenario, len(rsts), per, cs))

if __name__ == '__main__':
    main()
