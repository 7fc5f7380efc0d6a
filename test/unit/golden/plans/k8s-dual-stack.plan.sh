#!/bin/sh
# nslab plan for lab "k8s-dual-stack" from labs/k8s-dual-stack/lab.yaml
# Run as root to build the lab by hand; these are exactly the commands `lab up` runs
# (it runs the blocks of one phase in parallel). Every line notes the lab-file place behind it.
# new namespaces start with net.ipv4.ip_forward=1, net.ipv6.conf.all.forwarding=0 (inherited from this host): only nodes that need other values get a sysctl
set -e

# ── namespaces: network namespaces (one per node, plus the lab fabric) and containers
ip -batch - <<'EOF'
# labs/k8s-dual-stack/lab.yaml:2:7 — the lab fabric: bridges that belong to no node
netns add nsl.k8s-dual-stack
# labs/k8s-dual-stack/lab.yaml:18:5 — node node-1
netns add nsl.k8s-dual-stack.node-1
# labs/k8s-dual-stack/lab.yaml:19:5 — node node-2
netns add nsl.k8s-dual-stack.node-2
# labs/k8s-dual-stack/lab.yaml:12:3 — node coredns
netns add nsl.k8s-dual-stack.coredns
# labs/k8s-dual-stack/lab.yaml:21:5 — node web-1
netns add nsl.k8s-dual-stack.web-1
# labs/k8s-dual-stack/lab.yaml:21:5 — node web-2
netns add nsl.k8s-dual-stack.web-2
# labs/k8s-dual-stack/lab.yaml:24:5 — node client
netns add nsl.k8s-dual-stack.client
# labs/k8s-dual-stack/lab.yaml:27:5 — node db
netns add nsl.k8s-dual-stack.db
EOF

# ── links: veth pairs created directly inside their namespaces
ip -batch - <<'EOF'
# labs/k8s-dual-stack/lab.yaml:18:13 — link node-1:eth0 <-> k8s-net
link add node-1-eth0 netns nsl.k8s-dual-stack index 1000 type veth peer name eth0 netns nsl.k8s-dual-stack.node-1
# labs/k8s-dual-stack/lab.yaml:19:13 — link node-2:eth0 <-> k8s-net
link add node-2-eth0 netns nsl.k8s-dual-stack index 1001 type veth peer name eth0 netns nsl.k8s-dual-stack.node-2
# labs/k8s-dual-stack/lab.yaml:12:3 — link coredns:eth0 <-> cni0@node-1
link add veth96971f43 netns nsl.k8s-dual-stack.node-1 index 1000 mtu 1450 type veth peer name eth0 netns nsl.k8s-dual-stack.coredns mtu 1450
# labs/k8s-dual-stack/lab.yaml:22:7 — link web-1:eth0 <-> cni0@node-1
link add veth0761ccbe netns nsl.k8s-dual-stack.node-1 index 1001 mtu 1450 type veth peer name eth0 netns nsl.k8s-dual-stack.web-1 mtu 1450
# labs/k8s-dual-stack/lab.yaml:22:7 — link web-2:eth0 <-> cni0@node-2
link add veth9fb0db7f netns nsl.k8s-dual-stack.node-2 index 1000 mtu 1450 type veth peer name eth0 netns nsl.k8s-dual-stack.web-2 mtu 1450
# labs/k8s-dual-stack/lab.yaml:25:7 — link client:eth0 <-> cni0@node-1
link add vetha7a3e029 netns nsl.k8s-dual-stack.node-1 index 1002 mtu 1450 type veth peer name eth0 netns nsl.k8s-dual-stack.client mtu 1450
# labs/k8s-dual-stack/lab.yaml:28:7 — link db:eth0 <-> cni0@node-2
link add vethe57ed5aa netns nsl.k8s-dual-stack.node-2 index 1001 mtu 1450 type veth peer name eth0 netns nsl.k8s-dual-stack.db mtu 1450
EOF

