#!/bin/sh
# nslab plan for lab "k8s-canary" from labs/k8s-canary/lab.yaml
# Run as root to build the lab by hand; these are exactly the commands `lab up` runs
# (it runs the blocks of one phase in parallel). Every line notes the lab-file place behind it.
# new namespaces start with net.ipv4.ip_forward=1, net.ipv6.conf.all.forwarding=0 (inherited from this host): only nodes that need other values get a sysctl
set -e

# ── namespaces: network namespaces (one per node, plus the lab fabric) and containers
ip -batch - <<'EOF'
# labs/k8s-canary/lab.yaml:2:7 — the lab fabric: bridges that belong to no node
netns add nsl.k8s-canary
# labs/k8s-canary/lab.yaml:16:5 — node node-1
netns add nsl.k8s-canary.node-1
# labs/k8s-canary/lab.yaml:17:5 — node node-2
netns add nsl.k8s-canary.node-2
# labs/k8s-canary/lab.yaml:13:3 — node coredns
netns add nsl.k8s-canary.coredns
# labs/k8s-canary/lab.yaml:19:5 — node reviews-v1-1
netns add nsl.k8s-canary.reviews-v1-1
# labs/k8s-canary/lab.yaml:19:5 — node reviews-v1-2
netns add nsl.k8s-canary.reviews-v1-2
# labs/k8s-canary/lab.yaml:19:5 — node reviews-v1-3
netns add nsl.k8s-canary.reviews-v1-3
# labs/k8s-canary/lab.yaml:19:5 — node reviews-v1-4
netns add nsl.k8s-canary.reviews-v1-4
# labs/k8s-canary/lab.yaml:19:5 — node reviews-v1-5
netns add nsl.k8s-canary.reviews-v1-5
# labs/k8s-canary/lab.yaml:19:5 — node reviews-v1-6
netns add nsl.k8s-canary.reviews-v1-6
# labs/k8s-canary/lab.yaml:19:5 — node reviews-v1-7
netns add nsl.k8s-canary.reviews-v1-7
# labs/k8s-canary/lab.yaml:19:5 — node reviews-v1-8
netns add nsl.k8s-canary.reviews-v1-8
# labs/k8s-canary/lab.yaml:19:5 — node reviews-v1-9
netns add nsl.k8s-canary.reviews-v1-9
# labs/k8s-canary/lab.yaml:22:5 — node reviews-v2
netns add nsl.k8s-canary.reviews-v2
# labs/k8s-canary/lab.yaml:24:5 — node reviews-lean-v1
netns add nsl.k8s-canary.reviews-lean-v1
# labs/k8s-canary/lab.yaml:26:5 — node reviews-lean-v2
netns add nsl.k8s-canary.reviews-lean-v2
# labs/k8s-canary/lab.yaml:28:5 — node client
netns add nsl.k8s-canary.client
# labs/k8s-canary/lab.yaml:32:5 — node client-plain
netns add nsl.k8s-canary.client-plain
EOF

# ── links: veth pairs created directly inside their namespaces
ip -batch - <<'EOF'
# labs/k8s-canary/lab.yaml:16:13 — link node-1:eth0 <-> k8s-net
link add node-1-eth0 netns nsl.k8s-canary index 1000 type veth peer name eth0 netns nsl.k8s-canary.node-1
# labs/k8s-canary/lab.yaml:17:13 — link node-2:eth0 <-> k8s-net
link add node-2-eth0 netns nsl.k8s-canary index 1001 type veth peer name eth0 netns nsl.k8s-canary.node-2
# labs/k8s-canary/lab.yaml:13:3 — link coredns:eth0 <-> cni0@node-1
link add veth96971f43 netns nsl.k8s-canary.node-1 index 1000 mtu 1450 type veth peer name eth0 netns nsl.k8s-canary.coredns mtu 1450
# labs/k8s-canary/lab.yaml:20:7 — link reviews-v1-1:eth0 <-> cni0@node-1
link add veth179cbde6 netns nsl.k8s-canary.node-1 index 1001 mtu 1450 type veth peer name eth0 netns nsl.k8s-canary.reviews-v1-1 mtu 1450
# labs/k8s-canary/lab.yaml:20:7 — link reviews-v1-2:eth0 <-> cni0@node-2
link add vethaa180dbe netns nsl.k8s-canary.node-2 index 1000 mtu 1450 type veth peer name eth0 netns nsl.k8s-canary.reviews-v1-2 mtu 1450
# labs/k8s-canary/lab.yaml:20:7 — link reviews-v1-3:eth0 <-> cni0@node-1
link add veth4ab656cb netns nsl.k8s-canary.node-1 index 1002 mtu 1450 type veth peer name eth0 netns nsl.k8s-canary.reviews-v1-3 mtu 1450
# labs/k8s-canary/lab.yaml:20:7 — link reviews-v1-4:eth0 <-> cni0@node-2
link add veth50c34376 netns nsl.k8s-canary.node-2 index 1001 mtu 1450 type veth peer name eth0 netns nsl.k8s-canary.reviews-v1-4 mtu 1450
# labs/k8s-canary/lab.yaml:20:7 — link reviews-v1-5:eth0 <-> cni0@node-1
link add vethbd46c47d netns nsl.k8s-canary.node-1 index 1003 mtu 1450 type veth peer name eth0 netns nsl.k8s-canary.reviews-v1-5 mtu 1450
# labs/k8s-canary/lab.yaml:20:7 — link reviews-v1-6:eth0 <-> cni0@node-2
link add vethe8f0c508 netns nsl.k8s-canary.node-2 index 1002 mtu 1450 type veth peer name eth0 netns nsl.k8s-canary.reviews-v1-6 mtu 1450
# labs/k8s-canary/lab.yaml:20:7 — link reviews-v1-7:eth0 <-> cni0@node-1
link add veth510af586 netns nsl.k8s-canary.node-1 index 1004 mtu 1450 type veth peer name eth0 netns nsl.k8s-canary.reviews-v1-7 mtu 1450
# labs/k8s-canary/lab.yaml:20:7 — link reviews-v1-8:eth0 <-> cni0@node-2
link add vetha6601e7f netns nsl.k8s-canary.node-2 index 1003 mtu 1450 type veth peer name eth0 netns nsl.k8s-canary.reviews-v1-8 mtu 1450
# labs/k8s-canary/lab.yaml:20:7 — link reviews-v1-9:eth0 <-> cni0@node-1
link add vethb08fc921 netns nsl.k8s-canary.node-1 index 1005 mtu 1450 type veth peer name eth0 netns nsl.k8s-canary.reviews-v1-9 mtu 1450
# labs/k8s-canary/lab.yaml:23:7 — link reviews-v2:eth0 <-> cni0@node-2
link add vethc14764ec netns nsl.k8s-canary.node-2 index 1004 mtu 1450 type veth peer name eth0 netns nsl.k8s-canary.reviews-v2 mtu 1450
# labs/k8s-canary/lab.yaml:25:7 — link reviews-lean-v1:eth0 <-> cni0@node-1
link add veth0ddc43db netns nsl.k8s-canary.node-1 index 1006 mtu 1450 type veth peer name eth0 netns nsl.k8s-canary.reviews-lean-v1 mtu 1450
# labs/k8s-canary/lab.yaml:27:7 — link reviews-lean-v2:eth0 <-> cni0@node-2
link add veth4a4733d0 netns nsl.k8s-canary.node-2 index 1005 mtu 1450 type veth peer name eth0 netns nsl.k8s-canary.reviews-lean-v2 mtu 1450
# labs/k8s-canary/lab.yaml:29:7 — link client:eth0 <-> cni0@node-1
link add vetha7a3e029 netns nsl.k8s-canary.node-1 index 1007 mtu 1450 type veth peer name eth0 netns nsl.k8s-canary.client mtu 1450
# labs/k8s-canary/lab.yaml:33:7 — link client-plain:eth0 <-> cni0@node-2
link add vethbfc5c41b netns nsl.k8s-canary.node-2 index 1006 mtu 1450 type veth peer name eth0 netns nsl.k8s-canary.client-plain mtu 1450
EOF

