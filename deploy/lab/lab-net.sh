#!/usr/bin/env bash
# rstscope capture lab: the network.
#
#   client rsl-c --- R1 rsl-r1 --- R2 rsl-r2 --- server rsl-s
#                                   |
#                             injector rsl-inj (out of band: gets a mirror of what
#                                               enters R2, injects spoofed packets into R2)
#
# Usage:  lab-net.sh up | down | status | reset     (as root)
# Or source it and call lab_net_up / lab_net_down / lab_capture_start / lab_capture_stop.
# All namespaces are prefixed rsl-; nothing is created in the root namespace.

LAB_NS_ALL="rsl-c rsl-r1 rsl-r2 rsl-s rsl-inj"

# addresses (fixed: truth files and tests rely on them)
C4=10.0.1.2;   C6=fd00:1::2
R1C4=10.0.1.1; R1C6=fd00:1::1
R1B4=10.0.2.1; R1B6=fd00:2::1
R2A4=10.0.2.2; R2A6=fd00:2::2
R2S4=10.0.3.1; R2S6=fd00:3::1
S4=10.0.3.2;   S6=fd00:3::2
R2I4=10.0.4.1; R2I6=fd00:4::1
I4=10.0.4.2;   I6=fd00:4::2

# capture points: namespace and interface (see README: all three capture on a router's port)
P1_NS=rsl-r1; P1_IF=r1-c    # client-R1 link, R1's port facing the client
P2_NS=rsl-r2; P2_IF=r2-r1   # R1-R2 link, R2's port facing R1
P3_NS=rsl-r2; P3_IF=r2-s    # R2-server link, R2's port facing the server

lab_nsx() { local ns=$1; shift; ip netns exec "$ns" "$@"; }

