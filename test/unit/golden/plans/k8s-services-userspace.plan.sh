#!/bin/sh
# nslab plan for lab "k8s-services-userspace" from labs/k8s-services-userspace/lab.yaml
# Run as root to build the lab by hand; these are exactly the commands `lab up` runs
# (it runs the blocks of one phase in parallel). Every line notes the lab-file place behind it.
# new namespaces start with net.ipv4.ip_forward=1, net.ipv6.conf.all.forwarding=0 (inherited from this host): only nodes that need other values get a sysctl
set -e

# ── namespaces: network namespaces (one per node, plus the lab fabric) and containers
ip -batch - <<'EOF'
# labs/k8s-services-userspace/lab.yaml:2:7 — the lab fabric: bridges that belong to no node
netns add nsl.k8s-services-userspace
# labs/k8s-services-userspace/lab.yaml:10:3 — node ext
netns add nsl.k8s-services-userspace.ext
# labs/k8s-services-userspace/lab.yaml:21:5 — node node-1
netns add nsl.k8s-services-userspace.node-1
# labs/k8s-services-userspace/lab.yaml:22:5 — node node-2
netns add nsl.k8s-services-userspace.node-2
# labs/k8s-services-userspace/lab.yaml:18:3 — node coredns
netns add nsl.k8s-services-userspace.coredns
# labs/k8s-services-userspace/lab.yaml:24:5 — node web-1
netns add nsl.k8s-services-userspace.web-1
# labs/k8s-services-userspace/lab.yaml:24:5 — node web-2
netns add nsl.k8s-services-userspace.web-2
# labs/k8s-services-userspace/lab.yaml:24:5 — node web-3
netns add nsl.k8s-services-userspace.web-3
# labs/k8s-services-userspace/lab.yaml:27:5 — node echo
netns add nsl.k8s-services-userspace.echo
# labs/k8s-services-userspace/lab.yaml:32:5 — node client
netns add nsl.k8s-services-userspace.client
# labs/k8s-services-userspace/lab.yaml:35:5 — node cart-1
netns add nsl.k8s-services-userspace.cart-1
# labs/k8s-services-userspace/lab.yaml:35:5 — node cart-2
netns add nsl.k8s-services-userspace.cart-2
EOF

# ── links: veth pairs created directly inside their namespaces
ip -batch - <<'EOF'
# labs/k8s-services-userspace/lab.yaml:15:5 — link ext:eth0 <-> k8s-net
link add ext-eth0 netns nsl.k8s-services-userspace index 1000 type veth peer name eth0 netns nsl.k8s-services-userspace.ext
# labs/k8s-services-userspace/lab.yaml:21:13 — link node-1:eth0 <-> k8s-net
link add node-1-eth0 netns nsl.k8s-services-userspace index 1001 type veth peer name eth0 netns nsl.k8s-services-userspace.node-1
# labs/k8s-services-userspace/lab.yaml:22:13 — link node-2:eth0 <-> k8s-net
link add node-2-eth0 netns nsl.k8s-services-userspace index 1002 type veth peer name eth0 netns nsl.k8s-services-userspace.node-2
# labs/k8s-services-userspace/lab.yaml:18:3 — link coredns:eth0 <-> cni0@node-1
link add veth96971f43 netns nsl.k8s-services-userspace.node-1 index 1000 mtu 1450 type veth peer name eth0 netns nsl.k8s-services-userspace.coredns mtu 1450
# labs/k8s-services-userspace/lab.yaml:25:7 — link web-1:eth0 <-> cni0@node-1
link add veth0761ccbe netns nsl.k8s-services-userspace.node-1 index 1001 mtu 1450 type veth peer name eth0 netns nsl.k8s-services-userspace.web-1 mtu 1450
# labs/k8s-services-userspace/lab.yaml:25:7 — link web-2:eth0 <-> cni0@node-2
link add veth9fb0db7f netns nsl.k8s-services-userspace.node-2 index 1000 mtu 1450 type veth peer name eth0 netns nsl.k8s-services-userspace.web-2 mtu 1450
# labs/k8s-services-userspace/lab.yaml:25:7 — link web-3:eth0 <-> cni0@node-1
link add veth4448cbdd netns nsl.k8s-services-userspace.node-1 index 1002 mtu 1450 type veth peer name eth0 netns nsl.k8s-services-userspace.web-3 mtu 1450
# labs/k8s-services-userspace/lab.yaml:28:7 — link echo:eth0 <-> cni0@node-2
link add veth4093604f netns nsl.k8s-services-userspace.node-2 index 1001 mtu 1450 type veth peer name eth0 netns nsl.k8s-services-userspace.echo mtu 1450
# labs/k8s-services-userspace/lab.yaml:33:7 — link client:eth0 <-> cni0@node-1
link add vetha7a3e029 netns nsl.k8s-services-userspace.node-1 index 1003 mtu 1450 type veth peer name eth0 netns nsl.k8s-services-userspace.client mtu 1450
# labs/k8s-services-userspace/lab.yaml:36:7 — link cart-1:eth0 <-> cni0@node-2
link add veth9a129328 netns nsl.k8s-services-userspace.node-2 index 1002 mtu 1450 type veth peer name eth0 netns nsl.k8s-services-userspace.cart-1 mtu 1450
# labs/k8s-services-userspace/lab.yaml:36:7 — link cart-2:eth0 <-> cni0@node-1
link add veth5eacdabb netns nsl.k8s-services-userspace.node-1 index 1004 mtu 1450 type veth peer name eth0 netns nsl.k8s-services-userspace.cart-2 mtu 1450
EOF

