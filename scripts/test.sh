#!/usr/bin/env bash
# The project's test command: runs `go test ./... -count=1` (extra arguments
# are passed through, e.g. `bash scripts/test.sh -run S3 ./artifacts/...`)
# against a real MinIO server on a free loopback port. The pinned server is
# built once into .tools/ and reused; it gets a temporary data directory and
# generated root credentials, and it is stopped on exit. A one-node Slurm
# cluster (scripts/slurm.sh) runs beside it; where it cannot start, the Slurm
# tests skip, except with CI=true, where that fails the run.
set -euo pipefail
cd "$(dirname "$0")/.."

MINIO_VERSION=v0.0.0-20260212201848-7aac2a2c5b7c
TOOLS=$PWD/.tools
MINIO=$TOOLS/minio

# The stamp says which version the binary is, so changing the pin rebuilds.
if [[ ! -x $MINIO || $(cat "$MINIO.version" 2>/dev/null) != "$MINIO_VERSION" ]]; then
	echo "test.sh: building MinIO $MINIO_VERSION into $TOOLS (first run only, takes minutes)" >&2
	GOBIN=$TOOLS go install "github.com/minio/minio@$MINIO_VERSION"
	echo "$MINIO_VERSION" >"$MINIO.version"
fi

work=$(mktemp -d)
minio_pid=
source scripts/slurm.sh
cleanup() {
	slurm_stop
	if [[ -n $minio_pid ]]; then
		kill "$minio_pid" 2>/dev/null || true
		wait "$minio_pid" 2>/dev/null || true
	fi
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# probe asks MinIO's readiness endpoint over bash's /dev/tcp (no curl needed).
probe() {
	{ exec 3<>"/dev/tcp/127.0.0.1/$1"; } 2>/dev/null || return 1
	printf 'GET /minio/health/ready HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' >&3
	local status=
	IFS= read -r -t 2 status <&3 || true
	exec 3<&- 3>&-
	[[ $status == *" 200 "* ]]
}

# in_use is true when something already accepts connections on the port.
in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

export MINIO_ROOT_USER=litho$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')
export MINIO_ROOT_PASSWORD=$(od -An -N24 -tx1 /dev/urandom | tr -d ' \n')
export MINIO_BROWSER=off

# start_minio tries a random free port; it fails when the server exits
# (the port was taken meanwhile) or is not ready within 60 s.
start_minio() {
	port=$((20000 + RANDOM % 30000))
	while in_use "$port"; do port=$((20000 + RANDOM % 30000)); done
	"$MINIO" server --quiet --address "127.0.0.1:$port" "$work/data" >"$work/minio.log" 2>&1 &
	minio_pid=$!
	for _ in $(seq 1 600); do
		probe "$port" && return 0
		kill -0 "$minio_pid" 2>/dev/null || break
		sleep 0.1
	done
	kill "$minio_pid" 2>/dev/null || true
	wait "$minio_pid" 2>/dev/null || true
	minio_pid=
	return 1
}

started=
for _ in 1 2 3; do
	if start_minio; then
		started=1
		break
	fi
done
if [[ -z $started ]]; then
	echo "test.sh: MinIO did not start; its log:" >&2
	cat "$work/minio.log" >&2
	exit 1
fi

export LITHO_TEST_S3_ENDPOINT=127.0.0.1:$port
# Corruption tests damage MinIO's own files to make it report objects unreadable.
export LITHO_TEST_S3_DATA=$work/data
export AWS_ACCESS_KEY_ID=$MINIO_ROOT_USER
export AWS_SECRET_ACCESS_KEY=$MINIO_ROOT_PASSWORD
unset AWS_SESSION_TOKEN AWS_PROFILE MINIO_ROOT_USER MINIO_ROOT_PASSWORD

# munged serves its socket only on a path every user can traverse.
chmod 711 "$work"
if ! slurm_start "$work/slurm"; then
	if [[ ${CI:-} == true ]]; then
		echo "test.sh: Slurm did not start" >&2
		exit 1
	fi
	echo "test.sh: warning: Slurm did not start; the Slurm tests will skip" >&2
fi

# The completion tests drive zsh and fish; install them like Slurm.
for sh in zsh fish; do
	command -v "$sh" >/dev/null && continue
	if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null; then
		echo "test.sh: installing $sh with apt-get" >&2
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$sh" >"$work/$sh-apt.log" 2>&1 ||
			{ apt-get update -q >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$sh" >"$work/$sh-apt.log" 2>&1; } ||
			cat "$work/$sh-apt.log" >&2
	fi
done

# Test every package unless the arguments name some.
has_pkg=
for a in "$@"; do
	[[ $a == ./* || $a == litho* ]] && has_pkg=1
done
[[ -n $has_pkg ]] || set -- "$@" ./...
go test -count=1 "$@"
