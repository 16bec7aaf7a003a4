# A throw-away one-node Slurm cluster for the tests, sourced by test.sh
# (which defines in_use). slurm_start DIR installs Debian's slurm-wlm and
# munge when missing (as root), writes every file the cluster needs under
# DIR, starts munged, slurmctld and slurmd on free ports, waits until the
# node is idle and runs one job; slurm_stop cancels its jobs and stops the
# daemons it started, by pid. Tests find the cluster through SLURM_CONF,
# LITHO_TEST_SLURM=1 and LITHO_TEST_SLURM_PARTITION.

slurm_pids=()
slurm_names=()
slurm_dir=
slurm_partition=debug

slurm_install() {
	command -v sbatch >/dev/null && command -v slurmctld >/dev/null &&
		command -v slurmd >/dev/null && command -v munged >/dev/null && return 0
	if [[ $(id -u) != 0 ]] || ! command -v apt-get >/dev/null; then
		echo "slurm.sh: slurm-wlm and munge are missing; installing them needs root and apt-get" >&2
		return 1
	fi
	echo "slurm.sh: installing slurm-wlm and munge with apt-get" >&2
	{
		DEBIAN_FRONTEND=noninteractive apt-get update -q &&
			DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends slurm-wlm munge
	} >"$slurm_dir/apt.log" 2>&1 || {
		cat "$slurm_dir/apt.log" >&2
		return 1
	}
}

# slurm_free_port prints a random loopback port nothing listens on.
slurm_free_port() {
	local p=$((20000 + RANDOM % 30000))
	while in_use "$p"; do p=$((20000 + RANDOM % 30000)); done
	echo "$p"
}

slurm_config() {
	local d=$slurm_dir node mem
	# slurmd names its node after the short hostname; ask it rather than guess.
	node=$(slurmd -C | sed -n 's/^NodeName=\([^ ]*\).*/\1/p')
	# Configured memory above what slurmd finds drains the node; leave 10 %.
	mem=$(($(sed -n 's/^MemTotal: *\([0-9]*\) kB/\1/p' /proc/meminfo) / 1024 * 9 / 10))
	cat >"$d/slurm.conf" <<-EOF
		ClusterName=litho
		SlurmctldHost=$node(127.0.0.1)
		# Fresh random ports: two test runs, or a leftover daemon, never collide.
		SlurmctldPort=$(slurm_free_port)
		SlurmdPort=$(slurm_free_port)
		SlurmUser=root
		SlurmdUser=root
		# The daemons and every client (sbatch, squeue, slurmstepd) reach this
		# cluster's own munged, not a system one.
		AuthType=auth/munge
		AuthInfo=socket=$d/munge.sock
		CredType=cred/munge
		StateSaveLocation=$d/state
		SlurmdSpoolDir=$d/spool
		SlurmctldPidFile=$d/slurmctld.pid
		SlurmdPidFile=$d/slurmd.pid
		SlurmctldLogFile=$d/slurmctld.log
		SlurmdLogFile=$d/slurmd.log
		# No cgroups and no accounting database on a CI machine.
		ProctrackType=proctrack/linuxproc
		TaskPlugin=task/none
		JobAcctGatherType=jobacct_gather/none
		AccountingStorageType=accounting_storage/none
		JobCompType=jobcomp/none
		MpiDefault=none
		MailProg=/bin/true
		# Each CPU and each MB is a consumable: two 1-CPU jobs share the node
		# (CR_CPU, not CR_Core: a hyperthreaded core is two CPUs), and a job
		# without --mem takes DefMemPerCPU, not the whole node.
		SelectType=select/cons_tres
		SelectTypeParameters=CR_CPU_Memory
		DefMemPerCPU=256
		GresTypes=gpu
		# Schedule on slurmctld's next 1 s tick after a submission or a job's
		# end, not 3 s later (the default, against floods of submissions).
		SchedulerParameters=batch_sched_delay=0
		# Finished jobs stay visible to squeue -t all for seconds, not minutes.
		MinJobAge=5
		# scancel and time limits: SIGTERM, then SIGKILL 5 s later.
		KillWait=5
		# No limit: only srun and salloc, which the tests do not use, have one.
		InactiveLimit=0
		# A node that was down comes back when its slurmd registers.
		ReturnToService=2
		NodeName=$node NodeAddr=127.0.0.1 CPUs=$(nproc) RealMemory=$mem Gres=gpu:1 State=UNKNOWN
		PartitionName=$slurm_partition Nodes=ALL Default=YES MaxTime=INFINITE State=UP
	EOF
	# A fake GPU: a gpu gres without File= leaves the node invalid.
	echo "Name=gpu File=/dev/null" >"$d/gres.conf"
}

