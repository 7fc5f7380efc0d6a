#!/bin/sh
# nslab plan for lab "k8s-services-iptables" from labs/k8s-services-iptables/lab.yaml
# Run as root to build the lab by hand; these are exactly the commands `lab up` runs
# (it runs the blocks of one phase in parallel). Every line notes the lab-file place behind it.
# new namespaces start with net.ipv4.ip_forward=1, net.ipv6.conf.all.forwarding=0 (inherited from this host): only nodes that need other values get a sysctl
set -e

# ── namespaces: network namespaces (one per node, plus the lab fabric) and containers
ip -batch - <<'EOF'
# labs/k8s-services-iptables/lab.yaml:2:7 — the lab fabric: bridges that belong to no node
netns add nsl.k8s-services-iptables
# labs/k8s-services-iptables/lab.yaml:11:3 — node outside
netns add nsl.k8s-services-iptables.outside
# labs/k8s-services-iptables/lab.yaml:22:5 — node node-1
netns add nsl.k8s-services-iptables.node-1
# labs/k8s-services-iptables/lab.yaml:23:5 — node node-2
netns add nsl.k8s-services-iptables.node-2
# labs/k8s-services-iptables/lab.yaml:19:3 — node coredns
netns add nsl.k8s-services-iptables.coredns
# labs/k8s-services-iptables/lab.yaml:25:5 — node web-1
netns add nsl.k8s-services-iptables.web-1
# labs/k8s-services-iptables/lab.yaml:25:5 — node web-2
netns add nsl.k8s-services-iptables.web-2
# labs/k8s-services-iptables/lab.yaml:25:5 — node web-3
netns add nsl.k8s-services-iptables.web-3
# labs/k8s-services-iptables/lab.yaml:28:5 — node api-1
netns add nsl.k8s-services-iptables.api-1
# labs/k8s-services-iptables/lab.yaml:28:5 — node api-2
netns add nsl.k8s-services-iptables.api-2
# labs/k8s-services-iptables/lab.yaml:34:5 — node echo
netns add nsl.k8s-services-iptables.echo
# labs/k8s-services-iptables/lab.yaml:39:5 — node client
netns add nsl.k8s-services-iptables.client
# labs/k8s-services-iptables/lab.yaml:42:5 — node cart-1
netns add nsl.k8s-services-iptables.cart-1
# labs/k8s-services-iptables/lab.yaml:42:5 — node cart-2
netns add nsl.k8s-services-iptables.cart-2
EOF

# ── links: veth pairs created directly inside their namespaces
ip -batch - <<'EOF'
# labs/k8s-services-iptables/lab.yaml:16:5 — link outside:eth0 <-> k8s-net
link add outside-eth0 netns nsl.k8s-services-iptables index 1000 type veth peer name eth0 netns nsl.k8s-services-iptables.outside
# labs/k8s-services-iptables/lab.yaml:22:13 — link node-1:eth0 <-> k8s-net
link add node-1-eth0 netns nsl.k8s-services-iptables index 1001 type veth peer name eth0 netns nsl.k8s-services-iptables.node-1
# labs/k8s-services-iptables/lab.yaml:23:13 — link node-2:eth0 <-> k8s-net
link add node-2-eth0 netns nsl.k8s-services-iptables index 1002 type veth peer name eth0 netns nsl.k8s-services-iptables.node-2
# labs/k8s-services-iptables/lab.yaml:19:3 — link coredns:eth0 <-> cni0@node-1
link add veth96971f43 netns nsl.k8s-services-iptables.node-1 index 1000 mtu 1450 type veth peer name eth0 netns nsl.k8s-services-iptables.coredns mtu 1450
# labs/k8s-services-iptables/lab.yaml:26:7 — link web-1:eth0 <-> cni0@node-1
link add veth0761ccbe netns nsl.k8s-services-iptables.node-1 index 1001 mtu 1450 type veth peer name eth0 netns nsl.k8s-services-iptables.web-1 mtu 1450
# labs/k8s-services-iptables/lab.yaml:26:7 — link web-2:eth0 <-> cni0@node-2
link add veth9fb0db7f netns nsl.k8s-services-iptables.node-2 index 1000 mtu 1450 type veth peer name eth0 netns nsl.k8s-services-iptables.web-2 mtu 1450
# labs/k8s-services-iptables/lab.yaml:26:7 — link web-3:eth0 <-> cni0@node-1
link add veth4448cbdd netns nsl.k8s-services-iptables.node-1 index 1002 mtu 1450 type veth peer name eth0 netns nsl.k8s-services-iptables.web-3 mtu 1450
# labs/k8s-services-iptables/lab.yaml:29:7 — link api-1:eth0 <-> cni0@node-2
link add veth41e47e3d netns nsl.k8s-services-iptables.node-2 index 1001 mtu 1450 type veth peer name eth0 netns nsl.k8s-services-iptables.api-1 mtu 1450
# labs/k8s-services-iptables/lab.yaml:29:7 — link api-2:eth0 <-> cni0@node-1
link add vethe655985e netns nsl.k8s-services-iptables.node-1 index 1003 mtu 1450 type veth peer name eth0 netns nsl.k8s-services-iptables.api-2 mtu 1450
# labs/k8s-services-iptables/lab.yaml:35:7 — link echo:eth0 <-> cni0@node-2
link add veth4093604f netns nsl.k8s-services-iptables.node-2 index 1002 mtu 1450 type veth peer name eth0 netns nsl.k8s-services-iptables.echo mtu 1450
# labs/k8s-services-iptables/lab.yaml:40:7 — link client:eth0 <-> cni0@node-1
link add vetha7a3e029 netns nsl.k8s-services-iptables.node-1 index 1004 mtu 1450 type veth peer name eth0 netns nsl.k8s-services-iptables.client mtu 1450
# labs/k8s-services-iptables/lab.yaml:43:7 — link cart-1:eth0 <-> cni0@node-2
link add veth9a129328 netns nsl.k8s-services-iptables.node-2 index 1003 mtu 1450 type veth peer name eth0 netns nsl.k8s-services-iptables.cart-1 mtu 1450
# labs/k8s-services-iptables/lab.yaml:43:7 — link cart-2:eth0 <-> cni0@node-1
link add veth5eacdabb netns nsl.k8s-services-iptables.node-1 index 1005 mtu 1450 type veth peer name eth0 netns nsl.k8s-services-iptables.cart-2 mtu 1450
EOF

