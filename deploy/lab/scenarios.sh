# rstscope capture lab: one function per scenario (sourced by run-lab.sh).
# Each function runs the real traffic; $WORK holds logs, $LABDIR is deploy/lab.
# Fixed ports: client source ports 400xx, server ports per scenario (see README).

PY=/usr/bin/python3

# start a background program in a namespace: lab_bg NAME NS cmd...
lab_bg() {
    local name=$1 ns=$2; shift 2
    ip netns exec "$ns" "$@" >"$WORK/$name.log" 2>"$WORK/$name.err" &
    LAB_BG_PIDS+=($!)
}
# run in the foreground, output appended to $WORK/events.jsonl
lab_fg() {
    local ns=$1; shift
    ip netns exec "$ns" "$@" >>"$WORK/events.jsonl" 2>>"$WORK/fg.err"
}
lab_wait_file() { # FILE [tenths]
    local i
    for i in $(seq 1 "${2:-100}"); do [[ -e $1 ]] && return 0; sleep 0.1; done
    echo "lab: timed out waiting for $1" >&2; return 1
}
lab_server() { # NAME PORT MODE [extra args] (IPv4 + waits until listening)
    local name=$1 port=$2 mode=$3; shift 3
    lab_bg "$name" rsl-s $PY "$LABDIR/labtool.py" listen --port "$port" --mode "$mode" --ready "$WORK/$name.ready" --lifetime 40 "$@"
    lab_wait_file "$WORK/$name.ready"
}
lab_client() { lab_fg rsl-c $PY "$LABDIR/labtool.py" connect "$@"; }
lab_injector() { # MODE PORTS... -- [extra]
    lab_bg injector rsl-inj $PY "$LABDIR/labtool.py" inject --iface inj-r2 --log "$WORK/forged.jsonl" \
        --ready "$WORK/injector.ready" --lifetime 40 --ttl 128 "$@"
    lab_wait_file "$WORK/injector.ready" 200
    sleep 0.3
}

scn_port_closed() {
    lab_client --dst 10.0.3.2 --port 8081 --sport 40001 --mode refused
}

scn_clock_skew() {
    # same traffic as port_closed; P3's timestamps are shifted afterwards (CLOCK_SHIFT)
    lab_client --dst 10.0.3.2 --port 8081 --sport 40016 --mode refused
}

scn_firewall_reject() {
    lab_server srv8080 8080 echo; lab_server srv8090 8090 echo
    ip netns exec rsl-r2 iptables -A FORWARD -p tcp -d 10.0.3.2 --dport 8080 -j REJECT --reject-with tcp-reset
    lab_client --dst 10.0.3.2 --port 8090 --sport 40012 --mode clean    # allowed: server's real TTL
    lab_client --dst 10.0.3.2 --port 8080 --sport 40002 --mode clean    # rejected by R2
}

scn_clean_close() {
    lab_server srv8080 8080 echo
    lab_client --dst 10.0.3.2 --port 8080 --sport 40010 --mode clean
}

scn_bypass_block() {
    lab_server srv8088 8088 banner --delay 0.3
    lab_injector --mode bypass --ports 8088
    lab_client --dst 10.0.3.2 --port 8088 --sport 40007 --mode recv
    sleep 0.5
}

scn_tls_block() {
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
        -subj /CN=blocked.example -keyout "$WORK/key.pem" -out "$WORK/cert.pem" >/dev/null 2>&1
    lab_server srv443 443 tls --delay 0.3 --cert "$WORK/cert.pem" --key "$WORK/key.pem"
    lab_injector --mode tls --ports 443 --keyword blocked.example
    lab_client --dst 10.0.3.2 --port 443 --sport 40008 --mode tls --sni blocked.example
    sleep 1
}

scn_content_block() {
    lab_server srv80 80 http --delay 0.3
    lab_injector --mode content --ports 80 --keyword 'GET /forbidden'
    lab_client --dst 10.0.3.2 --port 80 --sport 40009 --mode http
    sleep 1
}

