#!/usr/bin/env python3
"""Traffic roles and ground-truth helpers for make-samples.sh.

Every payload byte comes from os.urandom, so packets can be matched across
capture points by a hash of their payload.  Sizes come from a seeded RNG so
that the structure of a run (how many bytes each connection sends) is the same
every time; only the bytes themselves and the timing differ.
"""
import argparse
import asyncio
import os
import random
import re
import socket
import socketserver
import sys
import threading
import time


def now_ns():
	return time.time_ns()


def listen_sock(host, port, rcvbuf=0):
	ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
	ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
	if rcvbuf:
		# Set before listen() so the accepted socket inherits it and the
		# window scale is chosen for the small buffer.
		ls.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
	ls.bind((host, port))
	ls.listen(64)
	return ls


def drain(s):
	n = 0
	while True:
		d = s.recv(65536)
		if not d:
			return n
		n += len(d)


# ---- chain roles -----------------------------------------------------------

def cmd_sink(a):
	"""Accept one connection, read to EOF (slowly with --interval)."""
	ls = listen_sock(a.host, a.port, a.rcvbuf)
	c, peer = ls.accept()
	t0 = now_ns()
	total = 0
	while True:
		d = c.recv(a.chunk)
		if not d:
			break
		total += len(d)
		if a.interval:
			time.sleep(a.interval)
	c.close()
	print(f"sink\t{peer[0]}:{peer[1]}\t{total}\t{t0}\t{now_ns()}", flush=True)


def cmd_source(a):
	"""Connect and send --bytes random bytes (slowly with --interval)."""
	data = os.urandom(a.bytes)
	s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
	if a.sport:
		s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
		s.bind(("0.0.0.0", a.sport))
	s.connect((a.host, a.port))
	t0 = now_ns()
	if a.interval:
		for off in range(0, len(data), a.chunk):
			s.sendall(data[off:off + a.chunk])
			time.sleep(a.interval)
	else:
		s.sendall(data)
	s.shutdown(socket.SHUT_WR)
	drain(s)
	s.close()
	print(f"source\t{len(data)}\t{t0}\t{now_ns()}", flush=True)


def cmd_relay(a):
	"""Accept one connection, forward it to the next hop, reading upstream
	--chunk bytes every --interval seconds (a slow relay)."""
	ls = listen_sock(a.host, a.port, a.rcvbuf)
	up, _ = ls.accept()
	down = socket.create_connection((a.next_host, a.next_port))

	def back():
		while True:
			d = down.recv(65536)
			if not d:
				break
			up.sendall(d)
		try:
			up.shutdown(socket.SHUT_WR)
		except OSError:
			pass

	t = threading.Thread(target=back, daemon=True)
	t.start()
	total = 0
	while True:
		d = up.recv(a.chunk)
		if not d:
			break
		down.sendall(d)
		total += len(d)
		if a.interval:
			time.sleep(a.interval)
	down.shutdown(socket.SHUT_WR)
	t.join(10)
	up.close()
	down.close()
	print(f"relay\t{total}", flush=True)


# ---- request/response server (snat, haproxy) --------------------------------

def cmd_rrserver(a):
	"""TCP: read the request to EOF, answer random bytes, close.
	UDP (if --udp-port): answer every datagram with a random datagram."""
	lo, hi = a.reply_min, a.reply_max

	class H(socketserver.BaseRequestHandler):
		def handle(self):
			drain(self.request)
			self.request.sendall(os.urandom(random.randint(lo, hi)))
			self.request.shutdown(socket.SHUT_WR)

	class S(socketserver.ThreadingTCPServer):
		allow_reuse_address = True
		daemon_threads = True
		request_queue_size = 1024

	if a.udp_port:
		u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
		u.bind((a.host, a.udp_port))

		def udp():
			while True:
				d, peer = u.recvfrom(65535)
				u.sendto(os.urandom(random.randint(64, 1200)), peer)

		threading.Thread(target=udp, daemon=True).start()
	S((a.host, a.port), H).serve_forever()