# ── configure: inside each namespace: sysctls, bridges, addresses, routes
# one batch file per namespace, run 4 at a time by xargs
mkdir -p /run/nslab/k8s-canary/batch
cat >/run/nslab/k8s-canary/batch/nsl.k8s-canary.node-1.ip <<'EOF'
# labs/k8s-canary/lab.yaml:16:5
link set lo up
# labs/k8s-canary/lab.yaml:13:3 — bridge cni0 in node-1
link add cni0 type bridge
link set cni0 mtu 1450
# labs/k8s-canary/lab.yaml:13:3 — VXLAN flannel.1: VNI 1 over eth0
link add flannel.1 address 0e:79:7d:65:82:da mtu 1450 type vxlan id 1 local 192.168.56.11 dstport 8472 dev eth0 nolearning
link set veth96971f43 master cni0
# labs/k8s-canary/lab.yaml:20:7
link set veth179cbde6 master cni0
link set veth4ab656cb master cni0
link set vethbd46c47d master cni0
link set veth510af586 master cni0
link set vethb08fc921 master cni0
# labs/k8s-canary/lab.yaml:25:7
link set veth0ddc43db master cni0
# labs/k8s-canary/lab.yaml:29:7
link set vetha7a3e029 master cni0
# labs/k8s-canary/lab.yaml:13:3 — hairpin mode: frames may leave by the port they came in on
link set veth96971f43 type bridge_slave hairpin on
# labs/k8s-canary/lab.yaml:20:7 — hairpin mode: frames may leave by the port they came in on
link set veth179cbde6 type bridge_slave hairpin on
# labs/k8s-canary/lab.yaml:20:7 — hairpin mode: frames may leave by the port they came in on
link set veth4ab656cb type bridge_slave hairpin on
# labs/k8s-canary/lab.yaml:20:7 — hairpin mode: frames may leave by the port they came in on
link set vethbd46c47d type bridge_slave hairpin on
# labs/k8s-canary/lab.yaml:20:7 — hairpin mode: frames may leave by the port they came in on
link set veth510af586 type bridge_slave hairpin on
# labs/k8s-canary/lab.yaml:20:7 — hairpin mode: frames may leave by the port they came in on
link set vethb08fc921 type bridge_slave hairpin on
# labs/k8s-canary/lab.yaml:25:7 — hairpin mode: frames may leave by the port they came in on
link set veth0ddc43db type bridge_slave hairpin on
# labs/k8s-canary/lab.yaml:29:7 — hairpin mode: frames may leave by the port they came in on
link set vetha7a3e029 type bridge_slave hairpin on
# labs/k8s-canary/lab.yaml:16:13
addr add 192.168.56.11/24 dev eth0
# labs/k8s-canary/lab.yaml:13:3
addr add 10.244.0.0/32 dev flannel.1
addr add 10.244.0.1/24 dev cni0
# labs/k8s-canary/lab.yaml:16:13
link set eth0 up
# labs/k8s-canary/lab.yaml:13:3
link set flannel.1 up
link set cni0 up
link set veth96971f43 up
# labs/k8s-canary/lab.yaml:20:7
link set veth179cbde6 up
link set veth4ab656cb up
link set vethbd46c47d up
link set veth510af586 up
link set vethb08fc921 up
# labs/k8s-canary/lab.yaml:25:7
link set veth0ddc43db up
# labs/k8s-canary/lab.yaml:29:7
link set vetha7a3e029 up
# labs/k8s-canary/lab.yaml:13:8
route add 10.96.0.0/12 dev eth0
route add 10.244.1.0/24 via 10.244.1.0 dev flannel.1 onlink
# labs/k8s-canary/lab.yaml:13:3
neigh replace 10.244.1.0 lladdr 0e:94:f2:2e:3c:6f dev flannel.1 nud permanent
EOF
cat >/run/nslab/k8s-canary/batch/nsl.k8s-canary.node-2.ip <<'EOF'
# labs/k8s-canary/lab.yaml:17:5
link set lo up
# labs/k8s-canary/lab.yaml:13:3 — bridge cni0 in node-2
link add cni0 type bridge
link set cni0 mtu 1450
# labs/k8s-canary/lab.yaml:13:3 — VXLAN flannel.1: VNI 1 over eth0
link add flannel.1 address 0e:94:f2:2e:3c:6f mtu 1450 type vxlan id 1 local 192.168.56.12 dstport 8472 dev eth0 nolearning
# labs/k8s-canary/lab.yaml:20:7
link set vethaa180dbe master cni0
link set veth50c34376 master cni0
link set vethe8f0c508 master cni0
link set vetha6601e7f master cni0
# labs/k8s-canary/lab.yaml:23:7
link set vethc14764ec master cni0
# labs/k8s-canary/lab.yaml:27:7
link set veth4a4733d0 master cni0
# labs/k8s-canary/lab.yaml:33:7
link set vethbfc5c41b master cni0
# labs/k8s-canary/lab.yaml:20:7 — hairpin mode: frames may leave by the port they came in on
link set vethaa180dbe type bridge_slave hairpin on
# labs/k8s-canary/lab.yaml:20:7 — hairpin mode: frames may leave by the port they came in on
link set veth50c34376 type bridge_slave hairpin on
# labs/k8s-canary/lab.yaml:20:7 — hairpin mode: frames may leave by the port they came in on
link set vethe8f0c508 type bridge_slave hairpin on
# labs/k8s-canary/lab.yaml:20:7 — hairpin mode: frames may leave by the port they came in on
link set vetha6601e7f type bridge_slave hairpin on
# labs/k8s-canary/lab.yaml:23:7 — hairpin mode: frames may leave by the port they came in on
link set vethc14764ec type bridge_slave hairpin on
# labs/k8s-canary/lab.yaml:27:7 — hairpin mode: frames may leave by the port they came in on
link set veth4a4733d0 type bridge_slave hairpin on
# labs/k8s-canary/lab.yaml:33:7 — hairpin mode: frames may leave by the port they came in on
link set vethbfc5c41b type bridge_slave hairpin on
# labs/k8s-canary/lab.yaml:17:13
addr add 192.168.56.12/24 dev eth0
# labs/k8s-canary/lab.yaml:13:3
addr add 10.244.1.0/32 dev flannel.1
addr add 10.244.1.1/24 dev cni0
# labs/k8s-canary/lab.yaml:17:13
link set eth0 up
# labs/k8s-canary/lab.yaml:13:3
link set flannel.1 up
link set cni0 up
# labs/k8s-canary/lab.yaml:20:7
link set vethaa180dbe up
link set veth50c34376 up
link set vethe8f0c508 up
link set vetha6601e7f up
# labs/k8s-canary/lab.yaml:23:7
link set vethc14764ec up
# labs/k8s-canary/lab.yaml:27:7
link set veth4a4733d0 up
# labs/k8s-canary/lab.yaml:33:7
link set vethbfc5c41b up
# labs/k8s-canary/lab.yaml:13:8
route add 10.96.0.0/12 dev eth0
route add 10.244.0.0/24 via 10.244.0.0 dev flannel.1 onlink
# labs/k8s-canary/lab.yaml:13:3
neigh replace 10.244.0.0 lladdr 0e:79:7d:65:82:da dev flannel.1 nud permanent
EOF
cat >/run/nslab/k8s-canary/batch/nsl.k8s-canary.coredns.ip <<'EOF'
# labs/k8s-canary/lab.yaml:13:3
link set lo up
addr add 10.244.0.2/24 dev eth0
link set eth0 up
route add default via 10.244.0.1
EOF
cat >/run/nslab/k8s-canary/batch/nsl.k8s-canary.reviews-v1-1.ip <<'EOF'
# labs/k8s-canary/lab.yaml:19:5
link set lo up
# labs/k8s-canary/lab.yaml:20:7
addr add 10.244.0.3/24 dev eth0
link set eth0 up
route add default via 10.244.0.1
EOF
cat >/run/nslab/k8s-canary/batch/nsl.k8s-canary.reviews-v1-2.ip <<'EOF'
# labs/k8s-canary/lab.yaml:19:5
link set lo up
# labs/k8s-canary/lab.yaml:20:7
addr add 10.244.1.2/24 dev eth0
link set eth0 up
route add default via 10.244.1.1
EOF
cat >/run/nslab/k8s-canary/batch/nsl.k8s-canary.reviews-v1-3.ip <<'EOF'
# labs/k8s-canary/lab.yaml:19:5
link set lo up
# labs/k8s-canary/lab.yaml:20:7
addr add 10.244.0.4/24 dev eth0
link set eth0 up
route add default via 10.244.0.1
EOF
cat >/run/nslab/k8s-canary/batch/nsl.k8s-canary.reviews-v1-4.ip <<'EOF'
# labs/k8s-canary/lab.yaml:19:5
link set lo up
# labs/k8s-canary/lab.yaml:20:7
addr add 10.244.1.3/24 dev eth0
link set eth0 up
route add default via 10.244.1.1
EOF
cat >/run/nslab/k8s-canary/batch/nsl.k8s-canary.reviews-v1-5.ip <<'EOF'
# labs/k8s-canary/lab.yaml:19:5
link set lo up
# labs/k8s-canary/lab.yaml:20:7
addr add 10.244.0.5/24 dev eth0
link set eth0 up
route add default via 10.244.0.1
EOF
cat >/run/nslab/k8s-canary/batch/nsl.k8s-canary.reviews-v1-6.ip <<'EOF'
# labs/k8s-canary/lab.yaml:19:5
link set lo up
# labs/k8s-canary/lab.yaml:20:7
addr add 10.244.1.4/24 dev eth0
link set eth0 up
route add default via 10.244.1.1
EOF
cat >/run/nslab/k8s-canary/batch/nsl.k8s-canary.reviews-v1-7.ip <<'EOF'
# labs/k8s-canary/lab.yaml:19:5
link set lo up
# labs/k8s-canary/lab.yaml:20:7
addr add 10.244.0.6/24 dev eth0
link set eth0 up
route add default via 10.244.0.1
EOF
cat >/run/nslab/k8s-canary/batch/nsl.k8s-canary.reviews-v1-8.ip <<'EOF'
# labs/k8s-canary/lab.yaml:19:5
link set lo up
# labs/k8s-canary/lab.yaml:20:7
addr add 10.244.1.5/24 dev eth0
link set eth0 up
route add default via 10.244.1.1
EOF
cat >/run/nslab/k8s-canary/batch/nsl.k8s-canary.reviews-v1-9.ip <<'EOF'
# labs/k8s-canary/lab.yaml:19:5
link set lo up
# labs/k8s-canary/lab.yaml:20:7
addr add 10.244.0.7/24 dev eth0
link set eth0 up
route add default via 10.244.0.1
EOF
cat >/run/nslab/k8s-canary/batch/nsl.k8s-canary.reviews-v2.ip <<'EOF'
# labs/k8s-canary/lab.yaml:22:5
link set lo up
# labs/k8s-canary/lab.yaml:23:7
addr add 10.244.1.6/24 dev eth0
link set eth0 up
route add default via 10.244.1.1
EOF
cat >/run/nslab/k8s-canary/batch/nsl.k8s-canary.reviews-lean-v1.ip <<'EOF'
# labs/k8s-canary/lab.yaml:24:5
link set lo up
# labs/k8s-canary/lab.yaml:25:7
addr add 10.244.0.8/24 dev eth0
link set eth0 up
route add default via 10.244.0.1
EOF
cat >/run/nslab/k8s-canary/batch/nsl.k8s-canary.reviews-lean-v2.ip <<'EOF'
# labs/k8s-canary/lab.yaml:26:5
link set lo up
# labs/k8s-canary/lab.yaml:27:7
addr add 10.244.1.7/24 dev eth0
link set eth0 up
route add default via 10.244.1.1
EOF
cat >/run/nslab/k8s-canary/batch/nsl.k8s-canary.client.ip <<'EOF'
# labs/k8s-canary/lab.yaml:28:5
link set lo up
# labs/k8s-canary/lab.yaml:29:7
addr add 10.244.0.9/24 dev eth0
link set eth0 up
route add default via 10.244.0.1
EOF
cat >/run/nslab/k8s-canary/batch/nsl.k8s-canary.client-plain.ip <<'EOF'
# labs/k8s-canary/lab.yaml:32:5
link set lo up
# labs/k8s-canary/lab.yaml:33:7
addr add 10.244.1.8/24 dev eth0
link set eth0 up
route add default via 10.244.1.1
EOF
cat >/run/nslab/k8s-canary/batch/nsl.k8s-canary.ip <<'EOF'
# labs/k8s-canary/lab.yaml:2:7
link set lo up
# labs/k8s-canary/lab.yaml:13:3 — bridge k8s-net
link add k8s-net type bridge
# labs/k8s-canary/lab.yaml:16:13
link set node-1-eth0 master k8s-net
# labs/k8s-canary/lab.yaml:17:13
link set node-2-eth0 master k8s-net
# labs/k8s-canary/lab.yaml:13:3
link set k8s-net up
# labs/k8s-canary/lab.yaml:16:13
link set node-1-eth0 up
# labs/k8s-canary/lab.yaml:17:13
link set node-2-eth0 up
EOF
xargs -P 4 -L 1 nsenter <<'EOF'
--net=/run/netns/nsl.k8s-canary.node-1 sysctl -qw net.ipv6.conf.all.forwarding=1
--net=/run/netns/nsl.k8s-canary.node-1 ip -batch /run/nslab/k8s-canary/batch/nsl.k8s-canary.node-1.ip
--net=/run/netns/nsl.k8s-canary.node-2 sysctl -qw net.ipv6.conf.all.forwarding=1
--net=/run/netns/nsl.k8s-canary.node-2 ip -batch /run/nslab/k8s-canary/batch/nsl.k8s-canary.node-2.ip
--net=/run/netns/nsl.k8s-canary.coredns sysctl -qw net.ipv4.ip_forward=0
--net=/run/netns/nsl.k8s-canary.coredns ip -batch /run/nslab/k8s-canary/batch/nsl.k8s-canary.coredns.ip
--net=/run/netns/nsl.k8s-canary.reviews-v1-1 sysctl -qw net.ipv4.ip_forward=0
--net=/run/netns/nsl.k8s-canary.reviews-v1-1 ip -batch /run/nslab/k8s-canary/batch/nsl.k8s-canary.reviews-v1-1.ip
--net=/run/netns/nsl.k8s-canary.reviews-v1-2 sysctl -qw net.ipv4.ip_forward=0
--net=/run/netns/nsl.k8s-canary.reviews-v1-2 ip -batch /run/nslab/k8s-canary/batch/nsl.k8s-canary.reviews-v1-2.ip
--net=/run/netns/nsl.k8s-canary.reviews-v1-3 sysctl -qw net.ipv4.ip_forward=0
--net=/run/netns/nsl.k8s-canary.reviews-v1-3 ip -batch /run/nslab/k8s-canary/batch/nsl.k8s-canary.reviews-v1-3.ip
--net=/run/netns/nsl.k8s-canary.reviews-v1-4 sysctl -qw net.ipv4.ip_forward=0
--net=/run/netns/nsl.k8s-canary.reviews-v1-4 ip -batch /run/nslab/k8s-canary/batch/nsl.k8s-canary.reviews-v1-4.ip
--net=/run/netns/nsl.k8s-canary.reviews-v1-5 sysctl -qw net.ipv4.ip_forward=0
--net=/run/netns/nsl.k8s-canary.reviews-v1-5 ip -batch /run/nslab/k8s-canary/batch/nsl.k8s-canary.reviews-v1-5.ip
--net=/run/netns/nsl.k8s-canary.reviews-v1-6 sysctl -qw net.ipv4.ip_forward=0
--net=/run/netns/nsl.k8s-canary.reviews-v1-6 ip -batch /run/nslab/k8s-canary/batch/nsl.k8s-canary.reviews-v1-6.ip
--net=/run/netns/nsl.k8s-canary.reviews-v1-7 sysctl -qw net.ipv4.ip_forward=0
--net=/run/netns/nsl.k8s-canary.reviews-v1-7 ip -batch /run/nslab/k8s-canary/batch/nsl.k8s-canary.reviews-v1-7.ip
--net=/run/netns/nsl.k8s-canary.reviews-v1-8 sysctl -qw net.ipv4.ip_forward=0
--net=/run/netns/nsl.k8s-canary.reviews-v1-8 ip -batch /run/nslab/k8s-canary/batch/nsl.k8s-canary.reviews-v1-8.ip
--net=/run/netns/nsl.k8s-canary.reviews-v1-9 sysctl -qw net.ipv4.ip_forward=0
--net=/run/netns/nsl.k8s-canary.reviews-v1-9 ip -batch /run/nslab/k8s-canary/batch/nsl.k8s-canary.reviews-v1-9.ip
--net=/run/netns/nsl.k8s-canary.reviews-v2 sysctl -qw net.ipv4.ip_forward=0
--net=/run/netns/nsl.k8s-canary.reviews-v2 ip -batch /run/nslab/k8s-canary/batch/nsl.k8s-canary.reviews-v2.ip
--net=/run/netns/nsl.k8s-canary.reviews-lean-v1 sysctl -qw net.ipv4.ip_forward=0
--net=/run/netns/nsl.k8s-canary.reviews-lean-v1 ip -batch /run/nslab/k8s-canary/batch/nsl.k8s-canary.reviews-lean-v1.ip
--net=/run/netns/nsl.k8s-canary.reviews-lean-v2 sysctl -qw net.ipv4.ip_forward=0
--net=/run/netns/nsl.k8s-canary.reviews-lean-v2 ip -batch /run/nslab/k8s-canary/batch/nsl.k8s-canary.reviews-lean-v2.ip
--net=/run/netns/nsl.k8s-canary.client sysctl -qw net.ipv4.ip_forward=0
--net=/run/netns/nsl.k8s-canary.client ip -batch /run/nslab/k8s-canary/batch/nsl.k8s-canary.client.ip
--net=/run/netns/nsl.k8s-canary.client-plain sysctl -qw net.ipv4.ip_forward=0
--net=/run/netns/nsl.k8s-canary.client-plain ip -batch /run/nslab/k8s-canary/batch/nsl.k8s-canary.client-plain.ip
--net=/run/netns/nsl.k8s-canary ip -batch /run/nslab/k8s-canary/batch/nsl.k8s-canary.ip
EOF

