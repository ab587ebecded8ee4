"""Random lab: the truth of every RST in a configuration's captures, from what the lab observed.

Who sent a RST, in this order:
  1. the injector's or the agent's own log (exact src, dst, seq, ack, flags, IP ID) -> forged;
  2. a tcp_send_reset the kernel logged for that 4-tuple (a listener's wildcard source, or a
     listener's reset without a named peer, matched by port) within [-0.05 s, +1 s] of its first sighting -> the endpoint; the cause follows
     from the event's kernel rules (kind, role, reason), else from the collateral rules;
  3. a firewall device of the configuration (router, direction) -> forged, that device.
Then every verdict is cross-checked against the captures: the points that saw it are exactly
the points downstream of the emitter in its direction (or a prefix of them, cut at a router that
drops that flow's packets), the nearest of them saw it first, and its TTL at every point is the
emitter's initial TTL minus the routers it crossed (an injector's packets also cross the router
they are injected into).
"""
import ipaddress
from truth import read_point, group_rsts, kernel_claims, UNNAMED_PEERS
import rlab_events as E

def host(ep):
    return ep[1:ep.index(']')] if ep.startswith('[') else ep.rsplit(':', 1)[0]

def port(ep):
    return int(ep.rsplit(':', 1)[1])

def same_host(a, b):
    try: return ipaddress.ip_address(a) == ipaddress.ip_address(b)
    except ValueError: return False

def is_wildcard(ep):
    return host(ep) in ('0.0.0.0', '::')

class Topology:
    def __init__(self, cfg, client, server):
        self.cfg, self.n, self.client, self.server = cfg, cfg['routers'], client, server
        self.points = [dict(p, pos=p['link'] + 0.5) for p in cfg['points']]
        self.path = [p['name'] for p in self.points]

    def downstream(self, epos, toward):
        ps = [p for p in self.points if (p['pos'] > epos if toward == 'server' else p['pos'] < epos)]
        return sorted(ps, key=lambda p: abs(p['pos'] - epos))

    def routers_between(self, epos, p, toward):
        j = p['link']
        return j - epos if toward == 'server' else epos - 1 - j

    def location(self, epos):
        if epos == 0: return 'client'
        if epos == self.n + 1: return 'server'
        before = [p['name'] for p in self.points if p['pos'] < epos]
        after = [p['name'] for p in self.points if p['pos'] > epos]
        return 'segment:%s-%s' % (before[-1] if before else 'client', after[0] if after else 'server')

    def role_of(self, ep):
        return 'client' if same_host(host(ep), self.client) else 'server' if same_host(host(ep), self.server) else None

def flow_phase(pkts, g):
    """phase of a collateral RST from its flow's packets before it"""
    k = frozenset((g['src'], g['dst']))
    before = [p for p in pkts if frozenset((p['src'], p['dst'])) == k and p['tsc'] < g['first_tsc']]
    if any(p['fl'] & 0x01 for p in before): return 'teardown'
    if any(p['plen'] for p in before): return 'data'
    return 'handshake'

def answers_syn(pkts, g):
    """the RST refuses a SYN: RST+ACK, seq 0, ack = that SYN's seq + 1"""
    if g['flags'] != 'RA' or g['seq'] != 0: return False
    return any(p['src'] == g['dst'] and p['dst'] == g['src'] and p['fl'] & 0x12 == 0x02 and (p['seq'] + 1) % 2**32 == g['ack']
               for p in pkts)

UNTRACED = [('any', 'R', 'no_socket', None)]

def endpoint_verdict(cfg, topo, role, **kw):
    return dict(emitter=role, epos=0 if role == 'client' else topo.n + 1, extra_hop=False, ttl=cfg['ttl'][role],
                forged=False, by=role, **kw)

