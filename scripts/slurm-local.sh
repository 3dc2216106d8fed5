#!/usr/bin/env bash
# Starts a single-node SLURM on this machine (Debian's slurm-wlm and munge), for tests and for
# trying `dltsim study run --slurm`: private configuration and state under $DLTSIM_SLURM_DIR
# (default /tmp/dltsim-slurm), daemons as root, one node (this host, all its cores), one partition.
# Prints `export SLURM_CONF=...` for sbatch/squeue to find it. Idempotent; `stop` stops the daemons.
set -euo pipefail
dir=${DLTSIM_SLURM_DIR:-/tmp/dltsim-slurm}
conf=$dir/slurm.conf

stop() {
  for d in slurmd slurmctld; do
    [ -f "$dir/$d.pid" ] && kill "$(cat "$dir/$d.pid")" 2>/dev/null || true
  done
}
if [ "${1:-}" = "stop" ]; then stop; exit 0; fi

for p in slurmctld slurmd munge; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ -n "${missing[*]:-}" ]; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends slurm-wlm munge >/dev/null
fi

# munge: a key, its runtime folder, the daemon.
if [ ! -s /etc/munge/munge.key ]; then mungekey --create --keyfile=/etc/munge/munge.key; fi
chown munge:munge /etc/munge/munge.key && chmod 400 /etc/munge/munge.key
mkdir -p /run/munge && chown munge:munge /run/munge
if ! munge -n >/dev/null 2>&1; then
  runuser -u munge -- /usr/sbin/munged
  for _ in $(seq 50); do munge -n >/dev/null 2>&1 && break; sleep 0.1; done
fi

host=$(hostname -s)
mkdir -p "$dir/state" "$dir/spool"
cat > "$conf.new" <<CONF
ClusterName=dltsim
SlurmctldHost=$host(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/slurmctld.log
SlurmdLogFile=$dir/slurmd.log
SlurmctldPort=6817
SlurmdPort=6818
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerType=sched/backfill
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
ReturnToService=2
MpiDefault=none
NodeName=$host NodeAddr=127.0.0.1 CPUs=$(nproc) State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF
mv "$conf.new" "$conf"
export SLURM_CONF=$conf

running() { [ -f "$dir/$1.pid" ] && kill -0 "$(cat "$dir/$1.pid")" 2>/dev/null; }
running slurmctld || /usr/sbin/slurmctld -f "$conf"
running slurmd || /usr/sbin/slurmd -f "$conf"
for _ in $(seq 100); do
  state=$(sinfo -h -o %T 2>/dev/null | head -1 || true)
  case "$state" in idle*|mix*|alloc*) break ;; esac
  sleep 0.2
done
state=$(sinfo -h -o %T 2>/dev/null | head -1 || true)
case "$state" in
  idle*|mix*|alloc*) ;;
  *) echo "slurm-local: the node did not come up (state '$state'); logs in $dir" >&2; exit 1 ;;
esac
echo "export SLURM_CONF=$conf"
