# Shared by deploy/bin/kafka-local and deploy/bin/kafka-cluster (source it; it defines functions only).
# Broker processes run from the deploy module's runtime classpath (Maven Central artifacts), one
# pid file and one log folder per broker.

RSTSCOPE_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"

die() { echo "${TOOL:-kafka}: $*" >&2; exit 1; }

# target/classes + the runtime classpath Maven wrote (deploy/pom.xml writes it at process-classes).
kafka_classpath() {
  local cp="$RSTSCOPE_ROOT/deploy/target/runtime-classpath.txt"
  [ -f "$cp" ] || die "deploy module not built: run ./rstscope setup (or mvn -B install -DskipTests)"
  echo "$RSTSCOPE_ROOT/deploy/target/classes:$(cat "$cp")"
}

# pid_running PIDFILE: true while the process named in PIDFILE is alive (a zombie, killed but not
# yet reaped by its parent, counts as gone).
pid_running() {
  [ -f "$1" ] || return 1
  local pid; pid="$(cat "$1")"
  kill -0 "$pid" 2>/dev/null || return 1
  [ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" != Z ]
}

# java_tool LOGDIR CLASS ARGS...: a short-lived JVM (format, provisioning, ACLs), problems on stderr.
java_tool() {
  local logdir="$1"; shift
  java -Xmx256m -Dlogback.configurationFile="$RSTSCOPE_ROOT/deploy/config/logback-tools.xml" \
    -Dkafka.logs.dir="$logdir" -cp "$(kafka_classpath)" "$@"
}

# start_broker CONFIG LOGDIR PIDFILE HEAP: starts kafka.Kafka in the background, records its pid.
# RSTSCOPE_KAFKA_JVM_OPTS adds JVM flags (tests use C1 and SerialGC to start faster on 2 cores).
start_broker() {
  local config="$1" logdir="$2" pidfile="$3" heap="$4"
  mkdir -p "$logdir"
  : >"$logdir/broker.out"
  # shellcheck disable=SC2086
  nohup java -Xmx"$heap" -Xms"$heap" ${RSTSCOPE_KAFKA_JVM_OPTS:-} -Dlogback.configurationFile="$RSTSCOPE_ROOT/deploy/config/logback-broker.xml" \
    -Dkafka.logs.dir="$logdir" -cp "$(kafka_classpath)" kafka.Kafka "$config" \
    >"$logdir/broker.out" 2>&1 &
  echo $! > "$pidfile"
}

# Why a broker did not start, from its log: "pattern|reason" rows, first match wins.
BROKER_FAILURES=(
  "Address already in use|a port it needs is in use (another broker?): choose another with --port N or RSTSCOPE_KAFKA_PORT=N"
  "Failed to acquire lock|its data folder is locked by another broker process: stop it, or set RSTSCOPE_KAFKA_HOME to another folder"
  "Invalid cluster.id|its data folder belongs to another cluster: set RSTSCOPE_KAFKA_HOME to another folder, or delete this one"
  "OutOfMemoryError|it ran out of memory: raise RSTSCOPE_KAFKA_HEAP"
  "Permission denied|it cannot write its data folder: check the permissions, or set RSTSCOPE_KAFKA_HOME"
)

# broker_failure LOGFILE: one line saying why, from BROKER_FAILURES, else the log's last ERROR line.
broker_failure() {
  local row pattern
  for row in "${BROKER_FAILURES[@]}"; do
    pattern="${row%%|*}"
    grep -q -- "$pattern" "$1" 2>/dev/null && { echo "${row#*|}"; return; }
  done
  local last; last="$(grep -m1 -E "ERROR|Exception" "$1" 2>/dev/null | cut -c1-200)"
  echo "${last:-no reason in the log}"
}

# port_in_use PORT: true when something on this machine accepts connections on 127.0.0.1:PORT.
port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# await_broker LOGDIR PIDFILE SECONDS NAME: waits for "Kafka Server started"; fails, in one line, if the process exits.
await_broker() {
  local logdir="$1" pidfile="$2" seconds="$3" name="$4" i
  for i in $(seq 1 $((seconds * 2))); do
    grep -q "Kafka Server started" "$logdir/broker.out" 2>/dev/null && return 0
    pid_running "$pidfile" || die "$name cannot start: $(broker_failure "$logdir/broker.out") (log: $logdir/broker.out)"
    sleep 0.5
  done
  die "$name not ready after $seconds s; see $logdir/broker.out"
}

# stop_pid PIDFILE NAME: SIGTERM (controlled shutdown), then SIGKILL after 30 s.
stop_pid() {
  local pidfile="$1" name="$2" pid i
  if ! pid_running "$pidfile"; then rm -f "$pidfile"; echo "${TOOL:-kafka}: $name not running"; return 0; fi
  pid="$(cat "$pidfile")"
  kill "$pid"
  for i in $(seq 1 60); do
    pid_running "$pidfile" || { rm -f "$pidfile"; echo "${TOOL:-kafka}: $name stopped"; return 0; }
    sleep 0.5
  done
  kill -9 "$pid" 2>/dev/null || true; rm -f "$pidfile"; echo "${TOOL:-kafka}: $name killed after 30 s"
}