# ── fdb: forwarding-database entries of VXLAN endpoints (`bridge fdb`)
# one batch file per namespace, run 4 at a time by xargs
mkdir -p /run/nslab/k8s-canary/batch
cat >/run/nslab/k8s-canary/batch/nsl.k8s-canary.node-1.bridge <<'EOF'
# labs/k8s-canary/lab.yaml:13:3
fdb append 0e:94:f2:2e:3c:6f dev flannel.1 dst 192.168.56.12 self permanent
EOF
cat >/run/nslab/k8s-canary/batch/nsl.k8s-canary.node-2.bridge <<'EOF'
# labs/k8s-canary/lab.yaml:13:3
fdb append 0e:79:7d:65:82:da dev flannel.1 dst 192.168.56.11 self permanent
EOF
xargs -P 4 -L 1 nsenter <<'EOF'
--net=/run/netns/nsl.k8s-canary.node-1 bridge -batch /run/nslab/k8s-canary/batch/nsl.k8s-canary.node-1.bridge
--net=/run/netns/nsl.k8s-canary.node-2 bridge -batch /run/nslab/k8s-canary/batch/nsl.k8s-canary.node-2.bridge
EOF

# ── settle: wait until every bridge port forwards (the kernel applies link changes asynchronously)
# wait until every bridge port forwards
# from labs/k8s-canary/lab.yaml:13:3
# repeated until no port is "state disabled", for at most 10 s
while nsenter --net=/run/netns/nsl.k8s-canary bridge link show | grep -q 'state disabled'; do sleep 0.01; done
# wait until every bridge port forwards
# from labs/k8s-canary/lab.yaml:13:3
# repeated until no port is "state disabled", for at most 10 s
while nsenter --net=/run/netns/nsl.k8s-canary.node-1 bridge link show | grep -q 'state disabled'; do sleep 0.01; done
# wait until every bridge port forwards
# from labs/k8s-canary/lab.yaml:13:3
# repeated until no port is "state disabled", for at most 10 s
while nsenter --net=/run/netns/nsl.k8s-canary.node-2 bridge link show | grep -q 'state disabled'; do sleep 0.01; done

