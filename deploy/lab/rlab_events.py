"""Random lab: the table of event kinds.

Each kind says what it draws (its variant), what it needs from the network (a router for a
firewall, the injector, an agent), how it runs (real servers and clients from labtool.py, nmap,
hping3, iptables, conntrack), and how the truth of its RSTs is decided:

  * kernel rules - for a RST an endpoint's kernel logged (tcp_send_reset): which host (role),
    which kernel reasons this kind may produce, and the cause and phase that follow. A kernel
    RST of the event's flows that matches none of its rules nor a collateral rule (COLLATERAL)
    fails the configuration: the event did not do what it was meant to do.
  * devices - RSTs made by a router's firewall (REJECT --reject-with tcp-reset): which router,
    toward which side, which cause. Forged RSTs of the injector and the agent are decided by
    their own log.
  * expect - causes the event must have produced at least once (else a tool failed).
"""
import json, os, subprocess, threading, time
from rlab_net import LabError, PY, nsx

LAB = os.path.dirname(os.path.abspath(__file__))
LABTOOL = os.path.join(LAB, 'labtool.py')

class Rule:
    """A kernel RST of this event, by `role` ('client'|'server'|'any') with one of `reasons`
    (None: any reason), has this cause and phase."""
    def __init__(self, role, reasons, cause, phase, states=None, answers_syn=None):
        self.role, self.reasons, self.cause, self.phase, self.states = role, reasons, cause, phase, states
        self.answers_syn = answers_syn

    def matches(self, role, kev, answers_syn=False):
        return (self.role in ('any', role) and (self.reasons is None or kev['reason'] in self.reasons)
                and (self.states is None or kev['state'] in self.states)
                and (self.answers_syn is None or self.answers_syn == answers_syn))

NO_SOCKET = {'NO_SOCKET'}
AFTER_CLOSE = {'TCP_ABORT_ON_DATA', 'TCP_TIMEWAIT_SOCKET'}
# Kernel RSTs any event may bring about besides its own, decided by the kernel's reason alone
# (the phase comes from the flow's packets):
#  - a host answering a segment for a connection it no longer has (after a forged RST, an abort,
#    a device's reset): genuine, but a consequence;
#  - an application that closed while its peer was still sending (a client reading one line of
#    a banner, say): the kernel refuses the data that follows;
#  - an application closing with data it never read.
COLLATERAL = [Rule('any', NO_SOCKET, 'port_closed', 'handshake', answers_syn=True),
              Rule('any', NO_SOCKET, 'no_socket', None),
              Rule('any', {'TCP_FLAGS'}, 'no_socket', None, states={'TCP_LISTEN'}),
              Rule('any', AFTER_CLOSE, 'data_after_close', None),
              Rule('any', {'TCP_ABORT_ON_CLOSE'}, 'abort', None)]

# ------------------------------------------------------------------ the run context
class Ctx:
    """What an event may use while it runs: the network, the work folder, program launchers."""
    def __init__(self, net, work):
        self.net, self.work = net, work
        self.cfg = net.cfg
        self.events = open(os.path.join(work, 'events.jsonl'), 'a')
        self.lock = threading.Lock()
        self.failures = []

    def log(self, **kw):
        with self.lock:
            self.events.write(json.dumps(kw) + '\n'); self.events.flush()

    def server(self, ev, port, mode, *extra, lifetime=20):
        ready = os.path.join(self.work, 'srv%d.ready' % port)
        self.net.bg(self.net.ns(self.net.n + 1), [PY, LABTOOL, 'listen', '--bind', '::' if self.net.v6 else '0.0.0.0',
                    '--port', str(port), '--mode', mode, '--ready', ready, '--lifetime', str(lifetime)] + [str(x) for x in extra],
                    os.path.join(self.work, 'srv%d.log' % port))
        wait_file(ready, 10)

    def run_client(self, ns_args, timeout=30):
        r = subprocess.run(['ip', 'netns', 'exec', self.net.ns(0)] + ns_args, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True, timeout=timeout)
        with self.lock:
            for l in r.stdout.splitlines():
                if l.startswith('{'): self.events.write(l + '\n')
            self.events.flush()
        return r

    def client(self, port, mode, sports, *extra, timeout=4):
        return self.run_client([PY, LABTOOL, 'connect', '--dst', self.net.server, '--port', str(port), '--mode', mode,
                                '--timeout', str(timeout), '--sport'] + [str(s) for s in sports] + [str(x) for x in extra],
                               timeout=timeout * 3 + 20)

    def fw(self, router, *rule):
        nsx(self.net.router_ns(router), 'ip6tables' if self.net.v6 else 'iptables', *rule)