# ── configure: inside each namespace: sysctls, bridges, addresses, routes
# one batch file per namespace, run 4 at a time by xargs
mkdir -p /run/nslab/k8s-services-userspace/batch
cat >/run/nslab/k8s-services-userspace/batch/nsl.k8s-services-userspace.ext.ip <<'EOF'
# labs/k8s-services-userspace/lab.yaml:10:3
link set lo up
# labs/k8s-services-userspace/lab.yaml:12:7
addr add 192.168.56.100/24 dev eth0
link set eth0 up
EOF
cat >/run/nslab/k8s-services-userspace/batch/nsl.k8s-services-userspace.node-1.ip <<'EOF'
# labs/k8s-services-userspace/lab.yaml:21:5
link set lo up
# labs/k8s-services-userspace/lab.yaml:18:3 — bridge cni0 in node-1
link add cni0 type bridge
link set cni0 mtu 1450
# labs/k8s-services-userspace/lab.yaml:18:3 — VXLAN flannel.1: VNI 1 over eth0
link add flannel.1 address 0e:a6:83:84:fb:14 mtu 1450 type vxlan id 1 local 192.168.56.11 dstport 8472 dev eth0 nolearning
link set veth96971f43 master cni0
# labs/k8s-services-userspace/lab.yaml:25:7
link set veth0761ccbe master cni0
link set veth4448cbdd master cni0
# labs/k8s-services-userspace/lab.yaml:33:7
link set vetha7a3e029 master cni0
# labs/k8s-services-userspace/lab.yaml:36:7
link set veth5eacdabb master cni0
# labs/k8s-services-userspace/lab.yaml:18:3 — hairpin mode: frames may leave by the port they came in on
link set veth96971f43 type bridge_slave hairpin on
# labs/k8s-services-userspace/lab.yaml:25:7 — hairpin mode: frames may leave by the port they came in on
link set veth0761ccbe type bridge_slave hairpin on
# labs/k8s-services-userspace/lab.yaml:25:7 — hairpin mode: frames may leave by the port they came in on
link set veth4448cbdd type bridge_slave hairpin on
# labs/k8s-services-userspace/lab.yaml:33:7 — hairpin mode: frames may leave by the port they came in on
link set vetha7a3e029 type bridge_slave hairpin on
# labs/k8s-services-userspace/lab.yaml:36:7 — hairpin mode: frames may leave by the port they came in on
link set veth5eacdabb type bridge_slave hairpin on
# labs/k8s-services-userspace/lab.yaml:21:13
addr add 192.168.56.11/24 dev eth0
# labs/k8s-services-userspace/lab.yaml:18:3
addr add 10.244.0.0/32 dev flannel.1
addr add 10.244.0.1/24 dev cni0
# labs/k8s-services-userspace/lab.yaml:21:13
link set eth0 up
# labs/k8s-services-userspace/lab.yaml:18:3
link set flannel.1 up
link set cni0 up
link set veth96971f43 up
# labs/k8s-services-userspace/lab.yaml:25:7
link set veth0761ccbe up
link set veth4448cbdd up
# labs/k8s-services-userspace/lab.yaml:33:7
link set vetha7a3e029 up
# labs/k8s-services-userspace/lab.yaml:36:7
link set veth5eacdabb up
# labs/k8s-services-userspace/lab.yaml:18:8
route add 10.96.0.0/12 dev eth0
route add 10.244.1.0/24 via 10.244.1.0 dev flannel.1 onlink
# labs/k8s-services-userspace/lab.yaml:18:3
neigh replace 10.244.1.0 lladdr 0e:03:5c:68:f5:be dev flannel.1 nud permanent
EOF
cat >/run/nslab/k8s-services-userspace/batch/nsl.k8s-services-userspace.node-2.ip <<'EOF'
# labs/k8s-services-userspace/lab.yaml:22:5
link set lo up
# labs/k8s-services-userspace/lab.yaml:18:3 — bridge cni0 in node-2
link add cni0 type bridge
link set cni0 mtu 1450
# labs/k8s-services-userspace/lab.yaml:18:3 — VXLAN flannel.1: VNI 1 over eth0
link add flannel.1 address 0e:03:5c:68:f5:be mtu 1450 type vxlan id 1 local 192.168.56.12 dstport 8472 dev eth0 nolearning
# labs/k8s-services-userspace/lab.yaml:25:7
link set veth9fb0db7f master cni0
# labs/k8s-services-userspace/lab.yaml:28:7
link set veth4093604f master cni0
# labs/k8s-services-userspace/lab.yaml:36:7
link set veth9a129328 master cni0
# labs/k8s-services-userspace/lab.yaml:25:7 — hairpin mode: frames may leave by the port they came in on
link set veth9fb0db7f type bridge_slave hairpin on
# labs/k8s-services-userspace/lab.yaml:28:7 — hairpin mode: frames may leave by the port they came in on
link set veth4093604f type bridge_slave hairpin on
# labs/k8s-services-userspace/lab.yaml:36:7 — hairpin mode: frames may leave by the port they came in on
link set veth9a129328 type bridge_slave hairpin on
# labs/k8s-services-userspace/lab.yaml:22:13
addr add 192.168.56.12/24 dev eth0
# labs/k8s-services-userspace/lab.yaml:18:3
addr add 10.244.1.0/32 dev flannel.1
addr add 10.244.1.1/24 dev cni0
# labs/k8s-services-userspace/lab.yaml:22:13
link set eth0 up
# labs/k8s-services-userspace/lab.yaml:18:3
link set flannel.1 up
link set cni0 up
# labs/k8s-services-userspace/lab.yaml:25:7
link set veth9fb0db7f up
# labs/k8s-services-userspace/lab.yaml:28:7
link set veth4093604f up
# labs/k8s-services-userspace/lab.yaml:36:7
link set veth9a129328 up
# labs/k8s-services-userspace/lab.yaml:18:8
route add 10.96.0.0/12 dev eth0
route add 10.244.0.0/24 via 10.244.0.0 dev flannel.1 onlink
# labs/k8s-services-userspace/lab.yaml:18:3
neigh replace 10.244.0.0 lladdr 0e:a6:83:84:fb:14 dev flannel.1 nud permanent
EOF
cat >/run/nslab/k8s-services-userspace/batch/nsl.k8s-services-userspace.coredns.ip <<'EOF'
# labs/k8s-services-userspace/lab.yaml:18:3
link set lo up
addr add 10.244.0.2/24 dev eth0
link set eth0 up
route add default via 10.244.0.1
EOF
cat >/run/nslab/k8s-services-userspace/batch/nsl.k8s-services-userspace.web-1.ip <<'EOF'
# labs/k8s-services-userspace/lab.yaml:24:5
link set lo up
# labs/k8s-services-userspace/lab.yaml:25:7
addr add 10.244.0.3/24 dev eth0
link set eth0 up
route add default via 10.244.0.1
EOF
cat >/run/nslab/k8s-services-userspace/batch/nsl.k8s-services-userspace.web-2.ip <<'EOF'
# labs/k8s-services-userspace/lab.yaml:24:5
link set lo up
# labs/k8s-services-userspace/lab.yaml:25:7
addr add 10.244.1.2/24 dev eth0
link set eth0 up
route add default via 10.244.1.1
EOF
cat >/run/nslab/k8s-services-userspace/batch/nsl.k8s-services-userspace.web-3.ip <<'EOF'
# labs/k8s-services-userspace/lab.yaml:24:5
link set lo up
# labs/k8s-services-userspace/lab.yaml:25:7
addr add 10.244.0.4/24 dev eth0
link set eth0 up
route add default via 10.244.0.1
EOF
cat >/run/nslab/k8s-services-userspace/batch/nsl.k8s-services-userspace.echo.ip <<'EOF'
# labs/k8s-services-userspace/lab.yaml:27:5
link set lo up
# labs/k8s-services-userspace/lab.yaml:28:7
addr add 10.244.1.3/24 dev eth0
link set eth0 up
route add default via 10.244.1.1
EOF
cat >/run/nslab/k8s-services-userspace/batch/nsl.k8s-services-userspace.client.ip <<'EOF'
# labs/k8s-services-userspace/lab.yaml:32:5
link set lo up
# labs/k8s-services-userspace/lab.yaml:33:7
addr add 10.244.0.5/24 dev eth0
link set eth0 up
route add default via 10.244.0.1
EOF
cat >/run/nslab/k8s-services-userspace/batch/nsl.k8s-services-userspace.cart-1.ip <<'EOF'
# labs/k8s-services-userspace/lab.yaml:35:5
link set lo up
# labs/k8s-services-userspace/lab.yaml:36:7
addr add 10.244.1.4/24 dev eth0
link set eth0 up
route add default via 10.244.1.1
EOF
cat >/run/nslab/k8s-services-userspace/batch/nsl.k8s-services-userspace.cart-2.ip <<'EOF'
# labs/k8s-services-userspace/lab.yaml:35:5
link set lo up
# labs/k8s-services-userspace/lab.yaml:36:7
addr add 10.244.0.6/24 dev eth0
link set eth0 up
route add default via 10.244.0.1
EOF
cat >/run/nslab/k8s-services-userspace/batch/nsl.k8s-services-userspace.ip <<'EOF'
# labs/k8s-services-userspace/lab.yaml:2:7
link set lo up
# labs/k8s-services-userspace/lab.yaml:18:3 — bridge k8s-net
link add k8s-net type bridge
# labs/k8s-services-userspace/lab.yaml:15:5
link set ext-eth0 master k8s-net
# labs/k8s-services-userspace/lab.yaml:21:13
link set node-1-eth0 master k8s-net
# labs/k8s-services-userspace/lab.yaml:22:13
link set node-2-eth0 master k8s-net
# labs/k8s-services-userspace/lab.yaml:18:3
link set k8s-net up
# labs/k8s-services-userspace/lab.yaml:15:5
link set ext-eth0 up
# labs/k8s-services-userspace/lab.yaml:21:13
link set node-1-eth0 up
# labs/k8s-services-userspace/lab.yaml:22:13
link set node-2-eth0 up
EOF
xargs -P 4 -L 1 nsenter <<'EOF'
--net=/run/netns/nsl.k8s-services-userspace.ext sysctl -qw net.ipv4.ip_forward=0
--net=/run/netns/nsl.k8s-services-userspace.ext ip -batch /run/nslab/k8s-services-userspace/batch/nsl.k8s-services-userspace.ext.ip
--net=/run/netns/nsl.k8s-services-userspace.node-1 sysctl -qw net.ipv6.conf.all.forwarding=1
--net=/run/netns/nsl.k8s-services-userspace.node-1 ip -batch /run/nslab/k8s-services-userspace/batch/nsl.k8s-services-userspace.node-1.ip
--net=/run/netns/nsl.k8s-services-userspace.node-1 sysctl -qw net.ipv4.ip_local_reserved_ports=36000-36999
--net=/run/netns/nsl.k8s-services-userspace.node-2 sysctl -qw net.ipv6.conf.all.forwarding=1
--net=/run/netns/nsl.k8s-services-userspace.node-2 ip -batch /run/nslab/k8s-services-userspace/batch/nsl.k8s-services-userspace.node-2.ip
--net=/run/netns/nsl.k8s-services-userspace.node-2 sysctl -qw net.ipv4.ip_local_reserved_ports=36000-36999
--net=/run/netns/nsl.k8s-services-userspace.coredns sysctl -qw net.ipv4.ip_forward=0
--net=/run/netns/nsl.k8s-services-userspace.coredns ip -batch /run/nslab/k8s-services-userspace/batch/nsl.k8s-services-userspace.coredns.ip
--net=/run/netns/nsl.k8s-services-userspace.web-1 sysctl -qw net.ipv4.ip_forward=0
--net=/run/netns/nsl.k8s-services-userspace.web-1 ip -batch /run/nslab/k8s-services-userspace/batch/nsl.k8s-services-userspace.web-1.ip
--net=/run/netns/nsl.k8s-services-userspace.web-2 sysctl -qw net.ipv4.ip_forward=0
--net=/run/netns/nsl.k8s-services-userspace.web-2 ip -batch /run/nslab/k8s-services-userspace/batch/nsl.k8s-services-userspace.web-2.ip
--net=/run/netns/nsl.k8s-services-userspace.web-3 sysctl -qw net.ipv4.ip_forward=0
--net=/run/netns/nsl.k8s-services-userspace.web-3 ip -batch /run/nslab/k8s-services-userspace/batch/nsl.k8s-services-userspace.web-3.ip
--net=/run/netns/nsl.k8s-services-userspace.echo sysctl -qw net.ipv4.ip_forward=0
--net=/run/netns/nsl.k8s-services-userspace.echo ip -batch /run/nslab/k8s-services-userspace/batch/nsl.k8s-services-userspace.echo.ip
--net=/run/netns/nsl.k8s-services-userspace.client sysctl -qw net.ipv4.ip_forward=0
--net=/run/netns/nsl.k8s-services-userspace.client ip -batch /run/nslab/k8s-services-userspace/batch/nsl.k8s-services-userspace.client.ip
--net=/run/netns/nsl.k8s-services-userspace.cart-1 sysctl -qw net.ipv4.ip_forward=0
--net=/run/netns/nsl.k8s-services-userspace.cart-1 ip -batch /run/nslab/k8s-services-userspace/batch/nsl.k8s-services-userspace.cart-1.ip
--net=/run/netns/nsl.k8s-services-userspace.cart-2 sysctl -qw net.ipv4.ip_forward=0
--net=/run/netns/nsl.k8s-services-userspace.cart-2 ip -batch /run/nslab/k8s-services-userspace/batch/nsl.k8s-services-userspace.cart-2.ip
--net=/run/netns/nsl.k8s-services-userspace ip -batch /run/nslab/k8s-services-userspace/batch/nsl.k8s-services-userspace.ip
EOF