# ── firewall: NAT and firewall rule sets
# node node-1: kube-proxy (iptables mode)
ip netns exec nsl.k8s-canary.node-1 iptables-restore --noflush <<'EOF'
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
:KUBE-SVC-DFPB5QU3SGQEWJQY - [0:0]
:KUBE-SEP-RJVKHEZ4BRV4WX2B - [0:0]
:KUBE-SEP-AAPEEQBN75ZFZAFM - [0:0]
:KUBE-SEP-4ZZTRITOWVL46PUQ - [0:0]
:KUBE-SEP-APJ4JRQAHUMVBWDX - [0:0]
:KUBE-SEP-YEYA6F2IYPSJIF7T - [0:0]
:KUBE-SEP-URQ7E42Z5ZIQ5W5J - [0:0]
:KUBE-SEP-VT4P3IJ3LRE5DPCE - [0:0]
:KUBE-SEP-NJI2R3BECG2ROYQA - [0:0]
:KUBE-SEP-7TTZS7EE5ZIXZKOD - [0:0]
:KUBE-SEP-3X2CD4W2NHNNUVQC - [0:0]
:KUBE-SVC-QIRCA4HGTQEVWTUN - [0:0]
:KUBE-SEP-LP5EMPGNQGYYRGGZ - [0:0]
:KUBE-SEP-KNNF3ZBJ6FI5JJAG - [0:0]
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
-A KUBE-SERVICES -m comment --comment "default/reviews cluster IP" -m tcp -p tcp -d 10.96.0.11 --dport 80 -j KUBE-SVC-DFPB5QU3SGQEWJQY
-A KUBE-SVC-DFPB5QU3SGQEWJQY -m comment --comment "default/reviews cluster IP" -m tcp -p tcp -d 10.96.0.11 --dport 80 ! -s 10.244.0.0/16 -j KUBE-MARK-MASQ
-A KUBE-SVC-DFPB5QU3SGQEWJQY -m comment --comment "default/reviews -> 10.244.0.3:80" -m statistic --mode random --probability 0.1000000000 -j KUBE-SEP-RJVKHEZ4BRV4WX2B
-A KUBE-SVC-DFPB5QU3SGQEWJQY -m comment --comment "default/reviews -> 10.244.0.4:80" -m statistic --mode random --probability 0.1111111111 -j KUBE-SEP-AAPEEQBN75ZFZAFM
-A KUBE-SVC-DFPB5QU3SGQEWJQY -m comment --comment "default/reviews -> 10.244.0.5:80" -m statistic --mode random --probability 0.1250000000 -j KUBE-SEP-4ZZTRITOWVL46PUQ
-A KUBE-SVC-DFPB5QU3SGQEWJQY -m comment --comment "default/reviews -> 10.244.0.6:80" -m statistic --mode random --probability 0.1428571429 -j KUBE-SEP-APJ4JRQAHUMVBWDX
-A KUBE-SVC-DFPB5QU3SGQEWJQY -m comment --comment "default/reviews -> 10.244.0.7:80" -m statistic --mode random --probability 0.1666666667 -j KUBE-SEP-YEYA6F2IYPSJIF7T
-A KUBE-SVC-DFPB5QU3SGQEWJQY -m comment --comment "default/reviews -> 10.244.1.2:80" -m statistic --mode random --probability 0.2000000000 -j KUBE-SEP-URQ7E42Z5ZIQ5W5J
-A KUBE-SVC-DFPB5QU3SGQEWJQY -m comment --comment "default/reviews -> 10.244.1.3:80" -m statistic --mode random --probability 0.2500000000 -j KUBE-SEP-VT4P3IJ3LRE5DPCE
-A KUBE-SVC-DFPB5QU3SGQEWJQY -m comment --comment "default/reviews -> 10.244.1.4:80" -m statistic --mode random --probability 0.3333333333 -j KUBE-SEP-NJI2R3BECG2ROYQA
-A KUBE-SVC-DFPB5QU3SGQEWJQY -m comment --comment "default/reviews -> 10.244.1.5:80" -m statistic --mode random --probability 0.5000000000 -j KUBE-SEP-7TTZS7EE5ZIXZKOD
-A KUBE-SVC-DFPB5QU3SGQEWJQY -m comment --comment "default/reviews -> 10.244.1.6:80" -j KUBE-SEP-3X2CD4W2NHNNUVQC
-A KUBE-SEP-RJVKHEZ4BRV4WX2B -m comment --comment default/reviews -s 10.244.0.3 -j KUBE-MARK-MASQ
-A KUBE-SEP-RJVKHEZ4BRV4WX2B -m comment --comment default/reviews -m tcp -p tcp -j DNAT --to-destination 10.244.0.3:80
-A KUBE-SEP-AAPEEQBN75ZFZAFM -m comment --comment default/reviews -s 10.244.0.4 -j KUBE-MARK-MASQ
-A KUBE-SEP-AAPEEQBN75ZFZAFM -m comment --comment default/reviews -m tcp -p tcp -j DNAT --to-destination 10.244.0.4:80
-A KUBE-SEP-4ZZTRITOWVL46PUQ -m comment --comment default/reviews -s 10.244.0.5 -j KUBE-MARK-MASQ
-A KUBE-SEP-4ZZTRITOWVL46PUQ -m comment --comment default/reviews -m tcp -p tcp -j DNAT --to-destination 10.244.0.5:80
-A KUBE-SEP-APJ4JRQAHUMVBWDX -m comment --comment default/reviews -s 10.244.0.6 -j KUBE-MARK-MASQ
-A KUBE-SEP-APJ4JRQAHUMVBWDX -m comment --comment default/reviews -m tcp -p tcp -j DNAT --to-destination 10.244.0.6:80
-A KUBE-SEP-YEYA6F2IYPSJIF7T -m comment --comment default/reviews -s 10.244.0.7 -j KUBE-MARK-MASQ
-A KUBE-SEP-YEYA6F2IYPSJIF7T -m comment --comment default/reviews -m tcp -p tcp -j DNAT --to-destination 10.244.0.7:80
-A KUBE-SEP-URQ7E42Z5ZIQ5W5J -m comment --comment default/reviews -s 10.244.1.2 -j KUBE-MARK-MASQ
-A KUBE-SEP-URQ7E42Z5ZIQ5W5J -m comment --comment default/reviews -m tcp -p tcp -j DNAT --to-destination 10.244.1.2:80
-A KUBE-SEP-VT4P3IJ3LRE5DPCE -m comment --comment default/reviews -s 10.244.1.3 -j KUBE-MARK-MASQ
-A KUBE-SEP-VT4P3IJ3LRE5DPCE -m comment --comment default/reviews -m tcp -p tcp -j DNAT --to-destination 10.244.1.3:80
-A KUBE-SEP-NJI2R3BECG2ROYQA -m comment --comment default/reviews -s 10.244.1.4 -j KUBE-MARK-MASQ
-A KUBE-SEP-NJI2R3BECG2ROYQA -m comment --comment default/reviews -m tcp -p tcp -j DNAT --to-destination 10.244.1.4:80
-A KUBE-SEP-7TTZS7EE5ZIXZKOD -m comment --comment default/reviews -s 10.244.1.5 -j KUBE-MARK-MASQ
-A KUBE-SEP-7TTZS7EE5ZIXZKOD -m comment --comment default/reviews -m tcp -p tcp -j DNAT --to-destination 10.244.1.5:80
-A KUBE-SEP-3X2CD4W2NHNNUVQC -m comment --comment default/reviews -s 10.244.1.6 -j KUBE-MARK-MASQ
-A KUBE-SEP-3X2CD4W2NHNNUVQC -m comment --comment default/reviews -m tcp -p tcp -j DNAT --to-destination 10.244.1.6:80
-A KUBE-SERVICES -m comment --comment "default/reviews-lean cluster IP" -m tcp -p tcp -d 10.96.0.12 --dport 80 -j KUBE-SVC-QIRCA4HGTQEVWTUN
-A KUBE-SVC-QIRCA4HGTQEVWTUN -m comment --comment "default/reviews-lean cluster IP" -m tcp -p tcp -d 10.96.0.12 --dport 80 ! -s 10.244.0.0/16 -j KUBE-MARK-MASQ
-A KUBE-SVC-QIRCA4HGTQEVWTUN -m comment --comment "default/reviews-lean -> 10.244.0.8:80" -m statistic --mode random --probability 0.5000000000 -j KUBE-SEP-LP5EMPGNQGYYRGGZ
-A KUBE-SVC-QIRCA4HGTQEVWTUN -m comment --comment "default/reviews-lean -> 10.244.1.7:80" -j KUBE-SEP-KNNF3ZBJ6FI5JJAG
-A KUBE-SEP-LP5EMPGNQGYYRGGZ -m comment --comment default/reviews-lean -s 10.244.0.8 -j KUBE-MARK-MASQ
-A KUBE-SEP-LP5EMPGNQGYYRGGZ -m comment --comment default/reviews-lean -m tcp -p tcp -j DNAT --to-destination 10.244.0.8:80
-A KUBE-SEP-KNNF3ZBJ6FI5JJAG -m comment --comment default/reviews-lean -s 10.244.1.7 -j KUBE-MARK-MASQ
-A KUBE-SEP-KNNF3ZBJ6FI5JJAG -m comment --comment default/reviews-lean -m tcp -p tcp -j DNAT --to-destination 10.244.1.7:80
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
ip netns exec nsl.k8s-canary.node-2 iptables-restore --noflush <<'EOF'
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
:KUBE-SVC-DFPB5QU3SGQEWJQY - [0:0]
:KUBE-SEP-RJVKHEZ4BRV4WX2B - [0:0]
:KUBE-SEP-AAPEEQBN75ZFZAFM - [0:0]
:KUBE-SEP-4ZZTRITOWVL46PUQ - [0:0]
:KUBE-SEP-APJ4JRQAHUMVBWDX - [0:0]
:KUBE-SEP-YEYA6F2IYPSJIF7T - [0:0]
:KUBE-SEP-URQ7E42Z5ZIQ5W5J - [0:0]
:KUBE-SEP-VT4P3IJ3LRE5DPCE - [0:0]
:KUBE-SEP-NJI2R3BECG2ROYQA - [0:0]
:KUBE-SEP-7TTZS7EE5ZIXZKOD - [0:0]
:KUBE-SEP-3X2CD4W2NHNNUVQC - [0:0]
:KUBE-SVC-QIRCA4HGTQEVWTUN - [0:0]
:KUBE-SEP-LP5EMPGNQGYYRGGZ - [0:0]
:KUBE-SEP-KNNF3ZBJ6FI5JJAG - [0:0]
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
-A KUBE-SERVICES -m comment --comment "default/reviews cluster IP" -m tcp -p tcp -d 10.96.0.11 --dport 80 -j KUBE-SVC-DFPB5QU3SGQEWJQY
-A KUBE-SVC-DFPB5QU3SGQEWJQY -m comment --comment "default/reviews cluster IP" -m tcp -p tcp -d 10.96.0.11 --dport 80 ! -s 10.244.0.0/16 -j KUBE-MARK-MASQ
-A KUBE-SVC-DFPB5QU3SGQEWJQY -m comment --comment "default/reviews -> 10.244.0.3:80" -m statistic --mode random --probability 0.1000000000 -j KUBE-SEP-RJVKHEZ4BRV4WX2B
-A KUBE-SVC-DFPB5QU3SGQEWJQY -m comment --comment "default/reviews -> 10.244.0.4:80" -m statistic --mode random --probability 0.1111111111 -j KUBE-SEP-AAPEEQBN75ZFZAFM
-A KUBE-SVC-DFPB5QU3SGQEWJQY -m comment --comment "default/reviews -> 10.244.0.5:80" -m statistic --mode random --probability 0.1250000000 -j KUBE-SEP-4ZZTRITOWVL46PUQ
-A KUBE-SVC-DFPB5QU3SGQEWJQY -m comment --comment "default/reviews -> 10.244.0.6:80" -m statistic --mode random --probability 0.1428571429 -j KUBE-SEP-APJ4JRQAHUMVBWDX
-A KUBE-SVC-DFPB5QU3SGQEWJQY -m comment --comment "default/reviews -> 10.244.0.7:80" -m statistic --mode random --probability 0.1666666667 -j KUBE-SEP-YEYA6F2IYPSJIF7T
-A KUBE-SVC-DFPB5QU3SGQEWJQY -m comment --comment "default/reviews -> 10.244.1.2:80" -m statistic --mode random --probability 0.2000000000 -j KUBE-SEP-URQ7E42Z5ZIQ5W5J
-A KUBE-SVC-DFPB5QU3SGQEWJQY -m comment --comment "default/reviews -> 10.244.1.3:80" -m statistic --mode random --probability 0.2500000000 -j KUBE-SEP-VT4P3IJ3LRE5DPCE
-A KUBE-SVC-DFPB5QU3SGQEWJQY -m comment --comment "default/reviews -> 10.244.1.4:80" -m statistic --mode random --probability 0.3333333333 -j KUBE-SEP-NJI2R3BECG2ROYQA
-A KUBE-SVC-DFPB5QU3SGQEWJQY -m comment --comment "default/reviews -> 10.244.1.5:80" -m statistic --mode random --probability 0.5000000000 -j KUBE-SEP-7TTZS7EE5ZIXZKOD
-A KUBE-SVC-DFPB5QU3SGQEWJQY -m comment --comment "default/reviews -> 10.244.1.6:80" -j KUBE-SEP-3X2CD4W2NHNNUVQC
-A KUBE-SEP-RJVKHEZ4BRV4WX2B -m comment --comment default/reviews -s 10.244.0.3 -j KUBE-MARK-MASQ
-A KUBE-SEP-RJVKHEZ4BRV4WX2B -m comment --comment default/reviews -m tcp -p tcp -j DNAT --to-destination 10.244.0.3:80
-A KUBE-SEP-AAPEEQBN75ZFZAFM -m comment --comment default/reviews -s 10.244.0.4 -j KUBE-MARK-MASQ
-A KUBE-SEP-AAPEEQBN75ZFZAFM -m comment --comment default/reviews -m tcp -p tcp -j DNAT --to-destination 10.244.0.4:80
-A KUBE-SEP-4ZZTRITOWVL46PUQ -m comment --comment default/reviews -s 10.244.0.5 -j KUBE-MARK-MASQ
-A KUBE-SEP-4ZZTRITOWVL46PUQ -m comment --comment default/reviews -m tcp -p tcp -j DNAT --to-destination 10.244.0.5:80
-A KUBE-SEP-APJ4JRQAHUMVBWDX -m comment --comment default/reviews -s 10.244.0.6 -j KUBE-MARK-MASQ
-A KUBE-SEP-APJ4JRQAHUMVBWDX -m comment --comment default/reviews -m tcp -p tcp -j DNAT --to-destination 10.244.0.6:80
-A KUBE-SEP-YEYA6F2IYPSJIF7T -m comment --comment default/reviews -s 10.244.0.7 -j KUBE-MARK-MASQ
-A KUBE-SEP-YEYA6F2IYPSJIF7T -m comment --comment default/reviews -m tcp -p tcp -j DNAT --to-destination 10.244.0.7:80
-A KUBE-SEP-URQ7E42Z5ZIQ5W5J -m comment --comment default/reviews -s 10.244.1.2 -j KUBE-MARK-MASQ
-A KUBE-SEP-URQ7E42Z5ZIQ5W5J -m comment --comment default/reviews -m tcp -p tcp -j DNAT --to-destination 10.244.1.2:80
-A KUBE-SEP-VT4P3IJ3LRE5DPCE -m comment --comment default/reviews -s 10.244.1.3 -j KUBE-MARK-MASQ
-A KUBE-SEP-VT4P3IJ3LRE5DPCE -m comment --comment default/reviews -m tcp -p tcp -j DNAT --to-destination 10.244.1.3:80
-A KUBE-SEP-NJI2R3BECG2ROYQA -m comment --comment default/reviews -s 10.244.1.4 -j KUBE-MARK-MASQ
-A KUBE-SEP-NJI2R3BECG2ROYQA -m comment --comment default/reviews -m tcp -p tcp -j DNAT --to-destination 10.244.1.4:80
-A KUBE-SEP-7TTZS7EE5ZIXZKOD -m comment --comment default/reviews -s 10.244.1.5 -j KUBE-MARK-MASQ
-A KUBE-SEP-7TTZS7EE5ZIXZKOD -m comment --comment default/reviews -m tcp -p tcp -j DNAT --to-destination 10.244.1.5:80
-A KUBE-SEP-3X2CD4W2NHNNUVQC -m comment --comment default/reviews -s 10.244.1.6 -j KUBE-MARK-MASQ
-A KUBE-SEP-3X2CD4W2NHNNUVQC -m comment --comment default/reviews -m tcp -p tcp -j DNAT --to-destination 10.244.1.6:80
-A KUBE-SERVICES -m comment --comment "default/reviews-lean cluster IP" -m tcp -p tcp -d 10.96.0.12 --dport 80 -j KUBE-SVC-QIRCA4HGTQEVWTUN
-A KUBE-SVC-QIRCA4HGTQEVWTUN -m comment --comment "default/reviews-lean cluster IP" -m tcp -p tcp -d 10.96.0.12 --dport 80 ! -s 10.244.0.0/16 -j KUBE-MARK-MASQ
-A KUBE-SVC-QIRCA4HGTQEVWTUN -m comment --comment "default/reviews-lean -> 10.244.0.8:80" -m statistic --mode random --probability 0.5000000000 -j KUBE-SEP-LP5EMPGNQGYYRGGZ
-A KUBE-SVC-QIRCA4HGTQEVWTUN -m comment --comment "default/reviews-lean -> 10.244.1.7:80" -j KUBE-SEP-KNNF3ZBJ6FI5JJAG
-A KUBE-SEP-LP5EMPGNQGYYRGGZ -m comment --comment default/reviews-lean -s 10.244.0.8 -j KUBE-MARK-MASQ
-A KUBE-SEP-LP5EMPGNQGYYRGGZ -m comment --comment default/reviews-lean -m tcp -p tcp -j DNAT --to-destination 10.244.0.8:80
-A KUBE-SEP-KNNF3ZBJ6FI5JJAG -m comment --comment default/reviews-lean -s 10.244.1.7 -j KUBE-MARK-MASQ
-A KUBE-SEP-KNNF3ZBJ6FI5JJAG -m comment --comment default/reviews-lean -m tcp -p tcp -j DNAT --to-destination 10.244.1.7:80
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
# from labs/k8s-canary/lab.yaml:13:3
mkdir -p /etc/netns/nsl.k8s-canary.coredns
cat >/etc/netns/nsl.k8s-canary.coredns/resolv.conf <<'EOF'
nameserver 10.96.0.10
search kube-system.svc.cluster.local svc.cluster.local cluster.local
options ndots:5
EOF
# pod reviews-v1-1: resolv.conf (ip netns exec mounts it)
# from labs/k8s-canary/lab.yaml:19:5
mkdir -p /etc/netns/nsl.k8s-canary.reviews-v1-1
cat >/etc/netns/nsl.k8s-canary.reviews-v1-1/resolv.conf <<'EOF'
nameserver 10.96.0.10
search default.svc.cluster.local svc.cluster.local cluster.local
options ndots:5
EOF
# pod reviews-v1-2: resolv.conf (ip netns exec mounts it)
# from labs/k8s-canary/lab.yaml:19:5
mkdir -p /etc/netns/nsl.k8s-canary.reviews-v1-2
cat >/etc/netns/nsl.k8s-canary.reviews-v1-2/resolv.conf <<'EOF'
nameserver 10.96.0.10
search default.svc.cluster.local svc.cluster.local cluster.local
options ndots:5
EOF
# pod reviews-v1-3: resolv.conf (ip netns exec mounts it)
# from labs/k8s-canary/lab.yaml:19:5
mkdir -p /etc/netns/nsl.k8s-canary.reviews-v1-3
cat >/etc/netns/nsl.k8s-canary.reviews-v1-3/resolv.conf <<'EOF'
nameserver 10.96.0.10
search default.svc.cluster.local svc.cluster.local cluster.local
options ndots:5
EOF
# pod reviews-v1-4: resolv.conf (ip netns exec mounts it)
# from labs/k8s-canary/lab.yaml:19:5
mkdir -p /etc/netns/nsl.k8s-canary.reviews-v1-4
cat >/etc/netns/nsl.k8s-canary.reviews-v1-4/resolv.conf <<'EOF'
nameserver 10.96.0.10
search default.svc.cluster.local svc.cluster.local cluster.local
options ndots:5
EOF
# pod reviews-v1-5: resolv.conf (ip netns exec mounts it)
# from labs/k8s-canary/lab.yaml:19:5
mkdir -p /etc/netns/nsl.k8s-canary.reviews-v1-5
cat >/etc/netns/nsl.k8s-canary.reviews-v1-5/resolv.conf <<'EOF'
nameserver 10.96.0.10
search default.svc.cluster.local svc.cluster.local cluster.local
options ndots:5
EOF
# pod reviews-v1-6: resolv.conf (ip netns exec mounts it)
# from labs/k8s-canary/lab.yaml:19:5
mkdir -p /etc/netns/nsl.k8s-canary.reviews-v1-6
cat >/etc/netns/nsl.k8s-canary.reviews-v1-6/resolv.conf <<'EOF'
nameserver 10.96.0.10
search default.svc.cluster.local svc.cluster.local cluster.local
options ndots:5
EOF
# pod reviews-v1-7: resolv.conf (ip netns exec mounts it)
# from labs/k8s-canary/lab.yaml:19:5
mkdir -p /etc/netns/nsl.k8s-canary.reviews-v1-7
cat >/etc/netns/nsl.k8s-canary.reviews-v1-7/resolv.conf <<'EOF'
nameserver 10.96.0.10
search default.svc.cluster.local svc.cluster.local cluster.local
options ndots:5
EOF
# pod reviews-v1-8: resolv.conf (ip netns exec mounts it)
# from labs/k8s-canary/lab.yaml:19:5
mkdir -p /etc/netns/nsl.k8s-canary.reviews-v1-8
cat >/etc/netns/nsl.k8s-canary.reviews-v1-8/resolv.conf <<'EOF'
nameserver 10.96.0.10
search default.svc.cluster.local svc.cluster.local cluster.local
options ndots:5
EOF
# pod reviews-v1-9: resolv.conf (ip netns exec mounts it)
# from labs/k8s-canary/lab.yaml:19:5
mkdir -p /etc/netns/nsl.k8s-canary.reviews-v1-9
cat >/etc/netns/nsl.k8s-canary.reviews-v1-9/resolv.conf <<'EOF'
nameserver 10.96.0.10
search default.svc.cluster.local svc.cluster.local cluster.local
options ndots:5
EOF
# pod reviews-v2: resolv.conf (ip netns exec mounts it)
# from labs/k8s-canary/lab.yaml:22:5
mkdir -p /etc/netns/nsl.k8s-canary.reviews-v2
cat >/etc/netns/nsl.k8s-canary.reviews-v2/resolv.conf <<'EOF'
nameserver 10.96.0.10
search default.svc.cluster.local svc.cluster.local cluster.local
options ndots:5
EOF
# pod reviews-lean-v1: resolv.conf (ip netns exec mounts it)
# from labs/k8s-canary/lab.yaml:24:5
mkdir -p /etc/netns/nsl.k8s-canary.reviews-lean-v1
cat >/etc/netns/nsl.k8s-canary.reviews-lean-v1/resolv.conf <<'EOF'
nameserver 10.96.0.10
search default.svc.cluster.local svc.cluster.local cluster.local
options ndots:5
EOF
# pod reviews-lean-v2: resolv.conf (ip netns exec mounts it)
# from labs/k8s-canary/lab.yaml:26:5
mkdir -p /etc/netns/nsl.k8s-canary.reviews-lean-v2
cat >/etc/netns/nsl.k8s-canary.reviews-lean-v2/resolv.conf <<'EOF'
nameserver 10.96.0.10
search default.svc.cluster.local svc.cluster.local cluster.local
options ndots:5
EOF
# pod client: resolv.conf (ip netns exec mounts it)
# from labs/k8s-canary/lab.yaml:28:5
mkdir -p /etc/netns/nsl.k8s-canary.client
cat >/etc/netns/nsl.k8s-canary.client/resolv.conf <<'EOF'
nameserver 10.96.0.10
search default.svc.cluster.local svc.cluster.local cluster.local
options ndots:5
EOF
# pod client: init container istio-init — istio-iptables' nat rules, then it exits before the app starts
ip netns exec nsl.k8s-canary.client iptables-restore --noflush <<'EOF'
# istio-iptables for pod client (istio-init container): inbound → 15006, outbound → 15001, proxy uid 1337
*nat
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
:ISTIO_INBOUND - [0:0]
:ISTIO_IN_REDIRECT - [0:0]
:ISTIO_OUTPUT - [0:0]
:ISTIO_REDIRECT - [0:0]
-A PREROUTING -p tcp -j ISTIO_INBOUND
-A OUTPUT -j ISTIO_OUTPUT
-A ISTIO_INBOUND -p tcp -m tcp --dport 15008 -j RETURN
-A ISTIO_INBOUND -p tcp -m tcp --dport 15090 -j RETURN
-A ISTIO_INBOUND -p tcp -m tcp --dport 15021 -j RETURN
-A ISTIO_INBOUND -p tcp -m tcp --dport 15020 -j RETURN
-A ISTIO_INBOUND -p tcp -j ISTIO_IN_REDIRECT
-A ISTIO_IN_REDIRECT -p tcp -j REDIRECT --to-ports 15006
-A ISTIO_OUTPUT -s 127.0.0.6/32 -o lo -j RETURN
-A ISTIO_OUTPUT ! -d 127.0.0.1/32 -o lo -p tcp -m tcp ! --dport 15008 -m owner --uid-owner 1337 -j ISTIO_IN_REDIRECT
-A ISTIO_OUTPUT -o lo -m owner ! --uid-owner 1337 -j RETURN
-A ISTIO_OUTPUT -m owner --uid-owner 1337 -j RETURN
-A ISTIO_OUTPUT ! -d 127.0.0.1/32 -o lo -p tcp -m tcp ! --dport 15008 -m owner --gid-owner 1337 -j ISTIO_IN_REDIRECT
-A ISTIO_OUTPUT -o lo -m owner ! --gid-owner 1337 -j RETURN
-A ISTIO_OUTPUT -m owner --gid-owner 1337 -j RETURN
-A ISTIO_OUTPUT -d 127.0.0.1/32 -j RETURN
-A ISTIO_OUTPUT -j ISTIO_REDIRECT
-A ISTIO_REDIRECT -p tcp -j REDIRECT --to-ports 15001
COMMIT
EOF
# pod client: its history (written once the rules loaded)
# from labs/k8s-canary/lab.yaml:28:5
mkdir -p /run/nslab/k8s-canary/pods
cat >/run/nslab/k8s-canary/pods/client.history <<'EOF'
pod client: init container istio-init (iptables-restore of the ISTIO_* chains) ran and exited 0 (Completed); then containers istio-proxy (haproxy, uid 1337) and app started
EOF
# pod client: the sidecar proxy's configuration, with the routes of the cluster's virtual-services
# from labs/k8s-canary/lab.yaml:28:5
mkdir -p /run/nslab/k8s-canary/sidecar
cat >/run/nslab/k8s-canary/sidecar/client.haproxy.cfg <<'EOF'
# the sidecar of pod client: haproxy playing Envoy (generated by nslab)
global
  uid 1337
  gid 1337
  log stdout format raw local0 info
  log ring@sidecar format raw local0 info
  stats socket ipv4@127.0.0.1:15000 level operator
  maxconn 4096