def wait_file(path, seconds):
    end = time.time() + seconds
    while time.time() < end:
        if os.path.exists(path): return
        time.sleep(0.05)
    raise LabError('timed out waiting for %s' % os.path.basename(path))

# ------------------------------------------------------------------ event kinds
class Kind:
    name = None
    families = (4, 6)
    ports = 1            # server ports it uses
    sports = 1           # client source ports it uses
    needs = ()           # 'injector', 'agent', 'sysctl_backlog'
    def draw(self, rng, cfg):
        """the variant: a dict of drawn parameters (JSON)"""
        return {}
    def setup(self, ctx, ev):
        """before the captures' traffic starts: servers, rules (run one after another)"""
    def run(self, ctx, ev):
        """the traffic (events run at the same time, each in its own thread)"""
    def rules(self, ev):
        return []
    def devices(self, ev):
        return []
    def untraced(self, ev):
        """endpoint RSTs the kernel sends without a tcp_send_reset event: [(role, flags, cause, phase)]
        (decided by sender address, flags and the sender's TTL at every point)"""
        return []
    def expect(self, ev):
        return {}

class CleanClose(Kind):
    name = 'clean_close'
    def setup(self, ctx, ev): ctx.server(ev, ev['ports'][0], 'echo')
    def run(self, ctx, ev): ctx.client(ev['ports'][0], 'clean', ev['sports'])

class PortClosed(Kind):
    name = 'port_closed'
    def run(self, ctx, ev): ctx.client(ev['ports'][0], 'refused', ev['sports'])
    def rules(self, ev): return [Rule('server', NO_SOCKET, 'port_closed', 'handshake')]
    def expect(self, ev): return {'port_closed': 1}

class FirewallReject(Kind):
    """REJECT --reject-with tcp-reset on a drawn router, of the client's SYN (the RST goes to the
    client in the server's name) or of the server's SYN/ACK (to the server in the client's name)."""
    name = 'firewall_reject'
    def draw(self, rng, cfg):
        return dict(router=rng.randint(1, cfg['routers']), rejects=rng.choice(['syn', 'syn', 'synack']))
    def setup(self, ctx, ev):
        ctx.server(ev, ev['ports'][0], 'echo')
        port, srv = str(ev['ports'][0]), ctx.net.server
        if ev['rejects'] == 'syn':
            ctx.fw(ev['router'], '-A', 'FORWARD', '-p', 'tcp', '-d', srv, '--dport', port, '--tcp-flags', 'SYN,ACK', 'SYN',
                   '-j', 'REJECT', '--reject-with', 'tcp-reset')
        else:
            ctx.fw(ev['router'], '-A', 'FORWARD', '-p', 'tcp', '-s', srv, '--sport', port, '--tcp-flags', 'SYN,ACK', 'SYN,ACK',
                   '-j', 'REJECT', '--reject-with', 'tcp-reset')
    def run(self, ctx, ev): ctx.client(ev['ports'][0], 'clean', ev['sports'], timeout=2)
    def devices(self, ev):
        return [dict(kind='reject', router=ev['router'], toward='client' if ev['rejects'] == 'syn' else 'server',
                     cause='firewall_reject', phase='handshake')]
    def rules(self, ev):   # the server answers the client's later segments for a request it dropped
        return []
    def expect(self, ev): return {'firewall_reject': 1}

