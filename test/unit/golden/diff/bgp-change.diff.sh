#!/bin/sh
# nslab: what `lab up` runs to change lab "c4-bgp" (up from test/unit/fixtures/diff/bgp.lab.yaml) to test/unit/fixtures/diff/bgp-change.lab.yaml
# Exactly the commands the change runs (the blocks of one phase in parallel). What is removed goes first;
# a removal of something already gone is not an error (-force).
#
# changes:
#   ~ node h3 rebuilt: its kind changed from netns to container: a namespace cannot become a container; its links go and come back with it (r3:eth2–h3:eth0)
#   - h1: ip addr del 10.1.0.10/24 dev eth0
#   + h1: ip addr add 10.1.0.11/24 dev eth0
#   + h1: ip route add 192.0.2.0/24 via 10.1.0.1

# ── remove
# node h3: rebuilt: its kind changed from netns to container: a namespace cannot become a container
ip -n nsl.c4-bgp.h3 -force -batch - <<'EOF'
link del dev eth0
EOF
# end every process in nsl.c4-bgp.h3 (SIGTERM, then SIGKILL after 1.5 s)
ip netns del nsl.c4-bgp.h3
ip -n nsl.c4-bgp.h1 -force -batch - <<'EOF'
addr del 10.1.0.10/24 dev eth0
EOF

# ── namespaces: network namespaces (one per node, plus the lab fabric) and containers
# container h3
# from test/unit/fixtures/diff/bgp-change.lab.yaml:35:3
docker run -d --name nsl.c4-bgp.h3 --network none --hostname h3 --label nslab.lab=c4-bgp --label nslab.node=h3 --cap-add NET_ADMIN --cap-add NET_RAW nslab/host:1f5bc45320f4
mkdir -p /run/netns && ln -sfn "/proc/$(docker inspect -f '{{.State.Pid}}' nsl.c4-bgp.h3)/ns/net" /run/netns/nsl.c4-bgp.h3

# ── links: veth pairs created directly inside their namespaces
ip -batch - <<'EOF'
# test/unit/fixtures/diff/bgp-change.lab.yaml:43:5 — link r3:eth2 <-> h3:eth0
link add eth2 netns nsl.c4-bgp.r3 type veth peer name eth0 netns nsl.c4-bgp.h3
EOF

# ── configure: inside each namespace: sysctls, bridges, addresses, routes
# one batch file per namespace, run 4 at a time by xargs
mkdir -p /run/nslab/c4-bgp/apply/batch
cat >/run/nslab/c4-bgp/apply/batch/nsl.c4-bgp.h3.ip <<'EOF'
# test/unit/fixtures/diff/bgp-change.lab.yaml:35:3 — node h3: forwarding off (as inherited from the host)
link set lo up
# test/unit/fixtures/diff/bgp-change.lab.yaml:35:59
addr add 10.3.0.10/24 dev eth0
link set eth0 up
# test/unit/fixtures/diff/bgp-change.lab.yaml:35:107
route add default via 10.3.0.1
EOF
cat >/run/nslab/c4-bgp/apply/batch/nsl.c4-bgp.r3.ip <<'EOF'
# test/unit/fixtures/diff/bgp-change.lab.yaml:29:7
addr add 10.3.0.1/24 dev eth2
link set eth2 up
EOF
cat >/run/nslab/c4-bgp/apply/batch/nsl.c4-bgp.h1.ip <<'EOF'
# test/unit/fixtures/diff/bgp-change.lab.yaml:33:23
addr add 10.1.0.11/24 dev eth0
# test/unit/fixtures/diff/bgp-change.lab.yaml:33:93
route add 192.0.2.0/24 via 10.1.0.1
EOF
xargs -P 4 -L 1 nsenter <<'EOF'
--net=/run/netns/nsl.c4-bgp.h3 ip -batch /run/nslab/c4-bgp/apply/batch/nsl.c4-bgp.h3.ip
--net=/run/netns/nsl.c4-bgp.r3 ip -batch /run/nslab/c4-bgp/apply/batch/nsl.c4-bgp.r3.ip
--net=/run/netns/nsl.c4-bgp.h1 ip -batch /run/nslab/c4-bgp/apply/batch/nsl.c4-bgp.h1.ip
EOF

# (batch files go to /run/nslab/c4-bgp/apply)