def explanations(cfg, topo, ev, g, pkts, src_role, toward, forged, sends):
    """every way this RST could have come about, most certain first"""
    kd = E.KINDS[ev['kind']]
    # 1. the injector's / agent's own log
    for f in forged:
        if not f.get('_used') and (f['src'], f['dst'], f['seq'], f['ack'], f['flags'], f['ipId']) == \
                (g['src'], g['dst'], g['seq'], g['ack'], g['flags'], g['ipId']):
            dev = cfg['injector'] if f['device'] == 'injector' else cfg['agent']
            yield dict(emitter='middlebox', epos=dev['router'], extra_hop=f['device'] == 'injector', ttl=f['ttl'],
                       forged=True, cause=f['cause'], phase=f['phase'], by=f['device'], claim=f)
            break
    # 2. the endpoint's kernel said it sent it
    best = None
    for k in sends:
        if k.get('_used') or not kernel_claims(k, g): continue
        dt = g['first_tsc'] - k['t']
        if -0.05 <= dt <= 1.0 and (best is None or abs(dt) < abs(g['first_tsc'] - best['t'])):
            best = k
    if best is not None:
        syn = answers_syn(pkts, g)
        rule = next((r for r in kd.rules(ev) if r.matches(src_role, best, syn)), None) or \
            next((r for r in E.COLLATERAL if r.matches(src_role, best, syn)), None)
        if rule is None:
            yield dict(error='%s -> %s: kernel says %s (%s) from the %s, which event %s does not explain'
                       % (g['src'], g['dst'], best['reason'], best['state'], src_role, ev['kind']))
        else:
            yield endpoint_verdict(cfg, topo, src_role, cause=rule.cause, phase=rule.phase or flow_phase(pkts, g),
                                   claim=best, kernel=dict(event='tcp_send_reset', reason=best['reason'], state=best['state']))
    # 3. an endpoint RST its kernel sends without a trace event: the event's own, or a bare R answering
    #    a segment for a connection the host no longer has (the captures must fit the endpoint exactly)
    for role, flags, cause, phase in list(kd.untraced(ev)) + UNTRACED:
        if role in ('any', src_role) and flags == g['flags']:
            yield endpoint_verdict(cfg, topo, src_role, cause=cause, phase=phase or flow_phase(pkts, g), untraced=True,
                                   kernel=dict(event='none', reason=None, state=None))
            break
    # 4. a firewall of the configuration
    for d in kd.devices(ev):
        if d['toward'] == toward:
            yield dict(emitter='middlebox', epos=d['router'], extra_hop=False, ttl=cfg['ttl']['routers'][d['router'] - 1],
                       forged=True, cause=d['cause'], phase=d['phase'], by='router %d firewall' % d['router'])

def cross_check(topo, ev, g, verdict, toward, tag):
    """the points that saw it, the first of them, its TTL at each: do they fit this emitter?"""
    errors = []
    want = topo.downstream(verdict['epos'], toward)
    seen = [p for p in topo.points if p['name'] in g['sight']]
    ok_sets = [[p['name'] for p in want]]
    for b in E.blockers(ev):
        if b['toward'] == toward:
            ok_sets.append([p['name'] for p in want if (p['pos'] < b['router'] if toward == 'server' else p['pos'] > b['router'])])
    seen_names = [p['name'] for p in seen]
    if not any(set(seen_names) == set(x) for x in ok_sets):
        return ['%s: seen at %s, but a RST from %s toward the %s must be seen at %s'
                % (tag, seen_names, verdict['by'], toward, ok_sets[0])]
    if g['sight'][min(seen, key=lambda p: g['sight'][p['name']]['tsc'])['name']]['tsc'] < g['sight'][want[0]['name']]['tsc']:
        errors.append('%s: first seen at a point farther from %s than %s' % (tag, verdict['by'], want[0]['name']))
    for p in seen:
        hops = topo.routers_between(verdict['epos'], p, toward) + (1 if verdict['extra_hop'] else 0)
        if g['sight'][p['name']]['ttl'] != verdict['ttl'] - hops:
            errors.append('%s: TTL %d at %s, expected %d (%s, initial %d, %d routers)'
                          % (tag, g['sight'][p['name']]['ttl'], p['name'], verdict['ttl'] - hops,
                             verdict['by'], verdict['ttl'], hops))
    return errors

