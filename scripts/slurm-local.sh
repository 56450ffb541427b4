#!/usr/bin/env bash
# A single-node Slurm cluster on this machine, for the runner's Slurm tests and for trying
# `--launch slurm` without a real cluster (docs/cluster.md, "A local single-node Slurm").
#
#   scripts/slurm-local.sh start  <dir>   install the Debian packages if missing, write a config
#                                         under <dir>, start munged + slurmctld + slurmd, wait
#                                         until the node is idle; prints `export SLURM_CONF=…`
#   scripts/slurm-local.sh stop   <dir>   cancel its jobs, stop the three daemons it started
#   scripts/slurm-local.sh status <dir>   exit 0 when all three run and the node answers
#
# Everything lives under <dir> — config, munge key and socket, state, spool, pid and log files —
# so nothing in /etc is touched and several clusters can run side by side (different dirs, ports).
# The daemons run as root (slurmd must, to start jobs as their owner): a non-root caller is
# re-run through password-less sudo. proctrack/linuxproc and task/none, because containers
# rarely grant cgroup control; no accounting (sacct answers "accounting storage is disabled").
#
# Ports: SLURM_LOCAL_CTLD_PORT / SLURM_LOCAL_SLURMD_PORT when set, else the first free pair found
# from a base derived from <dir>, so two dirs seldom probe the same ports.
#
# Exit status: 0 ok; 1 a daemon failed to start (log tails printed); 2 usage;
# 3 the Debian packages are missing and could not be installed (tests skip on 3 outside CI).
set -euo pipefail

PACKAGES=(slurmctld slurmd slurm-client munge)
START_TIMEOUT_S=${SLURM_LOCAL_START_TIMEOUT_S:-60}

usage() {
  echo "usage: $0 start|stop|status <dir>" >&2
  exit 2
}

[ $# -eq 2 ] || usage
case $1 in start | stop | status) ;; *) usage ;; esac
if [ "$(id -u)" -ne 0 ]; then
  if sudo -n true 2>/dev/null; then
    exec sudo -n --preserve-env=SLURM_LOCAL_CTLD_PORT,SLURM_LOCAL_SLURMD_PORT,SLURM_LOCAL_START_TIMEOUT_S bash "$0" "$@"
  fi
  echo "slurm-local: the Slurm daemons must run as root, and sudo needs a password here" >&2
  exit 3
fi
action=$1
mkdir -p "$2"
dir=$(cd "$2" && pwd)
conf="$dir/slurm.conf"
export SLURM_CONF="$conf"

log() { echo "slurm-local: $*" >&2; }

ensure_packages() {
  local missing=() pkg
  for pkg in "${PACKAGES[@]}"; do dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  if ! command -v apt-get >/dev/null 2>&1; then
    log "missing ${missing[*]} and no apt-get here; install Slurm and MUNGE by hand"
    exit 3
  fi
  log "apt-get install ${missing[*]}"
  # update first: a container's package lists are often empty. Skipped when nothing is missing.
  if ! apt-get update -qq >"$dir/apt.log" 2>&1 ||
    ! DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >>"$dir/apt.log" 2>&1; then
    log "apt-get could not install ${missing[*]} (see $dir/apt.log):"
    tail -n 5 "$dir/apt.log" >&2 || true
    exit 3
  fi
}

pid_of() { # pid of a daemon from its pid file, when that process is still alive
  local file="$dir/run/$1.pid" pid
  [ -s "$file" ] || return 1
  pid=$(tr -dc '0-9' <"$file")
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 1
  # A stale pid file (after a reboot) can name a reused pid: only the daemon itself counts.
  if [ -r "/proc/$pid/comm" ] && [ "$(cat "/proc/$pid/comm")" != "$1" ]; then return 1; fi
  echo "$pid"
}