# ── configure: inside each namespace: sysctls, bridges, addresses, routes
# one batch file per namespace, run 4 at a time by xargs
mkdir -p /run/nslab/k8s-services-iptables/batch
cat >/run/nslab/k8s-services-iptables/batch/nsl.k8s-services-iptables.outside.ip <<'EOF'
# labs/k8s-services-iptables/lab.yaml:11:3
link set lo up
# labs/k8s-services-iptables/lab.yaml:13:7
addr add 192.168.56.100/24 dev eth0
link set eth0 up
EOF
cat >/run/nslab/k8s-services-iptables/batch/nsl.k8s-services-iptables.node-1.ip <<'EOF'
# labs/k8s-services-iptables/lab.yaml:22:5
link set lo up
# labs/k8s-services-iptables/lab.yaml:19:3 — bridge cni0 in node-1
link add cni0 type bridge
link set cni0 mtu 1450
# labs/k8s-services-iptables/lab.yaml:19:3 — VXLAN flannel.1: VNI 1 over eth0
link add flannel.1 address 0e:09:dd:ab:2d:e8 mtu 1450 type vxlan id 1 local 192.168.56.11 dstport 8472 dev eth0 nolearning
link set veth96971f43 master cni0
# labs/k8s-services-iptables/lab.yaml:26:7
link set veth0761ccbe master cni0
link set veth4448cbdd master cni0
# labs/k8s-services-iptables/lab.yaml:29:7
link set vethe655985e master cni0
# labs/k8s-services-iptables/lab.yaml:40:7
link set vetha7a3e029 master cni0
# labs/k8s-services-iptables/lab.yaml:43:7
link set veth5eacdabb master cni0
# labs/k8s-services-iptables/lab.yaml:19:3 — hairpin mode: frames may leave by the port they came in on
link set veth96971f43 type bridge_slave hairpin on
# labs/k8s-services-iptables/lab.yaml:26:7 — hairpin mode: frames may leave by the port they came in on
link set veth0761ccbe type bridge_slave hairpin on
# labs/k8s-services-iptables/lab.yaml:26:7 — hairpin mode: frames may leave by the port they came in on
link set veth4448cbdd type bridge_slave hairpin on
# labs/k8s-services-iptables/lab.yaml:29:7 — hairpin mode: frames may leave by the port they came in on
link set vethe655985e type bridge_slave hairpin on
# labs/k8s-services-iptables/lab.yaml:40:7 — hairpin mode: frames may leave by the port they came in on
link set vetha7a3e029 type bridge_slave hairpin on
# labs/k8s-services-iptables/lab.yaml:43:7 — hairpin mode: frames may leave by the port they came in on
link set veth5eacdabb type bridge_slave hairpin on
# labs/k8s-services-iptables/lab.yaml:22:13
addr add 192.168.56.11/24 dev eth0
# labs/k8s-services-iptables/lab.yaml:19:3
addr add 10.244.0.0/32 dev flannel.1
addr add 10.244.0.1/24 dev cni0
# labs/k8s-services-iptables/lab.yaml:22:13
link set eth0 up
# labs/k8s-services-iptables/lab.yaml:19:3
link set flannel.1 up
link set cni0 up
link set veth96971f43 up
# labs/k8s-services-iptables/lab.yaml:26:7
link set veth0761ccbe up
link set veth4448cbdd up
# labs/k8s-services-iptables/lab.yaml:29:7
link set vethe655985e up
# labs/k8s-services-iptables/lab.yaml:40:7
link set vetha7a3e029 up
# labs/k8s-services-iptables/lab.yaml:43:7
link set veth5eacdabb up
# labs/k8s-services-iptables/lab.yaml:19:8
route add 10.96.0.0/12 dev eth0
route add 10.244.1.0/24 via 10.244.1.0 dev flannel.1 onlink
# labs/k8s-services-iptables/lab.yaml:19:3
neigh replace 10.244.1.0 lladdr 0e:8e:37:90:c0:1f dev flannel.1 nud permanent
EOF
cat >/run/nslab/k8s-services-iptables/batch/nsl.k8s-services-iptables.node-2.ip <<'EOF'
# labs/k8s-services-iptables/lab.yaml:23:5
link set lo up
# labs/k8s-services-iptables/lab.yaml:19:3 — bridge cni0 in node-2
link add cni0 type bridge
link set cni0 mtu 1450
# labs/k8s-services-iptables/lab.yaml:19:3 — VXLAN flannel.1: VNI 1 over eth0
link add flannel.1 address 0e:8e:37:90:c0:1f mtu 1450 type vxlan id 1 local 192.168.56.12 dstport 8472 dev eth0 nolearning
# labs/k8s-services-iptables/lab.yaml:26:7
link set veth9fb0db7f master cni0
# labs/k8s-services-iptables/lab.yaml:29:7
link set veth41e47e3d master cni0
# labs/k8s-services-iptables/lab.yaml:35:7
link set veth4093604f master cni0
# labs/k8s-services-iptables/lab.yaml:43:7
link set veth9a129328 master cni0
# labs/k8s-services-iptables/lab.yaml:26:7 — hairpin mode: frames may leave by the port they came in on
link set veth9fb0db7f type bridge_slave hairpin on
# labs/k8s-services-iptables/lab.yaml:29:7 — hairpin mode: frames may leave by the port they came in on
link set veth41e47e3d type bridge_slave hairpin on
# labs/k8s-services-iptables/lab.yaml:35:7 — hairpin mode: frames may leave by the port they came in on
link set veth4093604f type bridge_slave hairpin on
# labs/k8s-services-iptables/lab.yaml:43:7 — hairpin mode: frames may leave by the port they came in on
link set veth9a129328 type bridge_slave hairpin on
# labs/k8s-services-iptables/lab.yaml:23:13
addr add 192.168.56.12/24 dev eth0
# labs/k8s-services-iptables/lab.yaml:19:3
addr add 10.244.1.0/32 dev flannel.1
addr add 10.244.1.1/24 dev cni0
# labs/k8s-services-iptables/lab.yaml:23:13
link set eth0 up
# labs/k8s-services-iptables/lab.yaml:19:3
link set flannel.1 up
link set cni0 up
# labs/k8s-services-iptables/lab.yaml:26:7
link set veth9fb0db7f up
# labs/k8s-services-iptables/lab.yaml:29:7
link set veth41e47e3d up
# labs/k8s-services-iptables/lab.yaml:35:7
link set veth4093604f up
# labs/k8s-services-iptables/lab.yaml:43:7
link set veth9a129328 up
# labs/k8s-services-iptables/lab.yaml:19:8
route add 10.96.0.0/12 dev eth0
route add 10.244.0.0/24 via 10.244.0.0 dev flannel.1 onlink
# labs/k8s-services-iptables/lab.yaml:19:3
neigh replace 10.244.0.0 lladdr 0e:09:dd:ab:2d:e8 dev flannel.1 nud permanent
EOF
cat >/run/nslab/k8s-services-iptables/batch/nsl.k8s-services-iptables.coredns.ip <<'EOF'
# labs/k8s-services-iptables/lab.yaml:19:3
link set lo up
addr add 10.244.0.2/24 dev eth0
link set eth0 up
route add default via 10.244.0.1
EOF
cat >/run/nslab/k8s-services-iptables/batch/nsl.k8s-services-iptables.web-1.ip <<'EOF'
# labs/k8s-services-iptables/lab.yaml:25:5
link set lo up
# labs/k8s-services-iptables/lab.yaml:26:7
addr add 10.244.0.3/24 dev eth0
link set eth0 up
route add default via 10.244.0.1
EOF
cat >/run/nslab/k8s-services-iptables/batch/nsl.k8s-services-iptables.web-2.ip <<'EOF'
# labs/k8s-services-iptables/lab.yaml:25:5
link set lo up
# labs/k8s-services-iptables/lab.yaml:26:7
addr add 10.244.1.2/24 dev eth0
link set eth0 up
route add default via 10.244.1.1
EOF
cat >/run/nslab/k8s-services-iptables/batch/nsl.k8s-services-iptables.web-3.ip <<'EOF'
# labs/k8s-services-iptables/lab.yaml:25:5
link set lo up
# labs/k8s-services-iptables/lab.yaml:26:7
addr add 10.244.0.4/24 dev eth0
link set eth0 up
route add default via 10.244.0.1
EOF
cat >/run/nslab/k8s-services-iptables/batch/nsl.k8s-services-iptables.api-1.ip <<'EOF'
# labs/k8s-services-iptables/lab.yaml:28:5
link set lo up
# labs/k8s-services-iptables/lab.yaml:29:7
addr add 10.244.1.3/24 dev eth0
link set eth0 up
route add default via 10.244.1.1
EOF
cat >/run/nslab/k8s-services-iptables/batch/nsl.k8s-services-iptables.api-2.ip <<'EOF'
# labs/k8s-services-iptables/lab.yaml:28:5
link set lo up
# labs/k8s-services-iptables/lab.yaml:29:7
addr add 10.244.0.5/24 dev eth0
link set eth0 up
route add default via 10.244.0.1
EOF
cat >/run/nslab/k8s-services-iptables/batch/nsl.k8s-services-iptables.echo.ip <<'EOF'
# labs/k8s-services-iptables/lab.yaml:34:5
link set lo up
# labs/k8s-services-iptables/lab.yaml:35:7
addr add 10.244.1.4/24 dev eth0
link set eth0 up
route add default via 10.244.1.1
EOF
cat >/run/nslab/k8s-services-iptables/batch/nsl.k8s-services-iptables.client.ip <<'EOF'
# labs/k8s-services-iptables/lab.yaml:39:5
link set lo up
# labs/k8s-services-iptables/lab.yaml:40:7
addr add 10.244.0.6/24 dev eth0
link set eth0 up
route add default via 10.244.0.1
EOF
cat >/run/nslab/k8s-services-iptables/batch/nsl.k8s-services-iptables.cart-1.ip <<'EOF'
# labs/k8s-services-iptables/lab.yaml:42:5
link set lo up
# labs/k8s-services-iptables/lab.yaml:43:7
addr add 10.244.1.5/24 dev eth0
link set eth0 up
route add default via 10.244.1.1
EOF
cat >/run/nslab/k8s-services-iptables/batch/nsl.k8s-services-iptables.cart-2.ip <<'EOF'
# labs/k8s-services-iptables/lab.yaml:42:5
link set lo up
# labs/k8s-services-iptables/lab.yaml:43:7
addr add 10.244.0.7/24 dev eth0
link set eth0 up
route add default via 10.244.0.1
EOF
cat >/run/nslab/k8s-services-iptables/batch/nsl.k8s-services-iptables.ip <<'EOF'
# labs/k8s-services-iptables/lab.yaml:2:7
link set lo up
# labs/k8s-services-iptables/lab.yaml:19:3 — bridge k8s-net
link add k8s-net type bridge
# labs/k8s-services-iptables/lab.yaml:16:5
link set outside-eth0 master k8s-net
# labs/k8s-services-iptables/lab.yaml:22:13
link set node-1-eth0 master k8s-net
# labs/k8s-services-iptables/lab.yaml:23:13
link set node-2-eth0 master k8s-net
# labs/k8s-services-iptables/lab.yaml:19:3
link set k8s-net up
# labs/k8s-services-iptables/lab.yaml:16:5
link set outside-eth0 up
# labs/k8s-services-iptables/lab.yaml:22:13
link set node-1-eth0 up
# labs/k8s-services-iptables/lab.yaml:23:13
link set node-2-eth0 up
EOF
xargs -P 4 -L 1 nsenter <<'EOF'
--net=/run/netns/nsl.k8s-services-iptables.outside sysctl -qw net.ipv4.ip_forward=0
--net=/run/netns/nsl.k8s-services-iptables.outside ip -batch /run/nslab/k8s-services-iptables/batch/nsl.k8s-services-iptables.outside.ip
--net=/run/netns/nsl.k8s-services-iptables.node-1 sysctl -qw net.ipv6.conf.all.forwarding=1
--net=/run/netns/nsl.k8s-services-iptables.node-1 ip -batch /run/nslab/k8s-services-iptables/batch/nsl.k8s-services-iptables.node-1.ip
--net=/run/netns/nsl.k8s-services-iptables.node-2 sysctl -qw net.ipv6.conf.all.forwarding=1
--net=/run/netns/nsl.k8s-services-iptables.node-2 ip -batch /run/nslab/k8s-services-iptables/batch/nsl.k8s-services-iptables.node-2.ip
--net=/run/netns/nsl.k8s-services-iptables.coredns sysctl -qw net.ipv4.ip_forward=0
--net=/run/netns/nsl.k8s-services-iptables.coredns ip -batch /run/nslab/k8s-services-iptables/batch/nsl.k8s-services-iptables.coredns.ip
--net=/run/netns/nsl.k8s-services-iptables.web-1 sysctl -qw net.ipv4.ip_forward=0
--net=/run/netns/nsl.k8s-services-iptables.web-1 ip -batch /run/nslab/k8s-services-iptables/batch/nsl.k8s-services-iptables.web-1.ip
--net=/run/netns/nsl.k8s-services-iptables.web-2 sysctl -qw net.ipv4.ip_forward=0
--net=/run/netns/nsl.k8s-services-iptables.web-2 ip -batch /run/nslab/k8s-services-iptables/batch/nsl.k8s-services-iptables.web-2.ip
--net=/run/netns/nsl.k8s-services-iptables.web-3 sysctl -qw net.ipv4.ip_forward=0
--net=/run/netns/nsl.k8s-services-iptables.web-3 ip -batch /run/nslab/k8s-services-iptables/batch/nsl.k8s-services-iptables.web-3.ip
--net=/run/netns/nsl.k8s-services-iptables.api-1 sysctl -qw net.ipv4.ip_forward=0
--net=/run/netns/nsl.k8s-services-iptables.api-1 ip -batch /run/nslab/k8s-services-iptables/batch/nsl.k8s-services-iptables.api-1.ip
--net=/run/netns/nsl.k8s-services-iptables.api-2 sysctl -qw net.ipv4.ip_forward=0
--net=/run/netns/nsl.k8s-services-iptables.api-2 ip -batch /run/nslab/k8s-services-iptables/batch/nsl.k8s-services-iptables.api-2.ip
--net=/run/netns/nsl.k8s-services-iptables.echo sysctl -qw net.ipv4.ip_forward=0
--net=/run/netns/nsl.k8s-services-iptables.echo ip -batch /run/nslab/k8s-services-iptables/batch/nsl.k8s-services-iptables.echo.ip
--net=/run/netns/nsl.k8s-services-iptables.client sysctl -qw net.ipv4.ip_forward=0
--net=/run/netns/nsl.k8s-services-iptables.client ip -batch /run/nslab/k8s-services-iptables/batch/nsl.k8s-services-iptables.client.ip
--net=/run/netns/nsl.k8s-services-iptables.cart-1 sysctl -qw net.ipv4.ip_forward=0
--net=/run/netns/nsl.k8s-services-iptables.cart-1 ip -batch /run/nslab/k8s-services-iptables/batch/nsl.k8s-services-iptables.cart-1.ip
--net=/run/netns/nsl.k8s-services-iptables.cart-2 sysctl -qw net.ipv4.ip_forward=0
--net=/run/netns/nsl.k8s-services-iptables.cart-2 ip -batch /run/nslab/k8s-services-iptables/batch/nsl.k8s-services-iptables.cart-2.ip
--net=/run/netns/nsl.k8s-services-iptables ip -batch /run/nslab/k8s-services-iptables/batch/nsl.k8s-services-iptables.ip
EOF

