#!/bin/sh
# nslab plan for lab "k8s-guestbook" from labs/k8s-guestbook/lab.yaml
# Run as root to build the lab by hand; these are exactly the commands `lab up` runs
# (it runs the blocks of one phase in parallel). Every line notes the lab-file place behind it.
# new namespaces start with net.ipv4.ip_forward=1, net.ipv6.conf.all.forwarding=0 (inherited from this host): only nodes that need other values get a sysctl
set -e

# ── namespaces: network namespaces (one per node, plus the lab fabric) and containers
ip -batch - <<'EOF'
# labs/k8s-guestbook/lab.yaml:2:7 — the lab fabric: bridges that belong to no node
netns add nsl.k8s-guestbook
# labs/k8s-guestbook/lab.yaml:12:3 — node visitor
netns add nsl.k8s-guestbook.visitor
# labs/k8s-guestbook/lab.yaml:23:5 — node node-1
netns add nsl.k8s-guestbook.node-1
# labs/k8s-guestbook/lab.yaml:24:5 — node node-2
netns add nsl.k8s-guestbook.node-2
# labs/k8s-guestbook/lab.yaml:20:3 — node coredns
netns add nsl.k8s-guestbook.coredns
# labs/k8s-guestbook/lab.yaml:27:5 — node client
netns add nsl.k8s-guestbook.client
# labs/k8s-guestbook/manifests/frontend-deployment.yaml:2:7 — node frontend-1
netns add nsl.k8s-guestbook.frontend-1
# labs/k8s-guestbook/manifests/frontend-deployment.yaml:2:7 — node frontend-2
netns add nsl.k8s-guestbook.frontend-2
# labs/k8s-guestbook/manifests/frontend-deployment.yaml:2:7 — node frontend-3
netns add nsl.k8s-guestbook.frontend-3
# labs/k8s-guestbook/manifests/redis-follower-deployment.yaml:2:7 — node redis-follower-1
netns add nsl.k8s-guestbook.redis-follower-1
# labs/k8s-guestbook/manifests/redis-follower-deployment.yaml:2:7 — node redis-follower-2
netns add nsl.k8s-guestbook.redis-follower-2
# labs/k8s-guestbook/manifests/redis-leader-deployment.yaml:3:7 — node redis-leader-1
netns add nsl.k8s-guestbook.redis-leader-1
EOF

# ── links: veth pairs created directly inside their namespaces
ip -batch - <<'EOF'
# labs/k8s-guestbook/lab.yaml:17:5 — link visitor:eth0 <-> k8s-net
link add visitor-eth0 netns nsl.k8s-guestbook index 1000 type veth peer name eth0 netns nsl.k8s-guestbook.visitor
# labs/k8s-guestbook/lab.yaml:23:13 — link node-1:eth0 <-> k8s-net
link add node-1-eth0 netns nsl.k8s-guestbook index 1001 type veth peer name eth0 netns nsl.k8s-guestbook.node-1
# labs/k8s-guestbook/lab.yaml:24:13 — link node-2:eth0 <-> k8s-net
link add node-2-eth0 netns nsl.k8s-guestbook index 1002 type veth peer name eth0 netns nsl.k8s-guestbook.node-2
# labs/k8s-guestbook/lab.yaml:20:3 — link coredns:eth0 <-> cni0@node-1
link add veth96971f43 netns nsl.k8s-guestbook.node-1 index 1000 mtu 1450 type veth peer name eth0 netns nsl.k8s-guestbook.coredns mtu 1450
# labs/k8s-guestbook/lab.yaml:27:13 — link client:eth0 <-> cni0@node-1
link add vetha7a3e029 netns nsl.k8s-guestbook.node-1 index 1001 mtu 1450 type veth peer name eth0 netns nsl.k8s-guestbook.client mtu 1450
# labs/k8s-guestbook/manifests/frontend-deployment.yaml:4:9 — link frontend-1:eth0 <-> cni0@node-1
link add veth798de850 netns nsl.k8s-guestbook.node-1 index 1002 mtu 1450 type veth peer name eth0 netns nsl.k8s-guestbook.frontend-1 mtu 1450
# labs/k8s-guestbook/manifests/frontend-deployment.yaml:4:9 — link frontend-2:eth0 <-> cni0@node-2
link add veth2151adc3 netns nsl.k8s-guestbook.node-2 index 1000 mtu 1450 type veth peer name eth0 netns nsl.k8s-guestbook.frontend-2 mtu 1450
# labs/k8s-guestbook/manifests/frontend-deployment.yaml:4:9 — link frontend-3:eth0 <-> cni0@node-1
link add vethbf5a567e netns nsl.k8s-guestbook.node-1 index 1003 mtu 1450 type veth peer name eth0 netns nsl.k8s-guestbook.frontend-3 mtu 1450
# labs/k8s-guestbook/manifests/redis-follower-deployment.yaml:4:9 — link redis-follower-1:eth0 <-> cni0@node-2
link add veth7f7bb9b4 netns nsl.k8s-guestbook.node-2 index 1001 mtu 1450 type veth peer name eth0 netns nsl.k8s-guestbook.redis-follower-1 mtu 1450
# labs/k8s-guestbook/manifests/redis-follower-deployment.yaml:4:9 — link redis-follower-2:eth0 <-> cni0@node-1
link add veth8e906674 netns nsl.k8s-guestbook.node-1 index 1004 mtu 1450 type veth peer name eth0 netns nsl.k8s-guestbook.redis-follower-2 mtu 1450
# labs/k8s-guestbook/manifests/redis-leader-deployment.yaml:5:9 — link redis-leader-1:eth0 <-> cni0@node-2
link add veth5bab68e8 netns nsl.k8s-guestbook.node-2 index 1002 mtu 1450 type veth peer name eth0 netns nsl.k8s-guestbook.redis-leader-1 mtu 1450
EOF