ring sidecar
  description "every connection through the sidecar"
  format raw
  maxlen 1024
  size 262144

defaults
  mode tcp
  log global
  timeout connect 5s
  timeout client 60s
  timeout server 60s

frontend inbound
  bind 0.0.0.0:15006
  log-format "sidecar inbound client=%ci:%cp original-dst=%fi:%fp upstream=%si:%sp via=%bi:%bp bytes-in=%U bytes-out=%B time-ms=%Tt end=%ts"
  default_backend inbound-passthrough

backend inbound-passthrough
  server original-dst 0.0.0.0:0 source 127.0.0.6

frontend outbound
  bind 0.0.0.0:15001
  log-format "sidecar outbound client=%ci:%cp original-dst=%fi:%fp upstream=%si:%sp via=%bi:%bp bytes-in=%U bytes-out=%B time-ms=%Tt end=%ts"
  use_backend vs.default.reviews.10.96.0.11:80 if { dst 10.96.0.11 } { dst_port 80 }
  use_backend vs.default.reviews-lean.10.96.0.12:80 if { dst 10.96.0.12 } { dst_port 80 }
  default_backend outbound-passthrough

backend outbound-passthrough
  server original-dst 0.0.0.0:0

backend vs.default.reviews.10.96.0.11:80
  mode tcp
  server listener 127.0.0.1:15100   # VirtualService default/reviews: its HTTP routes

