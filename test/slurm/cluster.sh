#!/usr/bin/env bash
# A private one-node SLURM cluster for somflow's SLURM tests (and for trying --executor slurm
# on a laptop): Debian's slurm-wlm + munge, its own config, state, spool, logs and ports under
# one folder. Needs root (munged and slurmd run as root here).
#
#   test/slurm/cluster.sh start [DIR]   install when missing, start, print `export SLURM_CONF=…`
#   test/slurm/cluster.sh stop  [DIR]   cancel its jobs, stop its daemons
#   test/slurm/cluster.sh env   [DIR]   print the export line of a running cluster
#
# DIR defaults to /tmp/somflow-slurm. Memory limits are enforced (jobacct_gather/linux with
# OverMemoryKill), so a job over its --mem is killed within ~2 s; time limits are whole minutes.
set -euo pipefail

cmd="${1:-}"
dir="${2:-${SOMFLOW_SLURM_DIR:-/tmp/somflow-slurm}}"
conf="$dir/etc/slurm.conf"

die() { echo "cluster.sh: $*" >&2; exit 2; }

install_packages() {
  command -v slurmctld >/dev/null && command -v munged >/dev/null && return 0
  [ "$(id -u)" = 0 ] || die "slurm-wlm and munge are missing and installing them needs root: apt-get install -y slurm-wlm munge"
  echo "cluster.sh: installing slurm-wlm and munge (apt-get, ~100 s)" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq slurm-wlm munge >/dev/null
}

start_munge() {
  if munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then return 0; fi
  mkdir -p /etc/munge /run/munge /var/log/munge /var/lib/munge
  if [ ! -s /etc/munge/munge.key ]; then
    dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 status=none
  fi
  chown munge:munge /etc/munge/munge.key /run/munge /var/log/munge /var/lib/munge 2>/dev/null || true
  chmod 400 /etc/munge/munge.key
  runuser -u munge -- /usr/sbin/munged
  for _ in $(seq 50); do munge -n 2>/dev/null | unmunge >/dev/null 2>&1 && return 0; sleep 0.1; done
  die "munged did not start (see /var/log/munge/munged.log)"
}

free_port() {
  node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

write_conf() {
  local host mem cpus p1 p2
  host="$(hostname)"
  cpus="$(nproc)"
  # Leave ~1 GiB to the system, as a real node would.
  mem=$(( $(awk '/MemTotal/ {print int($2/1024)}' /proc/meminfo) - 1024 ))
  p1="$(free_port)"; p2="$(free_port)"
  mkdir -p "$dir/etc" "$dir/state" "$dir/spool" "$dir/log" "$dir/run"
  cat >"$conf" <<EOF
ClusterName=somflowtest
SlurmctldHost=$host
SlurmctldPort=$p1
SlurmdPort=$p2
AuthType=auth/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
SlurmUser=root
SlurmdUser=root
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/run/slurmctld.pid
SlurmdPidFile=$dir/run/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
ReturnToService=2
MpiDefault=none
JobAcctGatherType=jobacct_gather/linux
JobAcctGatherParams=OverMemoryKill
JobAcctGatherFrequency=1
AccountingStorageType=accounting_storage/none
MinJobAge=300
SlurmdTimeout=10
NodeName=$host CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF
}

running() { [ -f "$dir/run/$1.pid" ] && kill -0 "$(cat "$dir/run/$1.pid")" 2>/dev/null; }

start() {
  install_packages
  start_munge
  if running slurmctld && running slurmd; then
    echo "export SLURM_CONF=$conf"
    return 0
  fi
  if ! running slurmctld; then
    write_conf
    # A fresh cluster each start: jobs of an earlier one are not recovered.
    rm -rf "${dir:?}/state" "${dir:?}/spool" && mkdir -p "$dir/state" "$dir/spool"
  fi
  export SLURM_CONF="$conf"
  running slurmctld || /usr/sbin/slurmctld -f "$conf"
  running slurmd || /usr/sbin/slurmd -f "$conf"
  for _ in $(seq 100); do
    if sinfo -h -o '%T' 2>/dev/null | grep -qx 'idle'; then
      echo "export SLURM_CONF=$conf"
      return 0
    fi
    sleep 0.2
  done
  tail -n 20 "$dir/log/slurmctld.log" "$dir/log/slurmd.log" >&2 || true
  die "the node did not become idle within 20 s (logs above)"
}

stop() {
  export SLURM_CONF="$conf"
  [ -f "$conf" ] || return 0
  scancel --user="$(id -un)" 2>/dev/null || true
  for d in slurmd slurmctld; do
    if running "$d"; then kill "$(cat "$dir/run/$d.pid")" 2>/dev/null || true; fi
  done
  for _ in $(seq 50); do running slurmd || running slurmctld || return 0; sleep 0.1; done
}

case "$cmd" in
  start) start ;;
  stop) stop ;;
  env) [ -f "$conf" ] && running slurmctld || die "no cluster running under $dir (start it: $0 start)"; echo "export SLURM_CONF=$conf" ;;
  *) die "usage: $0 start|stop|env [DIR]" ;;
esac
