#!/bin/sh
# rabbitmq.sh start DIR | stop DIR: a private RabbitMQ broker on loopback, for
# vnd-stitch's samples and tests. Everything it has lives in DIR (its
# database, logs, Erlang cookie, its own epmd port); start prints the AMQP
# port and writes DIR/env (the variables rabbitmqctl needs); stop stops that
# broker and its epmd only. Exit 77 when RabbitMQ is not installed.
# VS_RMQ_ADDR and VS_RMQ_PORT choose the AMQP listener (in a network
# namespace of a sample: its address, 5672); else 127.0.0.1, a free port.
set -eu

RMQ=/usr/lib/rabbitmq/bin
[ -x "$RMQ/rabbitmq-server" ] || { echo "rabbitmq.sh: rabbitmq-server is not installed" >&2; exit 77; }
[ $# -eq 2 ] || { echo "usage: rabbitmq.sh start|stop DIR" >&2; exit 2; }
dir=$(mkdir -p "$2" && cd "$2" && pwd)

# a free port on loopback, from the kernel
free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

start() {
	port=${VS_RMQ_PORT:-$(free_port)}
	epmd=$(free_port)
	dist=$(free_port)
	mkdir -p "$dir/mnesia" "$dir/log" "$dir/home"
	cat >"$dir/env" <<EOT
export HOME='$dir/home'
export RABBITMQ_NODENAME='vs$port@localhost'
export RABBITMQ_NODE_IP_ADDRESS=${VS_RMQ_ADDR:-127.0.0.1}
export RABBITMQ_NODE_PORT=$port
export RABBITMQ_DIST_PORT=$dist
export ERL_EPMD_PORT=$epmd
export ERL_EPMD_ADDRESS=127.0.0.1
export RABBITMQ_MNESIA_BASE='$dir/mnesia'
export RABBITMQ_LOG_BASE='$dir/log'
export RABBITMQ_PID_FILE='$dir/rabbitmq.pid'
export RABBITMQ_ENABLED_PLUGINS_FILE='$dir/enabled_plugins'
export RABBITMQ_CONFIG_FILE='$dir/rabbitmq'
export RABBITMQ_ADVANCED_CONFIG_FILE='$dir/advanced.config'
export RABBITMQ_CONF_ENV_FILE='$dir/rabbitmq-env.conf'
export RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS='-kernel inet_dist_use_interface {127,0,0,1}'
EOT
	echo '[].' >"$dir/enabled_plugins"
	: >"$dir/rabbitmq-env.conf"
	# no disk or memory alarm on a busy test machine
	printf 'disk_free_limit.absolute = 1MB\nvm_memory_high_watermark.relative = 0.9\nloopback_users = none\n' >"$dir/rabbitmq.conf"
	. "$dir/env"
	"$RMQ/rabbitmq-server" >"$dir/log/startup.log" 2>&1 &
	echo $! >"$dir/server.pid"
	if ! timeout 60 "$RMQ/rabbitmqctl" -q wait --timeout 60 "$dir/rabbitmq.pid" >/dev/null 2>&1; then
		echo "rabbitmq.sh: the broker did not start (see $dir/log)" >&2
		stop
		exit 1
	fi
	echo "$port"
}

stop() {
	[ -f "$dir/env" ] || return 0
	. "$dir/env"
	"$RMQ/rabbitmqctl" -q stop "$dir/rabbitmq.pid" >/dev/null 2>&1 || true
	if [ -f "$dir/server.pid" ]; then
		kill "$(cat "$dir/server.pid")" 2>/dev/null || true
		rm -f "$dir/server.pid"
	fi
	# the epmd this broker started, on its own port
	epmd -port "$ERL_EPMD_PORT" -kill >/dev/null 2>&1 || true
}

case $1 in
start) start ;;
stop) stop ;;
*) echo "usage: rabbitmq.sh start|stop DIR" >&2; exit 2 ;;
esac