# ── configure: inside each namespace: sysctls, bridges, addresses, routes
# one batch file per namespace, run 4 at a time by xargs
mkdir -p /run/nslab/k8s-dual-stack/batch
cat >/run/nslab/k8s-dual-stack/batch/nsl.k8s-dual-stack.node-1.ip <<'EOF'
# labs/k8s-dual-stack/lab.yaml:18:5
link set lo up
# labs/k8s-dual-stack/lab.yaml:12:3 — bridge cni0 in node-1
link add cni0 type bridge
link set cni0 mtu 1450
# labs/k8s-dual-stack/lab.yaml:12:3 — VXLAN flannel.1: VNI 1 over eth0
link add flannel.1 address 0e:f8:6e:2c:96:6a mtu 1450 type vxlan id 1 local 192.168.56.11 dstport 8472 dev eth0 nolearning
# labs/k8s-dual-stack/lab.yaml:12:3 — VXLAN flannel-v6.1: VNI 1 over eth0
link add flannel-v6.1 address 0e:fb:ef:d8:d4:ef mtu 1430 type vxlan id 1 local fd00:56::b dstport 8472 dev eth0 nolearning
link set veth96971f43 master cni0
# labs/k8s-dual-stack/lab.yaml:22:7
link set veth0761ccbe master cni0
# labs/k8s-dual-stack/lab.yaml:25:7
link set vetha7a3e029 master cni0
# labs/k8s-dual-stack/lab.yaml:12:3 — hairpin mode: frames may leave by the port they came in on
link set veth96971f43 type bridge_slave hairpin on
# labs/k8s-dual-stack/lab.yaml:22:7 — hairpin mode: frames may leave by the port they came in on
link set veth0761ccbe type bridge_slave hairpin on
# labs/k8s-dual-stack/lab.yaml:25:7 — hairpin mode: frames may leave by the port they came in on
link set vetha7a3e029 type bridge_slave hairpin on
# labs/k8s-dual-stack/lab.yaml:18:13
addr add 192.168.56.11/24 dev eth0
addr add fd00:56::b/64 dev eth0 nodad
# labs/k8s-dual-stack/lab.yaml:12:3
addr add 10.244.0.0/32 dev flannel.1
addr add fd00:10:244::/128 dev flannel-v6.1 nodad
addr add 10.244.0.1/24 dev cni0
addr add fd00:10:244::1/64 dev cni0 nodad
# labs/k8s-dual-stack/lab.yaml:18:13
link set eth0 up
# labs/k8s-dual-stack/lab.yaml:12:3
link set flannel.1 up
link set flannel-v6.1 up
link set cni0 up
link set veth96971f43 up
# labs/k8s-dual-stack/lab.yaml:22:7
link set veth0761ccbe up
# labs/k8s-dual-stack/lab.yaml:25:7
link set vetha7a3e029 up
# labs/k8s-dual-stack/lab.yaml:12:8
route add 10.96.0.0/12 dev eth0
route add fd00:10:96::/112 dev eth0
route add 10.244.1.0/24 via 10.244.1.0 dev flannel.1 onlink
route add fd00:10:244:1::/64 via fd00:10:244:1:: dev flannel-v6.1 onlink
# labs/k8s-dual-stack/lab.yaml:12:3
neigh replace 10.244.1.0 lladdr 0e:68:37:d1:ef:05 dev flannel.1 nud permanent
neigh replace fd00:10:244:1:: lladdr 0e:90:05:f8:5c:38 dev flannel-v6.1 nud permanent
EOF
cat >/run/nslab/k8s-dual-stack/batch/nsl.k8s-dual-stack.node-2.ip <<'EOF'
# labs/k8s-dual-stack/lab.yaml:19:5
link set lo up
# labs/k8s-dual-stack/lab.yaml:12:3 — bridge cni0 in node-2
link add cni0 type bridge
link set cni0 mtu 1450
# labs/k8s-dual-stack/lab.yaml:12:3 — VXLAN flannel.1: VNI 1 over eth0
link add flannel.1 address 0e:68:37:d1:ef:05 mtu 1450 type vxlan id 1 local 192.168.56.12 dstport 8472 dev eth0 nolearning
# labs/k8s-dual-stack/lab.yaml:12:3 — VXLAN flannel-v6.1: VNI 1 over eth0
link add flannel-v6.1 address 0e:90:05:f8:5c:38 mtu 1430 type vxlan id 1 local fd00:56::c dstport 8472 dev eth0 nolearning
# labs/k8s-dual-stack/lab.yaml:22:7
link set veth9fb0db7f master cni0
# labs/k8s-dual-stack/lab.yaml:28:7
link set vethe57ed5aa master cni0
# labs/k8s-dual-stack/lab.yaml:22:7 — hairpin mode: frames may leave by the port they came in on
link set veth9fb0db7f type bridge_slave hairpin on
# labs/k8s-dual-stack/lab.yaml:28:7 — hairpin mode: frames may leave by the port they came in on
link set vethe57ed5aa type bridge_slave hairpin on
# labs/k8s-dual-stack/lab.yaml:19:13
addr add 192.168.56.12/24 dev eth0
addr add fd00:56::c/64 dev eth0 nodad
# labs/k8s-dual-stack/lab.yaml:12:3
addr add 10.244.1.0/32 dev flannel.1
addr add fd00:10:244:1::/128 dev flannel-v6.1 nodad
addr add 10.244.1.1/24 dev cni0
addr add fd00:10:244:1::1/64 dev cni0 nodad
# labs/k8s-dual-stack/lab.yaml:19:13
link set eth0 up
# labs/k8s-dual-stack/lab.yaml:12:3
link set flannel.1 up
link set flannel-v6.1 up
link set cni0 up
# labs/k8s-dual-stack/lab.yaml:22:7
link set veth9fb0db7f up
# labs/k8s-dual-stack/lab.yaml:28:7
link set vethe57ed5aa up
# labs/k8s-dual-stack/lab.yaml:12:8
route add 10.96.0.0/12 dev eth0
route add fd00:10:96::/112 dev eth0
route add 10.244.0.0/24 via 10.244.0.0 dev flannel.1 onlink
route add fd00:10:244::/64 via fd00:10:244:: dev flannel-v6.1 onlink
# labs/k8s-dual-stack/lab.yaml:12:3
neigh replace 10.244.0.0 lladdr 0e:f8:6e:2c:96:6a dev flannel.1 nud permanent
neigh replace fd00:10:244:: lladdr 0e:fb:ef:d8:d4:ef dev flannel-v6.1 nud permanent
EOF
cat >/run/nslab/k8s-dual-stack/batch/nsl.k8s-dual-stack.coredns.ip <<'EOF'
# labs/k8s-dual-stack/lab.yaml:12:3
link set lo up
addr add 10.244.0.2/24 dev eth0
addr add fd00:10:244::2/64 dev eth0 nodad
link set eth0 up
route add default via 10.244.0.1
route add ::/0 via fd00:10:244::1
EOF
cat >/run/nslab/k8s-dual-stack/batch/nsl.k8s-dual-stack.web-1.ip <<'EOF'
# labs/k8s-dual-stack/lab.yaml:21:5
link set lo up
# labs/k8s-dual-stack/lab.yaml:22:7
addr add 10.244.0.3/24 dev eth0
addr add fd00:10:244::3/64 dev eth0 nodad
link set eth0 up
route add default via 10.244.0.1
route add ::/0 via fd00:10:244::1
EOF
cat >/run/nslab/k8s-dual-stack/batch/nsl.k8s-dual-stack.web-2.ip <<'EOF'
# labs/k8s-dual-stack/lab.yaml:21:5
link set lo up
# labs/k8s-dual-stack/lab.yaml:22:7
addr add 10.244.1.2/24 dev eth0
addr add fd00:10:244:1::2/64 dev eth0 nodad
link set eth0 up
route add default via 10.244.1.1
route add ::/0 via fd00:10:244:1::1
EOF
cat >/run/nslab/k8s-dual-stack/batch/nsl.k8s-dual-stack.client.ip <<'EOF'
# labs/k8s-dual-stack/lab.yaml:24:5
link set lo up
# labs/k8s-dual-stack/lab.yaml:25:7
addr add 10.244.0.4/24 dev eth0
addr add fd00:10:244::4/64 dev eth0 nodad
link set eth0 up
route add default via 10.244.0.1
route add ::/0 via fd00:10:244::1
EOF
cat >/run/nslab/k8s-dual-stack/batch/nsl.k8s-dual-stack.db.ip <<'EOF'
# labs/k8s-dual-stack/lab.yaml:27:5
link set lo up
# labs/k8s-dual-stack/lab.yaml:28:7
addr add 10.244.1.3/24 dev eth0
addr add fd00:10:244:1::3/64 dev eth0 nodad
link set eth0 up
route add default via 10.244.1.1
route add ::/0 via fd00:10:244:1::1
EOF
cat >/run/nslab/k8s-dual-stack/batch/nsl.k8s-dual-stack.ip <<'EOF'
# labs/k8s-dual-stack/lab.yaml:2:7
link set lo up
# labs/k8s-dual-stack/lab.yaml:16:3 — bridge k8s-net
link add k8s-net type bridge
# labs/k8s-dual-stack/lab.yaml:18:13
link set node-1-eth0 master k8s-net
# labs/k8s-dual-stack/lab.yaml:19:13
link set node-2-eth0 master k8s-net
# labs/k8s-dual-stack/lab.yaml:16:3
link set k8s-net up
# labs/k8s-dual-stack/lab.yaml:18:13
link set node-1-eth0 up
# labs/k8s-dual-stack/lab.yaml:19:13
link set node-2-eth0 up
EOF
xargs -P 4 -L 1 nsenter <<'EOF'
--net=/run/netns/nsl.k8s-dual-stack.node-1 sysctl -qw net.ipv6.conf.all.forwarding=1 net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0 net.ipv6.conf.eth0.accept_dad=0
--net=/run/netns/nsl.k8s-dual-stack.node-1 ip -batch /run/nslab/k8s-dual-stack/batch/nsl.k8s-dual-stack.node-1.ip
--net=/run/netns/nsl.k8s-dual-stack.node-2 sysctl -qw net.ipv6.conf.all.forwarding=1 net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0 net.ipv6.conf.eth0.accept_dad=0
--net=/run/netns/nsl.k8s-dual-stack.node-2 ip -batch /run/nslab/k8s-dual-stack/batch/nsl.k8s-dual-stack.node-2.ip
--net=/run/netns/nsl.k8s-dual-stack.coredns sysctl -qw net.ipv4.ip_forward=0 net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0 net.ipv6.conf.eth0.accept_dad=0
--net=/run/netns/nsl.k8s-dual-stack.coredns ip -batch /run/nslab/k8s-dual-stack/batch/nsl.k8s-dual-stack.coredns.ip
--net=/run/netns/nsl.k8s-dual-stack.web-1 sysctl -qw net.ipv4.ip_forward=0 net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0 net.ipv6.conf.eth0.accept_dad=0
--net=/run/netns/nsl.k8s-dual-stack.web-1 ip -batch /run/nslab/k8s-dual-stack/batch/nsl.k8s-dual-stack.web-1.ip
--net=/run/netns/nsl.k8s-dual-stack.web-2 sysctl -qw net.ipv4.ip_forward=0 net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0 net.ipv6.conf.eth0.accept_dad=0
--net=/run/netns/nsl.k8s-dual-stack.web-2 ip -batch /run/nslab/k8s-dual-stack/batch/nsl.k8s-dual-stack.web-2.ip
--net=/run/netns/nsl.k8s-dual-stack.client sysctl -qw net.ipv4.ip_forward=0 net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0 net.ipv6.conf.eth0.accept_dad=0
--net=/run/netns/nsl.k8s-dual-stack.client ip -batch /run/nslab/k8s-dual-stack/batch/nsl.k8s-dual-stack.client.ip
--net=/run/netns/nsl.k8s-dual-stack.db sysctl -qw net.ipv4.ip_forward=0 net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0 net.ipv6.conf.eth0.accept_dad=0
--net=/run/netns/nsl.k8s-dual-stack.db ip -batch /run/nslab/k8s-dual-stack/batch/nsl.k8s-dual-stack.db.ip
--net=/run/netns/nsl.k8s-dual-stack ip -batch /run/nslab/k8s-dual-stack/batch/nsl.k8s-dual-stack.ip
EOF