# ── fdb: forwarding-database entries of VXLAN endpoints (`bridge fdb`)
# one batch file per namespace, run 4 at a time by xargs
mkdir -p /run/nslab/k8s-services-iptables/batch
cat >/run/nslab/k8s-services-iptables/batch/nsl.k8s-services-iptables.node-1.bridge <<'EOF'
# labs/k8s-services-iptables/lab.yaml:19:3
fdb append 0e:8e:37:90:c0:1f dev flannel.1 dst 192.168.56.12 self permanent
EOF
cat >/run/nslab/k8s-services-iptables/batch/nsl.k8s-services-iptables.node-2.bridge <<'EOF'
# labs/k8s-services-iptables/lab.yaml:19:3
fdb append 0e:09:dd:ab:2d:e8 dev flannel.1 dst 192.168.56.11 self permanent
EOF
xargs -P 4 -L 1 nsenter <<'EOF'
--net=/run/netns/nsl.k8s-services-iptables.node-1 bridge -batch /run/nslab/k8s-services-iptables/batch/nsl.k8s-services-iptables.node-1.bridge
--net=/run/netns/nsl.k8s-services-iptables.node-2 bridge -batch /run/nslab/k8s-services-iptables/batch/nsl.k8s-services-iptables.node-2.bridge
EOF

# ── settle: wait until every bridge port forwards (the kernel applies link changes asynchronously)
# wait until every bridge port forwards
# from labs/k8s-services-iptables/lab.yaml:19:3
# repeated until no port is "state disabled", for at most 10 s
while nsenter --net=/run/netns/nsl.k8s-services-iptables bridge link show | grep -q 'state disabled'; do sleep 0.01; done
# wait until every bridge port forwards
# from labs/k8s-services-iptables/lab.yaml:19:3
# repeated until no port is "state disabled", for at most 10 s
while nsenter --net=/run/netns/nsl.k8s-services-iptables.node-1 bridge link show | grep -q 'state disabled'; do sleep 0.01; done
# wait until every bridge port forwards
# from labs/k8s-services-iptables/lab.yaml:19:3
# repeated until no port is "state disabled", for at most 10 s
while nsenter --net=/run/netns/nsl.k8s-services-iptables.node-2 bridge link show | grep -q 'state disabled'; do sleep 0.01; done