port_free() { # nothing listens on 127.0.0.1:$1 (bash's /dev/tcp connect fails)
  ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

pick_ports() {
  if [ -n "${SLURM_LOCAL_CTLD_PORT:-}" ] && [ -n "${SLURM_LOCAL_SLURMD_PORT:-}" ]; then
    ctld_port=$SLURM_LOCAL_CTLD_PORT
    slurmd_port=$SLURM_LOCAL_SLURMD_PORT
    return
  fi
  # Deterministic per dir (no $RANDOM): a stable choice makes logs of a failed start reproducible.
  local base=$((20000 + $(printf '%s' "$dir" | cksum | cut -d' ' -f1) % 20000)) p
  for ((p = base; p < base + 400; p += 2)); do
    if port_free "$p" && port_free "$((p + 1))"; then
      ctld_port=$p
      slurmd_port=$((p + 1))
      return
    fi
  done
  log "no free port pair in $base..$((base + 400))"
  exit 1
}

write_config() {
  local host node_line cpus memory
  host=$(hostname -s)
  # slurmd -C reports this machine's real topology; a node configured with more CPUs or memory
  # than it has registers as INVALID and never runs a job.
  node_line=$(slurmd -C | head -n 1)
  cpus=$(sed -n 's/.*CPUs=\([0-9]*\).*/\1/p' <<<"$node_line")
  memory=$(sed -n 's/.*RealMemory=\([0-9]*\).*/\1/p' <<<"$node_line")
  [ -n "$cpus" ] && [ -n "$memory" ] || { log "could not read CPUs/RealMemory from: $node_line"; exit 1; }
  pick_ports
  cat >"$conf.tmp" <<EOF
# Written by scripts/slurm-local.sh for a single-node test cluster; regenerated on every start.
ClusterName=local$(printf '%s' "$dir" | cksum | cut -d' ' -f1)
SlurmctldHost=$host(127.0.0.1)
SlurmUser=root
SlurmdUser=root
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$dir/munge/munge.socket
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/run/slurmctld.pid
SlurmdPidFile=$dir/run/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
# No cgroups: containers seldom delegate them.
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
MpiDefault=none
SwitchType=switch/none
MailProg=/bin/true
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU_Memory
DefMemPerCPU=256
ReturnToService=2
# Finished jobs stay visible to squeue for an hour: tests count every submission.
MinJobAge=3600
SlurmctldTimeout=30
SlurmdTimeout=30
InactiveLimit=0
KillWait=5
Waittime=0
NodeName=$host NodeAddr=127.0.0.1 NodeHostname=$host CPUs=$cpus RealMemory=$memory State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF
  mv -f "$conf.tmp" "$conf"
}

start_munge() {
  pid_of munged >/dev/null && return 0
  if [ ! -s "$dir/munge/munge.key" ]; then
    if command -v mungekey >/dev/null 2>&1; then
      mungekey --create --keyfile="$dir/munge/munge.key.tmp" --force
    else
      dd if=/dev/urandom of="$dir/munge/munge.key.tmp" bs=1024 count=1 2>/dev/null
    fi
    chmod 600 "$dir/munge/munge.key.tmp"
    mv -f "$dir/munge/munge.key.tmp" "$dir/munge/munge.key"
  fi
  # --force: munged refuses sockets and keys outside its own /etc and /run directories otherwise.
  munged --force --socket="$dir/munge/munge.socket" --key-file="$dir/munge/munge.key" \
    --pid-file="$dir/run/munged.pid" --log-file="$dir/log/munged.log" --seed-file="$dir/munge/munged.seed"
}

wait_until() { # wait_until <seconds> <description> <command...>
  local limit=$1 what=$2 waited=0
  shift 2
  until "$@" >/dev/null 2>&1; do
    if [ "$waited" -ge $((limit * 10)) ]; then
      log "timed out after ${limit}s waiting for $what"
      return 1
    fi
    sleep 0.1
    waited=$((waited + 1))
  done
}

node_idle() {
  [ "$(sinfo -h -N -o '%T' 2>/dev/null | head -n 1)" = idle ]
}

failed_start() {
  log "$1; log tails follow"
  local f
  for f in "$dir"/log/*.log; do
    [ -f "$f" ] || continue
    echo "--- $f" >&2
    tail -n 15 "$f" >&2
  done
  exit 1
}

do_start() {
  ensure_packages
  mkdir -p "$dir/state" "$dir/spool" "$dir/log" "$dir/run" "$dir/munge"
  # Clients of any user reach munged through this directory's socket; the key inside stays 0600.
  chmod 755 "$dir" "$dir/munge"
  if pid_of slurmctld >/dev/null && pid_of slurmd >/dev/null && pid_of munged >/dev/null; then
    log "already running ($conf)"
    echo "export SLURM_CONF=$conf"
    return 0
  fi
  # A half-started cluster (one daemon died) is restarted whole rather than patched.
  do_stop quiet
  write_config
  start_munge || failed_start "munged did not start"
  wait_until 10 "the munge socket" test -S "$dir/munge/munge.socket" || failed_start "munged did not open its socket"
  slurmctld -f "$conf" || failed_start "slurmctld did not start"
  wait_until "$START_TIMEOUT_S" "slurmctld" scontrol ping || failed_start "slurmctld does not answer"
  slurmd -f "$conf" || failed_start "slurmd did not start"
  wait_until "$START_TIMEOUT_S" "the node to be idle" node_idle || failed_start "the node did not come up idle"
  log "up: controller 127.0.0.1:$ctld_port, slurmd :$slurmd_port, node $(hostname -s), partition debug"
  echo "export SLURM_CONF=$conf"
}

stop_daemons() { # SIGTERM to all at once, SIGKILL after 10 s: only pids from our own pid files
  local name pid pids=() waited=0
  for name in "$@"; do
    if pid=$(pid_of "$name"); then
      kill -TERM "$pid" 2>/dev/null || true
      pids+=("$pid")
    fi
  done
  for pid in "${pids[@]}"; do
    while kill -0 "$pid" 2>/dev/null && [ $waited -lt 100 ]; do
      sleep 0.1
      waited=$((waited + 1))
    done
    kill -KILL "$pid" 2>/dev/null || true
  done
  for name in "$@"; do rm -f "$dir/run/$name.pid"; done
}

do_stop() {
  local quiet=${1:-}
  if [ -f "$conf" ] && pid_of slurmctld >/dev/null; then
    # Jobs first: a job's slurmstepd outlives slurmd, and would go on running unsupervised.
    local jobs
    jobs=$(squeue -h -o '%i' 2>/dev/null | tr '\n' ' ')
    if [ -n "${jobs// /}" ]; then
      # shellcheck disable=SC2086 # one word per job id
      scancel $jobs 2>/dev/null || true
      wait_until 15 "the jobs to end" sh -c '[ -z "$(squeue -h -t running,completing -o %i 2>/dev/null)" ]' || true
    fi
  fi
  stop_daemons slurmd slurmctld munged
  [ -n "$quiet" ] || log "stopped ($dir)"
}

do_status() {
  local name ok=0
  for name in munged slurmctld slurmd; do
    if pid=$(pid_of "$name"); then echo "$name: running (pid $pid)"; else echo "$name: not running"; ok=1; fi
  done
  if [ $ok -eq 0 ]; then
    sinfo -N -o '%N %T %c %m %P' || ok=1
  fi
  return $ok
}

case $action in
start) do_start ;;
stop) do_stop ;;
status) do_status ;;
esac