def cmd_snatclient(a):
	"""Short TCP connections and UDP exchanges through the NAT.  Even-numbered
	ones bind a source port inside the SNAT range (the NAT may keep it), odd
	ones use an ephemeral port (the NAT must rewrite it)."""
	rng = random.Random(a.seed)
	print("proto\tsrc_ip\tsrc_port\tdst_ip\tdst_port\tstart_ns\tend_ns\tsent_bytes\trecv_bytes")
	for i in range(a.tcp):
		s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
		if i % 2 == 0:
			s.bind((a.src, a.bind_base + i))
		t0 = now_ns()
		s.connect((a.host, a.port))
		n = rng.randint(200, 8000)
		s.sendall(os.urandom(n))
		s.shutdown(socket.SHUT_WR)
		r = drain(s)
		sp = s.getsockname()
		s.close()
		print(f"tcp\t{sp[0]}\t{sp[1]}\t{a.host}\t{a.port}\t{t0}\t{now_ns()}\t{n}\t{r}", flush=True)
		time.sleep(0.05)
	for i in range(a.udp):
		u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
		u.settimeout(2)
		u.bind((a.src, a.bind_base + 500 + i if i % 2 == 0 else 0))
		t0 = now_ns()
		sent = recv = 0
		for _ in range(2):
			n = rng.randint(64, 1200)
			u.sendto(os.urandom(n), (a.host, a.udp_port))
			sent += n
			recv += len(u.recvfrom(65535)[0])
		sp = u.getsockname()
		u.close()
		print(f"udp\t{sp[0]}\t{sp[1]}\t{a.host}\t{a.udp_port}\t{t0}\t{now_ns()}\t{sent}\t{recv}", flush=True)
		time.sleep(0.05)


async def one_conn(a, i, t_start, rng_n, out):
	await asyncio.sleep(max(0.0, t_start - time.monotonic()))
	t0 = now_ns()
	try:
		r, w = await asyncio.open_connection(a.host, a.port)
		t1 = now_ns()
		sp = w.get_extra_info("sockname")
		w.write(os.urandom(rng_n))
		await w.drain()
		w.write_eof()
		got = len(await r.read())
		w.close()
		await w.wait_closed()
		out.append((i, sp[0], sp[1], t0, t1, now_ns(), rng_n, got, "ok"))
	except Exception as e:  # record, never abort the run
		out.append((i, "-", "-", t0, "-", now_ns(), rng_n, 0, type(e).__name__))


async def lbclient(a):
	rng = random.Random(a.seed)
	sizes = [rng.randint(16, 512) for _ in range(a.conns)]
	base = time.monotonic() + 0.1
	out = []
	await asyncio.gather(*(one_conn(a, i, base + i / a.rate, sizes[i], out)
	    for i in range(a.conns)))
	out.sort()
	print("conn\tclient_ip\tclient_port\tstart_ns\tconnected_ns\tend_ns\tsent_bytes\trecv_bytes\tstatus")
	for row in out:
		print("\t".join(str(x) for x in row))


def cmd_lbclient(a):
	asyncio.run(lbclient(a))


# ---- ss -tin snapshots to ground-truth rows ------------------------------------

UNIT = re.compile(r"^([0-9.]+)(ms|us|s)?(?:\(([0-9.]+)%\))?$")