_lab_link() { # ns1 if1 mac1 ns2 if2 mac2
    ip -n "$1" link add "$2" address "$3" type veth peer name "$5" address "$6" netns "$4"
    local ns dev
    for pair in "$1:$2" "$4:$5"; do
        ns=${pair%%:*}; dev=${pair#*:}
        # no offloads: captures then hold wire-size segments with correct checksums
        ip netns exec "$ns" ethtool -K "$dev" tx off tso off gso off gro off >/dev/null 2>&1 || true
        ip -n "$ns" link set "$dev" up
    done
}

_lab_sysctls() { # ns forwarding(0|1)
    local ns=$1 fwd=$2
    lab_nsx "$ns" sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0 \
        net.ipv6.conf.all.accept_ra=0 net.ipv6.conf.default.accept_ra=0 \
        net.ipv6.conf.default.router_solicitations=0 \
        net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0 \
        net.ipv4.ip_forward="$fwd" net.ipv6.conf.all.forwarding="$fwd" \
        net.ipv4.ip_default_ttl=64 net.ipv6.conf.all.hop_limit=64 net.ipv6.conf.default.hop_limit=64
}

lab_net_up() {
    lab_net_down
    local ns
    for ns in $LAB_NS_ALL; do
        ip netns add "$ns" || return 1
        lab_nsx "$ns" ip link set lo up
    done
    _lab_sysctls rsl-c 0; _lab_sysctls rsl-s 0; _lab_sysctls rsl-inj 0
    _lab_sysctls rsl-r1 1; _lab_sysctls rsl-r2 1
    _lab_link rsl-c  c-r1   02:00:00:00:01:02  rsl-r1 r1-c   02:00:00:00:01:01
    _lab_link rsl-r1 r1-r2  02:00:00:00:02:01  rsl-r2 r2-r1  02:00:00:00:02:02
    _lab_link rsl-r2 r2-s   02:00:00:00:03:01  rsl-s  s-r2   02:00:00:00:03:02
    _lab_link rsl-r2 r2-inj 02:00:00:00:04:01  rsl-inj inj-r2 02:00:00:00:04:02
    for ns in rsl-r1 rsl-r2; do
        for dev in $(ip -n $ns -o link show | awk -F': ' '{print $2}' | cut -d@ -f1 | grep -v '^lo$'); do
            lab_nsx $ns sysctl -qw net.ipv4.conf.$dev.rp_filter=0
        done
    done
    ip -n rsl-c  addr add $C4/24 dev c-r1;    ip -n rsl-c  addr add $C6/64 dev c-r1 nodad
    ip -n rsl-r1 addr add $R1C4/24 dev r1-c;  ip -n rsl-r1 addr add $R1C6/64 dev r1-c nodad
    ip -n rsl-r1 addr add $R1B4/24 dev r1-r2; ip -n rsl-r1 addr add $R1B6/64 dev r1-r2 nodad
    ip -n rsl-r2 addr add $R2A4/24 dev r2-r1; ip -n rsl-r2 addr add $R2A6/64 dev r2-r1 nodad
    ip -n rsl-r2 addr add $R2S4/24 dev r2-s;  ip -n rsl-r2 addr add $R2S6/64 dev r2-s nodad
    ip -n rsl-r2 addr add $R2I4/24 dev r2-inj; ip -n rsl-r2 addr add $R2I6/64 dev r2-inj nodad
    ip -n rsl-s  addr add $S4/24 dev s-r2;    ip -n rsl-s  addr add $S6/64 dev s-r2 nodad
    ip -n rsl-inj addr add $I4/24 dev inj-r2; ip -n rsl-inj addr add $I6/64 dev inj-r2 nodad
    ip -n rsl-c route add default via $R1C4;  ip -n rsl-c -6 route add default via $R1C6
    ip -n rsl-s route add default via $R2S4;  ip -n rsl-s -6 route add default via $R2S6
    ip -n rsl-inj route add default via $R2I4; ip -n rsl-inj -6 route add default via $R2I6
    ip -n rsl-r1 route add 10.0.3.0/24 via $R2A4; ip -n rsl-r1 route add 10.0.4.0/24 via $R2A4
    ip -n rsl-r1 -6 route add fd00:3::/64 via $R2A6; ip -n rsl-r1 -6 route add fd00:4::/64 via $R2A6
    ip -n rsl-r2 route add 10.0.1.0/24 via $R1B4; ip -n rsl-r2 -6 route add fd00:1::/64 via $R1B6
    # out-of-band tap: copy everything that enters R2 from R1 or from the server to the injector
    local dev
    for dev in r2-r1 r2-s; do
        lab_nsx rsl-r2 tc qdisc add dev $dev ingress
        lab_nsx rsl-r2 tc filter add dev $dev parent ffff: protocol all prio 1 \
            u32 match u32 0 0 action mirred egress mirror dev r2-inj
    done
    # resolve neighbours before any capture starts (ping is not captured: filter is tcp)
    local t
    for t in $S4 $I4; do lab_nsx rsl-c ping -c1 -W2 $t >/dev/null || { echo "lab-net: no IPv4 path client->$t" >&2; return 1; }; done
    lab_nsx rsl-c ping -6 -c1 -W2 $S6 >/dev/null || { echo "lab-net: no IPv6 path client->server" >&2; return 1; }
    lab_nsx rsl-inj ping -c1 -W2 $C4 >/dev/null || { echo "lab-net: no path injector->client" >&2; return 1; }
    return 0
}

# undo what scenarios change (firewall rules, slow link, sysctls) without rebuilding the network
lab_net_reset() {
    local ns
    for ns in rsl-r1 rsl-r2; do
        lab_nsx $ns iptables -F FORWARD; lab_nsx $ns ip6tables -F FORWARD
    done
    lab_nsx rsl-r2 tc qdisc del dev r2-s root 2>/dev/null
    lab_nsx rsl-s sysctl -qw net.ipv4.tcp_abort_on_overflow=0 net.ipv4.tcp_syncookies=1
    return 0
}

lab_net_exists() {
    local ns
    for ns in $LAB_NS_ALL; do ip netns list | awk '{print $1}' | grep -qx "$ns" || return 1; done
}

lab_net_down() {
    local ns pid
    for ns in $LAB_NS_ALL; do
        if ip netns list | awk '{print $1}' | grep -qx "$ns"; then
            # processes inside the lab namespaces are ours: stop them by pid
            for pid in $(ip netns pids "$ns" 2>/dev/null); do kill "$pid" 2>/dev/null; done
        fi
    done
    for ns in $LAB_NS_ALL; do
        if ip netns list | awk '{print $1}' | grep -qx "$ns"; then
            for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -9 "$pid" 2>/dev/null; done
            ip netns del "$ns" 2>/dev/null
        fi
    done
    return 0
}

# lab_capture_start DIR : tcpdump at P1, P2, P3 (snap 384, filter tcp), waits until all listen
LAB_TCPDUMP_PIDS=()
lab_capture_start() {
    local dir=$1 p ns ifc i
    LAB_TCPDUMP_PIDS=()
    for p in P1 P2 P3; do
        eval "ns=\$${p}_NS; ifc=\$${p}_IF"
        rm -f "$dir/$p.pcap"
        ip netns exec "$ns" tcpdump -Z root --immediate-mode -i "$ifc" -n -s 384 -U -w "$dir/$p.pcap" tcp \
            >"$dir/.tcpdump-$p.log" 2>&1 &
        LAB_TCPDUMP_PIDS+=($!)
    done
    for p in P1 P2 P3; do
        for i in $(seq 1 50); do
            grep -q "listening on" "$dir/.tcpdump-$p.log" 2>/dev/null && break
            sleep 0.1
        done
        grep -q "listening on" "$dir/.tcpdump-$p.log" || { echo "lab: tcpdump at $p did not start:" >&2; cat "$dir/.tcpdump-$p.log" >&2; return 1; }
    done
    sleep 0.3
}

lab_capture_stop() {
    local dir=$1 pid p rc=0
    sleep 0.5
    for pid in "${LAB_TCPDUMP_PIDS[@]}"; do kill -INT "$pid" 2>/dev/null; done
    for pid in "${LAB_TCPDUMP_PIDS[@]}"; do wait "$pid" 2>/dev/null; done
    LAB_TCPDUMP_PIDS=()
    for p in P1 P2 P3; do
        if grep -q "dropped by kernel" "$dir/.tcpdump-$p.log" && ! grep -q "^0 packets dropped by kernel" "$dir/.tcpdump-$p.log"; then
            echo "lab: tcpdump at $p dropped packets" >&2; rc=1
        fi
    done
    return $rc
}

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
    set -u
    [[ $(id -u) -eq 0 ]] || { echo "lab-net.sh: must run as root (network namespaces)" >&2; exit 2; }
    case "${1:-}" in
        up)     lab_net_up && echo "lab network up: $LAB_NS_ALL" ;;
        down)   lab_net_down; echo "lab network down" ;;
        status) ip netns list | grep '^rsl-' || echo "no lab namespaces" ;;
        reset)  lab_net_reset && echo "lab network reset (firewall rules, tbf, sysctls)" ;;
        *) echo "usage: $0 up|down|status|reset" >&2; exit 2 ;;
    esac
fi