class SynScan(Kind):
    name = 'syn_scan'
    ports = 3
    def setup(self, ctx, ev): ctx.server(ev, ev['ports'][0], 'echo')
    def run(self, ctx, ev):
        ctx.run_client(['nmap', '-sS', '-Pn', '-n'] + (['-6'] if ctx.net.v6 else []) +
                       ['-p', ','.join(map(str, ev['ports'])), '-g', str(ev['sports'][0]), '--max-retries', '1',
                        ctx.net.server])
    def rules(self, ev):
        # nmap's SYN came from a raw socket: the client kernel resets the SYN/ACK it did not expect
        return [Rule('client', NO_SOCKET, 'syn_scan', 'handshake'), Rule('server', NO_SOCKET, 'port_closed', 'handshake')]
    def expect(self, ev): return {'syn_scan': 1, 'port_closed': 2}

class ConnectScan(Kind):
    name = 'connect_scan'
    ports = 3
    sports = 0
    def setup(self, ctx, ev): ctx.server(ev, ev['ports'][0], 'echo')
    def run(self, ctx, ev):
        ctx.run_client(['nmap', '-sT', '-Pn', '-n'] + (['-6'] if ctx.net.v6 else []) +
                       ['-p', ','.join(map(str, ev['ports'])), '--max-retries', '1', ctx.net.server])
    def rules(self, ev):
        return [Rule('client', {'TCP_STATE', 'TCP_ABORT_ON_LINGER'}, 'connect_scan', 'handshake'),
                Rule('server', NO_SOCKET, 'port_closed', 'handshake')]
    def expect(self, ev): return {'connect_scan': 1, 'port_closed': 2}

class MalformedSyn(Kind):
    """hping3 SYN+FIN to a closed port (refused by the server) and SYN+FIN to an open one
    (silently dropped by Linux)."""
    name = 'malformed_syn'
    families = (4,)
    ports = 2
    sports = 2
    def setup(self, ctx, ev): ctx.server(ev, ev['ports'][0], 'echo')
    def run(self, ctx, ev):
        for port, sport in zip(ev['ports'], ev['sports']):
            ctx.run_client(['hping3', '-q', '-c', '1', '-S', '-F', '-p', str(port), '-s', str(sport), '-k', ctx.net.server])
    def rules(self, ev): return [Rule('server', NO_SOCKET, 'malformed_syn', 'handshake')]
    def expect(self, ev): return {'malformed_syn': 1}

class BacklogOverflow(Kind):
    """A listener that never accepts, in a server namespace with tcp_abort_on_overflow=1: handshakes
    that complete while its accept queue is full are reset; when the program exits, the queued,
    never-accepted connections are reset too (cause abort)."""
    name = 'backlog_overflow'
    sports = 4
    needs = ('sysctl_backlog',)
    sports = 3
    def draw(self, rng, cfg):
        return dict(listenerSeconds=rng.choice([4.0, 5.0]), deferAccept=True)
    def run(self, ctx, ev):
        # The listener (backlog 1: two pending handshakes, two queued connections at most) must
        # outlive the connects: its lifetime counts from here. With TCP_DEFER_ACCEPT a connection
        # completes on its first data, not on the bare ACK: A and B connect, A sends (queued), C
        # connects, B sends (queued: the queue is full), C's first data is answered with a bare RST.
        # (Without it the bare ACKs would have to race each other's SYNs: this lab has no delay emulation.)
        ctx.server(ev, ev['ports'][0], 'backlog', '--backlog', 1, *(['--defer-accept', 5] if ev['deferAccept'] else []),
                   lifetime=ev['listenerSeconds'])
        ctx.client(ev['ports'][0], 'holddata', ev['sports'], '--parallel', '--stagger', 0.05, 0.45,
                   '--data-at', 0.3, 0.7, 0.9, timeout=3)
    def rules(self, ev):
        # the listener's exit resets the queued connections (state TCP_CLOSE, reason TCP_STATE)
        return [Rule('server', {'INVALID_SYN'}, 'backlog_overflow', 'handshake'),
                Rule('server', {'TCP_STATE', 'TCP_ABORT_ON_CLOSE'}, 'abort', 'data')]
    def untraced(self, ev):
        # Linux 6.18 sends the overflow reset (a bare R answering the ACK or the first data that
        # finds the queue full) from the request socket without a tcp_send_reset event
        return [('server', 'R', 'backlog_overflow', 'handshake')]
    def expect(self, ev): return {'backlog_overflow': 1}

