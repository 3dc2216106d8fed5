"""Peer management (network.peers, issue 12): address tables, gossip and dynamic connections.

- With churn, a node that goes offline loses every connection (degree 0 in the nodes table while
  offline) and its peers open others from their tables: at the end every online node that could
  fill its outbound slots has at least outbound + block_relay_only connections (99 % of them: a node
  whose draws all failed waits `retry` before trying again).
- Gossip happens: a node that reconnects sends getaddr and announces itself; addr and getaddr
  appear in the traffic and the summary counts received addresses.
- The same scenario and seed give byte-identical result files.
- Bad input: an unknown key names the allowed ones; topology degrees given beside network.peers;
  network.peers on a complete graph; the eclipse attack without network.peers; an eclipse restart
  after the attack's end (at its line); more victims than honest nodes (at run time: the attack's
  nodes are known then).
"""

import filecmp
import os

import h5py
import numpy as np

from clitest import check, dltsim, done, workdir

d = workdir()


def write(name, text):
    path = os.path.join(d, name)
    with open(path, "w") as f:
        f.write(text)
    return path


churn = write("churn.yaml", """general: {seed: 4, stop: {blocks: 30}}
network:
  preset: bitcoin-2019
  nodes: 1000
  contention: none
  churn: {fraction: 0.3, session: 2 h, downtime: 30 min}
  peers: {}
consensus: {protocol: nakamoto}
output: {record: [nodes, messages]}
""")
a, b = os.path.join(d, "a.h5"), os.path.join(d, "b.h5")
dltsim("run", churn, "-o", a, "-q")
dltsim("run", churn, "-o", b, "-q")
check(filecmp.cmp(a, b, shallow=False), "same scenario and seed: byte-identical result files")
with h5py.File(a, "r") as f:
    nodes = f["nodes"][()]
    s = dict(f["summary"].attrs)
online = nodes["online"] == 1
check((nodes["degree"][~online] == 0).all(), f"{(~online).sum()} offline nodes, none with a connection")
full = (nodes["degree"][online] >= 10).mean()
check(full >= 0.99, f"{100 * full:.1f} % of the online nodes have at least 10 connections")
check(s["peers_opened"] > 0 and s["peers_addresses"] > 0,
      f"connections opened {s['peers_opened']}, addresses received {s['peers_addresses']}")
check(s.get("messages_addr", 0) > 0 and s.get("messages_getaddr", 0) > 0,
      f"addr {s.get('messages_addr')} and getaddr {s.get('messages_getaddr')} messages")


def error(network, attacks="", command="validate"):
    path = write("bad.yaml", f"""general: {{stop: {{blocks: 1}}}}
network: {network}
consensus: {{protocol: nakamoto}}
{attacks}
""")
    r = dltsim(command, path, check=False)
    return r.returncode, r.stderr.strip()


code, err = error("{preset: bitcoin-2019, nodes: 100, peers: {outbund: 8}}")
check(code != 0 and "bad.yaml:2" in err and "outbund" in err and "block_relay_only" in err,
      f"unknown key: {err}")
code, err = error("{preset: bitcoin-2019, nodes: 100, topology: {outbound: 8}, peers: {}}")
check(code != 0 and "topology.outbound" in err and "peers.outbound" in err, f"topology degree beside peers: {err}")
code, err = error("{preset: bitcoin-2019, nodes: 100, topology: {model: complete}, peers: {}}")
check(code != 0 and "random peer graph" in err, f"peers on a complete graph: {err}")
code, err = error("{preset: bitcoin-2019, nodes: 100, peers: {max_inbound: 0}}")
check(code != 0 and "max_inbound" in err, f"no inbound slot: {err}")
code, err = error("{preset: bitcoin-2019, nodes: 100}", "attacks: [{attack: eclipse, nodes: {count: 10}}]")
check(code != 0 and "network.peers" in err, f"eclipse without address tables: {err}")
code, err = error("{preset: bitcoin-2019, nodes: 100, peers: {}}",
                  "attacks: [{attack: eclipse, nodes: {count: 10}, end: 2 h, params: {wait: 3 h}}]")
check(code == 2 and "bad.yaml:4" in err and "wait" in err, f"restart after the attack's end: {err}")
code, err = error("{preset: bitcoin-2019, nodes: 100, peers: {}}",
                  "attacks: [{attack: eclipse, nodes: {count: 95}, params: {victims: 10}}]", "run")
check(code != 0 and "10 victims" in err and "5 nodes" in err, f"more victims than honest nodes: {err}")
done()