# ── firewall: NAT and firewall rule sets
# node node-1: kube-proxy (iptables mode)
ip netns exec nsl.k8s-services-iptables.node-1 iptables-restore --noflush <<'EOF'
# kube-proxy (iptables mode) rules for node node-1, written by nslab; load with iptables-restore
# egress masquerade (flanneld's ip-masq): pod traffic leaving 10.244.0.0/16 gets the node's address
*filter
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:KUBE-SERVICES - [0:0]
:KUBE-EXTERNAL-SERVICES - [0:0]
:KUBE-FORWARD - [0:0]
:KUBE-NODEPORTS - [0:0]
:KUBE-PROXY-FIREWALL - [0:0]
:KUBE-FIREWALL - [0:0]
-A INPUT -j KUBE-FIREWALL
-A INPUT -m conntrack --ctstate NEW -m comment --comment "kubernetes load balancer firewall" -j KUBE-PROXY-FIREWALL
-A INPUT -m comment --comment "kubernetes health check service ports" -j KUBE-NODEPORTS
-A INPUT -m conntrack --ctstate NEW -m comment --comment "kubernetes externally-visible service portals" -j KUBE-EXTERNAL-SERVICES
-A FORWARD -m conntrack --ctstate NEW -m comment --comment "kubernetes load balancer firewall" -j KUBE-PROXY-FIREWALL
-A FORWARD -m comment --comment "kubernetes forwarding rules" -j KUBE-FORWARD
-A FORWARD -m conntrack --ctstate NEW -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
-A FORWARD -m conntrack --ctstate NEW -m comment --comment "kubernetes externally-visible service portals" -j KUBE-EXTERNAL-SERVICES
-A OUTPUT -j KUBE-FIREWALL
-A OUTPUT -m conntrack --ctstate NEW -m comment --comment "kubernetes load balancer firewall" -j KUBE-PROXY-FIREWALL
-A OUTPUT -m conntrack --ctstate NEW -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
-A KUBE-SERVICES -m comment --comment "default/ghost has no endpoints" -m tcp -p tcp -d 10.96.0.15 --dport 80 -j REJECT
-A KUBE-FORWARD -m conntrack --ctstate INVALID -j DROP
-A KUBE-FORWARD -m comment --comment "kubernetes forwarding rules" -m mark --mark 0x4000/0x4000 -j ACCEPT
-A KUBE-FORWARD -m comment --comment "kubernetes forwarding conntrack rule" -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
COMMIT
*nat
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
:KUBE-SERVICES - [0:0]
:KUBE-NODEPORTS - [0:0]
:KUBE-POSTROUTING - [0:0]
:KUBE-MARK-MASQ - [0:0]
:KUBE-SVC-KKDGWRPDK6Z5NCHS - [0:0]
:KUBE-SEP-3GRYQLRJU2FKNNWB - [0:0]
:KUBE-SEP-KQKAOSEBG4XVAMGS - [0:0]
:KUBE-SVC-HKW6WEABBLTTNNYR - [0:0]
:KUBE-SEP-YNANPEWNMAI73LUH - [0:0]
:KUBE-SEP-6SJADSX2TRRDA3F3 - [0:0]
:KUBE-SVC-EE4FE7XDP64QLQLA - [0:0]
:KUBE-SEP-5E5FR5JZ53AN3HKL - [0:0]
:KUBE-SEP-H3VLTFAR3MIILRYW - [0:0]
:KUBE-SVC-FKLAI5EM3I2JB7TA - [0:0]
:KUBE-SEP-PR54SKRIX7GI2LSW - [0:0]
:KUBE-SVC-LOLE4ISW44XBNF3G - [0:0]
:KUBE-SEP-VPJCWIHGOZWNRC6B - [0:0]
:KUBE-SEP-IG6ZFE2PVFCTIC6R - [0:0]
:KUBE-SEP-MQ4W7Q2CV67URU6Q - [0:0]
:KUBE-SVC-ZRW2IZUANS4E5N2L - [0:0]
:KUBE-SEP-DUDUE7TEEMNYIQ3M - [0:0]
:KUBE-SEP-BUES6XBHO7WH2VYY - [0:0]
:KUBE-SEP-CKLGJ7SWY7TSCKKG - [0:0]
:KUBE-SVC-TCOU7JCQXEZGVUNU - [0:0]
:KUBE-SEP-YIL6JZP7A3QYXJU2 - [0:0]
:KUBE-SVC-ERIFXISQEP7F7OF4 - [0:0]
:KUBE-SEP-IT2ZTR26TO4XFPTO - [0:0]
:FLANNEL-POSTRTG - [0:0]
-A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
-A OUTPUT -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
-A POSTROUTING -m comment --comment "kubernetes postrouting rules" -j KUBE-POSTROUTING
-A KUBE-POSTROUTING -m mark ! --mark 0x4000/0x4000 -j RETURN
-A KUBE-POSTROUTING -j MARK --xor-mark 0x4000
-A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE --random-fully
-A KUBE-MARK-MASQ -j MARK --or-mark 0x4000
-A KUBE-SERVICES -m comment --comment "default/api:http cluster IP" -m tcp -p tcp -d 10.96.0.13 --dport 80 -j KUBE-SVC-KKDGWRPDK6Z5NCHS
-A KUBE-SVC-KKDGWRPDK6Z5NCHS -m comment --comment "default/api:http cluster IP" -m tcp -p tcp -d 10.96.0.13 --dport 80 ! -s 10.244.0.0/16 -j KUBE-MARK-MASQ
-A KUBE-SVC-KKDGWRPDK6Z5NCHS -m comment --comment "default/api:http -> 10.244.0.5:8080" -m statistic --mode random --probability 0.5000000000 -j KUBE-SEP-3GRYQLRJU2FKNNWB
-A KUBE-SVC-KKDGWRPDK6Z5NCHS -m comment --comment "default/api:http -> 10.244.1.3:8080" -j KUBE-SEP-KQKAOSEBG4XVAMGS
-A KUBE-SEP-3GRYQLRJU2FKNNWB -m comment --comment default/api:http -s 10.244.0.5 -j KUBE-MARK-MASQ
-A KUBE-SEP-3GRYQLRJU2FKNNWB -m comment --comment default/api:http -m tcp -p tcp -j DNAT --to-destination 10.244.0.5:8080
-A KUBE-SEP-KQKAOSEBG4XVAMGS -m comment --comment default/api:http -s 10.244.1.3 -j KUBE-MARK-MASQ
-A KUBE-SEP-KQKAOSEBG4XVAMGS -m comment --comment default/api:http -m tcp -p tcp -j DNAT --to-destination 10.244.1.3:8080
-A KUBE-SERVICES -m comment --comment "default/api:metrics cluster IP" -m tcp -p tcp -d 10.96.0.13 --dport 9090 -j KUBE-SVC-HKW6WEABBLTTNNYR
-A KUBE-SVC-HKW6WEABBLTTNNYR -m comment --comment "default/api:metrics cluster IP" -m tcp -p tcp -d 10.96.0.13 --dport 9090 ! -s 10.244.0.0/16 -j KUBE-MARK-MASQ
-A KUBE-SVC-HKW6WEABBLTTNNYR -m comment --comment "default/api:metrics -> 10.244.0.5:9090" -m statistic --mode random --probability 0.5000000000 -j KUBE-SEP-YNANPEWNMAI73LUH
-A KUBE-SVC-HKW6WEABBLTTNNYR -m comment --comment "default/api:metrics -> 10.244.1.3:9090" -j KUBE-SEP-6SJADSX2TRRDA3F3
-A KUBE-SEP-YNANPEWNMAI73LUH -m comment --comment default/api:metrics -s 10.244.0.5 -j KUBE-MARK-MASQ
-A KUBE-SEP-YNANPEWNMAI73LUH -m comment --comment default/api:metrics -m tcp -p tcp -j DNAT --to-destination 10.244.0.5:9090
-A KUBE-SEP-6SJADSX2TRRDA3F3 -m comment --comment default/api:metrics -s 10.244.1.3 -j KUBE-MARK-MASQ
-A KUBE-SEP-6SJADSX2TRRDA3F3 -m comment --comment default/api:metrics -m tcp -p tcp -j DNAT --to-destination 10.244.1.3:9090
-A KUBE-SERVICES -m comment --comment "default/cart cluster IP" -m tcp -p tcp -d 10.96.0.16 --dport 80 -j KUBE-SVC-EE4FE7XDP64QLQLA
-A KUBE-SVC-EE4FE7XDP64QLQLA -m comment --comment "default/cart cluster IP" -m tcp -p tcp -d 10.96.0.16 --dport 80 ! -s 10.244.0.0/16 -j KUBE-MARK-MASQ
-A KUBE-SVC-EE4FE7XDP64QLQLA -m comment --comment "default/cart -> 10.244.0.7:80" -m statistic --mode random --probability 0.5000000000 -j KUBE-SEP-5E5FR5JZ53AN3HKL
-A KUBE-SVC-EE4FE7XDP64QLQLA -m comment --comment "default/cart -> 10.244.1.5:80" -j KUBE-SEP-H3VLTFAR3MIILRYW
-A KUBE-SEP-5E5FR5JZ53AN3HKL -m comment --comment default/cart -s 10.244.0.7 -j KUBE-MARK-MASQ
-A KUBE-SEP-5E5FR5JZ53AN3HKL -m comment --comment default/cart -m tcp -p tcp -j DNAT --to-destination 10.244.0.7:80
-A KUBE-SEP-H3VLTFAR3MIILRYW -m comment --comment default/cart -s 10.244.1.5 -j KUBE-MARK-MASQ
-A KUBE-SEP-H3VLTFAR3MIILRYW -m comment --comment default/cart -m tcp -p tcp -j DNAT --to-destination 10.244.1.5:80
-A KUBE-SERVICES -m comment --comment "default/echo cluster IP" -m udp -p udp -d 10.96.0.14 --dport 53 -j KUBE-SVC-FKLAI5EM3I2JB7TA
-A KUBE-SVC-FKLAI5EM3I2JB7TA -m comment --comment "default/echo cluster IP" -m udp -p udp -d 10.96.0.14 --dport 53 ! -s 10.244.0.0/16 -j KUBE-MARK-MASQ
-A KUBE-SVC-FKLAI5EM3I2JB7TA -m comment --comment "default/echo -> 10.244.1.4:5353" -j KUBE-SEP-PR54SKRIX7GI2LSW
-A KUBE-SEP-PR54SKRIX7GI2LSW -m comment --comment default/echo -s 10.244.1.4 -j KUBE-MARK-MASQ
-A KUBE-SEP-PR54SKRIX7GI2LSW -m comment --comment default/echo -m udp -p udp -j DNAT --to-destination 10.244.1.4:5353
-A KUBE-SERVICES -m comment --comment "default/web cluster IP" -m tcp -p tcp -d 10.96.0.11 --dport 80 -j KUBE-SVC-LOLE4ISW44XBNF3G
-A KUBE-SVC-LOLE4ISW44XBNF3G -m comment --comment "default/web cluster IP" -m tcp -p tcp -d 10.96.0.11 --dport 80 ! -s 10.244.0.0/16 -j KUBE-MARK-MASQ
-A KUBE-SVC-LOLE4ISW44XBNF3G -m comment --comment "default/web -> 10.244.0.3:80" -m statistic --mode random --probability 0.3333333333 -j KUBE-SEP-VPJCWIHGOZWNRC6B
-A KUBE-SVC-LOLE4ISW44XBNF3G -m comment --comment "default/web -> 10.244.0.4:80" -m statistic --mode random --probability 0.5000000000 -j KUBE-SEP-IG6ZFE2PVFCTIC6R
-A KUBE-SVC-LOLE4ISW44XBNF3G -m comment --comment "default/web -> 10.244.1.2:80" -j KUBE-SEP-MQ4W7Q2CV67URU6Q
-A KUBE-SEP-VPJCWIHGOZWNRC6B -m comment --comment default/web -s 10.244.0.3 -j KUBE-MARK-MASQ
-A KUBE-SEP-VPJCWIHGOZWNRC6B -m comment --comment default/web -m tcp -p tcp -j DNAT --to-destination 10.244.0.3:80
-A KUBE-SEP-IG6ZFE2PVFCTIC6R -m comment --comment default/web -s 10.244.0.4 -j KUBE-MARK-MASQ
-A KUBE-SEP-IG6ZFE2PVFCTIC6R -m comment --comment default/web -m tcp -p tcp -j DNAT --to-destination 10.244.0.4:80
-A KUBE-SEP-MQ4W7Q2CV67URU6Q -m comment --comment default/web -s 10.244.1.2 -j KUBE-MARK-MASQ
-A KUBE-SEP-MQ4W7Q2CV67URU6Q -m comment --comment default/web -m tcp -p tcp -j DNAT --to-destination 10.244.1.2:80
-A KUBE-SERVICES -m comment --comment "default/web-sticky cluster IP" -m tcp -p tcp -d 10.96.0.12 --dport 80 -j KUBE-SVC-ZRW2IZUANS4E5N2L
-A KUBE-SVC-ZRW2IZUANS4E5N2L -m comment --comment "default/web-sticky cluster IP" -m tcp -p tcp -d 10.96.0.12 --dport 80 ! -s 10.244.0.0/16 -j KUBE-MARK-MASQ
-A KUBE-SVC-ZRW2IZUANS4E5N2L -m comment --comment "default/web-sticky -> 10.244.0.3:80" -m recent --name KUBE-SEP-DUDUE7TEEMNYIQ3M --rcheck --seconds 10800 --reap -j KUBE-SEP-DUDUE7TEEMNYIQ3M
-A KUBE-SVC-ZRW2IZUANS4E5N2L -m comment --comment "default/web-sticky -> 10.244.0.4:80" -m recent --name KUBE-SEP-BUES6XBHO7WH2VYY --rcheck --seconds 10800 --reap -j KUBE-SEP-BUES6XBHO7WH2VYY
-A KUBE-SVC-ZRW2IZUANS4E5N2L -m comment --comment "default/web-sticky -> 10.244.1.2:80" -m recent --name KUBE-SEP-CKLGJ7SWY7TSCKKG --rcheck --seconds 10800 --reap -j KUBE-SEP-CKLGJ7SWY7TSCKKG
-A KUBE-SVC-ZRW2IZUANS4E5N2L -m comment --comment "default/web-sticky -> 10.244.0.3:80" -m statistic --mode random --probability 0.3333333333 -j KUBE-SEP-DUDUE7TEEMNYIQ3M
-A KUBE-SVC-ZRW2IZUANS4E5N2L -m comment --comment "default/web-sticky -> 10.244.0.4:80" -m statistic --mode random --probability 0.5000000000 -j KUBE-SEP-BUES6XBHO7WH2VYY
-A KUBE-SVC-ZRW2IZUANS4E5N2L -m comment --comment "default/web-sticky -> 10.244.1.2:80" -j KUBE-SEP-CKLGJ7SWY7TSCKKG
-A KUBE-SEP-DUDUE7TEEMNYIQ3M -m comment --comment default/web-sticky -s 10.244.0.3 -j KUBE-MARK-MASQ
-A KUBE-SEP-DUDUE7TEEMNYIQ3M -m comment --comment default/web-sticky -m recent --name KUBE-SEP-DUDUE7TEEMNYIQ3M --set -m tcp -p tcp -j DNAT --to-destination 10.244.0.3:80
-A KUBE-SEP-BUES6XBHO7WH2VYY -m comment --comment default/web-sticky -s 10.244.0.4 -j KUBE-MARK-MASQ
-A KUBE-SEP-BUES6XBHO7WH2VYY -m comment --comment default/web-sticky -m recent --name KUBE-SEP-BUES6XBHO7WH2VYY --set -m tcp -p tcp -j DNAT --to-destination 10.244.0.4:80
-A KUBE-SEP-CKLGJ7SWY7TSCKKG -m comment --comment default/web-sticky -s 10.244.1.2 -j KUBE-MARK-MASQ
-A KUBE-SEP-CKLGJ7SWY7TSCKKG -m comment --comment default/web-sticky -m recent --name KUBE-SEP-CKLGJ7SWY7TSCKKG --set -m tcp -p tcp -j DNAT --to-destination 10.244.1.2:80
-A KUBE-SERVICES -m comment --comment "kube-system/kube-dns:dns cluster IP" -m udp -p udp -d 10.96.0.10 --dport 53 -j KUBE-SVC-TCOU7JCQXEZGVUNU
-A KUBE-SVC-TCOU7JCQXEZGVUNU -m comment --comment "kube-system/kube-dns:dns cluster IP" -m udp -p udp -d 10.96.0.10 --dport 53 ! -s 10.244.0.0/16 -j KUBE-MARK-MASQ
-A KUBE-SVC-TCOU7JCQXEZGVUNU -m comment --comment "kube-system/kube-dns:dns -> 10.244.0.2:53" -j KUBE-SEP-YIL6JZP7A3QYXJU2
-A KUBE-SEP-YIL6JZP7A3QYXJU2 -m comment --comment kube-system/kube-dns:dns -s 10.244.0.2 -j KUBE-MARK-MASQ
-A KUBE-SEP-YIL6JZP7A3QYXJU2 -m comment --comment kube-system/kube-dns:dns -m udp -p udp -j DNAT --to-destination 10.244.0.2:53
-A KUBE-SERVICES -m comment --comment "kube-system/kube-dns:dns-tcp cluster IP" -m tcp -p tcp -d 10.96.0.10 --dport 53 -j KUBE-SVC-ERIFXISQEP7F7OF4
-A KUBE-SVC-ERIFXISQEP7F7OF4 -m comment --comment "kube-system/kube-dns:dns-tcp cluster IP" -m tcp -p tcp -d 10.96.0.10 --dport 53 ! -s 10.244.0.0/16 -j KUBE-MARK-MASQ
-A KUBE-SVC-ERIFXISQEP7F7OF4 -m comment --comment "kube-system/kube-dns:dns-tcp -> 10.244.0.2:53" -j KUBE-SEP-IT2ZTR26TO4XFPTO
-A KUBE-SEP-IT2ZTR26TO4XFPTO -m comment --comment kube-system/kube-dns:dns-tcp -s 10.244.0.2 -j KUBE-MARK-MASQ
-A KUBE-SEP-IT2ZTR26TO4XFPTO -m comment --comment kube-system/kube-dns:dns-tcp -m tcp -p tcp -j DNAT --to-destination 10.244.0.2:53
-A KUBE-SERVICES -m comment --comment "kubernetes service nodeports; NOTE: this must be the last rule in this chain" -m addrtype --dst-type LOCAL ! -d 127.0.0.0/8 -j KUBE-NODEPORTS
-A POSTROUTING -m comment --comment "flanneld masq" -j FLANNEL-POSTRTG
-A FLANNEL-POSTRTG -m mark --mark 0x4000/0x4000 -m comment --comment "flanneld masq" -j RETURN
-A FLANNEL-POSTRTG -s 10.244.0.0/16 -d 10.244.0.0/16 -m comment --comment "flanneld masq" -j RETURN
-A FLANNEL-POSTRTG -s 10.244.0.0/16 ! -d 224.0.0.0/4 -m comment --comment "flanneld masq" -j MASQUERADE --random-fully
COMMIT
EOF
# node node-2: kube-proxy (iptables mode)
ip netns exec nsl.k8s-services-iptables.node-2 iptables-restore --noflush <<'EOF'
# kube-proxy (iptables mode) rules for node node-2, written by nslab; load with iptables-restore
# egress masquerade (flanneld's ip-masq): pod traffic leaving 10.244.0.0/16 gets the node's address
*filter
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:KUBE-SERVICES - [0:0]
:KUBE-EXTERNAL-SERVICES - [0:0]
:KUBE-FORWARD - [0:0]
:KUBE-NODEPORTS - [0:0]
:KUBE-PROXY-FIREWALL - [0:0]
:KUBE-FIREWALL - [0:0]
-A INPUT -j KUBE-FIREWALL
-A INPUT -m conntrack --ctstate NEW -m comment --comment "kubernetes load balancer firewall" -j KUBE-PROXY-FIREWALL
-A INPUT -m comment --comment "kubernetes health check service ports" -j KUBE-NODEPORTS
-A INPUT -m conntrack --ctstate NEW -m comment --comment "kubernetes externally-visible service portals" -j KUBE-EXTERNAL-SERVICES
-A FORWARD -m conntrack --ctstate NEW -m comment --comment "kubernetes load balancer firewall" -j KUBE-PROXY-FIREWALL
-A FORWARD -m comment --comment "kubernetes forwarding rules" -j KUBE-FORWARD
-A FORWARD -m conntrack --ctstate NEW -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
-A FORWARD -m conntrack --ctstate NEW -m comment --comment "kubernetes externally-visible service portals" -j KUBE-EXTERNAL-SERVICES
-A OUTPUT -j KUBE-FIREWALL
-A OUTPUT -m conntrack --ctstate NEW -m comment --comment "kubernetes load balancer firewall" -j KUBE-PROXY-FIREWALL
-A OUTPUT -m conntrack --ctstate NEW -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
-A KUBE-SERVICES -m comment --comment "default/ghost has no endpoints" -m tcp -p tcp -d 10.96.0.15 --dport 80 -j REJECT
-A KUBE-FORWARD -m conntrack --ctstate INVALID -j DROP
-A KUBE-FORWARD -m comment --comment "kubernetes forwarding rules" -m mark --mark 0x4000/0x4000 -j ACCEPT
-A KUBE-FORWARD -m comment --comment "kubernetes forwarding conntrack rule" -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
COMMIT
*nat
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
:KUBE-SERVICES - [0:0]
:KUBE-NODEPORTS - [0:0]
:KUBE-POSTROUTING - [0:0]
:KUBE-MARK-MASQ - [0:0]
:KUBE-SVC-KKDGWRPDK6Z5NCHS - [0:0]
:KUBE-SEP-3GRYQLRJU2FKNNWB - [0:0]
:KUBE-SEP-KQKAOSEBG4XVAMGS - [0:0]
:KUBE-SVC-HKW6WEABBLTTNNYR - [0:0]
:KUBE-SEP-YNANPEWNMAI73LUH - [0:0]
:KUBE-SEP-6SJADSX2TRRDA3F3 - [0:0]
:KUBE-SVC-EE4FE7XDP64QLQLA - [0:0]
:KUBE-SEP-5E5FR5JZ53AN3HKL - [0:0]
:KUBE-SEP-H3VLTFAR3MIILRYW - [0:0]
:KUBE-SVC-FKLAI5EM3I2JB7TA - [0:0]
:KUBE-SEP-PR54SKRIX7GI2LSW - [0:0]
:KUBE-SVC-LOLE4ISW44XBNF3G - [0:0]
:KUBE-SEP-VPJCWIHGOZWNRC6B - [0:0]
:KUBE-SEP-IG6ZFE2PVFCTIC6R - [0:0]
:KUBE-SEP-MQ4W7Q2CV67URU6Q - [0:0]
:KUBE-SVC-ZRW2IZUANS4E5N2L - [0:0]
:KUBE-SEP-DUDUE7TEEMNYIQ3M - [0:0]
:KUBE-SEP-BUES6XBHO7WH2VYY - [0:0]
:KUBE-SEP-CKLGJ7SWY7TSCKKG - [0:0]
:KUBE-SVC-TCOU7JCQXEZGVUNU - [0:0]
:KUBE-SEP-YIL6JZP7A3QYXJU2 - [0:0]
:KUBE-SVC-ERIFXISQEP7F7OF4 - [0:0]
:KUBE-SEP-IT2ZTR26TO4XFPTO - [0:0]
:FLANNEL-POSTRTG - [0:0]
-A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
-A OUTPUT -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
-A POSTROUTING -m comment --comment "kubernetes postrouting rules" -j KUBE-POSTROUTING
-A KUBE-POSTROUTING -m mark ! --mark 0x4000/0x4000 -j RETURN
-A KUBE-POSTROUTING -j MARK --xor-mark 0x4000
-A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE --random-fully
-A KUBE-MARK-MASQ -j MARK --or-mark 0x4000
-A KUBE-SERVICES -m comment --comment "default/api:http cluster IP" -m tcp -p tcp -d 10.96.0.13 --dport 80 -j KUBE-SVC-KKDGWRPDK6Z5NCHS
-A KUBE-SVC-KKDGWRPDK6Z5NCHS -m comment --comment "default/api:http cluster IP" -m tcp -p tcp -d 10.96.0.13 --dport 80 ! -s 10.244.0.0/16 -j KUBE-MARK-MASQ
-A KUBE-SVC-KKDGWRPDK6Z5NCHS -m comment --comment "default/api:http -> 10.244.0.5:8080" -m statistic --mode random --probability 0.5000000000 -j KUBE-SEP-3GRYQLRJU2FKNNWB
-A KUBE-SVC-KKDGWRPDK6Z5NCHS -m comment --comment "default/api:http -> 10.244.1.3:8080" -j KUBE-SEP-KQKAOSEBG4XVAMGS
-A KUBE-SEP-3GRYQLRJU2FKNNWB -m comment --comment default/api:http -s 10.244.0.5 -j KUBE-MARK-MASQ
-A KUBE-SEP-3GRYQLRJU2FKNNWB -m comment --comment default/api:http -m tcp -p tcp -j DNAT --to-destination 10.244.0.5:8080
-A KUBE-SEP-KQKAOSEBG4XVAMGS -m comment --comment default/api:http -s 10.244.1.3 -j KUBE-MARK-MASQ
-A KUBE-SEP-KQKAOSEBG4XVAMGS -m comment --comment default/api:http -m tcp -p tcp -j DNAT --to-destination 10.244.1.3:8080
-A KUBE-SERVICES -m comment --comment "default/api:metrics cluster IP" -m tcp -p tcp -d 10.96.0.13 --dport 9090 -j KUBE-SVC-HKW6WEABBLTTNNYR
-A KUBE-SVC-HKW6WEABBLTTNNYR -m comment --comment "default/api:metrics cluster IP" -m tcp -p tcp -d 10.96.0.13 --dport 9090 ! -s 10.244.0.0/16 -j KUBE-MARK-MASQ
-A KUBE-SVC-HKW6WEABBLTTNNYR -m comment --comment "default/api:metrics -> 10.244.0.5:9090" -m statistic --mode random --probability 0.5000000000 -j KUBE-SEP-YNANPEWNMAI73LUH
-A KUBE-SVC-HKW6WEABBLTTNNYR -m comment --comment "default/api:metrics -> 10.244.1.3:9090" -j KUBE-SEP-6SJADSX2TRRDA3F3
-A KUBE-SEP-YNANPEWNMAI73LUH -m comment --comment default/api:metrics -s 10.244.0.5 -j KUBE-MARK-MASQ
-A KUBE-SEP-YNANPEWNMAI73LUH -m comment --comment default/api:metrics -m tcp -p tcp -j DNAT --to-destination 10.244.0.5:9090
-A KUBE-SEP-6SJADSX2TRRDA3F3 -m comment --comment default/api:metrics -s 10.244.1.3 -j KUBE-MARK-MASQ
-A KUBE-SEP-6SJADSX2TRRDA3F3 -m comment --comment default/api:metrics -m tcp -p tcp -j DNAT --to-destination 10.244.1.3:9090
-A KUBE-SERVICES -m comment --comment "default/cart cluster IP" -m tcp -p tcp -d 10.96.0.16 --dport 80 -j KUBE-SVC-EE4FE7XDP64QLQLA
-A KUBE-SVC-EE4FE7XDP64QLQLA -m comment --comment "default/cart cluster IP" -m tcp -p tcp -d 10.96.0.16 --dport 80 ! -s 10.244.0.0/16 -j KUBE-MARK-MASQ
-A KUBE-SVC-EE4FE7XDP64QLQLA -m comment --comment "default/cart -> 10.244.0.7:80" -m statistic --mode random --probability 0.5000000000 -j KUBE-SEP-5E5FR5JZ53AN3HKL
-A KUBE-SVC-EE4FE7XDP64QLQLA -m comment --comment "default/cart -> 10.244.1.5:80" -j KUBE-SEP-H3VLTFAR3MIILRYW
-A KUBE-SEP-5E5FR5JZ53AN3HKL -m comment --comment default/cart -s 10.244.0.7 -j KUBE-MARK-MASQ
-A KUBE-SEP-5E5FR5JZ53AN3HKL -m comment --comment default/cart -m tcp -p tcp -j DNAT --to-destination 10.244.0.7:80
-A KUBE-SEP-H3VLTFAR3MIILRYW -m comment --comment default/cart -s 10.244.1.5 -j KUBE-MARK-MASQ
-A KUBE-SEP-H3VLTFAR3MIILRYW -m comment --comment default/cart -m tcp -p tcp -j DNAT --to-destination 10.244.1.5:80
-A KUBE-SERVICES -m comment --comment "default/echo cluster IP" -m udp -p udp -d 10.96.0.14 --dport 53 -j KUBE-SVC-FKLAI5EM3I2JB7TA
-A KUBE-SVC-FKLAI5EM3I2JB7TA -m comment --comment "default/echo cluster IP" -m udp -p udp -d 10.96.0.14 --dport 53 ! -s 10.244.0.0/16 -j KUBE-MARK-MASQ
-A KUBE-SVC-FKLAI5EM3I2JB7TA -m comment --comment "default/echo -> 10.244.1.4:5353" -j KUBE-SEP-PR54SKRIX7GI2LSW
-A KUBE-SEP-PR54SKRIX7GI2LSW -m comment --comment default/echo -s 10.244.1.4 -j KUBE-MARK-MASQ
-A KUBE-SEP-PR54SKRIX7GI2LSW -m comment --comment default/echo -m udp -p udp -j DNAT --to-destination 10.244.1.4:5353
-A KUBE-SERVICES -m comment --comment "default/web cluster IP" -m tcp -p tcp -d 10.96.0.11 --dport 80 -j KUBE-SVC-LOLE4ISW44XBNF3G
-A KUBE-SVC-LOLE4ISW44XBNF3G -m comment --comment "default/web cluster IP" -m tcp -p tcp -d 10.96.0.11 --dport 80 ! -s 10.244.0.0/16 -j KUBE-MARK-MASQ
-A KUBE-SVC-LOLE4ISW44XBNF3G -m comment --comment "default/web -> 10.244.0.3:80" -m statistic --mode random --probability 0.3333333333 -j KUBE-SEP-VPJCWIHGOZWNRC6B
-A KUBE-SVC-LOLE4ISW44XBNF3G -m comment --comment "default/web -> 10.244.0.4:80" -m statistic --mode random --probability 0.5000000000 -j KUBE-SEP-IG6ZFE2PVFCTIC6R
-A KUBE-SVC-LOLE4ISW44XBNF3G -m comment --comment "default/web -> 10.244.1.2:80" -j KUBE-SEP-MQ4W7Q2CV67URU6Q
-A KUBE-SEP-VPJCWIHGOZWNRC6B -m comment --comment default/web -s 10.244.0.3 -j KUBE-MARK-MASQ
-A KUBE-SEP-VPJCWIHGOZWNRC6B -m comment --comment default/web -m tcp -p tcp -j DNAT --to-destination 10.244.0.3:80
-A KUBE-SEP-IG6ZFE2PVFCTIC6R -m comment --comment default/web -s 10.244.0.4 -j KUBE-MARK-MASQ
-A KUBE-SEP-IG6ZFE2PVFCTIC6R -m comment --comment default/web -m tcp -p tcp -j DNAT --to-destination 10.244.0.4:80
-A KUBE-SEP-MQ4W7Q2CV67URU6Q -m comment --comment default/web -s 10.244.1.2 -j KUBE-MARK-MASQ
-A KUBE-SEP-MQ4W7Q2CV67URU6Q -m comment --comment default/web -m tcp -p tcp -j DNAT --to-destination 10.244.1.2:80
-A KUBE-SERVICES -m comment --comment "default/web-sticky cluster IP" -m tcp -p tcp -d 10.96.0.12 --dport 80 -j KUBE-SVC-ZRW2IZUANS4E5N2L
-A KUBE-SVC-ZRW2IZUANS4E5N2L -m comment --comment "default/web-sticky cluster IP" -m tcp -p tcp -d 10.96.0.12 --dport 80 ! -s 10.244.0.0/16 -j KUBE-MARK-MASQ
-A KUBE-SVC-ZRW2IZUANS4E5N2L -m comment --comment "default/web-sticky -> 10.244.0.3:80" -m recent --name KUBE-SEP-DUDUE7TEEMNYIQ3M --rcheck --seconds 10800 --reap -j KUBE-SEP-DUDUE7TEEMNYIQ3M
-A KUBE-SVC-ZRW2IZUANS4E5N2L -m comment --comment "default/web-sticky -> 10.244.0.4:80" -m recent --name KUBE-SEP-BUES6XBHO7WH2VYY --rcheck --seconds 10800 --reap -j KUBE-SEP-BUES6XBHO7WH2VYY
-A KUBE-SVC-ZRW2IZUANS4E5N2L -m comment --comment "default/web-sticky -> 10.244.1.2:80" -m recent --name KUBE-SEP-CKLGJ7SWY7TSCKKG --rcheck --seconds 10800 --reap -j KUBE-SEP-CKLGJ7SWY7TSCKKG
-A KUBE-SVC-ZRW2IZUANS4E5N2L -m comment --comment "default/web-sticky -> 10.244.0.3:80" -m statistic --mode random --probability 0.3333333333 -j KUBE-SEP-DUDUE7TEEMNYIQ3M
-A KUBE-SVC-ZRW2IZUANS4E5N2L -m comment --comment "default/web-sticky -> 10.244.0.4:80" -m statistic --mode random --probability 0.5000000000 -j KUBE-SEP-BUES6XBHO7WH2VYY
-A KUBE-SVC-ZRW2IZUANS4E5N2L -m comment --comment "default/web-sticky -> 10.244.1.2:80" -j KUBE-SEP-CKLGJ7SWY7TSCKKG
-A KUBE-SEP-DUDUE7TEEMNYIQ3M -m comment --comment default/web-sticky -s 10.244.0.3 -j KUBE-MARK-MASQ
-A KUBE-SEP-DUDUE7TEEMNYIQ3M -m comment --comment default/web-sticky -m recent --name KUBE-SEP-DUDUE7TEEMNYIQ3M --set -m tcp -p tcp -j DNAT --to-destination 10.244.0.3:80
-A KUBE-SEP-BUES6XBHO7WH2VYY -m comment --comment default/web-sticky -s 10.244.0.4 -j KUBE-MARK-MASQ
-A KUBE-SEP-BUES6XBHO7WH2VYY -m comment --comment default/web-sticky -m recent --name KUBE-SEP-BUES6XBHO7WH2VYY --set -m tcp -p tcp -j DNAT --to-destination 10.244.0.4:80
-A KUBE-SEP-CKLGJ7SWY7TSCKKG -m comment --comment default/web-sticky -s 10.244.1.2 -j KUBE-MARK-MASQ
-A KUBE-SEP-CKLGJ7SWY7TSCKKG -m comment --comment default/web-sticky -m recent --name KUBE-SEP-CKLGJ7SWY7TSCKKG --set -m tcp -p tcp -j DNAT --to-destination 10.244.1.2:80
-A KUBE-SERVICES -m comment --comment "kube-system/kube-dns:dns cluster IP" -m udp -p udp -d 10.96.0.10 --dport 53 -j KUBE-SVC-TCOU7JCQXEZGVUNU
-A KUBE-SVC-TCOU7JCQXEZGVUNU -m comment --comment "kube-system/kube-dns:dns cluster IP" -m udp -p udp -d 10.96.0.10 --dport 53 ! -s 10.244.0.0/16 -j KUBE-MARK-MASQ
-A KUBE-SVC-TCOU7JCQXEZGVUNU -m comment --comment "kube-system/kube-dns:dns -> 10.244.0.2:53" -j KUBE-SEP-YIL6JZP7A3QYXJU2
-A KUBE-SEP-YIL6JZP7A3QYXJU2 -m comment --comment kube-system/kube-dns:dns -s 10.244.0.2 -j KUBE-MARK-MASQ
-A KUBE-SEP-YIL6JZP7A3QYXJU2 -m comment --comment kube-system/kube-dns:dns -m udp -p udp -j DNAT --to-destination 10.244.0.2:53
-A KUBE-SERVICES -m comment --comment "kube-system/kube-dns:dns-tcp cluster IP" -m tcp -p tcp -d 10.96.0.10 --dport 53 -j KUBE-SVC-ERIFXISQEP7F7OF4
-A KUBE-SVC-ERIFXISQEP7F7OF4 -m comment --comment "kube-system/kube-dns:dns-tcp cluster IP" -m tcp -p tcp -d 10.96.0.10 --dport 53 ! -s 10.244.0.0/16 -j KUBE-MARK-MASQ
-A KUBE-SVC-ERIFXISQEP7F7OF4 -m comment --comment "kube-system/kube-dns:dns-tcp -> 10.244.0.2:53" -j KUBE-SEP-IT2ZTR26TO4XFPTO
-A KUBE-SEP-IT2ZTR26TO4XFPTO -m comment --comment kube-system/kube-dns:dns-tcp -s 10.244.0.2 -j KUBE-MARK-MASQ
-A KUBE-SEP-IT2ZTR26TO4XFPTO -m comment --comment kube-system/kube-dns:dns-tcp -m tcp -p tcp -j DNAT --to-destination 10.244.0.2:53
-A KUBE-SERVICES -m comment --comment "kubernetes service nodeports; NOTE: this must be the last rule in this chain" -m addrtype --dst-type LOCAL ! -d 127.0.0.0/8 -j KUBE-NODEPORTS
-A POSTROUTING -m comment --comment "flanneld masq" -j FLANNEL-POSTRTG
-A FLANNEL-POSTRTG -m mark --mark 0x4000/0x4000 -m comment --comment "flanneld masq" -j RETURN
-A FLANNEL-POSTRTG -s 10.244.0.0/16 -d 10.244.0.0/16 -m comment --comment "flanneld masq" -j RETURN
-A FLANNEL-POSTRTG -s 10.244.0.0/16 ! -d 224.0.0.0/4 -m comment --comment "flanneld masq" -j MASQUERADE --random-fully
COMMIT
EOF