backend vs.default.reviews-lean.10.96.0.12:80
  mode tcp
  server listener 127.0.0.1:15101   # VirtualService default/reviews-lean: its HTTP routes

# traffic management (generated by nslab from the cluster's virtual-services and destination-rules)

frontend vs.default.reviews   # VirtualService default/reviews: its http routes, tried in order
    mode http
    bind 127.0.0.1:15100
    option httplog
    http-request set-var(txn.pick) rand(100)   # one number 0–99 per request picks among weighted destinations
    acl r0.m0.h0 req.hdr(x-canary) -m str "yes"
    use_backend vs.default.reviews.canary-header.v2 if r0.m0.h0   # route canary-header: every request
    use_backend vs.default.reviews.canary-90-10.v1 if { var(txn.pick) -m int lt 90 }   # route canary-90-10: 90% (pick 0–89)
    use_backend vs.default.reviews.canary-90-10.v2 if { var(txn.pick) -m int ge 90 }   # route canary-90-10: 10% (pick 90–99)
    default_backend vs.default.reviews.no-route

backend vs.default.reviews.no-route   # no route matched: 404, as Envoy answers (response flag NR)
    mode http
    http-request return status 404 content-type text/plain string "no route in VirtualService default/reviews"

backend vs.default.reviews.canary-header.v2   # default/reviews subset v2 port 80: reviews-v2
    mode http
    balance roundrobin
    retries 2   # Istio retries twice by default
    retry-on conn-failure empty-response response-timeout 503
    option redispatch 1
    server reviews-v2 10.244.1.6:80

