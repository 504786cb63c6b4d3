#!/usr/bin/env bash
# Installs what `make test` needs on Debian: redis-server, redis-tools,
# redis-redisearch, python3-redis, gcc, make, pkg-config, Lua 5.1 with
# lua-cjson and lua-bitop (the scripting engine links them through cgo),
# the Go module cache and a pinned staticcheck. Idempotent: installed
# pieces are left alone.
set -euo pipefail

STATICCHECK_VERSION="${STATICCHECK_VERSION:-v0.8.2}"
APT_PACKAGES=(redis-server redis-tools redis-redisearch python3-redis gcc make pkg-config
	liblua5.1-0-dev lua-cjson-dev lua-bitop-dev)

die() {
	echo "install-deps: ERROR: $*" >&2
	exit 1
}
say() { echo "install-deps: $*"; }

cd "$(dirname "$0")/.."

installed() {
	dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'
}

# apt_lists_empty reports whether apt-get update has never run.
apt_lists_empty() {
	! compgen -G '/var/lib/apt/lists/*_Packages*' >/dev/null
}

# stop_system_redis stops a redis-server that the package may have started
# as a system service on port 6379.
stop_system_redis() {
	if command -v systemctl >/dev/null && [ -d /run/systemd/system ]; then
		systemctl disable --now redis-server.service >/dev/null 2>&1 || true
	fi
	local pidfile=/run/redis/redis-server.pid pid
	if [ -f "$pidfile" ]; then
		pid="$(cat "$pidfile")"
		if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
			say "stopping system redis-server (pid $pid)"
			kill "$pid"
			for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
		fi
	fi
}

install_apt() {
	local missing=() p
	for p in "${APT_PACKAGES[@]}"; do
		installed "$p" || missing+=("$p")
	done
	if [ ${#missing[@]} -eq 0 ]; then
		say "apt packages present: ${APT_PACKAGES[*]}"
		return
	fi
	[ "$(id -u)" -eq 0 ] || die "must run as root to install: ${missing[*]}"
	command -v apt-get >/dev/null || die "apt-get not found; install ${missing[*]} by hand"
	# Keep maintainer scripts from starting the redis-server daemon.
	local policy=/usr/sbin/policy-rc.d own_policy=0
	if [ ! -e "$policy" ]; then
		printf '#!/bin/sh\nexit 101\n' >"$policy"
		chmod +x "$policy"
		own_policy=1
	fi
	export DEBIAN_FRONTEND=noninteractive
	local rc=0
	if apt_lists_empty; then
		apt-get update || rc=$?
	fi
	if [ $rc -eq 0 ]; then
		apt-get install -y --no-install-recommends "${missing[@]}" ||
			{ apt-get update && apt-get install -y --no-install-recommends "${missing[@]}"; } || rc=$?
	fi
	[ $own_policy -eq 1 ] && rm -f "$policy"
	[ $rc -eq 0 ] || die "apt-get could not install: ${missing[*]}"
	for p in "${missing[@]}"; do
		installed "$p" || die "package $p is still not installed"
	done
}

check_tools() {
	local t
	for t in redis-server redis-cli redis-benchmark gcc make pkg-config; do
		command -v "$t" >/dev/null || die "$t not found on PATH after install"
	done
	pkg-config --exists lua5.1 lua5.1-cjson lua5.1-bitop ||
		die "pkg-config cannot find lua5.1, lua5.1-cjson or lua5.1-bitop (liblua5.1-0-dev, lua-cjson-dev, lua-bitop-dev)"

	[ -f /usr/lib/redis/modules/redisearch.so ] || die "/usr/lib/redis/modules/redisearch.so missing (redis-redisearch)"
	# Debian's python3-redis belongs to the system interpreter, not to a pyenv one.
	/usr/bin/python3 -c 'import redis' 2>/dev/null || die "/usr/bin/python3 cannot import redis (python3-redis)"
}

install_go_deps() {
	command -v go >/dev/null || die "go not found on PATH (Go 1.26 is required)"
	go mod download || die "go mod download failed"
	local bin
	bin="$(go env GOBIN)"
	[ -n "$bin" ] || bin="$(go env GOPATH)/bin"
	if [ -x "$bin/staticcheck" ] &&
		go version -m "$bin/staticcheck" 2>/dev/null | grep -q "honnef.co/go/tools[[:space:]]*$STATICCHECK_VERSION"; then
		say "staticcheck $STATICCHECK_VERSION present"
		return
	fi
	go install "honnef.co/go/tools/cmd/staticcheck@$STATICCHECK_VERSION" ||
		die "go install staticcheck@$STATICCHECK_VERSION failed"
}

install_apt
stop_system_redis
check_tools
install_go_deps
say "ok"