# slurm_daemon NAME CMD... starts a daemon told not to fork, so that its
# pid is $!, in a session of its own, so that a Ctrl-C reaches the tests
# but not the cluster, which slurm_stop still needs. The Slurm daemons copy
# their log file to stderr; NAME.stderr matters only for what fails before
# the log file is opened.
slurm_daemon() {
	local name=$1
	shift
	setsid "$@" </dev/null >"$slurm_dir/$name.stderr" 2>&1 &
	slurm_pids+=($!)
	slurm_names+=("$name")
}

# slurm_wait_idle waits up to 30 s for sinfo to report the node idle. A
# client blocks for seconds while slurmctld is down, hence the timeouts.
slurm_wait_idle() {
	local deadline=$((SECONDS + 30)) i
	while ((SECONDS < deadline)); do
		[[ $(timeout 2 sinfo -h -N -o %t 2>/dev/null) == idle ]] && return 0
		for i in "${!slurm_pids[@]}"; do
			if ! kill -0 "${slurm_pids[i]}" 2>/dev/null; then
				echo "slurm.sh: ${slurm_names[i]} exited" >&2
				return 1
			fi
		done
		sleep 0.1
	done
	echo "slurm.sh: the node is not idle after 30 s" >&2
	timeout 5 sinfo -N -l >&2 || true
	return 1
}

slurm_logs() {
	local name f
	for name in "${slurm_names[@]}"; do
		f=$slurm_dir/$name.log
		[[ -s $f ]] || f=$slurm_dir/$name.stderr
		echo "--- $f" >&2
		tail -n 30 "$f" >&2
	done
}

# slurm_check runs a trivial job and waits up to 30 s for it to complete,
# polling squeue: sbatch --wait would poll every 2 s.
slurm_check() {
	local id state deadline=$((SECONDS + 30))
	id=$(timeout 10 sbatch --parsable --output=/dev/null --wrap true) || return 1
	while ((SECONDS < deadline)); do
		state=$(timeout 5 squeue -h -t all -j "$id" -o %T 2>/dev/null) || state=
		case $state in
		COMPLETED) return 0 ;;
		'' | PENDING | CONFIGURING | RUNNING | COMPLETING) sleep 0.1 ;;
		*)
			echo "slurm.sh: a trivial job ended $state" >&2
			return 1
			;;
		esac
	done
	echo "slurm.sh: a trivial job did not complete within 30 s" >&2
	return 1
}

# slurm_start DIR starts the cluster with its files under DIR, whose
# ancestors must be traversable by others (munged refuses a socket path
# that is not). On failure it prints the daemons' logs and stops them.
slurm_start() {
	slurm_dir=$1
	mkdir -p "$slurm_dir"
	chmod 711 "$slurm_dir"
	slurm_install || return 1
	mkdir -m 700 "$slurm_dir/munge" "$slurm_dir/state" "$slurm_dir/spool"
	# munged (root here) wants its key owned by its own user, unreadable to others.
	(umask 277 && head -c 1024 /dev/urandom >"$slurm_dir/munge/munge.key")
	slurm_config
	export SLURM_CONF=$slurm_dir/slurm.conf

	slurm_daemon munged munged --foreground --socket="$slurm_dir/munge.sock" \
		--key-file="$slurm_dir/munge/munge.key" --seed-file="$slurm_dir/munge/seed" \
		--pid-file="$slurm_dir/munged.pid"
	# -c: a cold start, no state to recover.
	slurm_daemon slurmctld slurmctld -D -c
	slurm_daemon slurmd slurmd -D

	if ! slurm_wait_idle; then
		slurm_logs
		slurm_stop
		return 1
	fi
	if ! slurm_check; then
		slurm_logs
		slurm_stop
		return 1
	fi
	export LITHO_TEST_SLURM=1 LITHO_TEST_SLURM_PARTITION=$slurm_partition
}

# slurm_stop cancels every job of the cluster and waits for them to end
# (their processes outlive slurmd), then stops the daemons it started,
# the last started first.
slurm_stop() {
	((${#slurm_pids[@]})) || return 0
	local deadline i
	if timeout 5 scancel --quiet --partition="$slurm_partition" 2>/dev/null; then
		deadline=$((SECONDS + 15))
		while ((SECONDS < deadline)) && [[ -n $(timeout 5 squeue -h -o %i 2>/dev/null) ]]; do
			sleep 0.1
		done
	fi
	for ((i = ${#slurm_pids[@]} - 1; i >= 0; i--)); do
		kill "${slurm_pids[i]}" 2>/dev/null || true
		wait "${slurm_pids[i]}" 2>/dev/null || true
	done
	slurm_pids=()
	slurm_names=()
	unset SLURM_CONF LITHO_TEST_SLURM LITHO_TEST_SLURM_PARTITION
}
