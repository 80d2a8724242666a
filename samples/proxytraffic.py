#!/usr/bin/env python3
"""Traffic roles for make-proxies.sh: short request/response connections
through an L4 proxy, with payloads that are identical in every connection
(what static content or a health check sends) or random in each.

  server HOST PORT --payload same|distinct --think MS
      read a request of --request bytes, think 0 to MS ms, answer --reply
      bytes, close (as HTTP/1.0 does: the client does not half-close, which
      nginx's stream proxy would take for the end of the session).
  client HOST PORT --conns N --rate R --payload same|distinct --sport-base P
      N connections started R per second, the i-th from source port P + i;
      send --request bytes, read the answer to EOF. A TSV row
      per connection on stdout.
  nginxmap --conns N --sport-base P --bport-base Q --seed S
      nginx's map from a client's port to the proxy's own source port toward
      the backend (a shuffled one to one map), for proxy_bind.
"""
import argparse
import asyncio
import os
import random
import socket
import time


def payload(kind, n, seed):
	if kind == "distinct":
		return os.urandom(n)
	return random.Random(seed).randbytes(n)


def cmd_server(a):
	rng = random.Random(a.seed)

	async def handle(r, w):
		try:
			await r.readexactly(a.request)
		except asyncio.IncompleteReadError:
			pass
		# the backend's own work: connections overlap, as in real service
		await asyncio.sleep(rng.uniform(0, a.think) / 1000)
		w.write(payload(a.payload, a.reply, 7))
		await w.drain()
		w.close()
		try:
			await w.wait_closed()
		except OSError:
			pass

	async def main():
		srv = await asyncio.start_server(handle, a.host, a.port,
		    reuse_address=True, backlog=1024)
		async with srv:
			await srv.serve_forever()

	asyncio.run(main())


async def one_conn(a, i, t_start, out):
	await asyncio.sleep(max(0.0, t_start - time.monotonic()))
	t0 = time.time_ns()
	s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
	s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
	s.setblocking(False)
	try:
		s.bind(("0.0.0.0", a.sport_base + i))
		await asyncio.get_running_loop().sock_connect(s, (a.host, a.port))
		r, w = await asyncio.open_connection(sock=s)
		t1 = time.time_ns()
		w.write(payload(a.payload, a.request, 3))
		await w.drain()
		got = len(await r.read())
		w.close()
		await w.wait_closed()
		out.append((i, a.sport_base + i, t0, t1, time.time_ns(), got, "ok"))
	except Exception as e:  # record, never abort the run
		s.close()
		out.append((i, a.sport_base + i, t0, "-", time.time_ns(), 0,
		    type(e).__name__))


async def client(a):
	base = time.monotonic() + 0.1
	out = []
	await asyncio.gather(*(one_conn(a, i, base + i / a.rate, out)
	    for i in range(a.conns)))
	out.sort()
	print("conn\tclient_port\tstart_ns\tconnected_ns\tend_ns\trecv_bytes\tstatus")
	for row in out:
		print("\t".join(str(x) for x in row))


def cmd_client(a):
	asyncio.run(client(a))


def cmd_nginxmap(a):
	ports = list(range(a.bport_base, a.bport_base + a.conns))
	random.Random(a.seed).shuffle(ports)
	for i, p in enumerate(ports):
		print(f"\t{a.sport_base + i}\t{p};")


def main():
	p = argparse.ArgumentParser()
	sub = p.add_subparsers(dest="cmd", required=True)
	s = sub.add_parser("server")
	s.add_argument("host")
	s.add_argument("port", type=int)
	s.add_argument("--payload", choices=("same", "distinct"), default="same")
	s.add_argument("--reply", type=int, default=3000)
	s.add_argument("--request", type=int, default=100)
	s.add_argument("--think", type=float, default=200,
	    help="answer after 0 to THINK ms, uniformly (seeded)")
	s.add_argument("--seed", type=int, default=1)
	c = sub.add_parser("client")
	c.add_argument("host")
	c.add_argument("port", type=int)
	c.add_argument("--conns", type=int, default=400)
	c.add_argument("--rate", type=float, default=400)
	c.add_argument("--payload", choices=("same", "distinct"), default="same")
	c.add_argument("--request", type=int, default=100)
	c.add_argument("--sport-base", type=int, default=20000)
	m = sub.add_parser("nginxmap")
	m.add_argument("--conns", type=int, default=400)
	m.add_argument("--sport-base", type=int, default=20000)
	m.add_argument("--bport-base", type=int, default=40000)
	m.add_argument("--seed", type=int, default=1)
	a = p.parse_args()
	{"server": cmd_server, "client": cmd_client,
	    "nginxmap": cmd_nginxmap}[a.cmd](a)


if __name__ == "__main__":
	main()