class TimeWaitCollision(Kind):
    """Two real connections on one 4-tuple (the server closes first: TIME_WAIT), then a SYN on it
    with a lower ISN: the TIME_WAIT socket answers with an ACK, and the client's kernel resets it."""
    name = 'time_wait_collision'
    def setup(self, ctx, ev): ctx.server(ev, ev['ports'][0], 'closefirst')
    def run(self, ctx, ev):
        ctx.run_client([PY, LABTOOL, 'twcollide', '--iface', 'e0', '--src', ctx.net.client, '--dst', ctx.net.server,
                        '--port', str(ev['ports'][0]), '--sport', str(ev['sports'][0]), '--ttl', str(ctx.cfg['ttl']['client'])])
    def rules(self, ev):
        return [Rule('client', NO_SOCKET, 'time_wait_collision', 'handshake'),
                Rule('server', {'TCP_TIMEWAIT_SOCKET', 'NO_SOCKET'}, 'time_wait_collision', 'handshake')]
    def expect(self, ev): return {'time_wait_collision': 1}

class Abort(Kind):
    """One side's application aborts: close() with unread data (TCP_ABORT_ON_CLOSE) or SO_LINGER 0."""
    name = 'abort'
    def draw(self, rng, cfg):
        return dict(by=rng.choice(['client', 'server']), how=rng.choice(['linger', 'unread']))
    def setup(self, ctx, ev):
        port = ev['ports'][0]
        if ev['by'] == 'server':
            ctx.server(ev, port, 'abort', '--abort-after', 8192, '--abort-how', ev['how'])
        else:
            ctx.server(ev, port, 'bigreply' if ev['how'] == 'unread' else 'echo')
    def run(self, ctx, ev):
        if ev['by'] == 'server':
            ctx.client(ev['ports'][0], 'upload', ev['sports'], timeout=3)
        else:
            ctx.client(ev['ports'][0], 'abortunread' if ev['how'] == 'unread' else 'abortlinger', ev['sports'], '--pause', 0.2)
    def rules(self, ev):
        return [Rule(ev['by'], {'TCP_ABORT_ON_CLOSE', 'TCP_STATE', 'TCP_ABORT_ON_LINGER'}, 'abort', 'data')]
    def expect(self, ev): return {'abort': 1}

class IdleTimeout(Kind):
    """After a silence: a server or client application gives up (SO_LINGER 0 close), or the server's
    kernel gives up on keepalive probes that a silent peer never answers (its packets are dropped
    on a router)."""
    name = 'idle_timeout'
    def draw(self, rng, cfg):
        return dict(by=rng.choice(['server_app', 'client_app', 'keepalive']), idleSeconds=rng.choice([1.0, 1.5, 2.0]),
                    dropRouter=rng.randint(1, cfg['routers']))
    def setup(self, ctx, ev):
        port = ev['ports'][0]
        if ev['by'] == 'server_app': ctx.server(ev, port, 'idle', '--idle', ev['idleSeconds'])
        elif ev['by'] == 'client_app': ctx.server(ev, port, 'echo')
        else: ctx.server(ev, port, 'keepalive', '--idle', 1, '--keepcnt', 1)
    def run(self, ctx, ev):
        port = ev['ports'][0]
        if ev['by'] == 'server_app': ctx.client(port, 'idle', ev['sports'], timeout=5)
        elif ev['by'] == 'client_app': ctx.client(port, 'idleclient', ev['sports'], '--pause', ev['idleSeconds'])
        else:
            ready = os.path.join(ctx.work, 'client%d.ready' % port)
            t = threading.Thread(target=ctx.client, args=(port, 'keepalive', ev['sports'], '--ready', ready), kwargs=dict(timeout=6))
            t.start(); wait_file(ready, 10)
            # the client goes silent: its packets of this flow die on a router
            ctx.fw(ev['dropRouter'], '-I', 'FORWARD', '-p', 'tcp', '-s', ctx.net.client, '--sport', str(ev['sports'][0]), '-j', 'DROP')
            t.join()
    def rules(self, ev):
        if ev['by'] == 'keepalive':
            return [Rule('server', {'TCP_KEEPALIVE_TIMEOUT'}, 'idle_timeout', 'data')]
        return [Rule('server' if ev['by'] == 'server_app' else 'client', {'TCP_STATE', 'TCP_ABORT_ON_LINGER'}, 'idle_timeout', 'data')]
    def blockers(self, ev):
        return [dict(router=ev['dropRouter'], toward='server')] if ev['by'] == 'keepalive' else []
    def expect(self, ev): return {'idle_timeout': 1}

