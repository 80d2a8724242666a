#!/usr/bin/python3
"""controlplane.py ROLE LOGDIR AMQP_PORT API_PORT NET_PORT [OPS]: an OpenStack-shaped control plane.

Roles (one process each, on loopback):
  api        REST: POST /v2.1/servers; RPC call conductor.build_instance
             (or, fault "timeout", a call to a topic nobody serves)
  conductor  RPC server (topic conductor): calls compute.build
  compute    RPC server (topic compute): REST POST /v2.0/ports to network;
             raises when told to (fault "rpc_raise") or when network fails
  network    REST: POST /v2.0/ports: 201, or the 409/500 it is told to give,
             slow when told to (fault "slow")
  client     the user: OPS server boots, 20 in flight at once, each with its
             fault; writes LOGDIR/truth.tsv

RPC through the real oslo.messaging (Debian's python3-oslo.messaging) over
RabbitMQ; REST with OpenStack's conventions: X-Auth-Token, the callee's
X-Openstack-Request-Id in responses, the caller's request id passed on as
the global request id, JSON bodies with UUIDs. Every process logs each
message it sends and receives to LOGDIR/ROLE.log (the ground truth):
ts_ns, role, send|recv, kind, global request id, what, body bytes.
"""
import concurrent.futures
import http.client
import http.server
import json
import os
import sys
import threading
import time
import uuid

ROLE, LOGDIR = sys.argv[1], sys.argv[2]
AMQP, API, NET = int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
# hosts: loopback, or in namespaces the addresses make-controlplane.sh gives
AMQP_HOST = os.environ.get("VS_AMQP_HOST", "127.0.0.1")
API_HOST = os.environ.get("VS_API_HOST", "127.0.0.1")
NET_HOST = os.environ.get("VS_NET_HOST", "127.0.0.1")
URL = "rabbit://guest:guest@%s:%d/" % (AMQP_HOST, AMQP)
TOKEN = "gAAAAABsecret-token-of-the-user"
LOCK = threading.Lock()
LOG = open(os.path.join(LOGDIR, ROLE + ".log"), "a", buffering=1)


def log(event, kind, greq, what, nbytes=0):
    with LOCK:
        LOG.write("%d\t%s\t%s\t%s\t%s\t%s\t%d\n" % (time.time_ns(), ROLE, event, kind, greq, what, nbytes))


def ready():
    open(os.path.join(LOGDIR, ROLE + ".ready"), "w").close()


def rpc():
    import oslo_messaging as om
    from oslo_config import cfg
    conf = cfg.CONF          # where oslo.messaging registers its own options
    conf([], project="vnd")
    om.set_transport_defaults("vnd")
    return om, conf, om.get_rpc_transport(conf, url=URL)


class Server(http.server.ThreadingHTTPServer):
    request_queue_size = 128      # 20 clients connect at once


class Json(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def body(self):
        n = int(self.headers.get("Content-Length", 0))
        return json.loads(self.rfile.read(n) or b"{}")

    def reply(self, status, obj, greq, req_id):
        b = json.dumps(obj).encode()
        log("send", "response", greq, str(status), len(b))
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(b)))
        self.send_header("X-Openstack-Request-Id", req_id)
        self.end_headers()
        self.wfile.write(b)


def http_post(host, port, path, obj, greq):
    b = json.dumps(obj).encode()
    c = http.client.HTTPConnection(host, port, timeout=30)
    h = {"Content-Type": "application/json", "X-Auth-Token": TOKEN}
    if greq:
        h["X-Openstack-Request-Id"] = greq
        log("send", "request", greq, "POST " + path, len(b))
    c.request("POST", path, body=b, headers=h)
    r = c.getresponse()
    data = r.read()
    rid = r.getheader("X-Openstack-Request-Id")
    c.close()
    return r.status, data, rid


def api():
    om, conf, transport = rpc()
    conductor = om.get_rpc_client(transport, om.Target(topic="conductor"), timeout=20)
    gone = om.get_rpc_client(transport, om.Target(topic="compute-gone"), timeout=1.5)

    class H(Json):
        def do_POST(self):
            req_id = "req-" + str(uuid.uuid4())
            body = self.body()
            log("recv", "request", req_id, "POST " + self.path, int(self.headers.get("Content-Length", 0)))
            srv = body["server"]
            sid = str(uuid.uuid4())
            ctxt = {"request_id": req_id, "global_request_id": req_id, "auth_token": self.headers["X-Auth-Token"],
                    "user_id": "6b0a2f4e8c1d4e5f9a7b3c2d1e0f9a8b", "project_id": "e1d2c3b4a5968778695a4b3c2d1e0f9a"}
            try:
                if srv["fault"] == "timeout":
                    log("send", "call", req_id, "compute-gone.build")
                    gone.call(ctxt, "build", server_id=sid, fault=srv["fault"])
                else:
                    log("send", "call", req_id, "conductor.build_instance")
                    res = conductor.call(ctxt, "build_instance", server_id=sid, name=srv["name"], fault=srv["fault"])
                    log("recv", "reply", req_id, "ok")
                self.reply(202, {"server": {"id": sid, "port": res["port"]}}, req_id, req_id)
            except Exception as e:
                log("recv", "reply", req_id, type(e).__name__)
                self.reply(500, {"computeFault": {"message": str(e)[:200], "code": 500}}, req_id, req_id)

    s = Server((API_HOST, API), H)
    ready()
    s.serve_forever()