scn_accelerated_close() {
    lab_server srv8085 8085 linger
    lab_bg r1agent rsl-r1 $PY "$LABDIR/labtool.py" r1close --iface r1-c --ports 8085 --ttl 255 \
        --log "$WORK/forged.jsonl" --ready "$WORK/r1agent.ready" --lifetime 40
    lab_wait_file "$WORK/r1agent.ready" 200; sleep 0.3
    lab_client --dst 10.0.3.2 --port 8085 --sport 40015 --mode fin
    sleep 1
}

scn_idle_timeout() {
    lab_server srv8086 8086 idle --idle "${LAB_IDLE_SECONDS:-3}"
    lab_client --dst 10.0.3.2 --port 8086 --sport 40005 --mode idle --timeout 15
    cat "$WORK/srv8086.log" >>"$WORK/events.jsonl"
}

scn_abort() {
    lab_server srv8087 8087 abort --abort-after 16384
    lab_client --dst 10.0.3.2 --port 8087 --sport 40006 --mode upload --timeout 10
    sleep 0.5
    cat "$WORK/srv8087.log" >>"$WORK/events.jsonl"
}

scn_syn_scan() {
    lab_server srv8080 8080 echo
    lab_fg rsl-c nmap -sS -Pn -n -p 8080,8081,8082 -g 40003 --max-retries 1 -oN "$WORK/nmap.txt" 10.0.3.2 >/dev/null
    sleep 0.5
}

scn_connect_scan() {
    lab_server srv8080 8080 echo
    lab_fg rsl-c nmap -sT -Pn -n -p 8080,8081,8082 --max-retries 1 -oN "$WORK/nmap.txt" 10.0.3.2 >/dev/null
    sleep 0.5
}

scn_malformed_syn() {
    lab_server srv8080 8080 echo
    # SYN+FIN to an open and to a closed port, SYN+URG to the open port: one probe each
    lab_fg rsl-c hping3 -q -c 1 -S -F -p 8080 -s 40011 -k 10.0.3.2
    lab_fg rsl-c hping3 -q -c 1 -S -F -p 8081 -s 40013 -k 10.0.3.2
    lab_fg rsl-c hping3 -q -c 1 -S -U -p 8080 -s 40014 -k 10.0.3.2
    sleep 0.5
}

scn_backlog_overflow() {
    ip netns exec rsl-s sysctl -qw net.ipv4.tcp_abort_on_overflow=1 net.ipv4.tcp_syncookies=0
    lab_server srv8089 8089 backlog --backlog 1
    # a slow access link in front of the server (4 kbit/s toward it) so that the handshakes interleave
    ip netns exec rsl-r2 tc qdisc add dev r2-s root tbf rate 4kbit burst 100 limit 10000
    lab_client --dst 10.0.3.2 --port 8089 --sport 40021 40022 40023 40024 --mode hold --parallel \
        --stagger 0.005 0.05 0.005 --timeout 6
    sleep 0.5
}

scn_time_wait_collision() {
    lab_server srv8084 8084 closefirst
    lab_fg rsl-c $PY "$LABDIR/labtool.py" twcollide --iface c-r1 --src 10.0.1.2 --dst 10.0.3.2 --port 8084 --sport 40031
}

scn_rst_diagnostic() {
    # a blocking device on R2's mirror port resets both sides with RSTs that say why (RST diagnostic payloads)
    lab_server srv8092 8092 echo
    lab_injector --mode diagnostic --ports 8092
    lab_client --dst 10.0.3.2 --port 8092 --sport 40051 --mode idle --timeout 3   # no FIN: the block comes mid-data
    sleep 0.5
}

scn_ipv6_port_closed() {
    lab_server srv6 8080 echo --bind ::
    ip netns exec rsl-r1 ip6tables -A FORWARD -p tcp -d fd00:3::2 --dport 8080 -j REJECT --reject-with tcp-reset
    lab_client --dst fd00:3::2 --port 8081 --sport 40041 --mode refused     # nothing listens: server RST
    lab_client --dst fd00:3::2 --port 8080 --sport 40042 --mode clean       # R1's ip6tables rejects
}

LAB_ALL_SCENARIOS="port_closed firewall_reject clean_close bypass_block syn_scan connect_scan idle_timeout abort tls_block content_block accelerated_close malformed_syn backlog_overflow time_wait_collision ipv6_port_closed clock_skew rst_diagnostic"