# ── exec: commands from the lab file
# pod coredns: resolv.conf (ip netns exec mounts it)
# from labs/k8s-services-iptables/lab.yaml:19:3
mkdir -p /etc/netns/nsl.k8s-services-iptables.coredns
cat >/etc/netns/nsl.k8s-services-iptables.coredns/resolv.conf <<'EOF'
nameserver 10.96.0.10
search kube-system.svc.cluster.local svc.cluster.local cluster.local
options ndots:5
EOF
# pod web-1: resolv.conf (ip netns exec mounts it)
# from labs/k8s-services-iptables/lab.yaml:25:5
mkdir -p /etc/netns/nsl.k8s-services-iptables.web-1
cat >/etc/netns/nsl.k8s-services-iptables.web-1/resolv.conf <<'EOF'
nameserver 10.96.0.10
search default.svc.cluster.local svc.cluster.local cluster.local
options ndots:5
EOF
# pod web-2: resolv.conf (ip netns exec mounts it)
# from labs/k8s-services-iptables/lab.yaml:25:5
mkdir -p /etc/netns/nsl.k8s-services-iptables.web-2
cat >/etc/netns/nsl.k8s-services-iptables.web-2/resolv.conf <<'EOF'
nameserver 10.96.0.10
search default.svc.cluster.local svc.cluster.local cluster.local
options ndots:5
EOF
# pod web-3: resolv.conf (ip netns exec mounts it)
# from labs/k8s-services-iptables/lab.yaml:25:5
mkdir -p /etc/netns/nsl.k8s-services-iptables.web-3
cat >/etc/netns/nsl.k8s-services-iptables.web-3/resolv.conf <<'EOF'
nameserver 10.96.0.10
search default.svc.cluster.local svc.cluster.local cluster.local
options ndots:5
EOF
# pod api-1: resolv.conf (ip netns exec mounts it)
# from labs/k8s-services-iptables/lab.yaml:28:5
mkdir -p /etc/netns/nsl.k8s-services-iptables.api-1
cat >/etc/netns/nsl.k8s-services-iptables.api-1/resolv.conf <<'EOF'
nameserver 10.96.0.10
search default.svc.cluster.local svc.cluster.local cluster.local
options ndots:5
EOF
# pod api-2: resolv.conf (ip netns exec mounts it)
# from labs/k8s-services-iptables/lab.yaml:28:5
mkdir -p /etc/netns/nsl.k8s-services-iptables.api-2
cat >/etc/netns/nsl.k8s-services-iptables.api-2/resolv.conf <<'EOF'
nameserver 10.96.0.10
search default.svc.cluster.local svc.cluster.local cluster.local
options ndots:5
EOF
# pod echo: resolv.conf (ip netns exec mounts it)
# from labs/k8s-services-iptables/lab.yaml:34:5
mkdir -p /etc/netns/nsl.k8s-services-iptables.echo
cat >/etc/netns/nsl.k8s-services-iptables.echo/resolv.conf <<'EOF'
nameserver 10.96.0.10
search default.svc.cluster.local svc.cluster.local cluster.local
options ndots:5
EOF
# pod client: resolv.conf (ip netns exec mounts it)
# from labs/k8s-services-iptables/lab.yaml:39:5
mkdir -p /etc/netns/nsl.k8s-services-iptables.client
cat >/etc/netns/nsl.k8s-services-iptables.client/resolv.conf <<'EOF'
nameserver 10.96.0.10
search default.svc.cluster.local svc.cluster.local cluster.local
options ndots:5
EOF
# pod cart-1: resolv.conf (ip netns exec mounts it)
# from labs/k8s-services-iptables/lab.yaml:42:5
mkdir -p /etc/netns/nsl.k8s-services-iptables.cart-1
cat >/etc/netns/nsl.k8s-services-iptables.cart-1/resolv.conf <<'EOF'
nameserver 10.96.0.10
search default.svc.cluster.local svc.cluster.local cluster.local
options ndots:5
EOF
# pod cart-2: resolv.conf (ip netns exec mounts it)
# from labs/k8s-services-iptables/lab.yaml:42:5
mkdir -p /etc/netns/nsl.k8s-services-iptables.cart-2
cat >/etc/netns/nsl.k8s-services-iptables.cart-2/resolv.conf <<'EOF'
nameserver 10.96.0.10
search default.svc.cluster.local svc.cluster.local cluster.local
options ndots:5
EOF

