#!/bin/bash
# End-to-end test of examples/slurm/enumerate.sbatch under a real (single-node) Slurm.
#
#     sudo bash examples/slurm/local_cluster_test.sh [LINREGIONS]
#
# On a Debian (12) or Ubuntu machine, as root: installs slurm-wlm and munge if missing,
# writes a one-node cluster config (slurmctld + slurmd on this host, no accounting, no
# cgroups) into a fresh temporary directory, starts munged (unless one already answers),
# slurmctld and slurmd as plain background daemons (no systemd needed), submits the example
# (a PARTS-task job array plus the dependent merge job) through the real sbatch, waits for
# both, and compares the merged regions JSON byte for byte with one unsharded run. Prints
# IDENTICAL and exits 0, or exits 1. The daemons it started are stopped at the end.
#
# LINREGIONS: the linregions binary (default: linregions on PATH). Environment: NET (the
# network; default fixtures/net-2-16-16-1.json), DOMAIN (default --unbounded), PARTS
# (default 4), TIMEOUT (seconds to wait for the jobs, default 600), KEEP=1 keeps the
# temporary directory. The example asks for --cpus-per-task=2, so this host needs 2 CPUs.
# Slurm uses its default ports 6817 (slurmctld) and 6818 (slurmd): no other Slurm may run.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
LINREGIONS=$(command -v "${1:-linregions}") || { echo "no linregions binary: ${1:-linregions}" >&2; exit 1; }
# Absolute: the jobs run in Slurm's spool directory.
LINREGIONS=$(readlink -f "$LINREGIONS")
NET=${NET:-$repo/fixtures/net-2-16-16-1.json}
DOMAIN=${DOMAIN:---unbounded}
PARTS=${PARTS:-4}
TIMEOUT=${TIMEOUT:-600}

[ "$(id -u)" = 0 ] || { echo "run as root (installs packages, starts daemons)" >&2; exit 1; }

# 1. Packages (Debian's slurm-wlm 22.05 on bookworm).
if ! command -v slurmctld >/dev/null || ! command -v slurmd >/dev/null \
    || ! command -v sbatch >/dev/null || ! command -v munged >/dev/null; then
    apt-get update -q
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q slurm-wlm munge
fi
echo "$(slurmctld -V) (Debian package $(dpkg-query -W -f '${Version}' slurmctld 2>/dev/null || echo ?))"

work=$(mktemp -d /tmp/linregions-slurm.XXXXXX)
mkdir -p "$work/etc" "$work/state" "$work/spool" "$work/log"
export SLURM_CONF=$work/etc/slurm.conf

started_munge=
cleanup() {
    set +e
    [ -f "$work/slurmd.pid" ] && kill "$(cat "$work/slurmd.pid")" 2>/dev/null
    [ -f "$work/slurmctld.pid" ] && kill "$(cat "$work/slurmctld.pid")" 2>/dev/null
    for _ in $(seq 20); do
        pgrep -F "$work/slurmd.pid" >/dev/null 2>&1 || pgrep -F "$work/slurmctld.pid" >/dev/null 2>&1 || break
        sleep 0.5
    done
    [ -n "$started_munge" ] && munged --stop
    if [ "${KEEP:-0}" = 1 ]; then echo "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

# 2. Config. The node line is what `slurmd -C` reports for this host (name, CPUs, topology,
#    memory); cgroups and accounting are off so that no systemd or database is needed.
node=$(slurmd -C | head -n 1)
name=$(sed -n 's/^NodeName=\([^ ]*\).*/\1/p' <<<"$node")
cpus=$(sed -n 's/.* CPUs=\([0-9]*\).*/\1/p' <<<"$node")
[ "$cpus" -ge 2 ] || { echo "this host has $cpus CPU(s); the example asks for --cpus-per-task=2" >&2; exit 1; }
cat >"$SLURM_CONF" <<EOF
ClusterName=linregionstest
SlurmctldHost=$name(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
MpiDefault=none
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerType=sched/backfill
ReturnToService=2
StateSaveLocation=$work/state
SlurmdSpoolDir=$work/spool
SlurmctldPidFile=$work/slurmctld.pid
SlurmdPidFile=$work/slurmd.pid
SlurmctldLogFile=$work/log/slurmctld.log
SlurmdLogFile=$work/log/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
$node NodeAddr=127.0.0.1 State=UNKNOWN
PartitionName=debug Nodes=$name Default=YES MaxTime=INFINITE State=UP
EOF

# 3. Daemons. munged runs as the munge user with the key the package generated.
if ! munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then
    mkdir -p /run/munge && chown munge:munge /run/munge
    runuser -u munge -- /usr/sbin/munged
    started_munge=1
    sleep 1
    munge -n | unmunge >/dev/null
fi
slurmctld -f "$SLURM_CONF"
sleep 2
slurmd -f "$SLURM_CONF"
for _ in $(seq 30); do
    sinfo -h -n "$name" -o %t 2>/dev/null | grep -qx idle && break
    sleep 1
done
sinfo

# 4. The example, exactly as a user submits it.
cd "$work"
cp "$NET" net.json
t0=$(date +%s)
submitted=$(NET=$PWD/net.json DOMAIN=$DOMAIN PARTS=$PARTS DIR=$PWD/parts OUT=$PWD/regions.json \
    LINREGIONS=$LINREGIONS bash "$here/enumerate.sbatch")
echo "$submitted"
array=$(sed -n 's/.*job array \([0-9]*\) .*/\1/p' <<<"$submitted")
merge=$(sed -n 's/.*merge: job \([0-9]*\) .*/\1/p' <<<"$submitted")
[ -n "$array" ] && [ -n "$merge" ] || { echo "could not read the job ids" >&2; exit 1; }

# 5. Wait for the array and the merge to leave the queue (no accounting: squeue/scontrol).
while [ -n "$(squeue -h -j "$array,$merge" 2>/dev/null)" ]; do
    if [ $(($(date +%s) - t0)) -ge "$TIMEOUT" ]; then
        echo "timed out after ${TIMEOUT}s:" >&2; squeue >&2; scancel "$array" "$merge"; exit 1
    fi
    if squeue -h -j "$merge" -o %r 2>/dev/null | grep -q DependencyNeverSatisfied; then
        echo "a part failed; the merge can never start" >&2
        tail -n 5 linregions-part-*.log >&2; scancel "$merge"; exit 1
    fi
    sleep 2
done
echo "jobs done in $(($(date +%s) - t0)) s"
for j in "$array" "$merge"; do
    scontrol -o show job "$j" | awk '{ for (i = 1; i <= NF; i++)
        if ($i ~ /^(JobId|ArrayJobId|ArrayTaskId|JobName|JobState|ExitCode|StartTime|EndTime)=/) printf "%s ", $i
        print "" }' | sort -k3,3V
done
tail -n +1 linregions-part-*.log linregions-merge-*.log

# 6. The merged document against one unsharded run.
[ -f regions.json ] || { echo "no regions.json (see linregions-merge-*.log above)" >&2; exit 1; }
# shellcheck disable=SC2086  # DOMAIN holds options
"$LINREGIONS" enumerate net.json $DOMAIN --json whole.json -q
if cmp whole.json regions.json; then
    echo IDENTICAL
else
    exit 1
fi
