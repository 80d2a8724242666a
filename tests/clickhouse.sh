#!/bin/sh
# clickhouse.sh start DIR [BASEPORT] | stop DIR: a two-shard ClickHouse
# cluster on loopback for vnd-sql's tests and bench/clickhouse.sh.
#
# start writes DIR/s1 and DIR/s2 (config, data, logs), starts one
# clickhouse-server per shard in the background and waits until both answer.
# Shard N listens on 127.0.0.1 only: TCP BASEPORT+10*(N-1), HTTP +1,
# interserver +2 (BASEPORT 19000 by default). Both know cluster "vnd" of
# the two shards, one replica each. It prints "ch://127.0.0.1:PORT" of each
# shard, one a line, and creates database vnd on both.
# stop ends the servers start started (their pid files), nothing else.
set -eu

usage() {
	echo "usage: clickhouse.sh start DIR [BASEPORT] | stop DIR" >&2
	exit 2
}

# config DIR N TCP HTTP INTER PORT1 PORT2: one server's config.xml
config() {
	cat <<EOF
<?xml version="1.0"?>
<yandex>
    <logger>
        <level>warning</level>
        <log>$1/log/server.log</log>
        <errorlog>$1/log/server.err.log</errorlog>
        <size>10M</size>
        <count>1</count>
    </logger>
    <listen_host>127.0.0.1</listen_host>
    <tcp_port>$3</tcp_port>
    <http_port>$4</http_port>
    <interserver_http_port>$5</interserver_http_port>
    <interserver_http_host>127.0.0.1</interserver_http_host>
    <path>$1/data/</path>
    <tmp_path>$1/tmp/</tmp_path>
    <user_files_path>$1/user_files/</user_files_path>
    <format_schema_path>$1/format_schemas/</format_schema_path>
    <users_config>$1/users.xml</users_config>
    <default_profile>default</default_profile>
    <default_database>default</default_database>
    <mark_cache_size>268435456</mark_cache_size>
    <uncompressed_cache_size>268435456</uncompressed_cache_size>
    <max_concurrent_queries>20</max_concurrent_queries>
    <mlock_executable>false</mlock_executable>
    <timezone>UTC</timezone>
    <remote_servers>
        <vnd>
            <shard><replica><host>127.0.0.1</host><port>$6</port></replica></shard>
            <shard><replica><host>127.0.0.1</host><port>$7</port></replica></shard>
        </vnd>
    </remote_servers>
    <macros><shard>$2</shard></macros>
</yandex>
EOF
}

users() {
	cat <<'EOF'
<?xml version="1.0"?>
<yandex>
    <profiles><default>
        <max_memory_usage>4000000000</max_memory_usage>
        <load_balancing>random</load_balancing>
    </default></profiles>
    <users><default>
        <password></password>
        <networks><ip>127.0.0.1</ip><ip>::1</ip></networks>
        <profile>default</profile>
        <quota>default</quota>
    </default></users>
    <quotas><default><interval>
        <duration>3600</duration><queries>0</queries><errors>0</errors>
        <result_rows>0</result_rows><read_rows>0</read_rows>
        <execution_time>0</execution_time>
    </interval></default></quotas>
</yandex>
EOF
}

# wait_up PORT LOG: until the server answers, at most 60 s
wait_up() {
	i=0
	while ! clickhouse-client --port "$1" --query 'SELECT 1' >/dev/null 2>&1; do
		i=$((i + 1))
		if [ "$i" -gt 120 ]; then
			echo "clickhouse.sh: the server on port $1 did not start" >&2
			tail -n 5 "$2" >&2 || true
			return 1
		fi
		sleep 0.5
	done
}

start() {
	dir=$1 base=$2
	command -v clickhouse-server >/dev/null ||
	    PATH=$PATH:/usr/sbin:/usr/bin
	command -v clickhouse-server >/dev/null || {
		echo "clickhouse.sh: no clickhouse-server" >&2
		exit 1
	}
	p1=$base p2=$((base + 10))
	for n in 1 2; do
		d=$dir/s$n
		port=$((base + 10 * (n - 1)))
		mkdir -p "$d/log" "$d/data" "$d/tmp" "$d/user_files" "$d/format_schemas"
		config "$d" "$n" "$port" $((port + 1)) $((port + 2)) "$p1" "$p2" \
		    >"$d/config.xml"
		users >"$d/users.xml"
		# own process group: stop ends it and its children by its pid
		clickhouse-server --config-file="$d/config.xml" \
		    --pid-file="$d/server.pid" >"$d/log/stdout" 2>&1 &
		echo $! >"$d/launch.pid"
	done
	for n in 1 2; do
		port=$((base + 10 * (n - 1)))
		wait_up "$port" "$dir/s$n/log/server.err.log"
		clickhouse-client --port "$port" \
		    --query 'CREATE DATABASE IF NOT EXISTS vnd'
		echo "ch://127.0.0.1:$port"
	done
}

stop() {
	for pf in "$1"/s1/launch.pid "$1"/s2/launch.pid; do
		[ -f "$pf" ] || continue
		pid=$(cat "$pf")
		kill "$pid" 2>/dev/null || true
		i=0
		while kill -0 "$pid" 2>/dev/null && [ "$i" -lt 100 ]; do
			sleep 0.1
			i=$((i + 1))
		done
		kill -9 "$pid" 2>/dev/null || true
		rm -f "$pf"
	done
}

[ $# -ge 2 ] || usage
case $1 in
start) start "$2" "${3:-19000}" ;;
stop) stop "$2" ;;
*) usage ;;
esac