def decide(cfg, client, server, pcaps, kernel, forged):
    """-> (rsts for truth.json, errors, facts for run.json). pcaps: point name -> file; kernel: events (t, event,
    src, dst, state, reason) of this configuration's hosts; forged: the injector's/agent's log."""
    topo = Topology(cfg, client, server)
    pkts, counts = [], {}
    for name in topo.path:
        pp = read_point(pcaps[name], name, 0.0)
        counts[name] = len(pp); pkts += pp
    by_port = {}
    for ev in cfg['events']:
        for pt in ev['ports']: by_port[pt] = ev
    errors, rsts = [], []
    untraced = 0
    sends = [dict(k) for k in kernel if k['event'] == 'tcp_send_reset']
    produced = {}
    for g in group_rsts(pkts):
        tag = '%s -> %s seq %d ack %d %s id %s' % (g['src'], g['dst'], g['seq'], g['ack'], g['flags'], g['ipId'])
        src_role, dst_role = topo.role_of(g['src']), topo.role_of(g['dst'])
        if not src_role or not dst_role:
            errors.append('RST between unknown hosts: ' + tag); continue
        cl, sv = (g['src'], g['dst']) if src_role == 'client' else (g['dst'], g['src'])
        ev = by_port.get(port(sv))
        if ev is None:
            errors.append('RST of no event (server port %d): %s' % (port(sv), tag)); continue
        toward = dst_role
        candidates = list(explanations(cfg, topo, ev, g, pkts, src_role, toward, forged, sends))
        if not candidates:
            errors.append('no rule explains RST ' + tag); continue
        # the first explanation whose sightings and TTLs fit the captures wins
        chosen, first_errors = None, None
        for cand in candidates:
            if cand.get('error'):
                first_errors = first_errors or [cand['error']]; continue
            errs = cross_check(topo, ev, g, cand, toward, tag)
            if not errs:
                chosen = cand; break
            first_errors = first_errors or errs
        if chosen is None:
            errors.extend(first_errors); continue
        if chosen.get('claim'): chosen['claim']['_used'] = True
        verdict, kinfo = chosen, chosen.get('kernel')
        seen = [p for p in topo.points if p['name'] in g['sight']]
        produced.setdefault(ev['id'], {}).setdefault(verdict['cause'], 0)
        produced[ev['id']][verdict['cause']] += 1
        entry = dict(
            flow=dict(client=cl, server=sv, proto='tcp'),
            rst=dict(src=g['src'], dst=g['dst'], seq=g['seq'], ack=g['ack'], flags=g['flags'], ipId=g['ipId']),
            sightings=[dict(point=p['name'], ttl=g['sight'][p['name']]['ttl']) for p in seen],
            expected=dict(emitter=verdict['emitter'], location=topo.location(verdict['epos']), forged=verdict['forged'],
                          phase=verdict['phase'], cause=verdict['cause']))
        if kinfo: entry['kernel'] = kinfo
        if verdict.get('untraced'): untraced += 1
        entry['event'] = ev['id']
        rsts.append(entry)
    # kernel RSTs that a point downstream should have seen
    for k in sends:
        if k.get('_used') or is_wildcard(k['src']) or k['dst'] in UNNAMED_PEERS: continue
        role = topo.role_of(k['src'])
        ev = by_port.get(port(k['src']) if role == 'server' else port(k['dst']))
        if role is None or ev is None: continue
        toward = 'server' if role == 'client' else 'client'
        want = topo.downstream(0 if role == 'client' else topo.n + 1, toward)
        if want and not any(b['toward'] == toward for b in E.blockers(ev)):
            errors.append('kernel RST %s -> %s (%s) seen at no point' % (k['src'], k['dst'], k['reason']))
    for f in forged:
        if f.get('_used'): continue
        dev = cfg['injector'] if f['device'] == 'injector' else cfg['agent']
        tw = topo.role_of(f['dst'])
        if topo.downstream(dev['router'], tw):
            errors.append('forged packet seen at no point: %s -> %s seq %d' % (f['src'], f['dst'], f['seq']))
    for name in topo.path:
        if not counts[name]:
            errors.append('capture at %s is empty' % name)
    for ev in cfg['events']:
        got = produced.get(ev['id'], {})
        kd = E.KINDS[ev['kind']]
        # a device's RSTs are only expected where points lie on both sides of it
        routers = [d['router'] for d in kd.devices(ev)] + [cfg[nd]['router'] for nd in ('injector', 'agent') if nd in kd.needs]
        if not all(topo.downstream(r, 'client') and topo.downstream(r, 'server') for r in routers):
            continue
        for cause, n in kd.expect(ev).items():
            if got.get(cause, 0) < n:
                errors.append('event %s expected %d RST(s) with cause %s, found %d' % (ev['id'], n, cause, got.get(cause, 0)))
        if ev['kind'] == 'clean_close' and got:
            errors.append('negative control %s has RSTs' % ev['id'])
    return rsts, errors, dict(packetsPerPoint=counts, kernelResetsUnmatched=sum(1 for k in sends if not k.get('_used')),
                              endpointResetsUntraced=untraced)