# ── fdb: forwarding-database entries of VXLAN endpoints (`bridge fdb`)
# one batch file per namespace, run 4 at a time by xargs
mkdir -p /run/nslab/k8s-dual-stack/batch
cat >/run/nslab/k8s-dual-stack/batch/nsl.k8s-dual-stack.node-1.bridge <<'EOF'
# labs/k8s-dual-stack/lab.yaml:12:3
fdb append 0e:68:37:d1:ef:05 dev flannel.1 dst 192.168.56.12 self permanent
fdb append 0e:90:05:f8:5c:38 dev flannel-v6.1 dst fd00:56::c self permanent
EOF
cat >/run/nslab/k8s-dual-stack/batch/nsl.k8s-dual-stack.node-2.bridge <<'EOF'
# labs/k8s-dual-stack/lab.yaml:12:3
fdb append 0e:f8:6e:2c:96:6a dev flannel.1 dst 192.168.56.11 self permanent
fdb append 0e:fb:ef:d8:d4:ef dev flannel-v6.1 dst fd00:56::b self permanent
EOF
xargs -P 4 -L 1 nsenter <<'EOF'
--net=/run/netns/nsl.k8s-dual-stack.node-1 bridge -batch /run/nslab/k8s-dual-stack/batch/nsl.k8s-dual-stack.node-1.bridge
--net=/run/netns/nsl.k8s-dual-stack.node-2 bridge -batch /run/nslab/k8s-dual-stack/batch/nsl.k8s-dual-stack.node-2.bridge
EOF

# ── settle: wait until every bridge port forwards (the kernel applies link changes asynchronously)
# wait until every bridge port forwards
# from labs/k8s-dual-stack/lab.yaml:16:3
# repeated until no port is "state disabled", for at most 10 s
while nsenter --net=/run/netns/nsl.k8s-dual-stack bridge link show | grep -q 'state disabled'; do sleep 0.01; done
# wait until every bridge port forwards
# from labs/k8s-dual-stack/lab.yaml:12:3
# repeated until no port is "state disabled", for at most 10 s
while nsenter --net=/run/netns/nsl.k8s-dual-stack.node-1 bridge link show | grep -q 'state disabled'; do sleep 0.01; done
# wait until every bridge port forwards
# from labs/k8s-dual-stack/lab.yaml:12:3
# repeated until no port is "state disabled", for at most 10 s
while nsenter --net=/run/netns/nsl.k8s-dual-stack.node-2 bridge link show | grep -q 'state disabled'; do sleep 0.01; done

