#!/usr/bin/python3
"""rstscope random lab: configurations drawn from a seed, run through real kernels and tools.

  random-lab.py --seed S --count N --out DIR [--max-seconds T]

Each configuration: one drawn network (2-4 capture points with drawn names, 1-4 routers between
consecutive points, 0-3 between the outer points and the endpoints, drawn TTLs / hop limits per
host and router, IPv4 or IPv6, maybe a slow link, an injector tap and an agent on drawn routers)
and 4-6 drawn events (rlab_events.KINDS) running at once, captured at every point with tcpdump
while the kernel's tcp_send_reset / tcp_receive_reset tracepoints are recorded. The truth of
every RST is what the lab observed (rlab_truth). A configuration that fails the lab's own
verification is reported on one line and replaced by the next draw. Same seed, same draws.
Output: DIR/<id>/{<point>.pcap, truth.json, run.json, kernel.jsonl} and DIR/INDEX.json.
"""
import argparse, fcntl, json, os, random, shutil, signal, subprocess, sys, tempfile, threading, time

LAB = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, LAB)
import ktrace
import rlab_events as E
import rlab_net as N
import rlab_truth as T

LOCK = '/run/rsl-lab.lock'
POINT_NAMES = ['paris-edge', 'core-1', 'lyon-dc', 'fw-out', 'dmz', 'wan-a', 'isp-2', 'tap-7', 'berlin', 'campus-core',
               'pop-3', 'north', 'lb-front', 'spine-2', 'agg-9', 'P1', 'P2', 'P3', 'edge', 'branch_12']
TTLS = [64, 64, 64, 128, 255, 60, 100, 200]
MAX_ROUTERS = 10

# ------------------------------------------------------------------ drawing (pure: seed -> configuration)
def draw(seed, index, only=None):
    rng = random.Random('%s:%d' % (seed, index))
    family = 6 if rng.random() < 0.3 else 4
    k = rng.randint(2, 4)
    before, gaps, after = rng.randint(0, 3), [rng.randint(1, 4) for _ in range(k - 1)], rng.randint(0, 3)
    while before + sum(gaps) + after > MAX_ROUTERS:
        i = rng.randrange(k - 1)
        if gaps[i] > 1: gaps[i] -= 1
        elif before: before -= 1
        elif after: after -= 1
    links = [before]
    for g in gaps: links.append(links[-1] + g)
    n = links[-1] + after
    names = rng.sample(POINT_NAMES, k)
    points = []
    for name, j in zip(names, links):
        side = 'w' if j == 0 else 'e' if j == n else rng.choice('ew')
        points.append(dict(name=name, link=j, side=side))
    cfg = dict(seed=seed, index=index, id='%s-%03d' % (seed, index), family=family, routers=n, net=rng.randint(64, 127),
               points=points, ttl=dict(client=rng.choice(TTLS), server=rng.choice(TTLS),
                                      routers=[rng.choice(TTLS) for _ in range(n)]))
    kinds = [kd for kd in E.KINDS.values() if family in kd.families]
    chosen = rng.sample(kinds, rng.randint(4, 6))
    if only:   # a debugging aid: these kinds only (the rest of the draw is unchanged)
        chosen = [E.KINDS[x] for x in only if family in E.KINDS[x].families] or [E.KINDS['clean_close']]
    nports = sum(kd.ports for kd in chosen)
    ports = rng.sample(range(1100, 9900), nports)
    sports = rng.sample(range(10000, 30000), sum(kd.sports for kd in chosen))
    events = []
    for i, kd in enumerate(chosen):
        ev = dict(id='e%d-%s' % (i + 1, kd.name), kind=kd.name, ports=[ports.pop() for _ in range(kd.ports)],
                  sports=[sports.pop() for _ in range(kd.sports)])
        if kd.name in ('tls_block', 'content_block') and rng.random() < 0.5:
            ev['ports'][0] = 443 if kd.name == 'tls_block' else 80
        ev.update(kd.draw(rng, cfg))
        events.append(ev)
    cfg['events'] = events
    needs = {nd for kd in chosen for nd in kd.needs}
    if 'injector' in needs:
        cfg['injector'] = dict(router=rng.randint(1, n))
    if 'agent' in needs:
        cfg['agent'] = dict(router=rng.randint(1, n), ttl=rng.choice([64, 128, 255, 200]))
    cfg['backlogSysctls'] = 'sysctl_backlog' in needs
    if rng.random() < 0.3:
        cfg['slowLinks'] = [dict(link=rng.randint(1, n), rate=rng.choice(['1mbit', '4mbit', '10mbit']))]
    if rng.random() < 0.3:
        cfg['clockShiftSeconds'] = {rng.choice(names): rng.choice([-1, 1]) * rng.choice([0.05, 0.3, 1.5])}
    if rng.random() < 0.3:
        cfg['sensorLoss'] = dict(point=rng.choice(names), fraction=rng.choice([0.02, 0.05, 0.1]))
    return cfg