class DataAfterClose(Kind):
    """The server's application stops reading (shutdown: TCP_ABORT_ON_DATA) or closes (then the
    orphaned socket is a TIME_WAIT socket: TCP_TIMEWAIT_SOCKET); the client's later data draws a RST."""
    name = 'data_after_close'
    def draw(self, rng, cfg):
        return dict(how=rng.choice(['shutdown', 'closeafter']), pauseSeconds=rng.choice([0.3, 0.6]))
    def setup(self, ctx, ev): ctx.server(ev, ev['ports'][0], ev['how'], '--delay', 1)
    def run(self, ctx, ev): ctx.client(ev['ports'][0], 'afterclose', ev['sports'], '--pause', ev['pauseSeconds'])
    def rules(self, ev):
        return [Rule('server', {'TCP_ABORT_ON_DATA', 'TCP_TIMEWAIT_SOCKET'}, 'data_after_close', 'data')]
    def expect(self, ev): return {'data_after_close': 1}

def draw_injection(rng):
    return dict(toward=rng.choice(['client', 'client', 'server', 'both']), flags=rng.choice(['R', 'RA']),
                ttl=rng.choice([64, 128, 255, 'random', 'copy']), ipid=rng.choice(['zero', 'random', 'copy']),
                seq=rng.choice(['exact', 'exact', 'spread', 'out']), delay=rng.choice([0, 0, 0.05, 0.2]))

class Injected(Kind):
    """The out-of-band injector (tap on a drawn router) resets the flow; the endpoints' kernels
    answer what still arrives for the connections they lost (no_socket)."""
    needs = ('injector',)
    trigger = None
    def draw(self, rng, cfg):
        return dict(inject=draw_injection(rng))
    def inject_spec(self, ev):
        return dict(trigger=self.trigger, keyword=self.keyword, **ev['inject'])
    def rules(self, ev): return []
    def expect(self, ev): return {self.name: 1}

class BypassBlock(Injected):
    name, trigger, keyword = 'bypass_block', 'bypass', ''
    def setup(self, ctx, ev): ctx.server(ev, ev['ports'][0], 'banner', '--delay', 0.3)
    def run(self, ctx, ev): ctx.client(ev['ports'][0], 'recv', ev['sports'], timeout=2)

class TlsBlock(Injected):
    name, trigger, keyword = 'tls_block', 'tls', 'blocked.example'
    def setup(self, ctx, ev):
        ctx.server(ev, ev['ports'][0], 'tls', '--delay', 0.3, '--cert', ctx.cert[0], '--key', ctx.cert[1])
    def run(self, ctx, ev): ctx.client(ev['ports'][0], 'tls', ev['sports'], '--sni', 'blocked.example', timeout=2)

class ContentBlock(Injected):
    name, trigger, keyword = 'content_block', 'content', 'GET /forbidden'
    def setup(self, ctx, ev): ctx.server(ev, ev['ports'][0], 'http', '--delay', 0.3)
    def run(self, ctx, ev): ctx.client(ev['ports'][0], 'http', ev['sports'], timeout=2)