# ── fdb: forwarding-database entries of VXLAN endpoints (`bridge fdb`)
# one batch file per namespace, run 4 at a time by xargs
mkdir -p /run/nslab/k8s-services-userspace/batch
cat >/run/nslab/k8s-services-userspace/batch/nsl.k8s-services-userspace.node-1.bridge <<'EOF'
# labs/k8s-services-userspace/lab.yaml:18:3
fdb append 0e:03:5c:68:f5:be dev flannel.1 dst 192.168.56.12 self permanent
EOF
cat >/run/nslab/k8s-services-userspace/batch/nsl.k8s-services-userspace.node-2.bridge <<'EOF'
# labs/k8s-services-userspace/lab.yaml:18:3
fdb append 0e:a6:83:84:fb:14 dev flannel.1 dst 192.168.56.11 self permanent
EOF
xargs -P 4 -L 1 nsenter <<'EOF'
--net=/run/netns/nsl.k8s-services-userspace.node-1 bridge -batch /run/nslab/k8s-services-userspace/batch/nsl.k8s-services-userspace.node-1.bridge
--net=/run/netns/nsl.k8s-services-userspace.node-2 bridge -batch /run/nslab/k8s-services-userspace/batch/nsl.k8s-services-userspace.node-2.bridge
EOF