def describe(cfg):
    ttl = cfg['ttl']
    chain = ['client(%d)' % ttl['client']]
    at = {p['link']: p['name'] for p in cfg['points']}
    for j in range(cfg['routers'] + 1):
        if j in at: chain.append('[%s]' % at[j])
        if j < cfg['routers']:
            tags = []
            if cfg.get('injector', {}).get('router') == j + 1: tags.append('injector tap')
            if cfg.get('agent', {}).get('router') == j + 1: tags.append('agent')
            chain.append('R%d(%d%s)' % (j + 1, ttl['routers'][j], ', ' + ', '.join(tags) if tags else ''))
    chain.append('server(%d)' % ttl['server'])
    return 'IPv%d path %s; events: %s' % (cfg['family'], ' - '.join(chain), ', '.join(e['id'] for e in cfg['events']))

# ------------------------------------------------------------------ one configuration
def run_config(cfg, outroot):
    """-> (ok, summary line, details). Builds the network, runs the events, decides the truth."""
    work = tempfile.mkdtemp(prefix='rsr-%s.' % cfg['id'])
    out = os.path.join(outroot, cfg['id'])
    shutil.rmtree(out, ignore_errors=True); os.makedirs(out)
    net = N.Net(cfg)
    kt = None
    t0 = time.time()
    try:
        net.build()
        phases = dict(build=round(time.time() - t0, 1))
        ctx = E.Ctx(net, work)
        if cfg['backlogSysctls']:
            N.nsx(net.ns(net.n + 1), 'sysctl', '-qw', 'net.ipv4.tcp_abort_on_overflow=1', 'net.ipv4.tcp_syncookies=0')
        if any(e['kind'] == 'tls_block' for e in cfg['events']):
            ctx.cert = (os.path.join(work, 'cert.pem'), os.path.join(work, 'key.pem'))
            N.sh(['openssl', 'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2',
                  '-subj', '/CN=blocked.example', '-keyout', ctx.cert[1], '-out', ctx.cert[0]])
        forged_log = os.path.join(work, 'forged.jsonl'); open(forged_log, 'w').close()
        kt = ktrace.KernelTrace().start()
        net.start_captures(out, work)
        readies = []
        if cfg.get('injector'):
            spec = {str(ev['ports'][0]): E.KINDS[ev['kind']].inject_spec(ev) for ev in cfg['events']
                    if 'injector' in E.KINDS[ev['kind']].needs}
            json.dump(spec, open(os.path.join(work, 'inject.json'), 'w'))
            readies.append(os.path.join(work, 'injector.ready'))
            net.bg(N.INJ_NS, [N.PY, E.LABTOOL, 'inject', '--iface', 'tap', '--gw-mac', '02:77:fa:00:00:01', '--spec',
                              os.path.join(work, 'inject.json'), '--log', forged_log, '--ready', readies[-1], '--lifetime', '60'],
                   os.path.join(work, 'injector.log'))
        if cfg.get('agent'):
            k = cfg['agent']['router']
            ports = [str(ev['ports'][0]) for ev in cfg['events'] if 'agent' in E.KINDS[ev['kind']].needs]
            readies.append(os.path.join(work, 'agent.ready'))
            net.bg(net.router_ns(k), [N.PY, E.LABTOOL, 'r1close', '--iface', 'w%d' % k, '--ports'] + ports +
                   ['--ttl', str(cfg['agent']['ttl']), '--device', 'agent', '--log', forged_log, '--ready', readies[-1],
                    '--lifetime', '60'], os.path.join(work, 'agent.log'))
        for r in readies: E.wait_file(r, 30)
        if readies: time.sleep(0.3)
        phases['tools'] = round(time.time() - t0 - phases['build'], 1)
        for ev in cfg['events']:
            E.KINDS[ev['kind']].setup(ctx, ev)
        errs = []
        def runner(ev):
            try: E.KINDS[ev['kind']].run(ctx, ev)
            except Exception as e: errs.append('%s: %s' % (ev['id'], e))
        ths = [threading.Thread(target=runner, args=(ev,), daemon=True) for ev in cfg['events']]
        for th in ths: th.start(); time.sleep(0.05)
        for th in ths: th.join(60)
        if errs: raise N.LabError('; '.join(errs))
        time.sleep(0.5)
        net.stop_captures()
        kernel = kt.stop(); kt = None
        net.stop_procs()
        phases['traffic'] = round(time.time() - t0 - phases['build'] - phases['tools'], 1)
    except N.LabError as e:
        return False, str(e), dict(work=work)
    finally:
        if kt: kt.stop()
        net.stop_procs()
        N.teardown()
    hosts = [net.client4, net.client6, net.server4, net.server6]
    kernel = ktrace.keep_only(kernel, hosts)
    forged = [json.loads(l) for l in open(forged_log) if l.strip()]
    pcaps = {p['name']: os.path.join(out, p['name'] + '.pcap') for p in cfg['points']}
    with open(os.path.join(out, 'kernel.jsonl'), 'w') as f:
        for k in kernel: f.write(ktrace.to_jsonl(k) + '\n')
    rsts, errors, facts = T.decide(cfg, net.client, net.server, pcaps, kernel, forged)
    if errors:
        for e in errors[:8]: print('    ' + e, file=sys.stderr)
        return False, errors[0] + (' (+%d more)' % (len(errors) - 1) if len(errors) > 1 else ''), dict(work=work)
    post = postprocess(cfg, out)
    seconds = round(time.time() - t0, 1)
    topo = T.Topology(cfg, net.client, net.server)
    truth = dict(configuration=cfg['id'], description=describe(cfg), path=topo.path,
                 points={p['name']: 'link %d of the path (%d routers from the client), captured on %s'
                         % (p['link'], p['link'], '%s %s' % net.point_device(p)) for p in cfg['points']},
                 clockOffsetsMicros={pt: int(round(s * 1e6)) for pt, s in cfg.get('clockShiftSeconds', {}).items()},
                 rsts=rsts)
    json.dump(truth, open(os.path.join(out, 'truth.json'), 'w'), indent=2)
    events_log = [json.loads(l) for l in open(os.path.join(work, 'events.jsonl')) if l.strip().startswith('{')]
    run = dict(configuration={k: v for k, v in cfg.items()}, client=net.client, server=net.server, seconds=seconds,
               forgedLog=forged, programOutput=events_log, sensorLossDropped=post.get('dropped'), **facts)
    for ev in run['configuration']['events']: ev.pop('_timing', None)
    json.dump(run, open(os.path.join(out, 'run.json'), 'w'), indent=2, default=str)
    shutil.rmtree(work, ignore_errors=True)
    causes = {}
    for r in rsts: causes[r['expected']['cause']] = causes.get(r['expected']['cause'], 0) + 1
    return True, 'RSTs %d, %.0f s (%s), causes %s' % (len(rsts), seconds, ' '.join('%s %s' % kv for kv in phases.items()), ','.join('%s:%d' % kv for kv in sorted(causes.items()))), \
        dict(rsts=len(rsts), seconds=seconds, causes=causes)