# ── firewall: NAT and firewall rule sets
# node node-1: kube-proxy (iptables mode) and NetworkPolicy
ip netns exec nsl.k8s-dual-stack.node-1 iptables-restore --noflush <<'EOF'
# kube-proxy (iptables mode) rules for node node-1, written by nslab; load with iptables-restore
# nslab NetworkPolicy rules for node node-1: iptables-restore input, filter table (Kubernetes semantics; see runner/cluster/policy.ts).
# FORWARD -> NSL-POLICY: replies (conntrack ESTABLISHED,RELATED) are accepted first; then the source pod egress chain
# NSL-POL-OUT-<hash> (allowed -> NSL-POL-EGRESS-OK, else DROP); then NSL-POL-INGRESS picks the destination pod ingress chain
# NSL-POL-IN-<hash> (allowed -> ACCEPT, else DROP). A pod selected by no policy of a type gets no chain for it: not isolated.
# Pods are told by their host-side veth: -i/-o when routed, -m physdev when on a bridge (bridged traffic reaches iptables only
# with br_netfilter, net.bridge.bridge-nf-call-iptables=1); traffic routed onto a pod bridge is told by the pod address.
# Node-originated traffic (kubelet health checks) leaves by OUTPUT, which is not hooked: the node reaches all its pods, as
# Kubernetes CNIs allow. Pod -> node goes to INPUT: not filtered either. Peers are pod IPs resolved now (the lab is static).
# pod default/client 10.244.0.4 (vetha7a3e029): ingress not isolated; egress not isolated
# pod default/web-1 10.244.0.3 (veth0761ccbe): ingress not isolated; egress not isolated
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
:KUBE-SVC-LOLE4ISW44XBNF3G - [0:0]
:KUBE-SEP-VPJCWIHGOZWNRC6B - [0:0]
:KUBE-SEP-MQ4W7Q2CV67URU6Q - [0:0]
:KUBE-EXT-4UDSYVHJNXWHWIRT - [0:0]
:KUBE-SVC-4UDSYVHJNXWHWIRT - [0:0]
:KUBE-SEP-DOXUQZ66TTB3RRZ7 - [0:0]
:KUBE-SEP-BPS63RB7JJCK4AZK - [0:0]
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
-A KUBE-SERVICES -m comment --comment "default/web cluster IP" -m tcp -p tcp -d 10.96.0.11 --dport 80 -j KUBE-SVC-LOLE4ISW44XBNF3G
-A KUBE-SVC-LOLE4ISW44XBNF3G -m comment --comment "default/web cluster IP" -m tcp -p tcp -d 10.96.0.11 --dport 80 ! -s 10.244.0.0/16 -j KUBE-MARK-MASQ
-A KUBE-SVC-LOLE4ISW44XBNF3G -m comment --comment "default/web -> 10.244.0.3:80" -m statistic --mode random --probability 0.5000000000 -j KUBE-SEP-VPJCWIHGOZWNRC6B
-A KUBE-SVC-LOLE4ISW44XBNF3G -m comment --comment "default/web -> 10.244.1.2:80" -j KUBE-SEP-MQ4W7Q2CV67URU6Q
-A KUBE-SEP-VPJCWIHGOZWNRC6B -m comment --comment default/web -s 10.244.0.3 -j KUBE-MARK-MASQ
-A KUBE-SEP-VPJCWIHGOZWNRC6B -m comment --comment default/web -m tcp -p tcp -j DNAT --to-destination 10.244.0.3:80
-A KUBE-SEP-MQ4W7Q2CV67URU6Q -m comment --comment default/web -s 10.244.1.2 -j KUBE-MARK-MASQ
-A KUBE-SEP-MQ4W7Q2CV67URU6Q -m comment --comment default/web -m tcp -p tcp -j DNAT --to-destination 10.244.1.2:80
-A KUBE-SERVICES -m comment --comment "default/web-np cluster IP" -m tcp -p tcp -d 10.96.0.12 --dport 80 -j KUBE-SVC-4UDSYVHJNXWHWIRT
-A KUBE-NODEPORTS -m comment --comment default/web-np -m tcp -p tcp --dport 30080 -j KUBE-EXT-4UDSYVHJNXWHWIRT
-A KUBE-SVC-4UDSYVHJNXWHWIRT -m comment --comment "default/web-np cluster IP" -m tcp -p tcp -d 10.96.0.12 --dport 80 ! -s 10.244.0.0/16 -j KUBE-MARK-MASQ
-A KUBE-EXT-4UDSYVHJNXWHWIRT -m comment --comment "masquerade traffic for default/web-np external destinations" -j KUBE-MARK-MASQ
-A KUBE-EXT-4UDSYVHJNXWHWIRT -j KUBE-SVC-4UDSYVHJNXWHWIRT
-A KUBE-SVC-4UDSYVHJNXWHWIRT -m comment --comment "default/web-np -> 10.244.0.3:80" -m statistic --mode random --probability 0.5000000000 -j KUBE-SEP-DOXUQZ66TTB3RRZ7
-A KUBE-SVC-4UDSYVHJNXWHWIRT -m comment --comment "default/web-np -> 10.244.1.2:80" -j KUBE-SEP-BPS63RB7JJCK4AZK
-A KUBE-SEP-DOXUQZ66TTB3RRZ7 -m comment --comment default/web-np -s 10.244.0.3 -j KUBE-MARK-MASQ
-A KUBE-SEP-DOXUQZ66TTB3RRZ7 -m comment --comment default/web-np -m tcp -p tcp -j DNAT --to-destination 10.244.0.3:80
-A KUBE-SEP-BPS63RB7JJCK4AZK -m comment --comment default/web-np -s 10.244.1.2 -j KUBE-MARK-MASQ
-A KUBE-SEP-BPS63RB7JJCK4AZK -m comment --comment default/web-np -m tcp -p tcp -j DNAT --to-destination 10.244.1.2:80
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
# node node-1: kube-proxy (iptables mode, IPv6), NetworkPolicy (IPv6)
ip netns exec nsl.k8s-dual-stack.node-1 ip6tables-restore --noflush <<'EOF'
# kube-proxy (iptables mode, IPv6) rules for node node-1, written by nslab; load with ip6tables-restore
# nslab NetworkPolicy rules for node node-1, IPv6: ip6tables-restore input, filter table (Kubernetes semantics; see runner/cluster/policy.ts).
# FORWARD -> NSL-POLICY: replies (conntrack ESTABLISHED,RELATED) are accepted first; then the source pod egress chain
# NSL-POL-OUT-<hash> (allowed -> NSL-POL-EGRESS-OK, else DROP); then NSL-POL-INGRESS picks the destination pod ingress chain
# NSL-POL-IN-<hash> (allowed -> ACCEPT, else DROP). A pod selected by no policy of a type gets no chain for it: not isolated.
# Pods are told by their host-side veth: -i/-o when routed, -m physdev when on a bridge (bridged traffic reaches iptables only
# with br_netfilter, net.bridge.bridge-nf-call-ip6tables=1); traffic routed onto a pod bridge is told by the pod address.
# Node-originated traffic (kubelet health checks) leaves by OUTPUT, which is not hooked: the node reaches all its pods, as
# Kubernetes CNIs allow. Pod -> node goes to INPUT: not filtered either. Peers are pod IPs resolved now (the lab is static).
# pod default/client fd00:10:244::4 (vetha7a3e029): ingress not isolated; egress not isolated
# pod default/web-1 fd00:10:244::3 (veth0761ccbe): ingress not isolated; egress not isolated
# pod kube-system/coredns fd00:10:244::2 (veth96971f43): ingress not isolated; egress not isolated
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
-A NSL-POLICY -p ipv6-icmp -m icmp6 --icmpv6-type router-solicitation -m comment --comment "IPv6 neighbour discovery (router-solicitation) passes, as ARP does in IPv4" -j ACCEPT
-A NSL-POLICY -p ipv6-icmp -m icmp6 --icmpv6-type router-advertisement -m comment --comment "IPv6 neighbour discovery (router-advertisement) passes, as ARP does in IPv4" -j ACCEPT
-A NSL-POLICY -p ipv6-icmp -m icmp6 --icmpv6-type neighbour-solicitation -m comment --comment "IPv6 neighbour discovery (neighbour-solicitation) passes, as ARP does in IPv4" -j ACCEPT
-A NSL-POLICY -p ipv6-icmp -m icmp6 --icmpv6-type neighbour-advertisement -m comment --comment "IPv6 neighbour discovery (neighbour-advertisement) passes, as ARP does in IPv4" -j ACCEPT
-A NSL-POLICY -m comment --comment "source not isolated for egress: on to the destination pod ingress policy" -j NSL-POL-INGRESS
-A NSL-POL-EGRESS-OK -m comment --comment "egress allowed: the destination pod ingress policy, if any, decides" -j NSL-POL-INGRESS
-A NSL-POL-EGRESS-OK -m comment --comment "egress allowed and the destination is not isolated for ingress here" -j ACCEPT
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
:KUBE-SVC-LOLE4ISW44XBNF3G - [0:0]
:KUBE-SEP-5NWBG24J2NY6KEB3 - [0:0]
:KUBE-SEP-JAXTTXDKZRGTABNB - [0:0]
:KUBE-EXT-4UDSYVHJNXWHWIRT - [0:0]
:KUBE-SVC-4UDSYVHJNXWHWIRT - [0:0]
:KUBE-SEP-VFKPZLQE24O55IGA - [0:0]
:KUBE-SEP-PQTZ42HFI5ITWWDV - [0:0]
:KUBE-SVC-REFUDCWCAEIDTV2E - [0:0]
:KUBE-SEP-NDNJNAHYTUIEBLEP - [0:0]
:KUBE-SEP-CB6KAASSCMBQO7YH - [0:0]
:KUBE-SVC-TCOU7JCQXEZGVUNU - [0:0]
:KUBE-SEP-2RL23PDDHWGDTTIH - [0:0]
:KUBE-SVC-ERIFXISQEP7F7OF4 - [0:0]
:KUBE-SEP-WOUZYQTTW3D2BKWR - [0:0]
-A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
-A OUTPUT -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
-A POSTROUTING -m comment --comment "kubernetes postrouting rules" -j KUBE-POSTROUTING
-A KUBE-POSTROUTING -m mark ! --mark 0x4000/0x4000 -j RETURN
-A KUBE-POSTROUTING -j MARK --xor-mark 0x4000
-A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE --random-fully
-A KUBE-MARK-MASQ -j MARK --or-mark 0x4000
-A KUBE-SERVICES -m comment --comment "default/web cluster IP" -m tcp -p tcp -d fd00:10:96::b --dport 80 -j KUBE-SVC-LOLE4ISW44XBNF3G
-A KUBE-SVC-LOLE4ISW44XBNF3G -m comment --comment "default/web cluster IP" -m tcp -p tcp -d fd00:10:96::b --dport 80 ! -s fd00:10:244::/56 -j KUBE-MARK-MASQ
-A KUBE-SVC-LOLE4ISW44XBNF3G -m comment --comment "default/web -> [fd00:10:244:1::2]:80" -m statistic --mode random --probability 0.5000000000 -j KUBE-SEP-5NWBG24J2NY6KEB3
-A KUBE-SVC-LOLE4ISW44XBNF3G -m comment --comment "default/web -> [fd00:10:244::3]:80" -j KUBE-SEP-JAXTTXDKZRGTABNB
-A KUBE-SEP-5NWBG24J2NY6KEB3 -m comment --comment default/web -s fd00:10:244:1::2 -j KUBE-MARK-MASQ
-A KUBE-SEP-5NWBG24J2NY6KEB3 -m comment --comment default/web -m tcp -p tcp -j DNAT --to-destination [fd00:10:244:1::2]:80
-A KUBE-SEP-JAXTTXDKZRGTABNB -m comment --comment default/web -s fd00:10:244::3 -j KUBE-MARK-MASQ
-A KUBE-SEP-JAXTTXDKZRGTABNB -m comment --comment default/web -m tcp -p tcp -j DNAT --to-destination [fd00:10:244::3]:80
-A KUBE-SERVICES -m comment --comment "default/web-np cluster IP" -m tcp -p tcp -d fd00:10:96::d --dport 80 -j KUBE-SVC-4UDSYVHJNXWHWIRT
-A KUBE-NODEPORTS -m comment --comment default/web-np -m tcp -p tcp --dport 30080 -j KUBE-EXT-4UDSYVHJNXWHWIRT
-A KUBE-SVC-4UDSYVHJNXWHWIRT -m comment --comment "default/web-np cluster IP" -m tcp -p tcp -d fd00:10:96::d --dport 80 ! -s fd00:10:244::/56 -j KUBE-MARK-MASQ
-A KUBE-EXT-4UDSYVHJNXWHWIRT -m comment --comment "masquerade traffic for default/web-np external destinations" -j KUBE-MARK-MASQ
-A KUBE-EXT-4UDSYVHJNXWHWIRT -j KUBE-SVC-4UDSYVHJNXWHWIRT
-A KUBE-SVC-4UDSYVHJNXWHWIRT -m comment --comment "default/web-np -> [fd00:10:244:1::2]:80" -m statistic --mode random --probability 0.5000000000 -j KUBE-SEP-VFKPZLQE24O55IGA
-A KUBE-SVC-4UDSYVHJNXWHWIRT -m comment --comment "default/web-np -> [fd00:10:244::3]:80" -j KUBE-SEP-PQTZ42HFI5ITWWDV
-A KUBE-SEP-VFKPZLQE24O55IGA -m comment --comment default/web-np -s fd00:10:244:1::2 -j KUBE-MARK-MASQ
-A KUBE-SEP-VFKPZLQE24O55IGA -m comment --comment default/web-np -m tcp -p tcp -j DNAT --to-destination [fd00:10:244:1::2]:80
-A KUBE-SEP-PQTZ42HFI5ITWWDV -m comment --comment default/web-np -s fd00:10:244::3 -j KUBE-MARK-MASQ
-A KUBE-SEP-PQTZ42HFI5ITWWDV -m comment --comment default/web-np -m tcp -p tcp -j DNAT --to-destination [fd00:10:244::3]:80
-A KUBE-SERVICES -m comment --comment "default/web6 cluster IP" -m tcp -p tcp -d fd00:10:96::c --dport 80 -j KUBE-SVC-REFUDCWCAEIDTV2E
-A KUBE-SVC-REFUDCWCAEIDTV2E -m comment --comment "default/web6 cluster IP" -m tcp -p tcp -d fd00:10:96::c --dport 80 ! -s fd00:10:244::/56 -j KUBE-MARK-MASQ
-A KUBE-SVC-REFUDCWCAEIDTV2E -m comment --comment "default/web6 -> [fd00:10:244:1::2]:80" -m statistic --mode random --probability 0.5000000000 -j KUBE-SEP-NDNJNAHYTUIEBLEP
-A KUBE-SVC-REFUDCWCAEIDTV2E -m comment --comment "default/web6 -> [fd00:10:244::3]:80" -j KUBE-SEP-CB6KAASSCMBQO7YH
-A KUBE-SEP-NDNJNAHYTUIEBLEP -m comment --comment default/web6 -s fd00:10:244:1::2 -j KUBE-MARK-MASQ
-A KUBE-SEP-NDNJNAHYTUIEBLEP -m comment --comment default/web6 -m tcp -p tcp -j DNAT --to-destination [fd00:10:244:1::2]:80
-A KUBE-SEP-CB6KAASSCMBQO7YH -m comment --comment default/web6 -s fd00:10:244::3 -j KUBE-MARK-MASQ
-A KUBE-SEP-CB6KAASSCMBQO7YH -m comment --comment default/web6 -m tcp -p tcp -j DNAT --to-destination [fd00:10:244::3]:80
-A KUBE-SERVICES -m comment --comment "kube-system/kube-dns:dns cluster IP" -m udp -p udp -d fd00:10:96::a --dport 53 -j KUBE-SVC-TCOU7JCQXEZGVUNU
-A KUBE-SVC-TCOU7JCQXEZGVUNU -m comment --comment "kube-system/kube-dns:dns cluster IP" -m udp -p udp -d fd00:10:96::a --dport 53 ! -s fd00:10:244::/56 -j KUBE-MARK-MASQ
-A KUBE-SVC-TCOU7JCQXEZGVUNU -m comment --comment "kube-system/kube-dns:dns -> [fd00:10:244::2]:53" -j KUBE-SEP-2RL23PDDHWGDTTIH
-A KUBE-SEP-2RL23PDDHWGDTTIH -m comment --comment kube-system/kube-dns:dns -s fd00:10:244::2 -j KUBE-MARK-MASQ
-A KUBE-SEP-2RL23PDDHWGDTTIH -m comment --comment kube-system/kube-dns:dns -m udp -p udp -j DNAT --to-destination [fd00:10:244::2]:53
-A KUBE-SERVICES -m comment --comment "kube-system/kube-dns:dns-tcp cluster IP" -m tcp -p tcp -d fd00:10:96::a --dport 53 -j KUBE-SVC-ERIFXISQEP7F7OF4
-A KUBE-SVC-ERIFXISQEP7F7OF4 -m comment --comment "kube-system/kube-dns:dns-tcp cluster IP" -m tcp -p tcp -d fd00:10:96::a --dport 53 ! -s fd00:10:244::/56 -j KUBE-MARK-MASQ
-A KUBE-SVC-ERIFXISQEP7F7OF4 -m comment --comment "kube-system/kube-dns:dns-tcp -> [fd00:10:244::2]:53" -j KUBE-SEP-WOUZYQTTW3D2BKWR
-A KUBE-SEP-WOUZYQTTW3D2BKWR -m comment --comment kube-system/kube-dns:dns-tcp -s fd00:10:244::2 -j KUBE-MARK-MASQ
-A KUBE-SEP-WOUZYQTTW3D2BKWR -m comment --comment kube-system/kube-dns:dns-tcp -m tcp -p tcp -j DNAT --to-destination [fd00:10:244::2]:53
-A KUBE-SERVICES -m comment --comment "kubernetes service nodeports; NOTE: this must be the last rule in this chain" -m addrtype --dst-type LOCAL ! -d ::1/128 -j KUBE-NODEPORTS
COMMIT
EOF
# node node-2: kube-proxy (iptables mode) and NetworkPolicy
ip netns exec nsl.k8s-dual-stack.node-2 iptables-restore --noflush <<'EOF'
# kube-proxy (iptables mode) rules for node node-2, written by nslab; load with iptables-restore
# nslab NetworkPolicy rules for node node-2: iptables-restore input, filter table (Kubernetes semantics; see runner/cluster/policy.ts).
# FORWARD -> NSL-POLICY: replies (conntrack ESTABLISHED,RELATED) are accepted first; then the source pod egress chain
# NSL-POL-OUT-<hash> (allowed -> NSL-POL-EGRESS-OK, else DROP); then NSL-POL-INGRESS picks the destination pod ingress chain
# NSL-POL-IN-<hash> (allowed -> ACCEPT, else DROP). A pod selected by no policy of a type gets no chain for it: not isolated.
# Pods are told by their host-side veth: -i/-o when routed, -m physdev when on a bridge (bridged traffic reaches iptables only
# with br_netfilter, net.bridge.bridge-nf-call-iptables=1); traffic routed onto a pod bridge is told by the pod address.
# Node-originated traffic (kubelet health checks) leaves by OUTPUT, which is not hooked: the node reaches all its pods, as
# Kubernetes CNIs allow. Pod -> node goes to INPUT: not filtered either. Peers are pod IPs resolved now (the lab is static).
# pod default/db 10.244.1.3 (vethe57ed5aa): ingress isolated by default/db-from-node-1-pods; egress not isolated
# pod default/web-2 10.244.1.2 (veth9fb0db7f): ingress not isolated; egress not isolated
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
:NSL-POL-IN-E8853F44E6E3 - [0:0]
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
-A NSL-POL-INGRESS -o vethe57ed5aa -m comment --comment "to pod default/db: routed to its veth" -j NSL-POL-IN-E8853F44E6E3
-A NSL-POL-INGRESS -m physdev --physdev-out vethe57ed5aa --physdev-is-bridged -m comment --comment "to pod default/db: bridged to its port (needs br_netfilter: bridge-nf-call-iptables=1)" -j NSL-POL-IN-E8853F44E6E3
-A NSL-POL-INGRESS -d 10.244.1.3/32 -m physdev ! --physdev-is-bridged -m comment --comment "to pod default/db: routed onto its bridge (the out port is not known in FORWARD, so by address)" -j NSL-POL-IN-E8853F44E6E3
# NSL-POL-IN-E8853F44E6E3: ingress of pod default/db (10.244.1.3, vethe57ed5aa), isolated by default/db-from-node-1-pods
# policy default/db-from-node-1-pods ingress[0] from[0]: ipBlock fd00:10:244::/64 is IPv6: not in these IPv4 rules
# policy default/db-from-node-1-pods ingress[0]: allows nothing here
-A NSL-POL-IN-E8853F44E6E3 -m comment --comment "pod default/db is isolated for ingress: the rest is dropped (DROP, silently, as Kubernetes describes; not REJECT)" -j DROP
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
:KUBE-SVC-LOLE4ISW44XBNF3G - [0:0]
:KUBE-SEP-VPJCWIHGOZWNRC6B - [0:0]
:KUBE-SEP-MQ4W7Q2CV67URU6Q - [0:0]
:KUBE-EXT-4UDSYVHJNXWHWIRT - [0:0]
:KUBE-SVC-4UDSYVHJNXWHWIRT - [0:0]
:KUBE-SEP-DOXUQZ66TTB3RRZ7 - [0:0]
:KUBE-SEP-BPS63RB7JJCK4AZK - [0:0]
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
-A KUBE-SERVICES -m comment --comment "default/web cluster IP" -m tcp -p tcp -d 10.96.0.11 --dport 80 -j KUBE-SVC-LOLE4ISW44XBNF3G
-A KUBE-SVC-LOLE4ISW44XBNF3G -m comment --comment "default/web cluster IP" -m tcp -p tcp -d 10.96.0.11 --dport 80 ! -s 10.244.0.0/16 -j KUBE-MARK-MASQ
-A KUBE-SVC-LOLE4ISW44XBNF3G -m comment --comment "default/web -> 10.244.0.3:80" -m statistic --mode random --probability 0.5000000000 -j KUBE-SEP-VPJCWIHGOZWNRC6B
-A KUBE-SVC-LOLE4ISW44XBNF3G -m comment --comment "default/web -> 10.244.1.2:80" -j KUBE-SEP-MQ4W7Q2CV67URU6Q
-A KUBE-SEP-VPJCWIHGOZWNRC6B -m comment --comment default/web -s 10.244.0.3 -j KUBE-MARK-MASQ
-A KUBE-SEP-VPJCWIHGOZWNRC6B -m comment --comment default/web -m tcp -p tcp -j DNAT --to-destination 10.244.0.3:80
-A KUBE-SEP-MQ4W7Q2CV67URU6Q -m comment --comment default/web -s 10.244.1.2 -j KUBE-MARK-MASQ
-A KUBE-SEP-MQ4W7Q2CV67URU6Q -m comment --comment default/web -m tcp -p tcp -j DNAT --to-destination 10.244.1.2:80
-A KUBE-SERVICES -m comment --comment "default/web-np cluster IP" -m tcp -p tcp -d 10.96.0.12 --dport 80 -j KUBE-SVC-4UDSYVHJNXWHWIRT
-A KUBE-NODEPORTS -m comment --comment default/web-np -m tcp -p tcp --dport 30080 -j KUBE-EXT-4UDSYVHJNXWHWIRT
-A KUBE-SVC-4UDSYVHJNXWHWIRT -m comment --comment "default/web-np cluster IP" -m tcp -p tcp -d 10.96.0.12 --dport 80 ! -s 10.244.0.0/16 -j KUBE-MARK-MASQ
-A KUBE-EXT-4UDSYVHJNXWHWIRT -m comment --comment "masquerade traffic for default/web-np external destinations" -j KUBE-MARK-MASQ
-A KUBE-EXT-4UDSYVHJNXWHWIRT -j KUBE-SVC-4UDSYVHJNXWHWIRT
-A KUBE-SVC-4UDSYVHJNXWHWIRT -m comment --comment "default/web-np -> 10.244.0.3:80" -m statistic --mode random --probability 0.5000000000 -j KUBE-SEP-DOXUQZ66TTB3RRZ7
-A KUBE-SVC-4UDSYVHJNXWHWIRT -m comment --comment "default/web-np -> 10.244.1.2:80" -j KUBE-SEP-BPS63RB7JJCK4AZK
-A KUBE-SEP-DOXUQZ66TTB3RRZ7 -m comment --comment default/web-np -s 10.244.0.3 -j KUBE-MARK-MASQ
-A KUBE-SEP-DOXUQZ66TTB3RRZ7 -m comment --comment default/web-np -m tcp -p tcp -j DNAT --to-destination 10.244.0.3:80
-A KUBE-SEP-BPS63RB7JJCK4AZK -m comment --comment default/web-np -s 10.244.1.2 -j KUBE-MARK-MASQ
-A KUBE-SEP-BPS63RB7JJCK4AZK -m comment --comment default/web-np -m tcp -p tcp -j DNAT --to-destination 10.244.1.2:80
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
# node node-2: kube-proxy (iptables mode, IPv6), NetworkPolicy (IPv6)
ip netns exec nsl.k8s-dual-stack.node-2 ip6tables-restore --noflush <<'EOF'
# kube-proxy (iptables mode, IPv6) rules for node node-2, written by nslab; load with ip6tables-restore
# nslab NetworkPolicy rules for node node-2, IPv6: ip6tables-restore input, filter table (Kubernetes semantics; see runner/cluster/policy.ts).
# FORWARD -> NSL-POLICY: replies (conntrack ESTABLISHED,RELATED) are accepted first; then the source pod egress chain
# NSL-POL-OUT-<hash> (allowed -> NSL-POL-EGRESS-OK, else DROP); then NSL-POL-INGRESS picks the destination pod ingress chain
# NSL-POL-IN-<hash> (allowed -> ACCEPT, else DROP). A pod selected by no policy of a type gets no chain for it: not isolated.
# Pods are told by their host-side veth: -i/-o when routed, -m physdev when on a bridge (bridged traffic reaches iptables only
# with br_netfilter, net.bridge.bridge-nf-call-ip6tables=1); traffic routed onto a pod bridge is told by the pod address.
# Node-originated traffic (kubelet health checks) leaves by OUTPUT, which is not hooked: the node reaches all its pods, as
# Kubernetes CNIs allow. Pod -> node goes to INPUT: not filtered either. Peers are pod IPs resolved now (the lab is static).
# pod default/db fd00:10:244:1::3 (vethe57ed5aa): ingress isolated by default/db-from-node-1-pods; egress not isolated
# pod default/web-2 fd00:10:244:1::2 (veth9fb0db7f): ingress not isolated; egress not isolated
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
:NSL-POL-IN-E8853F44E6E3 - [0:0]
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
-A NSL-POLICY -p ipv6-icmp -m icmp6 --icmpv6-type router-solicitation -m comment --comment "IPv6 neighbour discovery (router-solicitation) passes, as ARP does in IPv4" -j ACCEPT
-A NSL-POLICY -p ipv6-icmp -m icmp6 --icmpv6-type router-advertisement -m comment --comment "IPv6 neighbour discovery (router-advertisement) passes, as ARP does in IPv4" -j ACCEPT
-A NSL-POLICY -p ipv6-icmp -m icmp6 --icmpv6-type neighbour-solicitation -m comment --comment "IPv6 neighbour discovery (neighbour-solicitation) passes, as ARP does in IPv4" -j ACCEPT
-A NSL-POLICY -p ipv6-icmp -m icmp6 --icmpv6-type neighbour-advertisement -m comment --comment "IPv6 neighbour discovery (neighbour-advertisement) passes, as ARP does in IPv4" -j ACCEPT
-A NSL-POLICY -m comment --comment "source not isolated for egress: on to the destination pod ingress policy" -j NSL-POL-INGRESS
-A NSL-POL-EGRESS-OK -m comment --comment "egress allowed: the destination pod ingress policy, if any, decides" -j NSL-POL-INGRESS
-A NSL-POL-EGRESS-OK -m comment --comment "egress allowed and the destination is not isolated for ingress here" -j ACCEPT
-A NSL-POL-INGRESS -o vethe57ed5aa -m comment --comment "to pod default/db: routed to its veth" -j NSL-POL-IN-E8853F44E6E3
-A NSL-POL-INGRESS -m physdev --physdev-out vethe57ed5aa --physdev-is-bridged -m comment --comment "to pod default/db: bridged to its port (needs br_netfilter: bridge-nf-call-iptables=1)" -j NSL-POL-IN-E8853F44E6E3
-A NSL-POL-INGRESS -d fd00:10:244:1::3/128 -m physdev ! --physdev-is-bridged -m comment --comment "to pod default/db: routed onto its bridge (the out port is not known in FORWARD, so by address)" -j NSL-POL-IN-E8853F44E6E3
# NSL-POL-IN-E8853F44E6E3: ingress of pod default/db (fd00:10:244:1::3, vethe57ed5aa), isolated by default/db-from-node-1-pods
-A NSL-POL-IN-E8853F44E6E3 -s fd00:10:244::/64 -p tcp -m tcp --dport 80 -m comment --comment "policy default/db-from-node-1-pods ingress[0]: from[0] ipBlock fd00:10:244::/64, TCP 80" -j ACCEPT
-A NSL-POL-IN-E8853F44E6E3 -m comment --comment "pod default/db is isolated for ingress: the rest is dropped (DROP, silently, as Kubernetes describes; not REJECT)" -j DROP
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
:KUBE-SVC-LOLE4ISW44XBNF3G - [0:0]
:KUBE-SEP-5NWBG24J2NY6KEB3 - [0:0]
:KUBE-SEP-JAXTTXDKZRGTABNB - [0:0]
:KUBE-EXT-4UDSYVHJNXWHWIRT - [0:0]
:KUBE-SVC-4UDSYVHJNXWHWIRT - [0:0]
:KUBE-SEP-VFKPZLQE24O55IGA - [0:0]
:KUBE-SEP-PQTZ42HFI5ITWWDV - [0:0]
:KUBE-SVC-REFUDCWCAEIDTV2E - [0:0]
:KUBE-SEP-NDNJNAHYTUIEBLEP - [0:0]
:KUBE-SEP-CB6KAASSCMBQO7YH - [0:0]
:KUBE-SVC-TCOU7JCQXEZGVUNU - [0:0]
:KUBE-SEP-2RL23PDDHWGDTTIH - [0:0]
:KUBE-SVC-ERIFXISQEP7F7OF4 - [0:0]
:KUBE-SEP-WOUZYQTTW3D2BKWR - [0:0]
-A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
-A OUTPUT -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
-A POSTROUTING -m comment --comment "kubernetes postrouting rules" -j KUBE-POSTROUTING
-A KUBE-POSTROUTING -m mark ! --mark 0x4000/0x4000 -j RETURN
-A KUBE-POSTROUTING -j MARK --xor-mark 0x4000
-A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE --random-fully
-A KUBE-MARK-MASQ -j MARK --or-mark 0x4000
-A KUBE-SERVICES -m comment --comment "default/web cluster IP" -m tcp -p tcp -d fd00:10:96::b --dport 80 -j KUBE-SVC-LOLE4ISW44XBNF3G
-A KUBE-SVC-LOLE4ISW44XBNF3G -m comment --comment "default/web cluster IP" -m tcp -p tcp -d fd00:10:96::b --dport 80 ! -s fd00:10:244::/56 -j KUBE-MARK-MASQ
-A KUBE-SVC-LOLE4ISW44XBNF3G -m comment --comment "default/web -> [fd00:10:244:1::2]:80" -m statistic --mode random --probability 0.5000000000 -j KUBE-SEP-5NWBG24J2NY6KEB3
-A KUBE-SVC-LOLE4ISW44XBNF3G -m comment --comment "default/web -> [fd00:10:244::3]:80" -j KUBE-SEP-JAXTTXDKZRGTABNB
-A KUBE-SEP-5NWBG24J2NY6KEB3 -m comment --comment default/web -s fd00:10:244:1::2 -j KUBE-MARK-MASQ
-A KUBE-SEP-5NWBG24J2NY6KEB3 -m comment --comment default/web -m tcp -p tcp -j DNAT --to-destination [fd00:10:244:1::2]:80
-A KUBE-SEP-JAXTTXDKZRGTABNB -m comment --comment default/web -s fd00:10:244::3 -j KUBE-MARK-MASQ
-A KUBE-SEP-JAXTTXDKZRGTABNB -m comment --comment default/web -m tcp -p tcp -j DNAT --to-destination [fd00:10:244::3]:80
-A KUBE-SERVICES -m comment --comment "default/web-np cluster IP" -m tcp -p tcp -d fd00:10:96::d --dport 80 -j KUBE-SVC-4UDSYVHJNXWHWIRT
-A KUBE-NODEPORTS -m comment --comment default/web-np -m tcp -p tcp --dport 30080 -j KUBE-EXT-4UDSYVHJNXWHWIRT
-A KUBE-SVC-4UDSYVHJNXWHWIRT -m comment --comment "default/web-np cluster IP" -m tcp -p tcp -d fd00:10:96::d --dport 80 ! -s fd00:10:244::/56 -j KUBE-MARK-MASQ
-A KUBE-EXT-4UDSYVHJNXWHWIRT -m comment --comment "masquerade traffic for default/web-np external destinations" -j KUBE-MARK-MASQ
-A KUBE-EXT-4UDSYVHJNXWHWIRT -j KUBE-SVC-4UDSYVHJNXWHWIRT
-A KUBE-SVC-4UDSYVHJNXWHWIRT -m comment --comment "default/web-np -> [fd00:10:244:1::2]:80" -m statistic --mode random --probability 0.5000000000 -j KUBE-SEP-VFKPZLQE24O55IGA
-A KUBE-SVC-4UDSYVHJNXWHWIRT -m comment --comment "default/web-np -> [fd00:10:244::3]:80" -j KUBE-SEP-PQTZ42HFI5ITWWDV
-A KUBE-SEP-VFKPZLQE24O55IGA -m comment --comment default/web-np -s fd00:10:244:1::2 -j KUBE-MARK-MASQ
-A KUBE-SEP-VFKPZLQE24O55IGA -m comment --comment default/web-np -m tcp -p tcp -j DNAT --to-destination [fd00:10:244:1::2]:80
-A KUBE-SEP-PQTZ42HFI5ITWWDV -m comment --comment default/web-np -s fd00:10:244::3 -j KUBE-MARK-MASQ
-A KUBE-SEP-PQTZ42HFI5ITWWDV -m comment --comment default/web-np -m tcp -p tcp -j DNAT --to-destination [fd00:10:244::3]:80
-A KUBE-SERVICES -m comment --comment "default/web6 cluster IP" -m tcp -p tcp -d fd00:10:96::c --dport 80 -j KUBE-SVC-REFUDCWCAEIDTV2E
-A KUBE-SVC-REFUDCWCAEIDTV2E -m comment --comment "default/web6 cluster IP" -m tcp -p tcp -d fd00:10:96::c --dport 80 ! -s fd00:10:244::/56 -j KUBE-MARK-MASQ
-A KUBE-SVC-REFUDCWCAEIDTV2E -m comment --comment "default/web6 -> [fd00:10:244:1::2]:80" -m statistic --mode random --probability 0.5000000000 -j KUBE-SEP-NDNJNAHYTUIEBLEP
-A KUBE-SVC-REFUDCWCAEIDTV2E -m comment --comment "default/web6 -> [fd00:10:244::3]:80" -j KUBE-SEP-CB6KAASSCMBQO7YH
-A KUBE-SEP-NDNJNAHYTUIEBLEP -m comment --comment default/web6 -s fd00:10:244:1::2 -j KUBE-MARK-MASQ
-A KUBE-SEP-NDNJNAHYTUIEBLEP -m comment --comment default/web6 -m tcp -p tcp -j DNAT --to-destination [fd00:10:244:1::2]:80
-A KUBE-SEP-CB6KAASSCMBQO7YH -m comment --comment default/web6 -s fd00:10:244::3 -j KUBE-MARK-MASQ
-A KUBE-SEP-CB6KAASSCMBQO7YH -m comment --comment default/web6 -m tcp -p tcp -j DNAT --to-destination [fd00:10:244::3]:80
-A KUBE-SERVICES -m comment --comment "kube-system/kube-dns:dns cluster IP" -m udp -p udp -d fd00:10:96::a --dport 53 -j KUBE-SVC-TCOU7JCQXEZGVUNU
-A KUBE-SVC-TCOU7JCQXEZGVUNU -m comment --comment "kube-system/kube-dns:dns cluster IP" -m udp -p udp -d fd00:10:96::a --dport 53 ! -s fd00:10:244::/56 -j KUBE-MARK-MASQ
-A KUBE-SVC-TCOU7JCQXEZGVUNU -m comment --comment "kube-system/kube-dns:dns -> [fd00:10:244::2]:53" -j KUBE-SEP-2RL23PDDHWGDTTIH
-A KUBE-SEP-2RL23PDDHWGDTTIH -m comment --comment kube-system/kube-dns:dns -s fd00:10:244::2 -j KUBE-MARK-MASQ
-A KUBE-SEP-2RL23PDDHWGDTTIH -m comment --comment kube-system/kube-dns:dns -m udp -p udp -j DNAT --to-destination [fd00:10:244::2]:53
-A KUBE-SERVICES -m comment --comment "kube-system/kube-dns:dns-tcp cluster IP" -m tcp -p tcp -d fd00:10:96::a --dport 53 -j KUBE-SVC-ERIFXISQEP7F7OF4
-A KUBE-SVC-ERIFXISQEP7F7OF4 -m comment --comment "kube-system/kube-dns:dns-tcp cluster IP" -m tcp -p tcp -d fd00:10:96::a --dport 53 ! -s fd00:10:244::/56 -j KUBE-MARK-MASQ
-A KUBE-SVC-ERIFXISQEP7F7OF4 -m comment --comment "kube-system/kube-dns:dns-tcp -> [fd00:10:244::2]:53" -j KUBE-SEP-WOUZYQTTW3D2BKWR
-A KUBE-SEP-WOUZYQTTW3D2BKWR -m comment --comment kube-system/kube-dns:dns-tcp -s fd00:10:244::2 -j KUBE-MARK-MASQ
-A KUBE-SEP-WOUZYQTTW3D2BKWR -m comment --comment kube-system/kube-dns:dns-tcp -m tcp -p tcp -j DNAT --to-destination [fd00:10:244::2]:53
-A KUBE-SERVICES -m comment --comment "kubernetes service nodeports; NOTE: this must be the last rule in this chain" -m addrtype --dst-type LOCAL ! -d ::1/128 -j KUBE-NODEPORTS
COMMIT
EOF

