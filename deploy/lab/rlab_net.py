"""Random lab: one drawn network, built in network namespaces (prefix rsr-), and its captures.

A configuration's path is a chain of nodes: node 0 is the client, nodes 1..n are routers,
node n+1 the server. Link i joins node i (its device e<i>) and node i+1 (its device w<i+1>).
A capture point sits on link j, captured on a router's port of that link; so its position on
the path is j + 0.5 and a router k lies between the points on links < k and those on links >= k.
"""
import ipaddress, os, re, subprocess, time

PREFIX = 'rsr-'
PY = '/usr/bin/python3'

def ns_name(node, n):
    return PREFIX + ('c' if node == 0 else 's' if node == n + 1 else 'r%d' % node)

INJ_NS = PREFIX + 'inj'

class LabError(Exception):
    """The lab itself failed (a tool, the network, a capture): the configuration is replaced."""

def sh(args, check=True, **kw):
    r = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)
    if check and r.returncode != 0:
        raise LabError('%s: %s' % (' '.join(args[:6]), (r.stderr or r.stdout).strip().splitlines()[-1:] or 'failed'))
    return r

def nsx(ns, *args, check=True, **kw):
    return sh(['ip', 'netns', 'exec', ns] + list(args), check=check, **kw)

def existing_namespaces():
    r = sh(['ip', 'netns', 'list'], check=False)
    return [l.split()[0] for l in r.stdout.splitlines() if l.startswith(PREFIX)]

def teardown():
    """Stop every process inside our namespaces (they are ours) and delete the namespaces."""
    for sig in ('-TERM', '-KILL'):
        for ns in existing_namespaces():
            pids = sh(['ip', 'netns', 'pids', ns], check=False).stdout.split()
            if pids:
                sh(['kill', sig] + pids, check=False)
        if sig == '-TERM' and existing_namespaces():
            time.sleep(0.2)
    for ns in existing_namespaces():
        sh(['ip', 'netns', 'del', ns], check=False)