def postprocess(cfg, out):
    """what the sensors did wrong, applied after the truth was taken: a clock shift, lost packets
    (never a RST: every RST's sightings stay as the truth says)"""
    res = {}
    for pt, s in cfg.get('clockShiftSeconds', {}).items():
        f = os.path.join(out, pt + '.pcap')
        N.sh(['editcap', '-t', str(s), f, f + '.tmp']); os.replace(f + '.tmp', f)
    loss = cfg.get('sensorLoss')
    if loss:
        from scapy.all import PcapReader, TCP
        f = os.path.join(out, loss['point'] + '.pcap')
        with PcapReader(f) as rd:
            frames = [i + 1 for i, p in enumerate(rd) if not (TCP in p and int(p[TCP].flags) & 0x04)]
        rng = random.Random('%s:%d:loss' % (cfg['seed'], cfg['index']))
        drop = sorted(rng.sample(frames, int(len(frames) * loss['fraction'])))
        if drop:
            N.sh(['editcap', f, f + '.tmp'] + [str(x) for x in drop]); os.replace(f + '.tmp', f)
        res['dropped'] = dict(point=loss['point'], frames=drop)
    return res

# ------------------------------------------------------------------ main
def main():
    ap = argparse.ArgumentParser(prog='rstscope lab random')
    ap.add_argument('--seed', required=True); ap.add_argument('--count', type=int, required=True)
    ap.add_argument('--out', required=True); ap.add_argument('--max-seconds', type=float)
    ap.add_argument('--kinds', nargs='+', choices=sorted(E.KINDS), help='draw only these event kinds (debugging)')
    ap.add_argument('--keep-rejected', action='store_true', help="keep a rejected configuration's captures")
    a = ap.parse_args()
    if os.geteuid() != 0:
        sys.exit('rstscope lab random: must run as root (network namespaces, tracefs)')
    for t in ('ip', 'tc', 'tcpdump', 'iptables', 'ip6tables', 'ethtool', 'ping', 'nmap', 'hping3', 'openssl', 'editcap', 'conntrack'):
        if not shutil.which(t):
            sys.exit("rstscope lab random: missing tool '%s' (install the packages in %s/REQUIREMENTS)" % (t, LAB))
    try:
        ktrace.ensure_tracefs()
    except ktrace.TraceUnavailable as e:
        sys.exit('rstscope lab random: %s' % e)
    os.makedirs(a.out, exist_ok=True)
    lock = open(LOCK, 'w')
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        print('lab: waiting for %s (another lab run holds it)' % LOCK, flush=True)
        fcntl.flock(lock, fcntl.LOCK_EX)
    def stop(sig, _):
        raise KeyboardInterrupt
    signal.signal(signal.SIGTERM, stop)
    print('lab random: seed %s, %d configuration(s) into %s%s' % (a.seed, a.count, a.out,
          ', at most %.0f s' % a.max_seconds if a.max_seconds else ''), flush=True)
    start = time.time()
    accepted, rejected, index = [], [], 0
    try:
        while len(accepted) < a.count:
            if a.max_seconds and time.time() - start > a.max_seconds:
                print('lab random: time is spent (%.0f s), stopping' % (time.time() - start)); break
            index += 1
            cfg = draw(a.seed, index, a.kinds)
            try:
                ok, line, det = run_config(cfg, a.out)
            except (OSError, ValueError, KeyError, subprocess.SubprocessError) as e:   # the lab's own failure: replace it
                ok, line, det = False, '%s: %s' % (type(e).__name__, e), {}
            if ok:
                accepted.append(dict(id=cfg['id'], **det))
                print('%-10s ok        %s' % (cfg['id'], line), flush=True)
            else:
                if not a.keep_rejected: shutil.rmtree(os.path.join(a.out, cfg['id']), ignore_errors=True)
                rejected.append(dict(id=cfg['id'], reason=line, logs=det.get('work')))
                print('%-10s rejected  %s (logs %s)' % (cfg['id'], line, det.get('work')), flush=True)
            if index >= 3 * a.count + 10 and len(accepted) < index // 3:
                print('lab random: too many rejected configurations, stopping'); break
    except KeyboardInterrupt:
        print('lab random: interrupted', file=sys.stderr)
        N.teardown()
        raise SystemExit(130)
    finally:
        N.teardown()
        os.makedirs(a.out, exist_ok=True)
        idx = dict(seed=a.seed, requested=a.count, seconds=round(time.time() - start, 1), accepted=accepted, rejected=rejected)
        json.dump(idx, open(os.path.join(a.out, 'INDEX.json'), 'w'), indent=2)
    n = sum(x['rsts'] for x in accepted)
    print('lab random: %d accepted (%d RSTs), %d rejected, %.0f s' % (len(accepted), n, len(rejected), time.time() - start))
    sys.exit(0 if len(accepted) == a.count or a.max_seconds else 1)

if __name__ == '__main__':
    main()