backend vs.default.reviews.canary-90-10.v1   # default/reviews subset v1 port 80: reviews-v1-1, reviews-v1-2, reviews-v1-3, reviews-v1-4, reviews-v1-5, reviews-v1-6, reviews-v1-7, reviews-v1-8, reviews-v1-9
    mode http
    balance roundrobin
    retries 2
    retry-on conn-failure empty-response response-timeout 503
    option redispatch 1
    timeout server 2s   # perTryTimeout
    # the route's timeout 5s bounds the whole request in Envoy; haproxy limits each try (3 × 2s at most)
    server reviews-v1-1 10.244.0.3:80
    server reviews-v1-2 10.244.1.2:80
    server reviews-v1-3 10.244.0.4:80
    server reviews-v1-4 10.244.1.3:80
    server reviews-v1-5 10.244.0.5:80
    server reviews-v1-6 10.244.1.4:80
    server reviews-v1-7 10.244.0.6:80
    server reviews-v1-8 10.244.1.5:80
    server reviews-v1-9 10.244.0.7:80

backend vs.default.reviews.canary-90-10.v2   # default/reviews subset v2 port 80: reviews-v2
    mode http
    balance roundrobin
    retries 2
    retry-on conn-failure empty-response response-timeout 503
    option redispatch 1
    timeout server 2s   # perTryTimeout
    # the route's timeout 5s bounds the whole request in Envoy; haproxy limits each try (3 × 2s at most)
    server reviews-v2 10.244.1.6:80

frontend vs.default.reviews-lean   # VirtualService default/reviews-lean: its http routes, tried in order
    mode http
    bind 127.0.0.1:15101
    option httplog
    http-request set-var(txn.pick) rand(100)   # one number 0–99 per request picks among weighted destinations
    use_backend vs.default.reviews-lean.http-0.v1 if { var(txn.pick) -m int lt 90 }   # route http-0: 90% (pick 0–89)
    use_backend vs.default.reviews-lean.http-0.v2 if { var(txn.pick) -m int ge 90 }   # route http-0: 10% (pick 90–99)
    default_backend vs.default.reviews-lean.no-route

backend vs.default.reviews-lean.no-route   # no route matched: 404, as Envoy answers (response flag NR)
    mode http
    http-request return status 404 content-type text/plain string "no route in VirtualService default/reviews-lean"

backend vs.default.reviews-lean.http-0.v1   # default/reviews-lean subset v1 port 80: reviews-lean-v1
    mode http
    balance roundrobin
    retries 2   # Istio retries twice by default
    retry-on conn-failure empty-response response-timeout 503
    option redispatch 1
    server reviews-lean-v1 10.244.0.8:80

backend vs.default.reviews-lean.http-0.v2   # default/reviews-lean subset v2 port 80: reviews-lean-v2
    mode http
    balance roundrobin
    retries 2   # Istio retries twice by default
    retry-on conn-failure empty-response response-timeout 503
    option redispatch 1
    server reviews-lean-v2 10.244.1.7:80
EOF
# pod client-plain: resolv.conf (ip netns exec mounts it)
# from labs/k8s-canary/lab.yaml:32:5
mkdir -p /etc/netns/nsl.k8s-canary.client-plain
cat >/etc/netns/nsl.k8s-canary.client-plain/resolv.conf <<'EOF'
nameserver 10.96.0.10
search default.svc.cluster.local svc.cluster.local cluster.local
options ndots:5
EOF

