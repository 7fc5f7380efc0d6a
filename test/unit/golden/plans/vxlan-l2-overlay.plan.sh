#!/bin/sh
# nslab plan for lab "vxlan-l2-overlay" from labs/vxlan-l2-overlay/lab.yaml
# Run as root to build the lab by hand; these are exactly the commands `lab up` runs
# (it runs the blocks of one phase in parallel). Every line notes the lab-file place behind it.
# new namespaces start with net.ipv4.ip_forward=1, net.ipv6.conf.all.forwarding=0 (inherited from this host): only nodes that need other values get a sysctl
set -e

# ── namespaces: network namespaces (one per node, plus the lab fabric) and containers
ip -batch - <<'EOF'
# labs/vxlan-l2-overlay/lab.yaml:10:3 — node r
netns add nsl.vxlan-l2-overlay.r
# labs/vxlan-l2-overlay/lab.yaml:15:3 — node gw-a
netns add nsl.vxlan-l2-overlay.gw-a
# labs/vxlan-l2-overlay/lab.yaml:24:3 — node gw-b
netns add nsl.vxlan-l2-overlay.gw-b
# labs/vxlan-l2-overlay/lab.yaml:29:3 — node h-a
netns add nsl.vxlan-l2-overlay.h-a
# labs/vxlan-l2-overlay/lab.yaml:32:3 — node h-b
netns add nsl.vxlan-l2-overlay.h-b
EOF

# ── links: veth pairs created directly inside their namespaces
ip -batch - <<'EOF'
# labs/vxlan-l2-overlay/lab.yaml:41:5 — link gw-a:eth0 <-> r:eth0
link add eth0 netns nsl.vxlan-l2-overlay.gw-a type veth peer name eth0 netns nsl.vxlan-l2-overlay.r
# labs/vxlan-l2-overlay/lab.yaml:42:5 — link r:eth1 <-> gw-b:eth0
link add eth1 netns nsl.vxlan-l2-overlay.r type veth peer name eth0 netns nsl.vxlan-l2-overlay.gw-b
# labs/vxlan-l2-overlay/lab.yaml:43:5 — link h-a:eth0 <-> br-a
link add h-a-eth0 netns nsl.vxlan-l2-overlay.gw-a index 1000 mtu 1450 type veth peer name eth0 netns nsl.vxlan-l2-overlay.h-a mtu 1450
# labs/vxlan-l2-overlay/lab.yaml:44:5 — link h-b:eth0 <-> br-b
link add h-b-eth0 netns nsl.vxlan-l2-overlay.gw-b index 1000 mtu 1450 type veth peer name eth0 netns nsl.vxlan-l2-overlay.h-b mtu 1450
EOF