# ── exec: commands from the lab file
# pod coredns: resolv.conf (ip netns exec mounts it)
# from labs/k8s-dual-stack/lab.yaml:12:3
mkdir -p /etc/netns/nsl.k8s-dual-stack.coredns
cat >/etc/netns/nsl.k8s-dual-stack.coredns/resolv.conf <<'EOF'
nameserver 10.96.0.10
search kube-system.svc.cluster.local svc.cluster.local cluster.local
options ndots:5
EOF
# pod web-1: resolv.conf (ip netns exec mounts it)
# from labs/k8s-dual-stack/lab.yaml:21:5
mkdir -p /etc/netns/nsl.k8s-dual-stack.web-1
cat >/etc/netns/nsl.k8s-dual-stack.web-1/resolv.conf <<'EOF'
nameserver 10.96.0.10
search default.svc.cluster.local svc.cluster.local cluster.local
options ndots:5
EOF
# pod web-2: resolv.conf (ip netns exec mounts it)
# from labs/k8s-dual-stack/lab.yaml:21:5
mkdir -p /etc/netns/nsl.k8s-dual-stack.web-2
cat >/etc/netns/nsl.k8s-dual-stack.web-2/resolv.conf <<'EOF'
nameserver 10.96.0.10
search default.svc.cluster.local svc.cluster.local cluster.local
options ndots:5
EOF
# pod client: resolv.conf (ip netns exec mounts it)
# from labs/k8s-dual-stack/lab.yaml:24:5
mkdir -p /etc/netns/nsl.k8s-dual-stack.client
cat >/etc/netns/nsl.k8s-dual-stack.client/resolv.conf <<'EOF'
nameserver 10.96.0.10
search default.svc.cluster.local svc.cluster.local cluster.local
options ndots:5
EOF
# pod db: resolv.conf (ip netns exec mounts it)
# from labs/k8s-dual-stack/lab.yaml:27:5
mkdir -p /etc/netns/nsl.k8s-dual-stack.db
cat >/etc/netns/nsl.k8s-dual-stack.db/resolv.conf <<'EOF'
nameserver 10.96.0.10
search default.svc.cluster.local svc.cluster.local cluster.local
options ndots:5
EOF