# ── settle: wait until every bridge port forwards (the kernel applies link changes asynchronously)
# wait until every bridge port forwards
# from labs/k8s-services-userspace/lab.yaml:18:3
# repeated until no port is "state disabled", for at most 10 s
while nsenter --net=/run/netns/nsl.k8s-services-userspace bridge link show | grep -q 'state disabled'; do sleep 0.01; done
# wait until every bridge port forwards
# from labs/k8s-services-userspace/lab.yaml:18:3
# repeated until no port is "state disabled", for at most 10 s
while nsenter --net=/run/netns/nsl.k8s-services-userspace.node-1 bridge link show | grep -q 'state disabled'; do sleep 0.01; done
# wait until every bridge port forwards
# from labs/k8s-services-userspace/lab.yaml:18:3
# repeated until no port is "state disabled", for at most 10 s
while nsenter --net=/run/netns/nsl.k8s-services-userspace.node-2 bridge link show | grep -q 'state disabled'; do sleep 0.01; done

# ── firewall: NAT and firewall rule sets
# node node-1: kube-proxy (userspace mode)
ip netns exec nsl.k8s-services-userspace.node-1 iptables-restore --noflush <<'EOF'
# kube-proxy (userspace mode) rules for node node-1, written by nslab; load with iptables-restore. The proxy ports: 36000+
# egress masquerade (flanneld's ip-masq): pod traffic leaving 10.244.0.0/16 gets the node's address
*filter
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:KUBE-NODEPORT-NON-LOCAL - [0:0]
-A INPUT -m comment --comment "Ensure that non-local NodePort traffic can flow" -j KUBE-NODEPORT-NON-LOCAL
-A KUBE-NODEPORT-NON-LOCAL -p tcp -m comment --comment "default/web-nodeport" -m tcp --dport 36004 -m state --state NEW -j ACCEPT
COMMIT
*nat
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
:KUBE-PORTALS-CONTAINER - [0:0]
:KUBE-PORTALS-HOST - [0:0]
:KUBE-NODEPORT-CONTAINER - [0:0]
:KUBE-NODEPORT-HOST - [0:0]
:FLANNEL-POSTRTG - [0:0]
-A PREROUTING -m comment --comment "handle ClusterIPs; NOTE: this must be before the NodePort rules" -j KUBE-PORTALS-CONTAINER
-A PREROUTING -m addrtype --dst-type LOCAL -m comment --comment "handle service NodePorts; NOTE: this must be the last rule in the chain" -j KUBE-NODEPORT-CONTAINER
-A OUTPUT -m comment --comment "handle ClusterIPs; NOTE: this must be before the NodePort rules" -j KUBE-PORTALS-HOST
-A OUTPUT -m addrtype --dst-type LOCAL -m comment --comment "handle service NodePorts; NOTE: this must be the last rule in the chain" -j KUBE-NODEPORT-HOST
-A KUBE-PORTALS-CONTAINER -d 10.96.0.16/32 -p tcp -m comment --comment "default/cart" -m tcp --dport 80 -j REDIRECT --to-ports 36000
-A KUBE-PORTALS-CONTAINER -d 10.96.0.14/32 -p udp -m comment --comment "default/echo" -m udp --dport 53 -j REDIRECT --to-ports 36001
-A KUBE-PORTALS-CONTAINER -d 10.96.0.15/32 -p tcp -m comment --comment "default/ghost" -m tcp --dport 80 -j REDIRECT --to-ports 36002
-A KUBE-PORTALS-CONTAINER -d 10.96.0.11/32 -p tcp -m comment --comment "default/web" -m tcp --dport 80 -j REDIRECT --to-ports 36003
-A KUBE-PORTALS-CONTAINER -d 10.96.0.13/32 -p tcp -m comment --comment "default/web-nodeport" -m tcp --dport 80 -j REDIRECT --to-ports 36004
-A KUBE-PORTALS-CONTAINER -d 10.96.0.12/32 -p tcp -m comment --comment "default/web-sticky" -m tcp --dport 80 -j REDIRECT --to-ports 36005
-A KUBE-PORTALS-CONTAINER -d 10.96.0.10/32 -p udp -m comment --comment "kube-system/kube-dns:dns" -m udp --dport 53 -j REDIRECT --to-ports 36006
-A KUBE-PORTALS-CONTAINER -d 10.96.0.10/32 -p tcp -m comment --comment "kube-system/kube-dns:dns-tcp" -m tcp --dport 53 -j REDIRECT --to-ports 36007
-A KUBE-PORTALS-HOST -d 10.96.0.16/32 -p tcp -m comment --comment "default/cart" -m tcp --dport 80 -j DNAT --to-destination 192.168.56.11:36000
-A KUBE-PORTALS-HOST -d 10.96.0.14/32 -p udp -m comment --comment "default/echo" -m udp --dport 53 -j DNAT --to-destination 192.168.56.11:36001
-A KUBE-PORTALS-HOST -d 10.96.0.15/32 -p tcp -m comment --comment "default/ghost" -m tcp --dport 80 -j DNAT --to-destination 192.168.56.11:36002
-A KUBE-PORTALS-HOST -d 10.96.0.11/32 -p tcp -m comment --comment "default/web" -m tcp --dport 80 -j DNAT --to-destination 192.168.56.11:36003
-A KUBE-PORTALS-HOST -d 10.96.0.13/32 -p tcp -m comment --comment "default/web-nodeport" -m tcp --dport 80 -j DNAT --to-destination 192.168.56.11:36004
-A KUBE-PORTALS-HOST -d 10.96.0.12/32 -p tcp -m comment --comment "default/web-sticky" -m tcp --dport 80 -j DNAT --to-destination 192.168.56.11:36005
-A KUBE-PORTALS-HOST -d 10.96.0.10/32 -p udp -m comment --comment "kube-system/kube-dns:dns" -m udp --dport 53 -j DNAT --to-destination 192.168.56.11:36006
-A KUBE-PORTALS-HOST -d 10.96.0.10/32 -p tcp -m comment --comment "kube-system/kube-dns:dns-tcp" -m tcp --dport 53 -j DNAT --to-destination 192.168.56.11:36007
-A KUBE-NODEPORT-CONTAINER -p tcp -m comment --comment "default/web-nodeport" -m tcp --dport 30080 -j REDIRECT --to-ports 36004
-A KUBE-NODEPORT-HOST -p tcp -m comment --comment "default/web-nodeport" -m tcp --dport 30080 -j DNAT --to-destination 192.168.56.11:36004
-A POSTROUTING -m comment --comment "flanneld masq" -j FLANNEL-POSTRTG
-A FLANNEL-POSTRTG -m mark --mark 0x4000/0x4000 -m comment --comment "flanneld masq" -j RETURN
-A FLANNEL-POSTRTG -s 10.244.0.0/16 -d 10.244.0.0/16 -m comment --comment "flanneld masq" -j RETURN
-A FLANNEL-POSTRTG -s 10.244.0.0/16 ! -d 224.0.0.0/4 -m comment --comment "flanneld masq" -j MASQUERADE --random-fully
COMMIT
EOF
# node node-2: kube-proxy (userspace mode)
ip netns exec nsl.k8s-services-userspace.node-2 iptables-restore --noflush <<'EOF'
# kube-proxy (userspace mode) rules for node node-2, written by nslab; load with iptables-restore. The proxy ports: 36000+
# egress masquerade (flanneld's ip-masq): pod traffic leaving 10.244.0.0/16 gets the node's address
*filter
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:KUBE-NODEPORT-NON-LOCAL - [0:0]
-A INPUT -m comment --comment "Ensure that non-local NodePort traffic can flow" -j KUBE-NODEPORT-NON-LOCAL
-A KUBE-NODEPORT-NON-LOCAL -p tcp -m comment --comment "default/web-nodeport" -m tcp --dport 36004 -m state --state NEW -j ACCEPT
COMMIT
*nat
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
:KUBE-PORTALS-CONTAINER - [0:0]
:KUBE-PORTALS-HOST - [0:0]
:KUBE-NODEPORT-CONTAINER - [0:0]
:KUBE-NODEPORT-HOST - [0:0]
:FLANNEL-POSTRTG - [0:0]
-A PREROUTING -m comment --comment "handle ClusterIPs; NOTE: this must be before the NodePort rules" -j KUBE-PORTALS-CONTAINER
-A PREROUTING -m addrtype --dst-type LOCAL -m comment --comment "handle service NodePorts; NOTE: this must be the last rule in the chain" -j KUBE-NODEPORT-CONTAINER
-A OUTPUT -m comment --comment "handle ClusterIPs; NOTE: this must be before the NodePort rules" -j KUBE-PORTALS-HOST
-A OUTPUT -m addrtype --dst-type LOCAL -m comment --comment "handle service NodePorts; NOTE: this must be the last rule in the chain" -j KUBE-NODEPORT-HOST
-A KUBE-PORTALS-CONTAINER -d 10.96.0.16/32 -p tcp -m comment --comment "default/cart" -m tcp --dport 80 -j REDIRECT --to-ports 36000
-A KUBE-PORTALS-CONTAINER -d 10.96.0.14/32 -p udp -m comment --comment "default/echo" -m udp --dport 53 -j REDIRECT --to-ports 36001
-A KUBE-PORTALS-CONTAINER -d 10.96.0.15/32 -p tcp -m comment --comment "default/ghost" -m tcp --dport 80 -j REDIRECT --to-ports 36002
-A KUBE-PORTALS-CONTAINER -d 10.96.0.11/32 -p tcp -m comment --comment "default/web" -m tcp --dport 80 -j REDIRECT --to-ports 36003
-A KUBE-PORTALS-CONTAINER -d 10.96.0.13/32 -p tcp -m comment --comment "default/web-nodeport" -m tcp --dport 80 -j REDIRECT --to-ports 36004
-A KUBE-PORTALS-CONTAINER -d 10.96.0.12/32 -p tcp -m comment --comment "default/web-sticky" -m tcp --dport 80 -j REDIRECT --to-ports 36005
-A KUBE-PORTALS-CONTAINER -d 10.96.0.10/32 -p udp -m comment --comment "kube-system/kube-dns:dns" -m udp --dport 53 -j REDIRECT --to-ports 36006
-A KUBE-PORTALS-CONTAINER -d 10.96.0.10/32 -p tcp -m comment --comment "kube-system/kube-dns:dns-tcp" -m tcp --dport 53 -j REDIRECT --to-ports 36007
-A KUBE-PORTALS-HOST -d 10.96.0.16/32 -p tcp -m comment --comment "default/cart" -m tcp --dport 80 -j DNAT --to-destination 192.168.56.12:36000
-A KUBE-PORTALS-HOST -d 10.96.0.14/32 -p udp -m comment --comment "default/echo" -m udp --dport 53 -j DNAT --to-destination 192.168.56.12:36001
-A KUBE-PORTALS-HOST -d 10.96.0.15/32 -p tcp -m comment --comment "default/ghost" -m tcp --dport 80 -j DNAT --to-destination 192.168.56.12:36002
-A KUBE-PORTALS-HOST -d 10.96.0.11/32 -p tcp -m comment --comment "default/web" -m tcp --dport 80 -j DNAT --to-destination 192.168.56.12:36003
-A KUBE-PORTALS-HOST -d 10.96.0.13/32 -p tcp -m comment --comment "default/web-nodeport" -m tcp --dport 80 -j DNAT --to-destination 192.168.56.12:36004
-A KUBE-PORTALS-HOST -d 10.96.0.12/32 -p tcp -m comment --comment "default/web-sticky" -m tcp --dport 80 -j DNAT --to-destination 192.168.56.12:36005
-A KUBE-PORTALS-HOST -d 10.96.0.10/32 -p udp -m comment --comment "kube-system/kube-dns:dns" -m udp --dport 53 -j DNAT --to-destination 192.168.56.12:36006
-A KUBE-PORTALS-HOST -d 10.96.0.10/32 -p tcp -m comment --comment "kube-system/kube-dns:dns-tcp" -m tcp --dport 53 -j DNAT --to-destination 192.168.56.12:36007
-A KUBE-NODEPORT-CONTAINER -p tcp -m comment --comment "default/web-nodeport" -m tcp --dport 30080 -j REDIRECT --to-ports 36004
-A KUBE-NODEPORT-HOST -p tcp -m comment --comment "default/web-nodeport" -m tcp --dport 30080 -j DNAT --to-destination 192.168.56.12:36004
-A POSTROUTING -m comment --comment "flanneld masq" -j FLANNEL-POSTRTG
-A FLANNEL-POSTRTG -m mark --mark 0x4000/0x4000 -m comment --comment "flanneld masq" -j RETURN
-A FLANNEL-POSTRTG -s 10.244.0.0/16 -d 10.244.0.0/16 -m comment --comment "flanneld masq" -j RETURN
-A FLANNEL-POSTRTG -s 10.244.0.0/16 ! -d 224.0.0.0/4 -m comment --comment "flanneld masq" -j MASQUERADE --random-fully
COMMIT
EOF