class Net:
    def __init__(self, cfg):
        self.cfg = cfg
        self.n = cfg['routers']
        b = cfg['net']
        self.b = b
        self.client4, self.server4 = '10.%d.0.1' % b, '10.%d.%d.2' % (b, self.n)
        self.client6 = str(ipaddress.ip_address('fd77:%d:0::1' % b))
        self.server6 = str(ipaddress.ip_address('fd77:%d:%d::2' % (b, self.n)))
        self.v6 = cfg['family'] == 6
        self.client = self.client6 if self.v6 else self.client4
        self.server = self.server6 if self.v6 else self.server4
        self.procs = []

    def ns(self, node):
        return ns_name(node, self.n)

    def router_ns(self, k):
        return ns_name(k, self.n)

    def addr(self, link, side, v6):
        a = ('fd77:%d:%d::%d' if v6 else '10.%d.%d.%d') % (self.b, link, 1 if side == 'e' else 2)
        return str(ipaddress.ip_address(a))

    def point_device(self, p):
        """(namespace, device) a point captures on"""
        j = p['link']
        if p['side'] == 'e':    # node j's east port (node j is a router)
            return self.ns(j), 'e%d' % j
        return self.ns(j + 1), 'w%d' % (j + 1)

    def build(self):
        teardown()
        n, cfg = self.n, self.cfg
        nodes = list(range(n + 2))
        names = [self.ns(node) for node in nodes] + ([INJ_NS] if cfg.get('injector') else [])
        sh(['ip', '-batch', '-'], input=''.join('netns add %s\n' % ns for ns in names))
        for node in nodes:
            ns = self.ns(node)
            router = 0 < node <= n
            ttl = cfg['ttl']['routers'][node - 1] if router else cfg['ttl']['client' if node == 0 else 'server']
            self._sysctls(ns, router, ttl)
        if cfg.get('injector'):
            self._sysctls(INJ_NS, False, 64)
        batch = {self.ns(node): ['link set lo up'] for node in nodes}
        for i in range(n + 1):
            left, right = self.ns(i), self.ns(i + 1)
            batch[left].append('link add e%d address 02:77:%02x:00:00:01 type veth peer name w%d address 02:77:%02x:00:00:02 netns %s'
                               % (i, i, i + 1, i, right))
        for ns, cmds in batch.items():
            sh(['ip', '-n', ns, '-batch', '-'], input='\n'.join(cmds) + '\n')
        batch = {self.ns(node): [] for node in nodes}
        for i in range(n + 1):
            for node, dev, side in ((i, 'e%d' % i, 'e'), (i + 1, 'w%d' % (i + 1), 'w')):
                ns = self.ns(node)
                batch[ns] += ['addr add %s/24 dev %s' % (self.addr(i, side, False), dev),
                              'addr add %s/64 dev %s nodad' % (self.addr(i, side, True), dev),
                              'link set %s up' % dev]
        batch[self.ns(0)] += ['route add default via %s' % self.addr(0, 'w', False),
                              'route add default via %s' % self.addr(0, 'w', True)]
        batch[self.ns(n + 1)] += ['route add default via %s' % self.addr(n, 'e', False),
                                  'route add default via %s' % self.addr(n, 'e', True)]
        for k in range(1, n + 1):
            ns = self.ns(k)
            if k > 1:
                batch[ns] += ['route add 10.%d.0.0/24 via %s' % (self.b, self.addr(k - 1, 'e', False)),
                              'route add fd77:%d:0::/64 via %s' % (self.b, self.addr(k - 1, 'e', True))]
            if k < n:
                batch[ns] += ['route add 10.%d.%d.0/24 via %s' % (self.b, n, self.addr(k, 'w', False)),
                              'route add fd77:%d:%d::/64 via %s' % (self.b, n, self.addr(k, 'w', True))]
        for ns, cmds in batch.items():
            sh(['ip', '-n', ns, '-batch', '-'], input='\n'.join(cmds) + '\n')
        for node in nodes:   # per-device knobs: offloads off (wire-size segments), rp_filter, hop limit
            ns = self.ns(node)
            devs = (['e%d' % node] if node <= n else []) + (['w%d' % node] if node > 0 else [])
            ttl = cfg['ttl']['routers'][node - 1] if 0 < node <= n else cfg['ttl']['client' if node == 0 else 'server']
            # one shell per namespace: under load, every `ip netns exec` costs tens of milliseconds
            script = ''.join('ethtool -K %s tx off tso off gso off gro off >/dev/null 2>&1; ' % d for d in devs)
            script += 'sysctl -qw %s' % ' '.join(['net.ipv4.conf.%s.rp_filter=0' % d for d in devs] +
                                                 ['net.ipv6.conf.%s.hop_limit=%d' % (d, ttl) for d in devs])
            nsx(ns, 'sh', '-c', script)
        if cfg.get('injector'):
            self._build_injector_link(cfg['injector']['router'])
        for lk in cfg.get('slowLinks', []):
            ns, dev = self.ns(lk['link']), 'e%d' % lk['link']
            nsx(ns, 'tc', 'qdisc', 'add', 'dev', dev, 'root', 'tbf', 'rate', lk['rate'], 'burst', '16kb', 'limit', '200000')
        # resolve neighbours before capturing (ping is not captured: the filter is tcp)
        for dst, v6 in ((self.server4, False), (self.server6, True)):
            r = nsx(self.ns(0), 'ping', '-6' if v6 else '-4', '-c1', '-W2', dst, check=False)
            if r.returncode != 0:
                raise LabError('no IPv%d path client -> server' % (6 if v6 else 4))
        if cfg.get('injector'):
            for dst in (self.client, self.server):
                nsx(INJ_NS, 'ping', '-c1', '-W2', dst, check=False)

    def _sysctls(self, ns, router, ttl):
        f = 1 if router else 0
        nsx(ns, 'sysctl', '-qw', 'net.ipv6.conf.all.accept_dad=0', 'net.ipv6.conf.default.accept_dad=0',
            'net.ipv6.conf.all.accept_ra=0', 'net.ipv6.conf.default.accept_ra=0',
            'net.ipv6.conf.default.router_solicitations=0',
            'net.ipv4.conf.all.rp_filter=0', 'net.ipv4.conf.default.rp_filter=0',
            'net.ipv4.ip_forward=%d' % f, 'net.ipv6.conf.all.forwarding=%d' % f,
            'net.ipv4.ip_default_ttl=%d' % ttl, 'net.ipv6.conf.all.hop_limit=%d' % ttl,
            'net.ipv6.conf.default.hop_limit=%d' % ttl)

    def _build_injector_link(self, k):
        rns = self.ns(k)
        sh(['ip', '-n', rns, 'link', 'add', 'inj', 'address', '02:77:fa:00:00:01', 'type', 'veth', 'peer', 'name',
            'tap', 'address', '02:77:fa:00:00:02', 'netns', INJ_NS])
        sh(['ip', '-n', rns, '-batch', '-'], input='\n'.join([
            'addr add 10.%d.250.1/24 dev inj' % self.b, 'addr add fd77:%d:250::1/64 dev inj nodad' % self.b,
            'link set inj up']) + '\n')
        sh(['ip', '-n', INJ_NS, '-batch', '-'], input='\n'.join([
            'link set lo up', 'addr add 10.%d.250.2/24 dev tap' % self.b, 'addr add fd77:%d:250::2/64 dev tap nodad' % self.b,
            'link set tap up', 'route add default via 10.%d.250.1' % self.b,
            'route add default via fd77:%d:250::1' % self.b]) + '\n')
        for ns, d in ((rns, 'inj'), (INJ_NS, 'tap')):
            nsx(ns, 'ethtool', '-K', d, 'tx', 'off', 'tso', 'off', 'gso', 'off', 'gro', 'off', check=False)
        nsx(rns, 'sysctl', '-qw', 'net.ipv4.conf.inj.rp_filter=0')
        # out-of-band tap: a copy of every frame entering router k from either side of the path
        for d in ('w%d' % k, 'e%d' % k):
            nsx(rns, 'tc', 'qdisc', 'add', 'dev', d, 'ingress')
            nsx(rns, 'tc', 'filter', 'add', 'dev', d, 'parent', 'ffff:', 'protocol', 'all', 'prio', '1',
                'u32', 'match', 'u32', '0', '0', 'action', 'mirred', 'egress', 'mirror', 'dev', 'inj')

    # ---------------------------------------------------------------- processes
    def bg(self, ns, args, log):
        p = subprocess.Popen(['ip', 'netns', 'exec', ns] + args, stdout=open(log, 'w'), stderr=open(log + '.err', 'w'))
        self.procs.append(p)
        return p

    def stop_procs(self):
        for p in self.procs:
            if p.poll() is None: p.terminate()
        for p in self.procs:
            try: p.wait(3)
            except subprocess.TimeoutExpired: p.kill()
        self.procs = []

    def start_captures(self, outdir, work):
        self.tcpdumps = []
        for p in self.cfg['points']:
            ns, dev = self.point_device(p)
            log = os.path.join(work, 'tcpdump-%s.log' % p['name'])
            proc = subprocess.Popen(['ip', 'netns', 'exec', ns, 'tcpdump', '-Z', 'root', '--immediate-mode', '-i', dev,
                                     '-n', '-s', '384', '-U', '-w', os.path.join(outdir, p['name'] + '.pcap'), 'tcp'],
                                    stdout=open(log, 'w'), stderr=subprocess.STDOUT)
            self.tcpdumps.append((p['name'], proc, log))
        for name, proc, log in self.tcpdumps:
            for _ in range(50):
                if 'listening on' in open(log).read(): break
                time.sleep(0.1)
            else:
                raise LabError('tcpdump at %s did not start' % name)
        time.sleep(0.2)

    def stop_captures(self):
        time.sleep(0.5)
        for _, proc, _ in self.tcpdumps: proc.send_signal(2)
        drops = []
        for name, proc, log in self.tcpdumps:
            try: proc.wait(5)
            except subprocess.TimeoutExpired: proc.kill()
            m = re.search(r'(\d+) packets? dropped by kernel', open(log).read())
            if m is None or int(m.group(1)):
                drops.append(name)
        self.tcpdumps = []
        if drops:
            raise LabError('tcpdump dropped packets at %s' % ','.join(drops))
