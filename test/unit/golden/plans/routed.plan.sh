#!/bin/sh
# nslab plan for lab "routed" from labs/routed/lab.yaml
# Run as root to build the lab by hand; these are exactly the commands `lab up` runs
# (it runs the blocks of one phase in parallel). Every line notes the lab-file place behind it.
# new namespaces start with net.ipv4.ip_forward=1, net.ipv6.conf.all.forwarding=0 (inherited from this host): only nodes that need other values get a sysctl
set -e

# ── namespaces: network namespaces (one per node, plus the lab fabric) and containers
ip -batch - <<'EOF'
# labs/routed/lab.yaml:2:7 — the lab fabric: bridges that belong to no node
netns add nsl.routed
# labs/routed/lab.yaml:9:3 — node r
netns add nsl.routed.r
# labs/routed/lab.yaml:14:3 — node a1
netns add nsl.routed.a1
# labs/routed/lab.yaml:15:3 — node a2
netns add nsl.routed.a2
# labs/routed/lab.yaml:16:3 — node b1
netns add nsl.routed.b1
# labs/routed/lab.yaml:17:3 — node b2
netns add nsl.routed.b2
EOF

# ── links: veth pairs created directly inside their namespaces
ip -batch - <<'EOF'
# labs/routed/lab.yaml:26:5 — link r:eth0 <-> lan-a
link add r-eth0 netns nsl.routed index 1000 type veth peer name eth0 netns nsl.routed.r
# labs/routed/lab.yaml:27:5 — link a1:eth0 <-> lan-a
link add a1-eth0 netns nsl.routed index 1001 type veth peer name eth0 netns nsl.routed.a1
# labs/routed/lab.yaml:28:5 — link a2:eth0 <-> lan-a
link add a2-eth0 netns nsl.routed index 1002 type veth peer name eth0 netns nsl.routed.a2
# labs/routed/lab.yaml:29:5 — link r:eth1 <-> lan-b
link add r-eth1 netns nsl.routed index 1003 type veth peer name eth1 netns nsl.routed.r
# labs/routed/lab.yaml:30:5 — link b1:eth0 <-> lan-b
link add b1-eth0 netns nsl.routed index 1004 type veth peer name eth0 netns nsl.routed.b1
# labs/routed/lab.yaml:31:5 — link b2:eth0 <-> lan-b
link add b2-eth0 netns nsl.routed index 1005 type veth peer name eth0 netns nsl.routed.b2
EOF