# ── daemons: long-running processes (stopped by `lab down`)
# the cluster DNS: dnsmasq with the records of every service and pod
# from labs/k8s-services-iptables/lab.yaml:18:1
mkdir -p /run/nslab/k8s-services-iptables/logs
ip netns exec nsl.k8s-services-iptables.coredns dnsmasq --keep-in-foreground --no-resolv --no-hosts --bind-interfaces --listen-address=10.244.0.2 --port=53 --log-facility=- --local=/cluster.local/ --host-record=api.default.svc.cluster.local,10.96.0.13 --srv-host=_http._tcp.api.default.svc.cluster.local,api.default.svc.cluster.local,80 --srv-host=_metrics._tcp.api.default.svc.cluster.local,api.default.svc.cluster.local,9090 --host-record=cart.default.svc.cluster.local,10.96.0.16 --host-record=echo.default.svc.cluster.local,10.96.0.14 --host-record=ghost.default.svc.cluster.local,10.96.0.15 --host-record=web.default.svc.cluster.local,10.96.0.11 --host-record=web-headless.default.svc.cluster.local,10.244.0.3 --host-record=web-headless.default.svc.cluster.local,10.244.0.4 --host-record=web-headless.default.svc.cluster.local,10.244.1.2 --host-record=10-244-0-3.web-headless.default.svc.cluster.local,10.244.0.3 --host-record=10-244-0-4.web-headless.default.svc.cluster.local,10.244.0.4 --host-record=10-244-1-2.web-headless.default.svc.cluster.local,10.244.1.2 --host-record=web-sticky.default.svc.cluster.local,10.96.0.12 --host-record=kube-dns.kube-system.svc.cluster.local,10.96.0.10 --srv-host=_dns._udp.kube-dns.kube-system.svc.cluster.local,kube-dns.kube-system.svc.cluster.local,53 --srv-host=_dns-tcp._tcp.kube-dns.kube-system.svc.cluster.local,kube-dns.kube-system.svc.cluster.local,53 --host-record=10-244-1-3.default.pod.cluster.local,10.244.1.3 --host-record=10-244-0-5.default.pod.cluster.local,10.244.0.5 --host-record=10-244-1-5.default.pod.cluster.local,10.244.1.5 --host-record=10-244-0-7.default.pod.cluster.local,10.244.0.7 --host-record=10-244-0-6.default.pod.cluster.local,10.244.0.6 --host-record=10-244-1-4.default.pod.cluster.local,10.244.1.4 --host-record=10-244-0-3.default.pod.cluster.local,10.244.0.3 --host-record=10-244-1-2.default.pod.cluster.local,10.244.1.2 --host-record=10-244-0-4.default.pod.cluster.local,10.244.0.4 --host-record=10-244-0-2.kube-system.pod.cluster.local,10.244.0.2 --pid-file --user=root >/run/nslab/k8s-services-iptables/logs/coredns.dnsmasq.log 2>&1 &
# pod web-1: answers with its name and the client address on 80/tcp
# from labs/k8s-services-iptables/lab.yaml:25:5
mkdir -p /run/nslab/k8s-services-iptables/logs
ip netns exec nsl.k8s-services-iptables.web-1 lab agent whoami --name web-1 --port 80 >/run/nslab/k8s-services-iptables/logs/web-1.whoami.log 2>&1 &
# pod web-2: answers with its name and the client address on 80/tcp
# from labs/k8s-services-iptables/lab.yaml:25:5
mkdir -p /run/nslab/k8s-services-iptables/logs
ip netns exec nsl.k8s-services-iptables.web-2 lab agent whoami --name web-2 --port 80 >/run/nslab/k8s-services-iptables/logs/web-2.whoami.log 2>&1 &
# pod web-3: answers with its name and the client address on 80/tcp
# from labs/k8s-services-iptables/lab.yaml:25:5
mkdir -p /run/nslab/k8s-services-iptables/logs
ip netns exec nsl.k8s-services-iptables.web-3 lab agent whoami --name web-3 --port 80 >/run/nslab/k8s-services-iptables/logs/web-3.whoami.log 2>&1 &
# pod api-1: answers with its name and the client address on 8080/tcp, 9090/tcp
# from labs/k8s-services-iptables/lab.yaml:28:5
mkdir -p /run/nslab/k8s-services-iptables/logs
ip netns exec nsl.k8s-services-iptables.api-1 lab agent whoami --name api-1 --port 8080 --port 9090 >/run/nslab/k8s-services-iptables/logs/api-1.whoami.log 2>&1 &
# pod api-2: answers with its name and the client address on 8080/tcp, 9090/tcp
# from labs/k8s-services-iptables/lab.yaml:28:5
mkdir -p /run/nslab/k8s-services-iptables/logs
ip netns exec nsl.k8s-services-iptables.api-2 lab agent whoami --name api-2 --port 8080 --port 9090 >/run/nslab/k8s-services-iptables/logs/api-2.whoami.log 2>&1 &
# pod echo: answers with its name and the client address on 5353/udp
# from labs/k8s-services-iptables/lab.yaml:34:5
mkdir -p /run/nslab/k8s-services-iptables/logs
ip netns exec nsl.k8s-services-iptables.echo lab agent whoami --name echo --udp-port 5353 >/run/nslab/k8s-services-iptables/logs/echo.whoami.log 2>&1 &
# pod client: answers with its name and the client address on 80/tcp
# from labs/k8s-services-iptables/lab.yaml:39:5
mkdir -p /run/nslab/k8s-services-iptables/logs
ip netns exec nsl.k8s-services-iptables.client lab agent whoami --name client --port 80 >/run/nslab/k8s-services-iptables/logs/client.whoami.log 2>&1 &
# pod cart-1: answers with its name and the client address on 80/tcp
# from labs/k8s-services-iptables/lab.yaml:42:5
mkdir -p /run/nslab/k8s-services-iptables/logs
ip netns exec nsl.k8s-services-iptables.cart-1 lab agent whoami --name cart-1 --port 80 >/run/nslab/k8s-services-iptables/logs/cart-1.whoami.log 2>&1 &
# pod cart-2: answers with its name and the client address on 80/tcp
# from labs/k8s-services-iptables/lab.yaml:42:5
mkdir -p /run/nslab/k8s-services-iptables/logs
ip netns exec nsl.k8s-services-iptables.cart-2 lab agent whoami --name cart-2 --port 80 >/run/nslab/k8s-services-iptables/logs/cart-2.whoami.log 2>&1 &

# ── teardown (what `lab down` runs): stop every process inside the lab's namespaces (by PID), then
# delete the namespaces, which removes every link, bridge, address, route and rule inside them
# (commented out, so that running this script builds the lab and leaves it up)
#   ip -force -batch - <<'EOF'
#   netns del nsl.k8s-services-iptables
#   netns del nsl.k8s-services-iptables.outside
#   netns del nsl.k8s-services-iptables.node-1
#   netns del nsl.k8s-services-iptables.node-2
#   netns del nsl.k8s-services-iptables.coredns
#   netns del nsl.k8s-services-iptables.web-1
#   netns del nsl.k8s-services-iptables.web-2
#   netns del nsl.k8s-services-iptables.web-3
#   netns del nsl.k8s-services-iptables.api-1
#   netns del nsl.k8s-services-iptables.api-2
#   netns del nsl.k8s-services-iptables.echo
#   netns del nsl.k8s-services-iptables.client
#   netns del nsl.k8s-services-iptables.cart-1
#   netns del nsl.k8s-services-iptables.cart-2
#   EOF