# ── configure: inside each namespace: sysctls, bridges, addresses, routes
# one batch file per namespace, run 4 at a time by xargs
mkdir -p /run/nslab/vxlan-l2-overlay/batch
cat >/run/nslab/vxlan-l2-overlay/batch/nsl.vxlan-l2-overlay.r.ip <<'EOF'
# labs/vxlan-l2-overlay/lab.yaml:10:3
link set lo up
# labs/vxlan-l2-overlay/lab.yaml:13:7
addr add 10.1.0.1/24 dev eth0
# labs/vxlan-l2-overlay/lab.yaml:14:7
addr add 10.2.0.1/24 dev eth1
# labs/vxlan-l2-overlay/lab.yaml:13:7
link set eth0 up
# labs/vxlan-l2-overlay/lab.yaml:14:7
link set eth1 up
EOF
cat >/run/nslab/vxlan-l2-overlay/batch/nsl.vxlan-l2-overlay.gw-a.ip <<'EOF'
# labs/vxlan-l2-overlay/lab.yaml:15:3
link set lo up
# labs/vxlan-l2-overlay/lab.yaml:37:3 — bridge br-a in gw-a
link add br-a type bridge
# labs/vxlan-l2-overlay/lab.yaml:18:7 — VXLAN vx42: VNI 42 over eth0 to 10.2.0.2
link add vx42 mtu 1450 type vxlan id 42 local 10.1.0.2 remote 10.2.0.2 dstport 4789 dev eth0 nolearning
link set vx42 master br-a
# labs/vxlan-l2-overlay/lab.yaml:43:5
link set h-a-eth0 master br-a
# labs/vxlan-l2-overlay/lab.yaml:17:7
addr add 10.1.0.2/24 dev eth0
link set eth0 up
# labs/vxlan-l2-overlay/lab.yaml:18:7
link set vx42 up
# labs/vxlan-l2-overlay/lab.yaml:37:3
link set br-a up
# labs/vxlan-l2-overlay/lab.yaml:43:5
link set h-a-eth0 up
# labs/vxlan-l2-overlay/lab.yaml:23:14
route add 10.2.0.0/24 via 10.1.0.1
EOF
cat >/run/nslab/vxlan-l2-overlay/batch/nsl.vxlan-l2-overlay.gw-b.ip <<'EOF'
# labs/vxlan-l2-overlay/lab.yaml:24:3
link set lo up
# labs/vxlan-l2-overlay/lab.yaml:38:3 — bridge br-b in gw-b
link add br-b type bridge
# labs/vxlan-l2-overlay/lab.yaml:27:7 — VXLAN vx42: VNI 42 over eth0 to 10.1.0.2
link add vx42 mtu 1450 type vxlan id 42 local 10.2.0.2 remote 10.1.0.2 dstport 4789 dev eth0 nolearning
link set vx42 master br-b
# labs/vxlan-l2-overlay/lab.yaml:44:5
link set h-b-eth0 master br-b
# labs/vxlan-l2-overlay/lab.yaml:26:7
addr add 10.2.0.2/24 dev eth0
link set eth0 up
# labs/vxlan-l2-overlay/lab.yaml:27:7
link set vx42 up
# labs/vxlan-l2-overlay/lab.yaml:38:3
link set br-b up
# labs/vxlan-l2-overlay/lab.yaml:44:5
link set h-b-eth0 up
# labs/vxlan-l2-overlay/lab.yaml:28:14
route add 10.1.0.0/24 via 10.2.0.1
EOF
cat >/run/nslab/vxlan-l2-overlay/batch/nsl.vxlan-l2-overlay.h-a.ip <<'EOF'
# labs/vxlan-l2-overlay/lab.yaml:29:3
link set lo up
# labs/vxlan-l2-overlay/lab.yaml:31:7
addr add 192.168.50.1/24 dev eth0
link set eth0 up
EOF
cat >/run/nslab/vxlan-l2-overlay/batch/nsl.vxlan-l2-overlay.h-b.ip <<'EOF'
# labs/vxlan-l2-overlay/lab.yaml:32:3
link set lo up
# labs/vxlan-l2-overlay/lab.yaml:34:7
addr add 192.168.50.2/24 dev eth0
link set eth0 up
EOF
xargs -P 4 -L 1 nsenter <<'EOF'
--net=/run/netns/nsl.vxlan-l2-overlay.r sysctl -qw net.ipv6.conf.all.forwarding=1
--net=/run/netns/nsl.vxlan-l2-overlay.r ip -batch /run/nslab/vxlan-l2-overlay/batch/nsl.vxlan-l2-overlay.r.ip
--net=/run/netns/nsl.vxlan-l2-overlay.gw-a sysctl -qw net.ipv4.ip_forward=0
--net=/run/netns/nsl.vxlan-l2-overlay.gw-a ip -batch /run/nslab/vxlan-l2-overlay/batch/nsl.vxlan-l2-overlay.gw-a.ip
--net=/run/netns/nsl.vxlan-l2-overlay.gw-b sysctl -qw net.ipv4.ip_forward=0
--net=/run/netns/nsl.vxlan-l2-overlay.gw-b ip -batch /run/nslab/vxlan-l2-overlay/batch/nsl.vxlan-l2-overlay.gw-b.ip
--net=/run/netns/nsl.vxlan-l2-overlay.h-a sysctl -qw net.ipv4.ip_forward=0
--net=/run/netns/nsl.vxlan-l2-overlay.h-a ip -batch /run/nslab/vxlan-l2-overlay/batch/nsl.vxlan-l2-overlay.h-a.ip
--net=/run/netns/nsl.vxlan-l2-overlay.h-b sysctl -qw net.ipv4.ip_forward=0
--net=/run/netns/nsl.vxlan-l2-overlay.h-b ip -batch /run/nslab/vxlan-l2-overlay/batch/nsl.vxlan-l2-overlay.h-b.ip
EOF

# ── settle: wait until every bridge port forwards (the kernel applies link changes asynchronously)
# wait until every bridge port forwards
# from labs/vxlan-l2-overlay/lab.yaml:37:3
# repeated until no port is "state disabled", for at most 10 s
while nsenter --net=/run/netns/nsl.vxlan-l2-overlay.gw-a bridge link show | grep -q 'state disabled'; do sleep 0.01; done
# wait until every bridge port forwards
# from labs/vxlan-l2-overlay/lab.yaml:38:3
# repeated until no port is "state disabled", for at most 10 s
while nsenter --net=/run/netns/nsl.vxlan-l2-overlay.gw-b bridge link show | grep -q 'state disabled'; do sleep 0.01; done

# ── teardown (what `lab down` runs): stop every process inside the lab's namespaces (by PID), then
# delete the namespaces, which removes every link, bridge, address, route and rule inside them
# (commented out, so that running this script builds the lab and leaves it up)
#   ip -force -batch - <<'EOF'
#   netns del nsl.vxlan-l2-overlay.r
#   netns del nsl.vxlan-l2-overlay.gw-a
#   netns del nsl.vxlan-l2-overlay.gw-b
#   netns del nsl.vxlan-l2-overlay.h-a
#   netns del nsl.vxlan-l2-overlay.h-b
#   EOF