# ── configure: inside each namespace: sysctls, bridges, addresses, routes
# one batch file per namespace, run 4 at a time by xargs
mkdir -p /run/nslab/routed/batch
cat >/run/nslab/routed/batch/nsl.routed.r.ip <<'EOF'
# labs/routed/lab.yaml:9:3
link set lo up
# labs/routed/lab.yaml:12:7
addr add 10.1.0.1/24 dev eth0
# labs/routed/lab.yaml:13:7
addr add 10.2.0.1/24 dev eth1
# labs/routed/lab.yaml:12:7
link set eth0 up
# labs/routed/lab.yaml:13:7
link set eth1 up
EOF
cat >/run/nslab/routed/batch/nsl.routed.a1.ip <<'EOF'
# labs/routed/lab.yaml:14:3
link set lo up
# labs/routed/lab.yaml:27:6 — address from the pool
addr add 10.1.0.2/24 dev eth0
link set eth0 up
# labs/routed/lab.yaml:14:18
route add default via 10.1.0.1
EOF
cat >/run/nslab/routed/batch/nsl.routed.a2.ip <<'EOF'
# labs/routed/lab.yaml:15:3
link set lo up
# labs/routed/lab.yaml:28:6 — address from the pool
addr add 10.1.0.3/24 dev eth0
link set eth0 up
# labs/routed/lab.yaml:15:18
route add default via 10.1.0.1
EOF
cat >/run/nslab/routed/batch/nsl.routed.b1.ip <<'EOF'
# labs/routed/lab.yaml:16:3
link set lo up
# labs/routed/lab.yaml:30:6 — address from the pool
addr add 10.2.0.2/24 dev eth0
link set eth0 up
# labs/routed/lab.yaml:16:18
route add default via 10.2.0.1
EOF
cat >/run/nslab/routed/batch/nsl.routed.b2.ip <<'EOF'
# labs/routed/lab.yaml:17:3
link set lo up
# labs/routed/lab.yaml:31:6 — address from the pool
addr add 10.2.0.3/24 dev eth0
link set eth0 up
# labs/routed/lab.yaml:19:9
route add 10.1.0.0/24 via 10.2.0.1 dev eth0
EOF
cat >/run/nslab/routed/batch/nsl.routed.ip <<'EOF'
# labs/routed/lab.yaml:2:7
link set lo up
# labs/routed/lab.yaml:22:3 — bridge lan-a
link add lan-a type bridge
# labs/routed/lab.yaml:23:3 — bridge lan-b
link add lan-b type bridge
# labs/routed/lab.yaml:26:5
link set r-eth0 master lan-a
# labs/routed/lab.yaml:27:5
link set a1-eth0 master lan-a
# labs/routed/lab.yaml:28:5
link set a2-eth0 master lan-a
# labs/routed/lab.yaml:29:5
link set r-eth1 master lan-b
# labs/routed/lab.yaml:30:5
link set b1-eth0 master lan-b
# labs/routed/lab.yaml:31:5
link set b2-eth0 master lan-b
# labs/routed/lab.yaml:22:3
link set lan-a up
# labs/routed/lab.yaml:23:3
link set lan-b up
# labs/routed/lab.yaml:26:5
link set r-eth0 up
# labs/routed/lab.yaml:27:5
link set a1-eth0 up
# labs/routed/lab.yaml:28:5
link set a2-eth0 up
# labs/routed/lab.yaml:29:5
link set r-eth1 up
# labs/routed/lab.yaml:30:5
link set b1-eth0 up
# labs/routed/lab.yaml:31:5
link set b2-eth0 up
EOF
xargs -P 4 -L 1 nsenter <<'EOF'
--net=/run/netns/nsl.routed.r sysctl -qw net.ipv6.conf.all.forwarding=1
--net=/run/netns/nsl.routed.r ip -batch /run/nslab/routed/batch/nsl.routed.r.ip
--net=/run/netns/nsl.routed.a1 sysctl -qw net.ipv4.ip_forward=0
--net=/run/netns/nsl.routed.a1 ip -batch /run/nslab/routed/batch/nsl.routed.a1.ip
--net=/run/netns/nsl.routed.a2 sysctl -qw net.ipv4.ip_forward=0
--net=/run/netns/nsl.routed.a2 ip -batch /run/nslab/routed/batch/nsl.routed.a2.ip
--net=/run/netns/nsl.routed.b1 sysctl -qw net.ipv4.ip_forward=0
--net=/run/netns/nsl.routed.b1 ip -batch /run/nslab/routed/batch/nsl.routed.b1.ip
--net=/run/netns/nsl.routed.b2 sysctl -qw net.ipv4.ip_forward=0
--net=/run/netns/nsl.routed.b2 ip -batch /run/nslab/routed/batch/nsl.routed.b2.ip
--net=/run/netns/nsl.routed ip -batch /run/nslab/routed/batch/nsl.routed.ip
EOF

# ── settle: wait until every bridge port forwards (the kernel applies link changes asynchronously)
# wait until every bridge port forwards
# from labs/routed/lab.yaml:22:3
# repeated until no port is "state disabled", for at most 10 s
while nsenter --net=/run/netns/nsl.routed bridge link show | grep -q 'state disabled'; do sleep 0.01; done

# ── teardown (what `lab down` runs): stop every process inside the lab's namespaces (by PID), then
# delete the namespaces, which removes every link, bridge, address, route and rule inside them
# (commented out, so that running this script builds the lab and leaves it up)
#   ip -force -batch - <<'EOF'
#   netns del nsl.routed
#   netns del nsl.routed.r
#   netns del nsl.routed.a1
#   netns del nsl.routed.a2
#   netns del nsl.routed.b1
#   netns del nsl.routed.b2
#   EOF