def ss_tokens(info):
	"""Turn the info line of `ss -tin` into (attr, value) pairs with units in
	the attribute names, following the vnd TSV conventions."""
	toks = info.split()
	out = []
	i = 0
	while i < len(toks):
		t = toks[i]
		if t in ("send", "pacing_rate", "delivery_rate") and i + 1 < len(toks):
			out.append((t, toks[i + 1]))
			i += 2
			continue
		if ":" not in t:
			out.append((t, "1"))  # flags: cubic, app_limited, ...
			i += 1
			continue
		k, v = t.split(":", 1)
		if k in ("rtt",):
			rtt, var = v.split("/")
			out.append(("rtt_ms", rtt))
			out.append(("rttvar_ms", var))
		elif k == "wscale":
			out.append(("wscale", v))
		else:
			m = UNIT.match(v)
			if m and m.group(2):
				unit = {"ms": "ms", "us": "us", "s": "s"}[m.group(2)]
				out.append((f"{k}_{unit}", m.group(1)))
				if m.group(3) is not None:
					out.append((f"{k}_ratio", "%.4f" % (float(m.group(3)) / 100)))
			elif k in ("rto", "ato", "minrtt", "lastsnd", "lastrcv", "lastack"):
				out.append((f"{k}_ms", v))
			else:
				out.append((k, v))
		i += 1
	return out


def cmd_sstruth(a):
	"""Read snapshot files `NAME=FILE` written by the ss loop and print, per
	socket, the last snapshot taken while it was open."""
	print("ts_ns\telement\tlocal\tremote\tattr\tvalue")
	for spec in a.snapshots:
		name, path = spec.split("=", 1)
		last = {}
		ts = None
		state = None
		with open(path) as f:
			for line in f:
				if line.startswith("# ts "):
					ts = line.split()[2]
					continue
				if not line.strip():
					continue
				if not line[0].isspace():
					f5 = line.split()
					state = (f5[0], f5[3], f5[4])
					continue
				if state is None:
					continue
				st, loc, rem = state
				last[(loc, rem)] = (ts, st, ss_tokens(line))
				state = None
		for (loc, rem), (ts, st, toks) in sorted(last.items()):
			print(f"{ts}\t{name}\t{loc}\t{rem}\tstate\t{st}")
			for k, v in toks:
				print(f"{ts}\t{name}\t{loc}\t{rem}\t{k}\t{v}")


def main():
	p = argparse.ArgumentParser(description=__doc__)
	sub = p.add_subparsers(dest="cmd", required=True)

	s = sub.add_parser("sink")
	s.add_argument("host")
	s.add_argument("port", type=int)
	s.add_argument("--rcvbuf", type=int, default=0)
	s.add_argument("--chunk", type=int, default=65536)
	s.add_argument("--interval", type=float, default=0)

	s = sub.add_parser("source")
	s.add_argument("host")
	s.add_argument("port", type=int)
	s.add_argument("--bytes", type=int, required=True)
	s.add_argument("--sport", type=int, default=0)
	s.add_argument("--chunk", type=int, default=4096)
	s.add_argument("--interval", type=float, default=0)

	s = sub.add_parser("relay")
	s.add_argument("host")
	s.add_argument("port", type=int)
	s.add_argument("next_host")
	s.add_argument("next_port", type=int)
	s.add_argument("--rcvbuf", type=int, default=0)
	s.add_argument("--chunk", type=int, default=65536)
	s.add_argument("--interval", type=float, default=0)

	s = sub.add_parser("rrserver")
	s.add_argument("host")
	s.add_argument("port", type=int)
	s.add_argument("--udp-port", type=int, default=0)
	s.add_argument("--reply-min", type=int, default=100)
	s.add_argument("--reply-max", type=int, default=8000)

	s = sub.add_parser("snatclient")
	s.add_argument("src")
	s.add_argument("host")
	s.add_argument("port", type=int)
	s.add_argument("udp_port", type=int)
	s.add_argument("--tcp", type=int, default=20)
	s.add_argument("--udp", type=int, default=4)
	s.add_argument("--bind-base", type=int, default=21000)
	s.add_argument("--seed", type=int, default=1)

	s = sub.add_parser("lbclient")
	s.add_argument("host")
	s.add_argument("port", type=int)
	s.add_argument("--conns", type=int, default=400)
	s.add_argument("--rate", type=float, default=400)
	s.add_argument("--seed", type=int, default=2)

	s = sub.add_parser("sstruth")
	s.add_argument("snapshots", nargs="+")

	a = p.parse_args()
	globals()["cmd_" + a.cmd](a)


if __name__ == "__main__":
	main()
