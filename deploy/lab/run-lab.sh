#!/usr/bin/env bash
# Regenerate the rstscope capture fixtures: deploy/lab/run-lab.sh [scenario ...]
#   (root; all scenarios when none given). Per scenario: fresh namespaces, tcpdump at P1/P2/P3,
#   the real traffic, truth.json computed from the captures and cross-checked.
# Env: LAB_NO_CAPTURE=1  run the traffic only (no tcpdump, no truth) - for live capture agents
#      LAB_KEEP_NET=1    leave the network up after the (last) scenario
#      LAB_REUSE_NET=1   use the network already built by `lab-net.sh up` (e.g. with live capture agents
#                        attached to its interfaces): it is only reset between scenarios, never rebuilt
#      LAB_OUT=DIR       where captures go (default deploy/lab/captures)
set -uo pipefail
LABDIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
OUTROOT=${LAB_OUT:-$LABDIR/captures}

die() { echo "run-lab: $*" >&2; exit 2; }
[[ $(id -u) -eq 0 ]] || die "must run as root (it creates network namespaces)"
for t in ip tc tcpdump iptables ip6tables ethtool ping nmap hping3 openssl editcap tshark; do
    command -v "$t" >/dev/null || die "missing tool '$t' (install the packages in $LABDIR/REQUIREMENTS)"
done
/usr/bin/python3 -c 'import scapy.all' 2>/dev/null || die "missing /usr/bin/python3 with scapy (python3-scapy)"

source "$LABDIR/lab-net.sh"
source "$LABDIR/scenarios.sh"

# one lab at a time on this machine (namespace names are fixed)
exec 9>/run/rsl-lab.lock
flock -n 9 || { echo "run-lab: waiting for /run/rsl-lab.lock (another lab run holds it)" >&2; flock 9; }

LAB_BG_PIDS=()
WORK=""
cleanup() {
    local pid
    for pid in "${LAB_TCPDUMP_PIDS[@]}" "${LAB_BG_PIDS[@]}"; do kill "$pid" 2>/dev/null; done
    LAB_BG_PIDS=()
    [[ ${LAB_KEEP_NET:-0} == 1 || ${LAB_REUSE_NET:-0} == 1 ]] || lab_net_down
}
trap cleanup EXIT
trap 'echo "run-lab: interrupted" >&2; exit 130' INT TERM

declare -A CLOCK_SHIFT=([clock_skew]="P3 1.5")

run_one() {
    local scn=$1 out=$OUTROOT/$1
    declare -F "scn_$scn" >/dev/null || { echo "run-lab: unknown scenario $scn" >&2; return 2; }
    WORK=$(mktemp -d /tmp/rsl-lab-$scn.XXXXXX)
    if [[ ${LAB_REUSE_NET:-0} == 1 ]]; then
        lab_net_exists || { echo "run-lab: LAB_REUSE_NET=1 but the lab network is not up (lab-net.sh up)" >&2; return 1; }
        lab_net_reset
    else
        lab_net_up || { echo "run-lab: $scn: network set-up failed" >&2; return 1; }
    fi
    local ktrace_pid=""
    if [[ ${LAB_NO_CAPTURE:-0} != 1 ]]; then
        mkdir -p "$out"; rm -f "$out"/P?.pcap "$out"/truth.json "$out"/run.json "$out"/kernel.jsonl
        # the kernel's own word on every RST of the lab's hosts (tcp_send_reset / tcp_receive_reset)
        /usr/bin/python3 "$LABDIR/ktrace.py" record --out "$out/kernel.jsonl" --ready "$WORK/ktrace.ready" \
            --keep $C4 $S4 $C6 $S6 2>"$WORK/ktrace.err" &
        ktrace_pid=$!; LAB_BG_PIDS+=($ktrace_pid)
        lab_wait_file "$WORK/ktrace.ready" 50 || { cat "$WORK/ktrace.err" >&2; return 1; }
        lab_capture_start "$out" || return 1
    fi
    : >"$WORK/events.jsonl"
    local t0=$SECONDS rc=0
    "scn_$scn" || { echo "run-lab: $scn: traffic step failed" >&2; rc=1; }
    if [[ ${LAB_NO_CAPTURE:-0} != 1 ]]; then
        lab_capture_stop "$out" || rc=1
        kill -TERM "$ktrace_pid" 2>/dev/null; wait "$ktrace_pid" 2>/dev/null
        [[ -f $out/kernel.jsonl ]] || { echo "run-lab: $scn: no kernel trace" >&2; rc=1; }
    fi
    local pid; for pid in "${LAB_BG_PIDS[@]}"; do kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; done
    LAB_BG_PIDS=()
    if [[ ${LAB_REUSE_NET:-0} == 1 ]]; then lab_net_reset
    elif [[ ${LAB_KEEP_NET:-0} != 1 ]]; then lab_net_down; fi
    if [[ ${LAB_NO_CAPTURE:-0} == 1 ]]; then
        echo "$scn: traffic done in $((SECONDS - t0)) s (no capture); logs in $WORK"
        return $rc
    fi
    local shift=""
    if [[ -n ${CLOCK_SHIFT[$scn]:-} ]]; then
        read -r sp ss <<<"${CLOCK_SHIFT[$scn]}"
        editcap -t "$ss" "$out/$sp.pcap" "$out/$sp.shifted.pcap" && mv "$out/$sp.shifted.pcap" "$out/$sp.pcap"
        shift="--shift $sp=$ss"
    fi
    mkdir -p "$WORK/tcpdump"; mv "$out"/.tcpdump-*.log "$WORK/tcpdump/" 2>/dev/null
    /usr/bin/python3 "$LABDIR/truth.py" --scenario "$scn" --dir "$out" --work "$WORK" $shift || rc=1
    [[ $rc == 0 ]] && rm -rf "$WORK" || echo "run-lab: $scn: FAILED (logs kept in $WORK)" >&2
    return $rc
}

scns=("$@"); [[ ${#scns[@]} -gt 0 ]] || scns=($LAB_ALL_SCENARIOS)
fails=()
for s in "${scns[@]}"; do run_one "$s" || fails+=("$s"); done
if [[ ${LAB_NO_CAPTURE:-0} != 1 && ${#fails[@]} == 0 ]]; then
    # The README's sample set is made of four scenarios' captures; rebuild it from the fresh ones.
    /usr/bin/python3 "$LABDIR/make-sample.py" "$OUTROOT" || fails+=("sample")
fi
if [[ ${LAB_NO_CAPTURE:-0} != 1 && -f "$LABDIR/make-index.py" ]]; then
    /usr/bin/python3 "$LABDIR/make-index.py" "$OUTROOT" || true
fi
if [[ ${#fails[@]} -gt 0 ]]; then echo "run-lab: FAILED: ${fails[*]}" >&2; exit 1; fi
echo "run-lab: all ${#scns[@]} scenario(s) passed"