# ── configure: inside each namespace: sysctls, bridges, addresses, routes
# one batch file per namespace, run 4 at a time by xargs
mkdir -p /run/nslab/k8s-guestbook/batch
cat >/run/nslab/k8s-guestbook/batch/nsl.k8s-guestbook.visitor.ip <<'EOF'
# labs/k8s-guestbook/lab.yaml:12:3
link set lo up
# labs/k8s-guestbook/lab.yaml:14:7
addr add 192.168.56.100/24 dev eth0
link set eth0 up
EOF
cat >/run/nslab/k8s-guestbook/batch/nsl.k8s-guestbook.node-1.ip <<'EOF'
# labs/k8s-guestbook/lab.yaml:23:5
link set lo up
# labs/k8s-guestbook/lab.yaml:20:3 — bridge cni0 in node-1
link add cni0 type bridge
link set cni0 mtu 1450
# labs/k8s-guestbook/lab.yaml:20:3 — VXLAN flannel.1: VNI 1 over eth0
link add flannel.1 address 0e:98:64:5a:1b:65 mtu 1450 type vxlan id 1 local 192.168.56.11 dstport 8472 dev eth0 nolearning
link set veth96971f43 master cni0
# labs/k8s-guestbook/lab.yaml:27:13
link set vetha7a3e029 master cni0
# labs/k8s-guestbook/manifests/frontend-deployment.yaml:4:9
link set veth798de850 master cni0
link set vethbf5a567e master cni0
# labs/k8s-guestbook/manifests/redis-follower-deployment.yaml:4:9
link set veth8e906674 master cni0
# labs/k8s-guestbook/lab.yaml:20:3 — hairpin mode: frames may leave by the port they came in on
link set veth96971f43 type bridge_slave hairpin on
# labs/k8s-guestbook/lab.yaml:27:13 — hairpin mode: frames may leave by the port they came in on
link set vetha7a3e029 type bridge_slave hairpin on
# labs/k8s-guestbook/manifests/frontend-deployment.yaml:4:9 — hairpin mode: frames may leave by the port they came in on
link set veth798de850 type bridge_slave hairpin on
# labs/k8s-guestbook/manifests/frontend-deployment.yaml:4:9 — hairpin mode: frames may leave by the port they came in on
link set vethbf5a567e type bridge_slave hairpin on
# labs/k8s-guestbook/manifests/redis-follower-deployment.yaml:4:9 — hairpin mode: frames may leave by the port they came in on
link set veth8e906674 type bridge_slave hairpin on
# labs/k8s-guestbook/lab.yaml:23:13
addr add 192.168.56.11/24 dev eth0
# labs/k8s-guestbook/lab.yaml:20:3
addr add 10.244.0.0/32 dev flannel.1
addr add 10.244.0.1/24 dev cni0
# labs/k8s-guestbook/lab.yaml:23:13
link set eth0 up
# labs/k8s-guestbook/lab.yaml:20:3
link set flannel.1 up
link set cni0 up
link set veth96971f43 up
# labs/k8s-guestbook/lab.yaml:27:13
link set vetha7a3e029 up
# labs/k8s-guestbook/manifests/frontend-deployment.yaml:4:9
link set veth798de850 up
link set vethbf5a567e up
# labs/k8s-guestbook/manifests/redis-follower-deployment.yaml:4:9
link set veth8e906674 up
# labs/k8s-guestbook/lab.yaml:20:8
route add 10.96.0.0/12 dev eth0
route add 10.244.1.0/24 via 10.244.1.0 dev flannel.1 onlink
# labs/k8s-guestbook/lab.yaml:20:3
neigh replace 10.244.1.0 lladdr 0e:12:dc:e0:cc:b4 dev flannel.1 nud permanent
EOF
cat >/run/nslab/k8s-guestbook/batch/nsl.k8s-guestbook.node-2.ip <<'EOF'
# labs/k8s-guestbook/lab.yaml:24:5
link set lo up
# labs/k8s-guestbook/lab.yaml:20:3 — bridge cni0 in node-2
link add cni0 type bridge
link set cni0 mtu 1450
# labs/k8s-guestbook/lab.yaml:20:3 — VXLAN flannel.1: VNI 1 over eth0
link add flannel.1 address 0e:12:dc:e0:cc:b4 mtu 1450 type vxlan id 1 local 192.168.56.12 dstport 8472 dev eth0 nolearning
# labs/k8s-guestbook/manifests/frontend-deployment.yaml:4:9
link set veth2151adc3 master cni0
# labs/k8s-guestbook/manifests/redis-follower-deployment.yaml:4:9
link set veth7f7bb9b4 master cni0
# labs/k8s-guestbook/manifests/redis-leader-deployment.yaml:5:9
link set veth5bab68e8 master cni0
# labs/k8s-guestbook/manifests/frontend-deployment.yaml:4:9 — hairpin mode: frames may leave by the port they came in on
link set veth2151adc3 type bridge_slave hairpin on
# labs/k8s-guestbook/manifests/redis-follower-deployment.yaml:4:9 — hairpin mode: frames may leave by the port they came in on
link set veth7f7bb9b4 type bridge_slave hairpin on
# labs/k8s-guestbook/manifests/redis-leader-deployment.yaml:5:9 — hairpin mode: frames may leave by the port they came in on
link set veth5bab68e8 type bridge_slave hairpin on
# labs/k8s-guestbook/lab.yaml:24:13
addr add 192.168.56.12/24 dev eth0
# labs/k8s-guestbook/lab.yaml:20:3
addr add 10.244.1.0/32 dev flannel.1
addr add 10.244.1.1/24 dev cni0
# labs/k8s-guestbook/lab.yaml:24:13
link set eth0 up
# labs/k8s-guestbook/lab.yaml:20:3
link set flannel.1 up
link set cni0 up
# labs/k8s-guestbook/manifests/frontend-deployment.yaml:4:9
link set veth2151adc3 up
# labs/k8s-guestbook/manifests/redis-follower-deployment.yaml:4:9
link set veth7f7bb9b4 up
# labs/k8s-guestbook/manifests/redis-leader-deployment.yaml:5:9
link set veth5bab68e8 up
# labs/k8s-guestbook/lab.yaml:20:8
route add 10.96.0.0/12 dev eth0
route add 10.244.0.0/24 via 10.244.0.0 dev flannel.1 onlink
# labs/k8s-guestbook/lab.yaml:20:3
neigh replace 10.244.0.0 lladdr 0e:98:64:5a:1b:65 dev flannel.1 nud permanent
EOF
cat >/run/nslab/k8s-guestbook/batch/nsl.k8s-guestbook.coredns.ip <<'EOF'
# labs/k8s-guestbook/lab.yaml:20:3
link set lo up
addr add 10.244.0.2/24 dev eth0
link set eth0 up
route add default via 10.244.0.1
EOF
cat >/run/nslab/k8s-guestbook/batch/nsl.k8s-guestbook.client.ip <<'EOF'
# labs/k8s-guestbook/lab.yaml:27:5
link set lo up
# labs/k8s-guestbook/lab.yaml:27:13
addr add 10.244.0.3/24 dev eth0
link set eth0 up
route add default via 10.244.0.1
EOF
cat >/run/nslab/k8s-guestbook/batch/nsl.k8s-guestbook.frontend-1.ip <<'EOF'
# labs/k8s-guestbook/manifests/frontend-deployment.yaml:2:7
link set lo up
# labs/k8s-guestbook/manifests/frontend-deployment.yaml:4:9
addr add 10.244.0.4/24 dev eth0
link set eth0 up
route add default via 10.244.0.1
EOF
cat >/run/nslab/k8s-guestbook/batch/nsl.k8s-guestbook.frontend-2.ip <<'EOF'
# labs/k8s-guestbook/manifests/frontend-deployment.yaml:2:7
link set lo up
# labs/k8s-guestbook/manifests/frontend-deployment.yaml:4:9
addr add 10.244.1.2/24 dev eth0
link set eth0 up
route add default via 10.244.1.1
EOF
cat >/run/nslab/k8s-guestbook/batch/nsl.k8s-guestbook.frontend-3.ip <<'EOF'
# labs/k8s-guestbook/manifests/frontend-deployment.yaml:2:7
link set lo up
# labs/k8s-guestbook/manifests/frontend-deployment.yaml:4:9
addr add 10.244.0.5/24 dev eth0
link set eth0 up
route add default via 10.244.0.1
EOF
cat >/run/nslab/k8s-guestbook/batch/nsl.k8s-guestbook.redis-follower-1.ip <<'EOF'
# labs/k8s-guestbook/manifests/redis-follower-deployment.yaml:2:7
link set lo up
# labs/k8s-guestbook/manifests/redis-follower-deployment.yaml:4:9
addr add 10.244.1.3/24 dev eth0
link set eth0 up
route add default via 10.244.1.1
EOF
cat >/run/nslab/k8s-guestbook/batch/nsl.k8s-guestbook.redis-follower-2.ip <<'EOF'
# labs/k8s-guestbook/manifests/redis-follower-deployment.yaml:2:7
link set lo up
# labs/k8s-guestbook/manifests/redis-follower-deployment.yaml:4:9
addr add 10.244.0.6/24 dev eth0
link set eth0 up
route add default via 10.244.0.1
EOF
cat >/run/nslab/k8s-guestbook/batch/nsl.k8s-guestbook.redis-leader-1.ip <<'EOF'
# labs/k8s-guestbook/manifests/redis-leader-deployment.yaml:3:7
link set lo up
# labs/k8s-guestbook/manifests/redis-leader-deployment.yaml:5:9
addr add 10.244.1.4/24 dev eth0
link set eth0 up
route add default via 10.244.1.1
EOF
cat >/run/nslab/k8s-guestbook/batch/nsl.k8s-guestbook.ip <<'EOF'
# labs/k8s-guestbook/lab.yaml:2:7
link set lo up
# labs/k8s-guestbook/lab.yaml:20:3 — bridge k8s-net
link add k8s-net type bridge
# labs/k8s-guestbook/lab.yaml:17:5
link set visitor-eth0 master k8s-net
# labs/k8s-guestbook/lab.yaml:23:13
link set node-1-eth0 master k8s-net
# labs/k8s-guestbook/lab.yaml:24:13
link set node-2-eth0 master k8s-net
# labs/k8s-guestbook/lab.yaml:20:3
link set k8s-net up
# labs/k8s-guestbook/lab.yaml:17:5
link set visitor-eth0 up
# labs/k8s-guestbook/lab.yaml:23:13
link set node-1-eth0 up
# labs/k8s-guestbook/lab.yaml:24:13
link set node-2-eth0 up
EOF
xargs -P 4 -L 1 nsenter <<'EOF'
--net=/run/netns/nsl.k8s-guestbook.visitor sysctl -qw net.ipv4.ip_forward=0
--net=/run/netns/nsl.k8s-guestbook.visitor ip -batch /run/nslab/k8s-guestbook/batch/nsl.k8s-guestbook.visitor.ip
--net=/run/netns/nsl.k8s-guestbook.node-1 sysctl -qw net.ipv6.conf.all.forwarding=1
--net=/run/netns/nsl.k8s-guestbook.node-1 ip -batch /run/nslab/k8s-guestbook/batch/nsl.k8s-guestbook.node-1.ip
--net=/run/netns/nsl.k8s-guestbook.node-2 sysctl -qw net.ipv6.conf.all.forwarding=1
--net=/run/netns/nsl.k8s-guestbook.node-2 ip -batch /run/nslab/k8s-guestbook/batch/nsl.k8s-guestbook.node-2.ip
--net=/run/netns/nsl.k8s-guestbook.coredns sysctl -qw net.ipv4.ip_forward=0
--net=/run/netns/nsl.k8s-guestbook.coredns ip -batch /run/nslab/k8s-guestbook/batch/nsl.k8s-guestbook.coredns.ip
--net=/run/netns/nsl.k8s-guestbook.client sysctl -qw net.ipv4.ip_forward=0
--net=/run/netns/nsl.k8s-guestbook.client ip -batch /run/nslab/k8s-guestbook/batch/nsl.k8s-guestbook.client.ip
--net=/run/netns/nsl.k8s-guestbook.frontend-1 sysctl -qw net.ipv4.ip_forward=0
--net=/run/netns/nsl.k8s-guestbook.frontend-1 ip -batch /run/nslab/k8s-guestbook/batch/nsl.k8s-guestbook.frontend-1.ip
--net=/run/netns/nsl.k8s-guestbook.frontend-2 sysctl -qw net.ipv4.ip_forward=0
--net=/run/netns/nsl.k8s-guestbook.frontend-2 ip -batch /run/nslab/k8s-guestbook/batch/nsl.k8s-guestbook.frontend-2.ip
--net=/run/netns/nsl.k8s-guestbook.frontend-3 sysctl -qw net.ipv4.ip_forward=0
--net=/run/netns/nsl.k8s-guestbook.frontend-3 ip -batch /run/nslab/k8s-guestbook/batch/nsl.k8s-guestbook.frontend-3.ip
--net=/run/netns/nsl.k8s-guestbook.redis-follower-1 sysctl -qw net.ipv4.ip_forward=0
--net=/run/netns/nsl.k8s-guestbook.redis-follower-1 ip -batch /run/nslab/k8s-guestbook/batch/nsl.k8s-guestbook.redis-follower-1.ip
--net=/run/netns/nsl.k8s-guestbook.redis-follower-2 sysctl -qw net.ipv4.ip_forward=0
--net=/run/netns/nsl.k8s-guestbook.redis-follower-2 ip -batch /run/nslab/k8s-guestbook/batch/nsl.k8s-guestbook.redis-follower-2.ip
--net=/run/netns/nsl.k8s-guestbook.redis-leader-1 sysctl -qw net.ipv4.ip_forward=0
--net=/run/netns/nsl.k8s-guestbook.redis-leader-1 ip -batch /run/nslab/k8s-guestbook/batch/nsl.k8s-guestbook.redis-leader-1.ip
--net=/run/netns/nsl.k8s-guestbook ip -batch /run/nslab/k8s-guestbook/batch/nsl.k8s-guestbook.ip
EOF

