#!/usr/bin/env bash
# A single-node Slurm cluster on this machine, private to one directory, for tests of
# scripts/vaec-chunked --engine slurm (docs/scale-out.md).
#
#   tests/engines/slurm-localhost.sh start DIR   # munged + slurmctld + slurmd; waits for an idle node
#   . DIR/env                                    # exports SLURM_CONF (and the munge socket) for clients
#   sinfo; srun hostname; sbatch --wait ...
#   tests/engines/slurm-localhost.sh stop DIR    # stops the daemons and removes DIR
#   tests/engines/slurm-localhost.sh check       # why it cannot run here (exit 77), or nothing (exit 0)
#
# Everything lives in DIR: the configuration, a munge key (copied from /etc/munge/munge.key, or
# made), munged's socket, the daemons' state, spool, logs and pid files. The ports are picked free
# at start, so it never touches a system-wide Slurm or munge. slurmd must run as root (it starts
# jobs as their user): not root, or a missing package, exits 77 (ctest's SKIP_RETURN_CODE).
set -euo pipefail

SKIP=77
die() { echo "slurm-localhost: $*" >&2; exit 1; }

usage() { sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; }

# Why this machine cannot run the cluster, on stdout; nothing when it can.
why_not() {
  if [[ $(id -u) != 0 ]]; then echo "not root (slurmd must run as root)"; return; fi
  local tool
  for tool in munged slurmctld slurmd sinfo sbatch srun scontrol; do
    command -v "$tool" >/dev/null 2>&1 || PATH=$PATH:/usr/sbin:/sbin command -v "$tool" >/dev/null 2>&1 \
      || { echo "$tool is missing (Debian packages: slurm-wlm munge)"; return; }
  done
}