# ── daemons: long-running processes (stopped by `lab down`)
# the cluster DNS: dnsmasq with the records of every service and pod
# from labs/k8s-dual-stack/lab.yaml:11:1
mkdir -p /run/nslab/k8s-dual-stack/logs
ip netns exec nsl.k8s-dual-stack.coredns dnsmasq --keep-in-foreground --no-resolv --no-hosts --bind-interfaces --listen-address=10.244.0.2 --listen-address=fd00:10:244::2 --port=53 --log-facility=- --local=/cluster.local/ --host-record=web.default.svc.cluster.local,10.96.0.11,fd00:10:96::b --host-record=web-np.default.svc.cluster.local,10.96.0.12,fd00:10:96::d --host-record=web6.default.svc.cluster.local,fd00:10:96::c --host-record=kube-dns.kube-system.svc.cluster.local,10.96.0.10,fd00:10:96::a --srv-host=_dns._udp.kube-dns.kube-system.svc.cluster.local,kube-dns.kube-system.svc.cluster.local,53 --srv-host=_dns-tcp._tcp.kube-dns.kube-system.svc.cluster.local,kube-dns.kube-system.svc.cluster.local,53 --host-record=10-244-0-4.default.pod.cluster.local,10.244.0.4 --host-record=fd00-10-244--4.default.pod.cluster.local,fd00:10:244::4 --host-record=10-244-1-3.default.pod.cluster.local,10.244.1.3 --host-record=fd00-10-244-1--3.default.pod.cluster.local,fd00:10:244:1::3 --host-record=10-244-0-3.default.pod.cluster.local,10.244.0.3 --host-record=fd00-10-244--3.default.pod.cluster.local,fd00:10:244::3 --host-record=10-244-1-2.default.pod.cluster.local,10.244.1.2 --host-record=fd00-10-244-1--2.default.pod.cluster.local,fd00:10:244:1::2 --host-record=10-244-0-2.kube-system.pod.cluster.local,10.244.0.2 --host-record=fd00-10-244--2.kube-system.pod.cluster.local,fd00:10:244::2 --pid-file --user=root >/run/nslab/k8s-dual-stack/logs/coredns.dnsmasq.log 2>&1 &
# pod web-1: answers with its name and the client address on 80/tcp
# from labs/k8s-dual-stack/lab.yaml:21:5
mkdir -p /run/nslab/k8s-dual-stack/logs
ip netns exec nsl.k8s-dual-stack.web-1 lab agent whoami --name web-1 --port 80 >/run/nslab/k8s-dual-stack/logs/web-1.whoami.log 2>&1 &
# pod web-2: answers with its name and the client address on 80/tcp
# from labs/k8s-dual-stack/lab.yaml:21:5
mkdir -p /run/nslab/k8s-dual-stack/logs
ip netns exec nsl.k8s-dual-stack.web-2 lab agent whoami --name web-2 --port 80 >/run/nslab/k8s-dual-stack/logs/web-2.whoami.log 2>&1 &
# pod client: answers with its name and the client address on 80/tcp
# from labs/k8s-dual-stack/lab.yaml:24:5
mkdir -p /run/nslab/k8s-dual-stack/logs
ip netns exec nsl.k8s-dual-stack.client lab agent whoami --name client --port 80 >/run/nslab/k8s-dual-stack/logs/client.whoami.log 2>&1 &
# pod db: answers with its name and the client address on 80/tcp
# from labs/k8s-dual-stack/lab.yaml:27:5
mkdir -p /run/nslab/k8s-dual-stack/logs
ip netns exec nsl.k8s-dual-stack.db lab agent whoami --name db --port 80 >/run/nslab/k8s-dual-stack/logs/db.whoami.log 2>&1 &

# ── teardown (what `lab down` runs): stop every process inside the lab's namespaces (by PID), then
# delete the namespaces, which removes every link, bridge, address, route and rule inside them
# (commented out, so that running this script builds the lab and leaves it up)
#   ip -force -batch - <<'EOF'
#   netns del nsl.k8s-dual-stack
#   netns del nsl.k8s-dual-stack.node-1
#   netns del nsl.k8s-dual-stack.node-2
#   netns del nsl.k8s-dual-stack.coredns
#   netns del nsl.k8s-dual-stack.web-1
#   netns del nsl.k8s-dual-stack.web-2
#   netns del nsl.k8s-dual-stack.client
#   netns del nsl.k8s-dual-stack.db
#   EOF