# ── fdb: forwarding-database entries of VXLAN endpoints (`bridge fdb`)
# one batch file per namespace, run 4 at a time by xargs
mkdir -p /run/nslab/k8s-guestbook/batch
cat >/run/nslab/k8s-guestbook/batch/nsl.k8s-guestbook.node-1.bridge <<'EOF'
# labs/k8s-guestbook/lab.yaml:20:3
fdb append 0e:12:dc:e0:cc:b4 dev flannel.1 dst 192.168.56.12 self permanent
EOF
cat >/run/nslab/k8s-guestbook/batch/nsl.k8s-guestbook.node-2.bridge <<'EOF'
# labs/k8s-guestbook/lab.yaml:20:3
fdb append 0e:98:64:5a:1b:65 dev flannel.1 dst 192.168.56.11 self permanent
EOF
xargs -P 4 -L 1 nsenter <<'EOF'
--net=/run/netns/nsl.k8s-guestbook.node-1 bridge -batch /run/nslab/k8s-guestbook/batch/nsl.k8s-guestbook.node-1.bridge
--net=/run/netns/nsl.k8s-guestbook.node-2 bridge -batch /run/nslab/k8s-guestbook/batch/nsl.k8s-guestbook.node-2.bridge
EOF

# ── settle: wait until every bridge port forwards (the kernel applies link changes asynchronously)
# wait until every bridge port forwards
# from labs/k8s-guestbook/lab.yaml:20:3
# repeated until no port is "state disabled", for at most 10 s
while nsenter --net=/run/netns/nsl.k8s-guestbook bridge link show | grep -q 'state disabled'; do sleep 0.01; done
# wait until every bridge port forwards
# from labs/k8s-guestbook/lab.yaml:20:3
# repeated until no port is "state disabled", for at most 10 s
while nsenter --net=/run/netns/nsl.k8s-guestbook.node-1 bridge link show | grep -q 'state disabled'; do sleep 0.01; done
# wait until every bridge port forwards
# from labs/k8s-guestbook/lab.yaml:20:3
# repeated until no port is "state disabled", for at most 10 s
while nsenter --net=/run/netns/nsl.k8s-guestbook.node-2 bridge link show | grep -q 'state disabled'; do sleep 0.01; done