# A TCP port nobody listens on, from a range unlikely to be used.
free_port() {
  local port
  for _ in $(seq 200); do
    port=$((20000 + RANDOM % 20000))
    if ! (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null; then echo "$port"; return; fi
  done
  die "found no free TCP port"
}

# Waits up to $1 seconds for the command after it to succeed.
wait_for() {
  local seconds=$1; shift
  local deadline=$((SECONDS + seconds))
  until "$@" >/dev/null 2>&1; do
    ((SECONDS < deadline)) || return 1
    sleep 0.5
  done
}

log_tail() { [[ -f $1 ]] && { echo "--- last lines of $1:"; tail -n 15 "$1"; } >&2 || true; }

start() {
  local dir=$1
  local reason; reason=$(why_not)
  [[ -z $reason ]] || { echo "slurm-localhost: SKIP: $reason" >&2; exit $SKIP; }
  export PATH=$PATH:/usr/sbin:/sbin
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  [[ ! -e $dir/env ]] || die "$dir already holds a cluster (stop it first: $0 stop $dir)"
  chmod 700 "$dir"
  mkdir -p "$dir/state" "$dir/spool" "$dir/log" "$dir/munge"
  chmod 700 "$dir/munge"

  # munge: the system's key when there is one (same key = the system's clients work too), else a new one.
  if [[ -r /etc/munge/munge.key ]]; then
    cp /etc/munge/munge.key "$dir/munge/munge.key"
  else
    dd if=/dev/urandom of="$dir/munge/munge.key" bs=1 count=1024 status=none
  fi
  chmod 400 "$dir/munge/munge.key"
  local sock=$dir/munge/munge.socket
  munged --force --socket="$sock" --key-file="$dir/munge/munge.key" \
    --pid-file="$dir/munge/munged.pid" --log-file="$dir/log/munged.log" \
    --seed-file="$dir/munge/munged.seed" 2>"$dir/log/munged.stderr" \
    || { cat "$dir/log/munged.stderr" >&2; log_tail "$dir/log/munged.log"; die "munged did not start"; }
  wait_for 10 munge --socket="$sock" -n \
    || { log_tail "$dir/log/munged.log"; die "munged does not answer on $sock"; }

  local cpus mem_mb ctld_port slurmd_port
  cpus=$(nproc)
  mem_mb=$(( $(awk '/^MemTotal:/ {print $2}' /proc/meminfo) / 1024 / 2 ))
  ((mem_mb > 1000)) && mem_mb=1000
  ctld_port=$(free_port)
  slurmd_port=$(free_port)
  while [[ $slurmd_port == "$ctld_port" ]]; do slurmd_port=$(free_port); done
  : >"$dir/plugstack.conf"  # no SPANK plugins from /etc/slurm
  cat >"$dir/slurm.conf" <<EOF
# Written by tests/engines/slurm-localhost.sh: one node (this machine), no accounting.
ClusterName=vaec-test
SlurmctldHost=localhost
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$sock
CredType=cred/munge
MpiDefault=none
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ReturnToService=2
SlurmctldTimeout=30
SlurmdTimeout=30
InactiveLimit=0
KillWait=5
MinJobAge=300
PlugStackConfig=$dir/plugstack.conf
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
NodeName=localhost NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem_mb State=UNKNOWN
PartitionName=debug Nodes=localhost Default=YES MaxTime=INFINITE State=UP
EOF
  cat >"$dir/env" <<EOF
export SLURM_CONF=$dir/slurm.conf
EOF
  export SLURM_CONF=$dir/slurm.conf

  # -i: ignore state from an earlier run (there is none in a fresh DIR).
  slurmctld -i 2>"$dir/log/slurmctld.stderr" \
    || { cat "$dir/log/slurmctld.stderr" >&2; log_tail "$dir/log/slurmctld.log"; die "slurmctld did not start"; }
  wait_for 30 scontrol ping \
    || { log_tail "$dir/log/slurmctld.log"; die "slurmctld does not answer on port $ctld_port"; }
  slurmd -N localhost 2>"$dir/log/slurmd.stderr" \
    || { cat "$dir/log/slurmd.stderr" >&2; log_tail "$dir/log/slurmd.log"; die "slurmd did not start"; }
  node_idle() { [[ $(sinfo -h -n localhost -o %t 2>/dev/null) == idle ]]; }
  if ! wait_for 60 node_idle; then
    echo "node state: $(sinfo -h -n localhost -o '%t %E' 2>&1)" >&2
    log_tail "$dir/log/slurmctld.log"; log_tail "$dir/log/slurmd.log"
    die "the node did not become idle within 60 s"
  fi
  echo "slurm-localhost: up in $dir (SLURM_CONF=$SLURM_CONF, $cpus CPUs, ports $ctld_port/$slurmd_port)" >&2
}

# Stops one daemon by its pid file, waiting up to 15 s, then SIGKILL.
stop_pid() {
  local pidfile=$1 pid
  [[ -f $pidfile ]] || return 0
  pid=$(cat "$pidfile" 2>/dev/null) || return 0
  [[ $pid =~ ^[0-9]+$ ]] || return 0
  kill "$pid" 2>/dev/null || return 0
  for _ in $(seq 30); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.5; done
  kill -KILL "$pid" 2>/dev/null || true
}

stop() {
  local dir=$1
  [[ -d $dir ]] || return 0
  if [[ -f $dir/slurm.conf ]]; then
    # Cancel what is still queued or running, so that slurmd has no job steps left.
    SLURM_CONF=$dir/slurm.conf timeout 10 scancel -u "$(id -un)" 2>/dev/null || true
  fi
  stop_pid "$dir/slurmd.pid"
  stop_pid "$dir/slurmctld.pid"
  stop_pid "$dir/munge/munged.pid"
  rm -rf "$dir"
}

case ${1:-} in
  start) [[ $# == 2 ]] || { usage >&2; exit 2; }; start "$2" ;;
  stop) [[ $# == 2 ]] || { usage >&2; exit 2; }; stop "$2" ;;
  check) reason=$(why_not); [[ -z $reason ]] || { echo "$reason"; exit $SKIP; } ;;
  -h|--help) usage ;;
  *) usage >&2; exit 2 ;;
esac