class AcceleratedClose(Kind):
    """An agent on a drawn router resets both sides right after the client's FIN."""
    name = 'accelerated_close'
    needs = ('agent',)
    def setup(self, ctx, ev): ctx.server(ev, ev['ports'][0], 'linger')
    def run(self, ctx, ev): ctx.client(ev['ports'][0], 'fin', ev['sports'], timeout=2)
    def rules(self, ev): return []
    def expect(self, ev): return {'accelerated_close': 2}

class StateLost(Kind):
    """A stateful firewall on a drawn router (conntrack, nf_conntrack_tcp_loose=0, REJECT of
    INVALID packets with tcp-reset) loses the flow's entry - deleted (conntrack -D) or expired
    (a 1 s established timeout) - and resets whichever side sends next, in the other's name."""
    name = 'state_lost'
    def draw(self, rng, cfg):
        return dict(router=rng.randint(1, cfg['routers']), lost=rng.choice(['deleted', 'expired']),
                    first=rng.choice(['client', 'server']))
    def setup(self, ctx, ev):
        r, port = ev['router'], str(ev['ports'][0])
        nsx(ctx.net.router_ns(r), 'sysctl', '-qw', 'net.netfilter.nf_conntrack_tcp_loose=0',
            *(['net.netfilter.nf_conntrack_tcp_timeout_established=1'] if ev['lost'] == 'expired' else []))
        for d in ('--dport', '--sport'):
            ctx.fw(r, '-A', 'FORWARD', '-p', 'tcp', d, port, '-m', 'conntrack', '--ctstate', 'INVALID',
                   '-j', 'REJECT', '--reject-with', 'tcp-reset')
        # who speaks first after the loss
        cpause, sdelay = (1.3, 2.0) if ev['first'] == 'client' else (2.0, 1.3)
        if ev['lost'] == 'expired':
            cpause, sdelay = cpause + 1, sdelay + 1
        ev['_timing'] = (cpause, sdelay)
        ctx.server(ev, ev['ports'][0], 'late', '--delay', sdelay)
    def run(self, ctx, ev):
        cpause, _ = ev['_timing']
        ready = os.path.join(ctx.work, 'client%d.ready' % ev['ports'][0])
        t = threading.Thread(target=ctx.client, args=(ev['ports'][0], 'late', ev['sports'], '--pause', cpause, '--ready', ready),
                             kwargs=dict(timeout=6))
        t.start()
        wait_file(ready, 10)
        if ev['lost'] == 'deleted':
            time.sleep(0.3)
            r = nsx(ctx.net.router_ns(ev['router']), 'conntrack', '-D', '-f', 'ipv6' if ctx.net.v6 else 'ipv4', '-p', 'tcp',
                    '--dport', str(ev['ports'][0]), check=False)
            if '1 flow entries have been deleted' not in r.stderr + r.stdout:
                t.join(); raise LabError('conntrack -D found no entry: %s' % (r.stderr + r.stdout).strip())
        t.join()
    def devices(self, ev):
        return [dict(kind='reject', router=ev['router'], toward=tw, cause='state_lost', phase='data')
                for tw in ('client', 'server')]
    def blockers(self, ev):   # endpoint RSTs of the flow are INVALID there too, and REJECT drops them
        return [dict(router=ev['router'], toward='client'), dict(router=ev['router'], toward='server')]
    def expect(self, ev): return {'state_lost': 1}

KINDS = {k.name: k for k in (CleanClose(), PortClosed(), FirewallReject(), SynScan(), ConnectScan(), MalformedSyn(),
                              BacklogOverflow(), TimeWaitCollision(), Abort(), IdleTimeout(), DataAfterClose(),
                              BypassBlock(), TlsBlock(), ContentBlock(), AcceleratedClose(), StateLost())}

def blockers(ev):
    k = KINDS[ev['kind']]
    return k.blockers(ev) if hasattr(k, 'blockers') else []