# ── daemons: long-running processes (stopped by `lab down`)
# the cluster DNS: dnsmasq with the records of every service and pod
# from labs/k8s-canary/lab.yaml:12:1
mkdir -p /run/nslab/k8s-canary/logs
ip netns exec nsl.k8s-canary.coredns dnsmasq --keep-in-foreground --no-resolv --no-hosts --bind-interfaces --listen-address=10.244.0.2 --port=53 --log-facility=- --local=/cluster.local/ --host-record=reviews.default.svc.cluster.local,10.96.0.11 --host-record=reviews-lean.default.svc.cluster.local,10.96.0.12 --host-record=kube-dns.kube-system.svc.cluster.local,10.96.0.10 --srv-host=_dns._udp.kube-dns.kube-system.svc.cluster.local,kube-dns.kube-system.svc.cluster.local,53 --srv-host=_dns-tcp._tcp.kube-dns.kube-system.svc.cluster.local,kube-dns.kube-system.svc.cluster.local,53 --host-record=10-244-0-9.default.pod.cluster.local,10.244.0.9 --host-record=10-244-1-8.default.pod.cluster.local,10.244.1.8 --host-record=10-244-0-8.default.pod.cluster.local,10.244.0.8 --host-record=10-244-1-7.default.pod.cluster.local,10.244.1.7 --host-record=10-244-0-3.default.pod.cluster.local,10.244.0.3 --host-record=10-244-1-2.default.pod.cluster.local,10.244.1.2 --host-record=10-244-0-4.default.pod.cluster.local,10.244.0.4 --host-record=10-244-1-3.default.pod.cluster.local,10.244.1.3 --host-record=10-244-0-5.default.pod.cluster.local,10.244.0.5 --host-record=10-244-1-4.default.pod.cluster.local,10.244.1.4 --host-record=10-244-0-6.default.pod.cluster.local,10.244.0.6 --host-record=10-244-1-5.default.pod.cluster.local,10.244.1.5 --host-record=10-244-0-7.default.pod.cluster.local,10.244.0.7 --host-record=10-244-1-6.default.pod.cluster.local,10.244.1.6 --host-record=10-244-0-2.kube-system.pod.cluster.local,10.244.0.2 --pid-file --user=root >/run/nslab/k8s-canary/logs/coredns.dnsmasq.log 2>&1 &
# pod reviews-v1-1: answers with its name and the client address on 80/tcp
# from labs/k8s-canary/lab.yaml:19:5
mkdir -p /run/nslab/k8s-canary/logs
ip netns exec nsl.k8s-canary.reviews-v1-1 lab agent whoami --name reviews-v1-1 --port 80 --app-version v1 >/run/nslab/k8s-canary/logs/reviews-v1-1.whoami.log 2>&1 &
# pod reviews-v1-2: answers with its name and the client address on 80/tcp
# from labs/k8s-canary/lab.yaml:19:5
mkdir -p /run/nslab/k8s-canary/logs
ip netns exec nsl.k8s-canary.reviews-v1-2 lab agent whoami --name reviews-v1-2 --port 80 --app-version v1 >/run/nslab/k8s-canary/logs/reviews-v1-2.whoami.log 2>&1 &
# pod reviews-v1-3: answers with its name and the client address on 80/tcp
# from labs/k8s-canary/lab.yaml:19:5
mkdir -p /run/nslab/k8s-canary/logs
ip netns exec nsl.k8s-canary.reviews-v1-3 lab agent whoami --name reviews-v1-3 --port 80 --app-version v1 >/run/nslab/k8s-canary/logs/reviews-v1-3.whoami.log 2>&1 &
# pod reviews-v1-4: answers with its name and the client address on 80/tcp
# from labs/k8s-canary/lab.yaml:19:5
mkdir -p /run/nslab/k8s-canary/logs
ip netns exec nsl.k8s-canary.reviews-v1-4 lab agent whoami --name reviews-v1-4 --port 80 --app-version v1 >/run/nslab/k8s-canary/logs/reviews-v1-4.whoami.log 2>&1 &
# pod reviews-v1-5: answers with its name and the client address on 80/tcp
# from labs/k8s-canary/lab.yaml:19:5
mkdir -p /run/nslab/k8s-canary/logs
ip netns exec nsl.k8s-canary.reviews-v1-5 lab agent whoami --name reviews-v1-5 --port 80 --app-version v1 >/run/nslab/k8s-canary/logs/reviews-v1-5.whoami.log 2>&1 &
# pod reviews-v1-6: answers with its name and the client address on 80/tcp
# from labs/k8s-canary/lab.yaml:19:5
mkdir -p /run/nslab/k8s-canary/logs
ip netns exec nsl.k8s-canary.reviews-v1-6 lab agent whoami --name reviews-v1-6 --port 80 --app-version v1 >/run/nslab/k8s-canary/logs/reviews-v1-6.whoami.log 2>&1 &
# pod reviews-v1-7: answers with its name and the client address on 80/tcp
# from labs/k8s-canary/lab.yaml:19:5
mkdir -p /run/nslab/k8s-canary/logs
ip netns exec nsl.k8s-canary.reviews-v1-7 lab agent whoami --name reviews-v1-7 --port 80 --app-version v1 >/run/nslab/k8s-canary/logs/reviews-v1-7.whoami.log 2>&1 &
# pod reviews-v1-8: answers with its name and the client address on 80/tcp
# from labs/k8s-canary/lab.yaml:19:5
mkdir -p /run/nslab/k8s-canary/logs
ip netns exec nsl.k8s-canary.reviews-v1-8 lab agent whoami --name reviews-v1-8 --port 80 --app-version v1 >/run/nslab/k8s-canary/logs/reviews-v1-8.whoami.log 2>&1 &
# pod reviews-v1-9: answers with its name and the client address on 80/tcp
# from labs/k8s-canary/lab.yaml:19:5
mkdir -p /run/nslab/k8s-canary/logs
ip netns exec nsl.k8s-canary.reviews-v1-9 lab agent whoami --name reviews-v1-9 --port 80 --app-version v1 >/run/nslab/k8s-canary/logs/reviews-v1-9.whoami.log 2>&1 &
# pod reviews-v2: answers with its name and the client address on 80/tcp
# from labs/k8s-canary/lab.yaml:22:5
mkdir -p /run/nslab/k8s-canary/logs
ip netns exec nsl.k8s-canary.reviews-v2 lab agent whoami --name reviews-v2 --port 80 --app-version v2 >/run/nslab/k8s-canary/logs/reviews-v2.whoami.log 2>&1 &
# pod reviews-lean-v1: answers with its name and the client address on 80/tcp
# from labs/k8s-canary/lab.yaml:24:5
mkdir -p /run/nslab/k8s-canary/logs
ip netns exec nsl.k8s-canary.reviews-lean-v1 lab agent whoami --name reviews-lean-v1 --port 80 --app-version v1 >/run/nslab/k8s-canary/logs/reviews-lean-v1.whoami.log 2>&1 &
# pod reviews-lean-v2: answers with its name and the client address on 80/tcp
# from labs/k8s-canary/lab.yaml:26:5
mkdir -p /run/nslab/k8s-canary/logs
ip netns exec nsl.k8s-canary.reviews-lean-v2 lab agent whoami --name reviews-lean-v2 --port 80 --app-version v2 >/run/nslab/k8s-canary/logs/reviews-lean-v2.whoami.log 2>&1 &
# pod client: the sidecar proxy (haproxy as uid 1337) on 15006 (inbound) and 15001 (outbound), logging every connection
# from labs/k8s-canary/lab.yaml:28:5
mkdir -p /run/nslab/k8s-canary/logs
ip netns exec nsl.k8s-canary.client haproxy -db -f /run/nslab/k8s-canary/sidecar/client.haproxy.cfg >/run/nslab/k8s-canary/logs/client.istio-proxy.log 2>&1 &
# pod client: answers with its name and the client address on 80/tcp
# from labs/k8s-canary/lab.yaml:28:5
mkdir -p /run/nslab/k8s-canary/logs
ip netns exec nsl.k8s-canary.client lab agent whoami --name client --port 80 >/run/nslab/k8s-canary/logs/client.whoami.log 2>&1 &
# pod client-plain: answers with its name and the client address on 80/tcp
# from labs/k8s-canary/lab.yaml:32:5
mkdir -p /run/nslab/k8s-canary/logs
ip netns exec nsl.k8s-canary.client-plain lab agent whoami --name client-plain --port 80 >/run/nslab/k8s-canary/logs/client-plain.whoami.log 2>&1 &

# ── teardown (what `lab down` runs): stop every process inside the lab's namespaces (by PID), then
# delete the namespaces, which removes every link, bridge, address, route and rule inside them
# (commented out, so that running this script builds the lab and leaves it up)
#   ip -force -batch - <<'EOF'
#   netns del nsl.k8s-canary
#   netns del nsl.k8s-canary.node-1
#   netns del nsl.k8s-canary.node-2
#   netns del nsl.k8s-canary.coredns
#   netns del nsl.k8s-canary.reviews-v1-1
#   netns del nsl.k8s-canary.reviews-v1-2
#   netns del nsl.k8s-canary.reviews-v1-3
#   netns del nsl.k8s-canary.reviews-v1-4
#   netns del nsl.k8s-canary.reviews-v1-5
#   netns del nsl.k8s-canary.reviews-v1-6
#   netns del nsl.k8s-canary.reviews-v1-7
#   netns del nsl.k8s-canary.reviews-v1-8
#   netns del nsl.k8s-canary.reviews-v1-9
#   netns del nsl.k8s-canary.reviews-v2
#   netns del nsl.k8s-canary.reviews-lean-v1
#   netns del nsl.k8s-canary.reviews-lean-v2
#   netns del nsl.k8s-canary.client
#   netns del nsl.k8s-canary.client-plain
#   EOF