# ── exec: commands from the lab file
# node node-1: the user-space proxy's configuration — every service port, its proxy port and its endpoints
# from labs/k8s-services-userspace/lab.yaml:19:15
mkdir -p /run/nslab/k8s-services-userspace/kube-proxy
cat >/run/nslab/k8s-services-userspace/kube-proxy/node-1.json <<'EOF'
{
  "node": "node-1",
  "nodeIP": "192.168.56.11",
  "services": [
    {
      "name": "default/cart",
      "protocol": "tcp",
      "clusterIP": "10.96.0.16",
      "port": 80,
      "nodePort": 0,
      "loadBalancerIPs": [],
      "proxyPort": 36000,
      "affinitySeconds": 0,
      "endpoints": [
        "10.244.0.6:80",
        "10.244.1.4:80"
      ]
    },
    {
      "name": "default/echo",
      "protocol": "udp",
      "clusterIP": "10.96.0.14",
      "port": 53,
      "nodePort": 0,
      "loadBalancerIPs": [],
      "proxyPort": 36001,
      "affinitySeconds": 0,
      "endpoints": [
        "10.244.1.3:5353"
      ]
    },
    {
      "name": "default/ghost",
      "protocol": "tcp",
      "clusterIP": "10.96.0.15",
      "port": 80,
      "nodePort": 0,
      "loadBalancerIPs": [],
      "proxyPort": 36002,
      "affinitySeconds": 0,
      "endpoints": []
    },
    {
      "name": "default/web",
      "protocol": "tcp",
      "clusterIP": "10.96.0.11",
      "port": 80,
      "nodePort": 0,
      "loadBalancerIPs": [],
      "proxyPort": 36003,
      "affinitySeconds": 0,
      "endpoints": [
        "10.244.0.3:80",
        "10.244.0.4:80",
        "10.244.1.2:80"
      ]
    },
    {
      "name": "default/web-nodeport",
      "protocol": "tcp",
      "clusterIP": "10.96.0.13",
      "port": 80,
      "nodePort": 30080,
      "loadBalancerIPs": [],
      "proxyPort": 36004,
      "affinitySeconds": 0,
      "endpoints": [
        "10.244.0.3:80",
        "10.244.0.4:80",
        "10.244.1.2:80"
      ]
    },
    {
      "name": "default/web-sticky",
      "protocol": "tcp",
      "clusterIP": "10.96.0.12",
      "port": 80,
      "nodePort": 0,
      "loadBalancerIPs": [],
      "proxyPort": 36005,
      "affinitySeconds": 10800,
      "endpoints": [
        "10.244.0.3:80",
        "10.244.0.4:80",
        "10.244.1.2:80"
      ]
    },
    {
      "name": "kube-system/kube-dns:dns",
      "protocol": "udp",
      "clusterIP": "10.96.0.10",
      "port": 53,
      "nodePort": 0,
      "loadBalancerIPs": [],
      "proxyPort": 36006,
      "affinitySeconds": 0,
      "endpoints": [
        "10.244.0.2:53"
      ]
    },
    {
      "name": "kube-system/kube-dns:dns-tcp",
      "protocol": "tcp",
      "clusterIP": "10.96.0.10",
      "port": 53,
      "nodePort": 0,
      "loadBalancerIPs": [],
      "proxyPort": 36007,
      "affinitySeconds": 0,
      "endpoints": [
        "10.244.0.2:53"
      ]
    }
  ]
}
EOF
# node node-2: the user-space proxy's configuration — every service port, its proxy port and its endpoints
# from labs/k8s-services-userspace/lab.yaml:19:15
mkdir -p /run/nslab/k8s-services-userspace/kube-proxy
cat >/run/nslab/k8s-services-userspace/kube-proxy/node-2.json <<'EOF'
{
  "node": "node-2",
  "nodeIP": "192.168.56.12",
  "services": [
    {
      "name": "default/cart",
      "protocol": "tcp",
      "clusterIP": "10.96.0.16",
      "port": 80,
      "nodePort": 0,
      "loadBalancerIPs": [],
      "proxyPort": 36000,
      "affinitySeconds": 0,
      "endpoints": [
        "10.244.0.6:80",
        "10.244.1.4:80"
      ]
    },
    {
      "name": "default/echo",
      "protocol": "udp",
      "clusterIP": "10.96.0.14",
      "port": 53,
      "nodePort": 0,
      "loadBalancerIPs": [],
      "proxyPort": 36001,
      "affinitySeconds": 0,
      "endpoints": [
        "10.244.1.3:5353"
      ]
    },
    {
      "name": "default/ghost",
      "protocol": "tcp",
      "clusterIP": "10.96.0.15",
      "port": 80,
      "nodePort": 0,
      "loadBalancerIPs": [],
      "proxyPort": 36002,
      "affinitySeconds": 0,
      "endpoints": []
    },
    {
      "name": "default/web",
      "protocol": "tcp",
      "clusterIP": "10.96.0.11",
      "port": 80,
      "nodePort": 0,
      "loadBalancerIPs": [],
      "proxyPort": 36003,
      "affinitySeconds": 0,
      "endpoints": [
        "10.244.0.3:80",
        "10.244.0.4:80",
        "10.244.1.2:80"
      ]
    },
    {
      "name": "default/web-nodeport",
      "protocol": "tcp",
      "clusterIP": "10.96.0.13",
      "port": 80,
      "nodePort": 30080,
      "loadBalancerIPs": [],
      "proxyPort": 36004,
      "affinitySeconds": 0,
      "endpoints": [
        "10.244.0.3:80",
        "10.244.0.4:80",
        "10.244.1.2:80"
      ]
    },
    {
      "name": "default/web-sticky",
      "protocol": "tcp",
      "clusterIP": "10.96.0.12",
      "port": 80,
      "nodePort": 0,
      "loadBalancerIPs": [],
      "proxyPort": 36005,
      "affinitySeconds": 10800,
      "endpoints": [
        "10.244.0.3:80",
        "10.244.0.4:80",
        "10.244.1.2:80"
      ]
    },
    {
      "name": "kube-system/kube-dns:dns",
      "protocol": "udp",
      "clusterIP": "10.96.0.10",
      "port": 53,
      "nodePort": 0,
      "loadBalancerIPs": [],
      "proxyPort": 36006,
      "affinitySeconds": 0,
      "endpoints": [
        "10.244.0.2:53"
      ]
    },
    {
      "name": "kube-system/kube-dns:dns-tcp",
      "protocol": "tcp",
      "clusterIP": "10.96.0.10",
      "port": 53,
      "nodePort": 0,
      "loadBalancerIPs": [],
      "proxyPort": 36007,
      "affinitySeconds": 0,
      "endpoints": [
        "10.244.0.2:53"
      ]
    }
  ]
}
EOF
# pod coredns: resolv.conf (ip netns exec mounts it)
# from labs/k8s-services-userspace/lab.yaml:18:3
mkdir -p /etc/netns/nsl.k8s-services-userspace.coredns
cat >/etc/netns/nsl.k8s-services-userspace.coredns/resolv.conf <<'EOF'
nameserver 10.96.0.10
search kube-system.svc.cluster.local svc.cluster.local cluster.local
options ndots:5
EOF
# pod web-1: resolv.conf (ip netns exec mounts it)
# from labs/k8s-services-userspace/lab.yaml:24:5
mkdir -p /etc/netns/nsl.k8s-services-userspace.web-1
cat >/etc/netns/nsl.k8s-services-userspace.web-1/resolv.conf <<'EOF'
nameserver 10.96.0.10
search default.svc.cluster.local svc.cluster.local cluster.local
options ndots:5
EOF
# pod web-2: resolv.conf (ip netns exec mounts it)
# from labs/k8s-services-userspace/lab.yaml:24:5
mkdir -p /etc/netns/nsl.k8s-services-userspace.web-2
cat >/etc/netns/nsl.k8s-services-userspace.web-2/resolv.conf <<'EOF'
nameserver 10.96.0.10
search default.svc.cluster.local svc.cluster.local cluster.local
options ndots:5
EOF
# pod web-3: resolv.conf (ip netns exec mounts it)
# from labs/k8s-services-userspace/lab.yaml:24:5
mkdir -p /etc/netns/nsl.k8s-services-userspace.web-3
cat >/etc/netns/nsl.k8s-services-userspace.web-3/resolv.conf <<'EOF'
nameserver 10.96.0.10
search default.svc.cluster.local svc.cluster.local cluster.local
options ndots:5
EOF
# pod echo: resolv.conf (ip netns exec mounts it)
# from labs/k8s-services-userspace/lab.yaml:27:5
mkdir -p /etc/netns/nsl.k8s-services-userspace.echo
cat >/etc/netns/nsl.k8s-services-userspace.echo/resolv.conf <<'EOF'
nameserver 10.96.0.10
search default.svc.cluster.local svc.cluster.local cluster.local
options ndots:5
EOF
# pod client: resolv.conf (ip netns exec mounts it)
# from labs/k8s-services-userspace/lab.yaml:32:5
mkdir -p /etc/netns/nsl.k8s-services-userspace.client
cat >/etc/netns/nsl.k8s-services-userspace.client/resolv.conf <<'EOF'
nameserver 10.96.0.10
search default.svc.cluster.local svc.cluster.local cluster.local
options ndots:5
EOF
# pod cart-1: resolv.conf (ip netns exec mounts it)
# from labs/k8s-services-userspace/lab.yaml:35:5
mkdir -p /etc/netns/nsl.k8s-services-userspace.cart-1
cat >/etc/netns/nsl.k8s-services-userspace.cart-1/resolv.conf <<'EOF'
nameserver 10.96.0.10
search default.svc.cluster.local svc.cluster.local cluster.local
options ndots:5
EOF
# pod cart-2: resolv.conf (ip netns exec mounts it)
# from labs/k8s-services-userspace/lab.yaml:35:5
mkdir -p /etc/netns/nsl.k8s-services-userspace.cart-2
cat >/etc/netns/nsl.k8s-services-userspace.cart-2/resolv.conf <<'EOF'
nameserver 10.96.0.10
search default.svc.cluster.local svc.cluster.local cluster.local
options ndots:5
EOF

