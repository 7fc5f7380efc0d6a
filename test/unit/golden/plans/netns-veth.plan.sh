#!/bin/sh
# nslab plan for lab "netns-veth" from labs/netns-veth/lab.yaml
# Run as root to build the lab by hand; these are exactly the commands `lab up` runs
# (it runs the blocks of one phase in parallel). Every line notes the lab-file place behind it.
# new namespaces start with net.ipv4.ip_forward=1, net.ipv6.conf.all.forwarding=0 (inherited from this host): only nodes that need other values get a sysctl
set -e

# ── namespaces: network namespaces (one per node, plus the lab fabric) and containers
ip -batch - <<'EOF'
# labs/netns-veth/lab.yaml:9:3 — node c1
netns add nsl.netns-veth.c1
# labs/netns-veth/lab.yaml:13:3 — node c2
netns add nsl.netns-veth.c2
EOF

# ── links: veth pairs created directly inside their namespaces
ip -batch - <<'EOF'
# labs/netns-veth/lab.yaml:19:5 — link c1:eth0 <-> c2:eth0
link add eth0 netns nsl.netns-veth.c1 type veth peer name eth0 netns nsl.netns-veth.c2
EOF

# ── configure: inside each namespace: sysctls, bridges, addresses, routes
# one batch file per namespace, run 4 at a time by xargs
mkdir -p /run/nslab/netns-veth/batch
cat >/run/nslab/netns-veth/batch/nsl.netns-veth.c1.ip <<'EOF'
# labs/netns-veth/lab.yaml:9:3
link set lo up
# labs/netns-veth/lab.yaml:11:7
addr add 10.0.0.1/24 dev eth0
addr add fd00:0:0:1::1/64 dev eth0 nodad
link set eth0 up
EOF
cat >/run/nslab/netns-veth/batch/nsl.netns-veth.c2.ip <<'EOF'
# labs/netns-veth/lab.yaml:13:3
link set lo up
# labs/netns-veth/lab.yaml:15:7
addr add 10.0.0.2/24 dev eth0
addr add fd00:0:0:1::2/64 dev eth0 nodad
link set eth0 up
EOF
xargs -P 4 -L 1 nsenter <<'EOF'
--net=/run/netns/nsl.netns-veth.c1 sysctl -qw net.ipv4.ip_forward=0
--net=/run/netns/nsl.netns-veth.c1 ip -batch /run/nslab/netns-veth/batch/nsl.netns-veth.c1.ip
--net=/run/netns/nsl.netns-veth.c2 sysctl -qw net.ipv4.ip_forward=0
--net=/run/netns/nsl.netns-veth.c2 ip -batch /run/nslab/netns-veth/batch/nsl.netns-veth.c2.ip
EOF

# ── teardown (what `lab down` runs): stop every process inside the lab's namespaces (by PID), then
# delete the namespaces, which removes every link, bridge, address, route and rule inside them
# (commented out, so that running this script builds the lab and leaves it up)
#   ip -force -batch - <<'EOF'
#   netns del nsl.netns-veth.c1
#   netns del nsl.netns-veth.c2
#   EOF