# ── firewall: NAT and firewall rule sets
# node node-1: kube-proxy (iptables mode) and NetworkPolicy
ip netns exec nsl.k8s-guestbook.node-1 iptables-restore --noflush <<'EOF'
# kube-proxy (iptables mode) rules for node node-1, written by nslab; load with iptables-restore
# nslab NetworkPolicy rules for node node-1: iptables-restore input, filter table (Kubernetes semantics; see runner/cluster/policy.ts).
# FORWARD -> NSL-POLICY: replies (conntrack ESTABLISHED,RELATED) are accepted first; then the source pod egress chain
# NSL-POL-OUT-<hash> (allowed -> NSL-POL-EGRESS-OK, else DROP); then NSL-POL-INGRESS picks the destination pod ingress chain
# NSL-POL-IN-<hash> (allowed -> ACCEPT, else DROP). A pod selected by no policy of a type gets no chain for it: not isolated.
# Pods are told by their host-side veth: -i/-o when routed, -m physdev when on a bridge (bridged traffic reaches iptables only
# with br_netfilter, net.bridge.bridge-nf-call-iptables=1); traffic routed onto a pod bridge is told by the pod address.
# Node-originated traffic (kubelet health checks) leaves by OUTPUT, which is not hooked: the node reaches all its pods, as
# Kubernetes CNIs allow. Pod -> node goes to INPUT: not filtered either. Peers are pod IPs resolved now (the lab is static).
# pod default/client 10.244.0.3 (vetha7a3e029): ingress not isolated; egress not isolated
# pod default/frontend-1 10.244.0.4 (veth798de850): ingress not isolated; egress not isolated
# pod default/frontend-3 10.244.0.5 (vethbf5a567e): ingress not isolated; egress not isolated
# pod default/redis-follower-2 10.244.0.6 (veth8e906674): ingress isolated by default/redis-from-frontend; egress not isolated
# pod kube-system/coredns 10.244.0.2 (veth96971f43): ingress not isolated; egress not isolated
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
:NSL-POLICY - [0:0]
:NSL-POL-EGRESS-OK - [0:0]
:NSL-POL-INGRESS - [0:0]
:NSL-POL-IN-BF4AE50117A5 - [0:0]
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
-I FORWARD 1 -m comment --comment "nslab: NetworkPolicy for the pods of node node-1" -j NSL-POLICY
-A NSL-POLICY -m conntrack --ctstate RELATED,ESTABLISHED -m comment --comment "replies of allowed connections pass (and RELATED, e.g. ICMP errors)" -j ACCEPT
-A NSL-POLICY -m comment --comment "source not isolated for egress: on to the destination pod ingress policy" -j NSL-POL-INGRESS
-A NSL-POL-EGRESS-OK -m comment --comment "egress allowed: the destination pod ingress policy, if any, decides" -j NSL-POL-INGRESS
-A NSL-POL-EGRESS-OK -m comment --comment "egress allowed and the destination is not isolated for ingress here" -j ACCEPT
-A NSL-POL-INGRESS -o veth8e906674 -m comment --comment "to pod default/redis-follower-2: routed to its veth" -j NSL-POL-IN-BF4AE50117A5
-A NSL-POL-INGRESS -m physdev --physdev-out veth8e906674 --physdev-is-bridged -m comment --comment "to pod default/redis-follower-2: bridged to its port (needs br_netfilter: bridge-nf-call-iptables=1)" -j NSL-POL-IN-BF4AE50117A5
-A NSL-POL-INGRESS -d 10.244.0.6/32 -m physdev ! --physdev-is-bridged -m comment --comment "to pod default/redis-follower-2: routed onto its bridge (the out port is not known in FORWARD, so by address)" -j NSL-POL-IN-BF4AE50117A5
# NSL-POL-IN-BF4AE50117A5: ingress of pod default/redis-follower-2 (10.244.0.6, veth8e906674), isolated by default/redis-from-frontend
-A NSL-POL-IN-BF4AE50117A5 -s 10.244.0.4/32 -p tcp -m tcp --dport 6379 -m comment --comment "policy default/redis-from-frontend ingress[0]: from[0] pod default/frontend-1, TCP 6379" -j ACCEPT
-A NSL-POL-IN-BF4AE50117A5 -s 10.244.1.2/32 -p tcp -m tcp --dport 6379 -m comment --comment "policy default/redis-from-frontend ingress[0]: from[0] pod default/frontend-2, TCP 6379" -j ACCEPT
-A NSL-POL-IN-BF4AE50117A5 -s 10.244.0.5/32 -p tcp -m tcp --dport 6379 -m comment --comment "policy default/redis-from-frontend ingress[0]: from[0] pod default/frontend-3, TCP 6379" -j ACCEPT
-A NSL-POL-IN-BF4AE50117A5 -s 10.244.1.3/32 -p tcp -m tcp --dport 6379 -m comment --comment "policy default/redis-from-frontend ingress[0]: from[1] pod default/redis-follower-1, TCP 6379" -j ACCEPT
-A NSL-POL-IN-BF4AE50117A5 -s 10.244.0.6/32 -p tcp -m tcp --dport 6379 -m comment --comment "policy default/redis-from-frontend ingress[0]: from[1] pod default/redis-follower-2, TCP 6379" -j ACCEPT
-A NSL-POL-IN-BF4AE50117A5 -s 10.244.1.4/32 -p tcp -m tcp --dport 6379 -m comment --comment "policy default/redis-from-frontend ingress[0]: from[1] pod default/redis-leader-1, TCP 6379" -j ACCEPT
-A NSL-POL-IN-BF4AE50117A5 -m comment --comment "pod default/redis-follower-2 is isolated for ingress: the rest is dropped (DROP, silently, as Kubernetes describes; not REJECT)" -j DROP
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
:KUBE-SVC-ENODL3HWJ5BZY56Q - [0:0]
:KUBE-SEP-M3ZDOHQFXRCQXX77 - [0:0]
:KUBE-SEP-L55D4HU5WG52JE42 - [0:0]
:KUBE-SEP-TR6KAOXVNXJWZNLP - [0:0]
:KUBE-EXT-JYHPZVX5A2WQXGC4 - [0:0]
:KUBE-SVC-JYHPZVX5A2WQXGC4 - [0:0]
:KUBE-SEP-MJE63VKOGPZZJFVL - [0:0]
:KUBE-SEP-HVSPORITXUBOEKEG - [0:0]
:KUBE-SEP-ERJQH7IYFBGVIVSA - [0:0]
:KUBE-SVC-YU5RV2YQWHLZ5XPR - [0:0]
:KUBE-SEP-PJP6OIEK2KNAKVLH - [0:0]
:KUBE-SEP-Y7QUPD3UQEPTZH5C - [0:0]
:KUBE-SVC-LRNEBRA3Z5YGJ4QC - [0:0]
:KUBE-SEP-SQJ7HA333FMXQQF6 - [0:0]
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
-A KUBE-SERVICES -m comment --comment "default/frontend cluster IP" -m tcp -p tcp -d 10.96.0.12 --dport 80 -j KUBE-SVC-ENODL3HWJ5BZY56Q
-A KUBE-SVC-ENODL3HWJ5BZY56Q -m comment --comment "default/frontend cluster IP" -m tcp -p tcp -d 10.96.0.12 --dport 80 ! -s 10.244.0.0/16 -j KUBE-MARK-MASQ
-A KUBE-SVC-ENODL3HWJ5BZY56Q -m comment --comment "default/frontend -> 10.244.0.4:80" -m statistic --mode random --probability 0.3333333333 -j KUBE-SEP-M3ZDOHQFXRCQXX77
-A KUBE-SVC-ENODL3HWJ5BZY56Q -m comment --comment "default/frontend -> 10.244.0.5:80" -m statistic --mode random --probability 0.5000000000 -j KUBE-SEP-L55D4HU5WG52JE42
-A KUBE-SVC-ENODL3HWJ5BZY56Q -m comment --comment "default/frontend -> 10.244.1.2:80" -j KUBE-SEP-TR6KAOXVNXJWZNLP
-A KUBE-SEP-M3ZDOHQFXRCQXX77 -m comment --comment default/frontend -s 10.244.0.4 -j KUBE-MARK-MASQ
-A KUBE-SEP-M3ZDOHQFXRCQXX77 -m comment --comment default/frontend -m tcp -p tcp -j DNAT --to-destination 10.244.0.4:80
-A KUBE-SEP-L55D4HU5WG52JE42 -m comment --comment default/frontend -s 10.244.0.5 -j KUBE-MARK-MASQ
-A KUBE-SEP-L55D4HU5WG52JE42 -m comment --comment default/frontend -m tcp -p tcp -j DNAT --to-destination 10.244.0.5:80
-A KUBE-SEP-TR6KAOXVNXJWZNLP -m comment --comment default/frontend -s 10.244.1.2 -j KUBE-MARK-MASQ
-A KUBE-SEP-TR6KAOXVNXJWZNLP -m comment --comment default/frontend -m tcp -p tcp -j DNAT --to-destination 10.244.1.2:80
-A KUBE-SERVICES -m comment --comment "default/frontend-nodeport cluster IP" -m tcp -p tcp -d 10.96.0.11 --dport 80 -j KUBE-SVC-JYHPZVX5A2WQXGC4
-A KUBE-NODEPORTS -m comment --comment default/frontend-nodeport -m tcp -p tcp --dport 30080 -j KUBE-EXT-JYHPZVX5A2WQXGC4
-A KUBE-SVC-JYHPZVX5A2WQXGC4 -m comment --comment "default/frontend-nodeport cluster IP" -m tcp -p tcp -d 10.96.0.11 --dport 80 ! -s 10.244.0.0/16 -j KUBE-MARK-MASQ
-A KUBE-EXT-JYHPZVX5A2WQXGC4 -m comment --comment "masquerade traffic for default/frontend-nodeport external destinations" -j KUBE-MARK-MASQ
-A KUBE-EXT-JYHPZVX5A2WQXGC4 -j KUBE-SVC-JYHPZVX5A2WQXGC4
-A KUBE-SVC-JYHPZVX5A2WQXGC4 -m comment --comment "default/frontend-nodeport -> 10.244.0.4:80" -m statistic --mode random --probability 0.3333333333 -j KUBE-SEP-MJE63VKOGPZZJFVL
-A KUBE-SVC-JYHPZVX5A2WQXGC4 -m comment --comment "default/frontend-nodeport -> 10.244.0.5:80" -m statistic --mode random --probability 0.5000000000 -j KUBE-SEP-HVSPORITXUBOEKEG
-A KUBE-SVC-JYHPZVX5A2WQXGC4 -m comment --comment "default/frontend-nodeport -> 10.244.1.2:80" -j KUBE-SEP-ERJQH7IYFBGVIVSA
-A KUBE-SEP-MJE63VKOGPZZJFVL -m comment --comment default/frontend-nodeport -s 10.244.0.4 -j KUBE-MARK-MASQ
-A KUBE-SEP-MJE63VKOGPZZJFVL -m comment --comment default/frontend-nodeport -m tcp -p tcp -j DNAT --to-destination 10.244.0.4:80
-A KUBE-SEP-HVSPORITXUBOEKEG -m comment --comment default/frontend-nodeport -s 10.244.0.5 -j KUBE-MARK-MASQ
-A KUBE-SEP-HVSPORITXUBOEKEG -m comment --comment default/frontend-nodeport -m tcp -p tcp -j DNAT --to-destination 10.244.0.5:80
-A KUBE-SEP-ERJQH7IYFBGVIVSA -m comment --comment default/frontend-nodeport -s 10.244.1.2 -j KUBE-MARK-MASQ
-A KUBE-SEP-ERJQH7IYFBGVIVSA -m comment --comment default/frontend-nodeport -m tcp -p tcp -j DNAT --to-destination 10.244.1.2:80
-A KUBE-SERVICES -m comment --comment "default/redis-follower cluster IP" -m tcp -p tcp -d 10.96.0.13 --dport 6379 -j KUBE-SVC-YU5RV2YQWHLZ5XPR
-A KUBE-SVC-YU5RV2YQWHLZ5XPR -m comment --comment "default/redis-follower cluster IP" -m tcp -p tcp -d 10.96.0.13 --dport 6379 ! -s 10.244.0.0/16 -j KUBE-MARK-MASQ
-A KUBE-SVC-YU5RV2YQWHLZ5XPR -m comment --comment "default/redis-follower -> 10.244.0.6:6379" -m statistic --mode random --probability 0.5000000000 -j KUBE-SEP-PJP6OIEK2KNAKVLH
-A KUBE-SVC-YU5RV2YQWHLZ5XPR -m comment --comment "default/redis-follower -> 10.244.1.3:6379" -j KUBE-SEP-Y7QUPD3UQEPTZH5C
-A KUBE-SEP-PJP6OIEK2KNAKVLH -m comment --comment default/redis-follower -s 10.244.0.6 -j KUBE-MARK-MASQ
-A KUBE-SEP-PJP6OIEK2KNAKVLH -m comment --comment default/redis-follower -m tcp -p tcp -j DNAT --to-destination 10.244.0.6:6379
-A KUBE-SEP-Y7QUPD3UQEPTZH5C -m comment --comment default/redis-follower -s 10.244.1.3 -j KUBE-MARK-MASQ
-A KUBE-SEP-Y7QUPD3UQEPTZH5C -m comment --comment default/redis-follower -m tcp -p tcp -j DNAT --to-destination 10.244.1.3:6379
-A KUBE-SERVICES -m comment --comment "default/redis-leader cluster IP" -m tcp -p tcp -d 10.96.0.14 --dport 6379 -j KUBE-SVC-LRNEBRA3Z5YGJ4QC
-A KUBE-SVC-LRNEBRA3Z5YGJ4QC -m comment --comment "default/redis-leader cluster IP" -m tcp -p tcp -d 10.96.0.14 --dport 6379 ! -s 10.244.0.0/16 -j KUBE-MARK-MASQ
-A KUBE-SVC-LRNEBRA3Z5YGJ4QC -m comment --comment "default/redis-leader -> 10.244.1.4:6379" -j KUBE-SEP-SQJ7HA333FMXQQF6
-A KUBE-SEP-SQJ7HA333FMXQQF6 -m comment --comment default/redis-leader -s 10.244.1.4 -j KUBE-MARK-MASQ
-A KUBE-SEP-SQJ7HA333FMXQQF6 -m comment --comment default/redis-leader -m tcp -p tcp -j DNAT --to-destination 10.244.1.4:6379
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
# node node-2: kube-proxy (iptables mode) and NetworkPolicy
ip netns exec nsl.k8s-guestbook.node-2 iptables-restore --noflush <<'EOF'
# kube-proxy (iptables mode) rules for node node-2, written by nslab; load with iptables-restore
# nslab NetworkPolicy rules for node node-2: iptables-restore input, filter table (Kubernetes semantics; see runner/cluster/policy.ts).
# FORWARD -> NSL-POLICY: replies (conntrack ESTABLISHED,RELATED) are accepted first; then the source pod egress chain
# NSL-POL-OUT-<hash> (allowed -> NSL-POL-EGRESS-OK, else DROP); then NSL-POL-INGRESS picks the destination pod ingress chain
# NSL-POL-IN-<hash> (allowed -> ACCEPT, else DROP). A pod selected by no policy of a type gets no chain for it: not isolated.
# Pods are told by their host-side veth: -i/-o when routed, -m physdev when on a bridge (bridged traffic reaches iptables only
# with br_netfilter, net.bridge.bridge-nf-call-iptables=1); traffic routed onto a pod bridge is told by the pod address.
# Node-originated traffic (kubelet health checks) leaves by OUTPUT, which is not hooked: the node reaches all its pods, as
# Kubernetes CNIs allow. Pod -> node goes to INPUT: not filtered either. Peers are pod IPs resolved now (the lab is static).
# pod default/frontend-2 10.244.1.2 (veth2151adc3): ingress not isolated; egress not isolated
# pod default/redis-follower-1 10.244.1.3 (veth7f7bb9b4): ingress isolated by default/redis-from-frontend; egress not isolated
# pod default/redis-leader-1 10.244.1.4 (veth5bab68e8): ingress isolated by default/redis-from-frontend; egress not isolated
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
:NSL-POLICY - [0:0]
:NSL-POL-EGRESS-OK - [0:0]
:NSL-POL-INGRESS - [0:0]
:NSL-POL-IN-832CA83DF078 - [0:0]
:NSL-POL-IN-ECA4D3F390F6 - [0:0]
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
-I FORWARD 1 -m comment --comment "nslab: NetworkPolicy for the pods of node node-2" -j NSL-POLICY
-A NSL-POLICY -m conntrack --ctstate RELATED,ESTABLISHED -m comment --comment "replies of allowed connections pass (and RELATED, e.g. ICMP errors)" -j ACCEPT
-A NSL-POLICY -m comment --comment "source not isolated for egress: on to the destination pod ingress policy" -j NSL-POL-INGRESS
-A NSL-POL-EGRESS-OK -m comment --comment "egress allowed: the destination pod ingress policy, if any, decides" -j NSL-POL-INGRESS
-A NSL-POL-EGRESS-OK -m comment --comment "egress allowed and the destination is not isolated for ingress here" -j ACCEPT
-A NSL-POL-INGRESS -o veth7f7bb9b4 -m comment --comment "to pod default/redis-follower-1: routed to its veth" -j NSL-POL-IN-832CA83DF078
-A NSL-POL-INGRESS -m physdev --physdev-out veth7f7bb9b4 --physdev-is-bridged -m comment --comment "to pod default/redis-follower-1: bridged to its port (needs br_netfilter: bridge-nf-call-iptables=1)" -j NSL-POL-IN-832CA83DF078
-A NSL-POL-INGRESS -d 10.244.1.3/32 -m physdev ! --physdev-is-bridged -m comment --comment "to pod default/redis-follower-1: routed onto its bridge (the out port is not known in FORWARD, so by address)" -j NSL-POL-IN-832CA83DF078
-A NSL-POL-INGRESS -o veth5bab68e8 -m comment --comment "to pod default/redis-leader-1: routed to its veth" -j NSL-POL-IN-ECA4D3F390F6
-A NSL-POL-INGRESS -m physdev --physdev-out veth5bab68e8 --physdev-is-bridged -m comment --comment "to pod default/redis-leader-1: bridged to its port (needs br_netfilter: bridge-nf-call-iptables=1)" -j NSL-POL-IN-ECA4D3F390F6
-A NSL-POL-INGRESS -d 10.244.1.4/32 -m physdev ! --physdev-is-bridged -m comment --comment "to pod default/redis-leader-1: routed onto its bridge (the out port is not known in FORWARD, so by address)" -j NSL-POL-IN-ECA4D3F390F6
# NSL-POL-IN-832CA83DF078: ingress of pod default/redis-follower-1 (10.244.1.3, veth7f7bb9b4), isolated by default/redis-from-frontend
-A NSL-POL-IN-832CA83DF078 -s 10.244.0.4/32 -p tcp -m tcp --dport 6379 -m comment --comment "policy default/redis-from-frontend ingress[0]: from[0] pod default/frontend-1, TCP 6379" -j ACCEPT
-A NSL-POL-IN-832CA83DF078 -s 10.244.1.2/32 -p tcp -m tcp --dport 6379 -m comment --comment "policy default/redis-from-frontend ingress[0]: from[0] pod default/frontend-2, TCP 6379" -j ACCEPT
-A NSL-POL-IN-832CA83DF078 -s 10.244.0.5/32 -p tcp -m tcp --dport 6379 -m comment --comment "policy default/redis-from-frontend ingress[0]: from[0] pod default/frontend-3, TCP 6379" -j ACCEPT
-A NSL-POL-IN-832CA83DF078 -s 10.244.1.3/32 -p tcp -m tcp --dport 6379 -m comment --comment "policy default/redis-from-frontend ingress[0]: from[1] pod default/redis-follower-1, TCP 6379" -j ACCEPT
-A NSL-POL-IN-832CA83DF078 -s 10.244.0.6/32 -p tcp -m tcp --dport 6379 -m comment --comment "policy default/redis-from-frontend ingress[0]: from[1] pod default/redis-follower-2, TCP 6379" -j ACCEPT
-A NSL-POL-IN-832CA83DF078 -s 10.244.1.4/32 -p tcp -m tcp --dport 6379 -m comment --comment "policy default/redis-from-frontend ingress[0]: from[1] pod default/redis-leader-1, TCP 6379" -j ACCEPT
-A NSL-POL-IN-832CA83DF078 -m comment --comment "pod default/redis-follower-1 is isolated for ingress: the rest is dropped (DROP, silently, as Kubernetes describes; not REJECT)" -j DROP
# NSL-POL-IN-ECA4D3F390F6: ingress of pod default/redis-leader-1 (10.244.1.4, veth5bab68e8), isolated by default/redis-from-frontend
-A NSL-POL-IN-ECA4D3F390F6 -s 10.244.0.4/32 -p tcp -m tcp --dport 6379 -m comment --comment "policy default/redis-from-frontend ingress[0]: from[0] pod default/frontend-1, TCP 6379" -j ACCEPT
-A NSL-POL-IN-ECA4D3F390F6 -s 10.244.1.2/32 -p tcp -m tcp --dport 6379 -m comment --comment "policy default/redis-from-frontend ingress[0]: from[0] pod default/frontend-2, TCP 6379" -j ACCEPT
-A NSL-POL-IN-ECA4D3F390F6 -s 10.244.0.5/32 -p tcp -m tcp --dport 6379 -m comment --comment "policy default/redis-from-frontend ingress[0]: from[0] pod default/frontend-3, TCP 6379" -j ACCEPT
-A NSL-POL-IN-ECA4D3F390F6 -s 10.244.1.3/32 -p tcp -m tcp --dport 6379 -m comment --comment "policy default/redis-from-frontend ingress[0]: from[1] pod default/redis-follower-1, TCP 6379" -j ACCEPT
-A NSL-POL-IN-ECA4D3F390F6 -s 10.244.0.6/32 -p tcp -m tcp --dport 6379 -m comment --comment "policy default/redis-from-frontend ingress[0]: from[1] pod default/redis-follower-2, TCP 6379" -j ACCEPT
-A NSL-POL-IN-ECA4D3F390F6 -s 10.244.1.4/32 -p tcp -m tcp --dport 6379 -m comment --comment "policy default/redis-from-frontend ingress[0]: from[1] pod default/redis-leader-1, TCP 6379" -j ACCEPT
-A NSL-POL-IN-ECA4D3F390F6 -m comment --comment "pod default/redis-leader-1 is isolated for ingress: the rest is dropped (DROP, silently, as Kubernetes describes; not REJECT)" -j DROP
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
:KUBE-SVC-ENODL3HWJ5BZY56Q - [0:0]
:KUBE-SEP-M3ZDOHQFXRCQXX77 - [0:0]
:KUBE-SEP-L55D4HU5WG52JE42 - [0:0]
:KUBE-SEP-TR6KAOXVNXJWZNLP - [0:0]
:KUBE-EXT-JYHPZVX5A2WQXGC4 - [0:0]
:KUBE-SVC-JYHPZVX5A2WQXGC4 - [0:0]
:KUBE-SEP-MJE63VKOGPZZJFVL - [0:0]
:KUBE-SEP-HVSPORITXUBOEKEG - [0:0]
:KUBE-SEP-ERJQH7IYFBGVIVSA - [0:0]
:KUBE-SVC-YU5RV2YQWHLZ5XPR - [0:0]
:KUBE-SEP-PJP6OIEK2KNAKVLH - [0:0]
:KUBE-SEP-Y7QUPD3UQEPTZH5C - [0:0]
:KUBE-SVC-LRNEBRA3Z5YGJ4QC - [0:0]
:KUBE-SEP-SQJ7HA333FMXQQF6 - [0:0]
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
-A KUBE-SERVICES -m comment --comment "default/frontend cluster IP" -m tcp -p tcp -d 10.96.0.12 --dport 80 -j KUBE-SVC-ENODL3HWJ5BZY56Q
-A KUBE-SVC-ENODL3HWJ5BZY56Q -m comment --comment "default/frontend cluster IP" -m tcp -p tcp -d 10.96.0.12 --dport 80 ! -s 10.244.0.0/16 -j KUBE-MARK-MASQ
-A KUBE-SVC-ENODL3HWJ5BZY56Q -m comment --comment "default/frontend -> 10.244.0.4:80" -m statistic --mode random --probability 0.3333333333 -j KUBE-SEP-M3ZDOHQFXRCQXX77
-A KUBE-SVC-ENODL3HWJ5BZY56Q -m comment --comment "default/frontend -> 10.244.0.5:80" -m statistic --mode random --probability 0.5000000000 -j KUBE-SEP-L55D4HU5WG52JE42
-A KUBE-SVC-ENODL3HWJ5BZY56Q -m comment --comment "default/frontend -> 10.244.1.2:80" -j KUBE-SEP-TR6KAOXVNXJWZNLP
-A KUBE-SEP-M3ZDOHQFXRCQXX77 -m comment --comment default/frontend -s 10.244.0.4 -j KUBE-MARK-MASQ
-A KUBE-SEP-M3ZDOHQFXRCQXX77 -m comment --comment default/frontend -m tcp -p tcp -j DNAT --to-destination 10.244.0.4:80
-A KUBE-SEP-L55D4HU5WG52JE42 -m comment --comment default/frontend -s 10.244.0.5 -j KUBE-MARK-MASQ
-A KUBE-SEP-L55D4HU5WG52JE42 -m comment --comment default/frontend -m tcp -p tcp -j DNAT --to-destination 10.244.0.5:80
-A KUBE-SEP-TR6KAOXVNXJWZNLP -m comment --comment default/frontend -s 10.244.1.2 -j KUBE-MARK-MASQ
-A KUBE-SEP-TR6KAOXVNXJWZNLP -m comment --comment default/frontend -m tcp -p tcp -j DNAT --to-destination 10.244.1.2:80
-A KUBE-SERVICES -m comment --comment "default/frontend-nodeport cluster IP" -m tcp -p tcp -d 10.96.0.11 --dport 80 -j KUBE-SVC-JYHPZVX5A2WQXGC4
-A KUBE-NODEPORTS -m comment --comment default/frontend-nodeport -m tcp -p tcp --dport 30080 -j KUBE-EXT-JYHPZVX5A2WQXGC4
-A KUBE-SVC-JYHPZVX5A2WQXGC4 -m comment --comment "default/frontend-nodeport cluster IP" -m tcp -p tcp -d 10.96.0.11 --dport 80 ! -s 10.244.0.0/16 -j KUBE-MARK-MASQ
-A KUBE-EXT-JYHPZVX5A2WQXGC4 -m comment --comment "masquerade traffic for default/frontend-nodeport external destinations" -j KUBE-MARK-MASQ
-A KUBE-EXT-JYHPZVX5A2WQXGC4 -j KUBE-SVC-JYHPZVX5A2WQXGC4
-A KUBE-SVC-JYHPZVX5A2WQXGC4 -m comment --comment "default/frontend-nodeport -> 10.244.0.4:80" -m statistic --mode random --probability 0.3333333333 -j KUBE-SEP-MJE63VKOGPZZJFVL
-A KUBE-SVC-JYHPZVX5A2WQXGC4 -m comment --comment "default/frontend-nodeport -> 10.244.0.5:80" -m statistic --mode random --probability 0.5000000000 -j KUBE-SEP-HVSPORITXUBOEKEG
-A KUBE-SVC-JYHPZVX5A2WQXGC4 -m comment --comment "default/frontend-nodeport -> 10.244.1.2:80" -j KUBE-SEP-ERJQH7IYFBGVIVSA
-A KUBE-SEP-MJE63VKOGPZZJFVL -m comment --comment default/frontend-nodeport -s 10.244.0.4 -j KUBE-MARK-MASQ
-A KUBE-SEP-MJE63VKOGPZZJFVL -m comment --comment default/frontend-nodeport -m tcp -p tcp -j DNAT --to-destination 10.244.0.4:80
-A KUBE-SEP-HVSPORITXUBOEKEG -m comment --comment default/frontend-nodeport -s 10.244.0.5 -j KUBE-MARK-MASQ
-A KUBE-SEP-HVSPORITXUBOEKEG -m comment --comment default/frontend-nodeport -m tcp -p tcp -j DNAT --to-destination 10.244.0.5:80
-A KUBE-SEP-ERJQH7IYFBGVIVSA -m comment --comment default/frontend-nodeport -s 10.244.1.2 -j KUBE-MARK-MASQ
-A KUBE-SEP-ERJQH7IYFBGVIVSA -m comment --comment default/frontend-nodeport -m tcp -p tcp -j DNAT --to-destination 10.244.1.2:80
-A KUBE-SERVICES -m comment --comment "default/redis-follower cluster IP" -m tcp -p tcp -d 10.96.0.13 --dport 6379 -j KUBE-SVC-YU5RV2YQWHLZ5XPR
-A KUBE-SVC-YU5RV2YQWHLZ5XPR -m comment --comment "default/redis-follower cluster IP" -m tcp -p tcp -d 10.96.0.13 --dport 6379 ! -s 10.244.0.0/16 -j KUBE-MARK-MASQ
-A KUBE-SVC-YU5RV2YQWHLZ5XPR -m comment --comment "default/redis-follower -> 10.244.0.6:6379" -m statistic --mode random --probability 0.5000000000 -j KUBE-SEP-PJP6OIEK2KNAKVLH
-A KUBE-SVC-YU5RV2YQWHLZ5XPR -m comment --comment "default/redis-follower -> 10.244.1.3:6379" -j KUBE-SEP-Y7QUPD3UQEPTZH5C
-A KUBE-SEP-PJP6OIEK2KNAKVLH -m comment --comment default/redis-follower -s 10.244.0.6 -j KUBE-MARK-MASQ
-A KUBE-SEP-PJP6OIEK2KNAKVLH -m comment --comment default/redis-follower -m tcp -p tcp -j DNAT --to-destination 10.244.0.6:6379
-A KUBE-SEP-Y7QUPD3UQEPTZH5C -m comment --comment default/redis-follower -s 10.244.1.3 -j KUBE-MARK-MASQ
-A KUBE-SEP-Y7QUPD3UQEPTZH5C -m comment --comment default/redis-follower -m tcp -p tcp -j DNAT --to-destination 10.244.1.3:6379
-A KUBE-SERVICES -m comment --comment "default/redis-leader cluster IP" -m tcp -p tcp -d 10.96.0.14 --dport 6379 -j KUBE-SVC-LRNEBRA3Z5YGJ4QC
-A KUBE-SVC-LRNEBRA3Z5YGJ4QC -m comment --comment "default/redis-leader cluster IP" -m tcp -p tcp -d 10.96.0.14 --dport 6379 ! -s 10.244.0.0/16 -j KUBE-MARK-MASQ
-A KUBE-SVC-LRNEBRA3Z5YGJ4QC -m comment --comment "default/redis-leader -> 10.244.1.4:6379" -j KUBE-SEP-SQJ7HA333FMXQQF6
-A KUBE-SEP-SQJ7HA333FMXQQF6 -m comment --comment default/redis-leader -s 10.244.1.4 -j KUBE-MARK-MASQ
-A KUBE-SEP-SQJ7HA333FMXQQF6 -m comment --comment default/redis-leader -m tcp -p tcp -j DNAT --to-destination 10.244.1.4:6379
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
# from labs/k8s-guestbook/lab.yaml:20:3
mkdir -p /etc/netns/nsl.k8s-guestbook.coredns
cat >/etc/netns/nsl.k8s-guestbook.coredns/resolv.conf <<'EOF'
nameserver 10.96.0.10
search kube-system.svc.cluster.local svc.cluster.local cluster.local
options ndots:5
EOF
# pod client: resolv.conf (ip netns exec mounts it)
# from labs/k8s-guestbook/lab.yaml:27:5
mkdir -p /etc/netns/nsl.k8s-guestbook.client
cat >/etc/netns/nsl.k8s-guestbook.client/resolv.conf <<'EOF'
nameserver 10.96.0.10
search default.svc.cluster.local svc.cluster.local cluster.local
options ndots:5
EOF
# pod frontend-1: resolv.conf (ip netns exec mounts it)
# from labs/k8s-guestbook/manifests/frontend-deployment.yaml:2:7
mkdir -p /etc/netns/nsl.k8s-guestbook.frontend-1
cat >/etc/netns/nsl.k8s-guestbook.frontend-1/resolv.conf <<'EOF'
nameserver 10.96.0.10
search default.svc.cluster.local svc.cluster.local cluster.local
options ndots:5
EOF
# pod frontend-2: resolv.conf (ip netns exec mounts it)
# from labs/k8s-guestbook/manifests/frontend-deployment.yaml:2:7
mkdir -p /etc/netns/nsl.k8s-guestbook.frontend-2
cat >/etc/netns/nsl.k8s-guestbook.frontend-2/resolv.conf <<'EOF'
nameserver 10.96.0.10
search default.svc.cluster.local svc.cluster.local cluster.local
options ndots:5
EOF
# pod frontend-3: resolv.conf (ip netns exec mounts it)
# from labs/k8s-guestbook/manifests/frontend-deployment.yaml:2:7
mkdir -p /etc/netns/nsl.k8s-guestbook.frontend-3
cat >/etc/netns/nsl.k8s-guestbook.frontend-3/resolv.conf <<'EOF'
nameserver 10.96.0.10
search default.svc.cluster.local svc.cluster.local cluster.local
options ndots:5
EOF
# pod redis-follower-1: resolv.conf (ip netns exec mounts it)
# from labs/k8s-guestbook/manifests/redis-follower-deployment.yaml:2:7
mkdir -p /etc/netns/nsl.k8s-guestbook.redis-follower-1
cat >/etc/netns/nsl.k8s-guestbook.redis-follower-1/resolv.conf <<'EOF'
nameserver 10.96.0.10
search default.svc.cluster.local svc.cluster.local cluster.local
options ndots:5
EOF
# pod redis-follower-2: resolv.conf (ip netns exec mounts it)
# from labs/k8s-guestbook/manifests/redis-follower-deployment.yaml:2:7
mkdir -p /etc/netns/nsl.k8s-guestbook.redis-follower-2
cat >/etc/netns/nsl.k8s-guestbook.redis-follower-2/resolv.conf <<'EOF'
nameserver 10.96.0.10
search default.svc.cluster.local svc.cluster.local cluster.local
options ndots:5
EOF
# pod redis-leader-1: resolv.conf (ip netns exec mounts it)
# from labs/k8s-guestbook/manifests/redis-leader-deployment.yaml:3:7
mkdir -p /etc/netns/nsl.k8s-guestbook.redis-leader-1
cat >/etc/netns/nsl.k8s-guestbook.redis-leader-1/resolv.conf <<'EOF'
nameserver 10.96.0.10
search default.svc.cluster.local svc.cluster.local cluster.local
options ndots:5
EOF