# ── daemons: long-running processes (stopped by `lab down`)
# node node-1: kube-proxy in userspace mode — nslab's proxy listens on one port per service port and connects to the endpoints round-robin; it re-reads its configuration when it changes
# from labs/k8s-services-userspace/lab.yaml:19:15
mkdir -p /run/nslab/k8s-services-userspace/logs
ip netns exec nsl.k8s-services-userspace.node-1 lab agent kube-proxy-userspace --config /run/nslab/k8s-services-userspace/kube-proxy/node-1.json --applied /run/nslab/k8s-services-userspace/kube-proxy/node-1.applied.json >/run/nslab/k8s-services-userspace/logs/node-1.kube-proxy.log 2>&1 &
# node node-2: kube-proxy in userspace mode — nslab's proxy listens on one port per service port and connects to the endpoints round-robin; it re-reads its configuration when it changes
# from labs/k8s-services-userspace/lab.yaml:19:15
mkdir -p /run/nslab/k8s-services-userspace/logs
ip netns exec nsl.k8s-services-userspace.node-2 lab agent kube-proxy-userspace --config /run/nslab/k8s-services-userspace/kube-proxy/node-2.json --applied /run/nslab/k8s-services-userspace/kube-proxy/node-2.applied.json >/run/nslab/k8s-services-userspace/logs/node-2.kube-proxy.log 2>&1 &
# the cluster DNS: dnsmasq with the records of every service and pod
# from labs/k8s-services-userspace/lab.yaml:17:1
mkdir -p /run/nslab/k8s-services-userspace/logs
ip netns exec nsl.k8s-services-userspace.coredns dnsmasq --keep-in-foreground --no-resolv --no-hosts --bind-interfaces --listen-address=10.244.0.2 --port=53 --log-facility=- --local=/cluster.local/ --host-record=cart.default.svc.cluster.local,10.96.0.16 --host-record=echo.default.svc.cluster.local,10.96.0.14 --host-record=ghost.default.svc.cluster.local,10.96.0.15 --host-record=web.default.svc.cluster.local,10.96.0.11 --host-record=web-nodeport.default.svc.cluster.local,10.96.0.13 --host-record=web-sticky.default.svc.cluster.local,10.96.0.12 --host-record=kube-dns.kube-system.svc.cluster.local,10.96.0.10 --srv-host=_dns._udp.kube-dns.kube-system.svc.cluster.local,kube-dns.kube-system.svc.cluster.local,53 --srv-host=_dns-tcp._tcp.kube-dns.kube-system.svc.cluster.local,kube-dns.kube-system.svc.cluster.local,53 --host-record=10-244-1-4.default.pod.cluster.local,10.244.1.4 --host-record=10-244-0-6.default.pod.cluster.local,10.244.0.6 --host-record=10-244-0-5.default.pod.cluster.local,10.244.0.5 --host-record=10-244-1-3.default.pod.cluster.local,10.244.1.3 --host-record=10-244-0-3.default.pod.cluster.local,10.244.0.3 --host-record=10-244-1-2.default.pod.cluster.local,10.244.1.2 --host-record=10-244-0-4.default.pod.cluster.local,10.244.0.4 --host-record=10-244-0-2.kube-system.pod.cluster.local,10.244.0.2 --pid-file --user=root >/run/nslab/k8s-services-userspace/logs/coredns.dnsmasq.log 2>&1 &
# pod web-1: answers with its name and the client address on 80/tcp
# from labs/k8s-services-userspace/lab.yaml:24:5
mkdir -p /run/nslab/k8s-services-userspace/logs
ip netns exec nsl.k8s-services-userspace.web-1 lab agent whoami --name web-1 --port 80 >/run/nslab/k8s-services-userspace/logs/web-1.whoami.log 2>&1 &
# pod web-2: answers with its name and the client address on 80/tcp
# from labs/k8s-services-userspace/lab.yaml:24:5
mkdir -p /run/nslab/k8s-services-userspace/logs
ip netns exec nsl.k8s-services-userspace.web-2 lab agent whoami --name web-2 --port 80 >/run/nslab/k8s-services-userspace/logs/web-2.whoami.log 2>&1 &
# pod web-3: answers with its name and the client address on 80/tcp
# from labs/k8s-services-userspace/lab.yaml:24:5
mkdir -p /run/nslab/k8s-services-userspace/logs
ip netns exec nsl.k8s-services-userspace.web-3 lab agent whoami --name web-3 --port 80 >/run/nslab/k8s-services-userspace/logs/web-3.whoami.log 2>&1 &
# pod echo: answers with its name and the client address on 5353/udp
# from labs/k8s-services-userspace/lab.yaml:27:5
mkdir -p /run/nslab/k8s-services-userspace/logs
ip netns exec nsl.k8s-services-userspace.echo lab agent whoami --name echo --udp-port 5353 >/run/nslab/k8s-services-userspace/logs/echo.whoami.log 2>&1 &
# pod client: answers with its name and the client address on 80/tcp
# from labs/k8s-services-userspace/lab.yaml:32:5
mkdir -p /run/nslab/k8s-services-userspace/logs
ip netns exec nsl.k8s-services-userspace.client lab agent whoami --name client --port 80 >/run/nslab/k8s-services-userspace/logs/client.whoami.log 2>&1 &
# pod cart-1: answers with its name and the client address on 80/tcp
# from labs/k8s-services-userspace/lab.yaml:35:5
mkdir -p /run/nslab/k8s-services-userspace/logs
ip netns exec nsl.k8s-services-userspace.cart-1 lab agent whoami --name cart-1 --port 80 >/run/nslab/k8s-services-userspace/logs/cart-1.whoami.log 2>&1 &
# pod cart-2: answers with its name and the client address on 80/tcp
# from labs/k8s-services-userspace/lab.yaml:35:5
mkdir -p /run/nslab/k8s-services-userspace/logs
ip netns exec nsl.k8s-services-userspace.cart-2 lab agent whoami --name cart-2 --port 80 >/run/nslab/k8s-services-userspace/logs/cart-2.whoami.log 2>&1 &

# ── teardown (what `lab down` runs): stop every process inside the lab's namespaces (by PID), then
# delete the namespaces, which removes every link, bridge, address, route and rule inside them
# (commented out, so that running this script builds the lab and leaves it up)
#   ip -force -batch - <<'EOF'
#   netns del nsl.k8s-services-userspace
#   netns del nsl.k8s-services-userspace.ext
#   netns del nsl.k8s-services-userspace.node-1
#   netns del nsl.k8s-services-userspace.node-2
#   netns del nsl.k8s-services-userspace.coredns
#   netns del nsl.k8s-services-userspace.web-1
#   netns del nsl.k8s-services-userspace.web-2
#   netns del nsl.k8s-services-userspace.web-3
#   netns del nsl.k8s-services-userspace.echo
#   netns del nsl.k8s-services-userspace.client
#   netns del nsl.k8s-services-userspace.cart-1
#   netns del nsl.k8s-services-userspace.cart-2
#   EOF