def rpc_server(topic, endpoint):
    om, conf, transport = rpc()
    target = om.Target(topic=topic, server=topic + "1")
    server = om.get_rpc_server(transport, target, [endpoint], executor="threading")
    server.start()
    ready()
    while True:
        time.sleep(3600)


def conductor():
    om, conf, transport = rpc()
    compute = om.get_rpc_client(transport, om.Target(topic="compute"), timeout=20)

    class E:
        def build_instance(self, ctxt, server_id, name, fault):
            g = ctxt["global_request_id"]
            log("recv", "call", g, "conductor.build_instance")
            try:
                log("send", "call", g, "compute.build")
                res = compute.call(ctxt, "build", server_id=server_id, fault=fault)
                log("recv", "reply", g, "ok")
            except Exception as e:
                log("recv", "reply", g, type(e).__name__)
                log("send", "reply", g, "failure")
                raise
            log("send", "reply", g, "ok")
            return res

    rpc_server("conductor", E())


class PortConflict(Exception):
    pass


def compute():
    class E:
        def build(self, ctxt, server_id, fault):
            g = ctxt["global_request_id"]
            log("recv", "call", g, "compute.build")
            if fault == "rpc_raise":
                log("send", "reply", g, "failure")
                raise ValueError("no valid host for %s" % server_id)
            status, data, rid = http_post(NET_HOST, NET, "/v2.0/ports",
                                          {"port": {"device_id": server_id, "network_id": "0c4f2a7e-8b1d-4e3c-9a2b-7d6e5f4a3b2c",
                                                    "fault": fault}}, g)
            log("recv", "response", g, str(status), len(data))
            if status >= 400:
                log("send", "reply", g, "failure")
                raise PortConflict("port for %s: network said %d" % (server_id, status))
            log("send", "reply", g, "ok")
            return {"port": json.loads(data)["port"]["id"]}

    rpc_server("compute", E())


def network():
    class H(Json):
        def do_POST(self):
            req_id = "req-" + str(uuid.uuid4())
            greq = self.headers.get("X-Openstack-Request-Id", "-")
            body = self.body()
            log("recv", "request", greq, "POST " + self.path, int(self.headers.get("Content-Length", 0)))
            fault = body["port"]["fault"]
            if fault == "slow":
                time.sleep(0.3)
            if fault == "net409":
                self.reply(409, {"NeutronError": {"type": "MacAddressInUse", "message": "conflict"}}, greq, req_id)
            elif fault == "net500":
                self.reply(500, {"NeutronError": {"type": "InternalError", "message": "db down"}}, greq, req_id)
            else:
                self.reply(201, {"port": {"id": str(uuid.uuid4()), "device_id": body["port"]["device_id"]}}, greq, req_id)

    s = Server((NET_HOST, NET), H)
    ready()
    s.serve_forever()


# the faults, the places they are injected, and the message that must be found
ROOT = {"ok": "-", "slow": "-", "net409": "http_status\t409", "net500": "http_status\t500",
        "rpc_raise": "rpc_failure\tbuiltins.ValueError", "timeout": "no_reply\tcompute-gone"}


def client(nops):
    # in every 20 boots: 4 faults, 1 slow, 15 fine; in an order that mixes them
    pattern = ["net409", "net500", "rpc_raise", "timeout", "slow"] + ["ok"] * 15
    faults = [pattern[i % 20] for i in range(nops)]
    faults = [faults[(i * 7) % nops] for i in range(nops)] if nops % 7 else faults

    def op(i):
        name = "vm-%03d" % i
        t0 = time.time_ns()
        req = {"server": {"name": name, "fault": faults[i]}}
        status, data, rid = http_post(API_HOST, API, "/v2.1/servers", req, None)
        # the request went out before its id was known: said now
        log("send", "request", rid, "POST /v2.1/servers", len(json.dumps(req)))
        log("recv", "response", rid, str(status), len(data))
        return "%d\t%s\t%s\t%s\t%d\t%s" % (t0, name, rid, faults[i], status, ROOT[faults[i]])

    with concurrent.futures.ThreadPoolExecutor(20) as ex:
        rows = list(ex.map(op, range(nops)))
    with open(os.path.join(LOGDIR, "truth.tsv"), "w") as f:
        f.write("ts_ns\tname\trequest_id\tfault\tstatus\troot_fault\troot_what\n")
        for r in rows:
            f.write(r + ("\t-\n" if r.endswith("\t-") else "\n"))


if __name__ == "__main__":
    {"api": api, "conductor": conductor, "compute": compute, "network": network}.get(
        ROLE, lambda: client(int(sys.argv[6]) if len(sys.argv) > 6 else 40))()