# ── daemons: long-running processes (stopped by `lab down`)
# the cluster DNS: dnsmasq with the records of every service and pod
# from labs/k8s-guestbook/lab.yaml:19:1
mkdir -p /run/nslab/k8s-guestbook/logs
ip netns exec nsl.k8s-guestbook.coredns dnsmasq --keep-in-foreground --no-resolv --no-hosts --bind-interfaces --listen-address=10.244.0.2 --port=53 --log-facility=- --local=/cluster.local/ --host-record=frontend.default.svc.cluster.local,10.96.0.12 --host-record=frontend-nodeport.default.svc.cluster.local,10.96.0.11 --host-record=redis-follower.default.svc.cluster.local,10.96.0.13 --host-record=redis-leader.default.svc.cluster.local,10.96.0.14 --host-record=kube-dns.kube-system.svc.cluster.local,10.96.0.10 --srv-host=_dns._udp.kube-dns.kube-system.svc.cluster.local,kube-dns.kube-system.svc.cluster.local,53 --srv-host=_dns-tcp._tcp.kube-dns.kube-system.svc.cluster.local,kube-dns.kube-system.svc.cluster.local,53 --host-record=10-244-0-3.default.pod.cluster.local,10.244.0.3 --host-record=10-244-0-4.default.pod.cluster.local,10.244.0.4 --host-record=10-244-1-2.default.pod.cluster.local,10.244.1.2 --host-record=10-244-0-5.default.pod.cluster.local,10.244.0.5 --host-record=10-244-1-3.default.pod.cluster.local,10.244.1.3 --host-record=10-244-0-6.default.pod.cluster.local,10.244.0.6 --host-record=10-244-1-4.default.pod.cluster.local,10.244.1.4 --host-record=10-244-0-2.kube-system.pod.cluster.local,10.244.0.2 --pid-file --user=root >/run/nslab/k8s-guestbook/logs/coredns.dnsmasq.log 2>&1 &
# pod client: answers with its name and the client address on 80/tcp
# from labs/k8s-guestbook/lab.yaml:27:5
mkdir -p /run/nslab/k8s-guestbook/logs
ip netns exec nsl.k8s-guestbook.client lab agent whoami --name client --port 80 >/run/nslab/k8s-guestbook/logs/client.whoami.log 2>&1 &
# pod frontend-1: answers with its name and the client address on 80/tcp
# from labs/k8s-guestbook/manifests/frontend-deployment.yaml:2:7
mkdir -p /run/nslab/k8s-guestbook/logs
ip netns exec nsl.k8s-guestbook.frontend-1 lab agent whoami --name frontend-1 --port 80 >/run/nslab/k8s-guestbook/logs/frontend-1.whoami.log 2>&1 &
# pod frontend-2: answers with its name and the client address on 80/tcp
# from labs/k8s-guestbook/manifests/frontend-deployment.yaml:2:7
mkdir -p /run/nslab/k8s-guestbook/logs
ip netns exec nsl.k8s-guestbook.frontend-2 lab agent whoami --name frontend-2 --port 80 >/run/nslab/k8s-guestbook/logs/frontend-2.whoami.log 2>&1 &
# pod frontend-3: answers with its name and the client address on 80/tcp
# from labs/k8s-guestbook/manifests/frontend-deployment.yaml:2:7
mkdir -p /run/nslab/k8s-guestbook/logs
ip netns exec nsl.k8s-guestbook.frontend-3 lab agent whoami --name frontend-3 --port 80 >/run/nslab/k8s-guestbook/logs/frontend-3.whoami.log 2>&1 &
# pod redis-follower-1: answers with its name and the client address on 6379/tcp
# from labs/k8s-guestbook/manifests/redis-follower-deployment.yaml:2:7
mkdir -p /run/nslab/k8s-guestbook/logs
ip netns exec nsl.k8s-guestbook.redis-follower-1 lab agent whoami --name redis-follower-1 --port 6379 >/run/nslab/k8s-guestbook/logs/redis-follower-1.whoami.log 2>&1 &
# pod redis-follower-2: answers with its name and the client address on 6379/tcp
# from labs/k8s-guestbook/manifests/redis-follower-deployment.yaml:2:7
mkdir -p /run/nslab/k8s-guestbook/logs
ip netns exec nsl.k8s-guestbook.redis-follower-2 lab agent whoami --name redis-follower-2 --port 6379 >/run/nslab/k8s-guestbook/logs/redis-follower-2.whoami.log 2>&1 &
# pod redis-leader-1: answers with its name and the client address on 6379/tcp
# from labs/k8s-guestbook/manifests/redis-leader-deployment.yaml:3:7
mkdir -p /run/nslab/k8s-guestbook/logs
ip netns exec nsl.k8s-guestbook.redis-leader-1 lab agent whoami --name redis-leader-1 --port 6379 >/run/nslab/k8s-guestbook/logs/redis-leader-1.whoami.log 2>&1 &

# ── teardown (what `lab down` runs): stop every process inside the lab's namespaces (by PID), then
# delete the namespaces, which removes every link, bridge, address, route and rule inside them
# (commented out, so that running this script builds the lab and leaves it up)
#   ip -force -batch - <<'EOF'
#   netns del nsl.k8s-guestbook
#   netns del nsl.k8s-guestbook.visitor
#   netns del nsl.k8s-guestbook.node-1
#   netns del nsl.k8s-guestbook.node-2
#   netns del nsl.k8s-guestbook.coredns
#   netns del nsl.k8s-guestbook.client
#   netns del nsl.k8s-guestbook.frontend-1
#   netns del nsl.k8s-guestbook.frontend-2
#   netns del nsl.k8s-guestbook.frontend-3
#   netns del nsl.k8s-guestbook.redis-follower-1
#   netns del nsl.k8s-guestbook.redis-follower-2
#   netns del nsl.k8s-guestbook.redis-leader-1
#   EOF
