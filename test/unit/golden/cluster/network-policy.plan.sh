#!/bin/sh
# nslab plan for lab "gc-policy" from test/unit/golden/cluster/network-policy.lab.yaml
# Run as root to build the lab by hand; these are exactly the commands `lab up` runs
# (it runs the blocks of one phase in parallel). Every line notes the lab-file place behind it.
# new namespaces start with net.ipv4.ip_forward=1, net.ipv6.conf.all.forwarding=0 (inherited from this host): only nodes that need other values get a sysctl
set -e

# ── namespaces: network namespaces (one per node, plus the lab fabric) and containers
ip -batch - <<'EOF'
# test/unit/golden/cluster/network-policy.lab.yaml:2:7 — the lab fabric: bridges that belong to no node
netns add nsl.gc-policy
# test/unit/golden/cluster/network-policy.lab.yaml:9:5 — node node-1
netns add nsl.gc-policy.node-1
# test/unit/golden/cluster/network-policy.lab.yaml:10:5 — node node-2
netns add nsl.gc-policy.node-2
# test/unit/golden/cluster/network-policy.lab.yaml:4:3 — node coredns
netns add nsl.gc-policy.coredns
# test/unit/golden/cluster/network-policy.lab.yaml:12:5 — node web-1
netns add nsl.gc-policy.web-1
# test/unit/golden/cluster/network-policy.lab.yaml:12:5 — node web-2
netns add nsl.gc-policy.web-2
# test/unit/golden/cluster/network-policy.lab.yaml:16:5 — node client
netns add nsl.gc-policy.client
# test/unit/golden/cluster/network-policy.lab.yaml:19:5 — node other
netns add nsl.gc-policy.other
EOF

# ── links: veth pairs created directly inside their namespaces
ip -batch - <<'EOF'
# test/unit/golden/cluster/network-policy.lab.yaml:9:13 — link node-1:eth0 <-> k8s-net
link add node-1-eth0 netns nsl.gc-policy index 1000 type veth peer name eth0 netns nsl.gc-policy.node-1
# test/unit/golden/cluster/network-policy.lab.yaml:10:13 — link node-2:eth0 <-> k8s-net
link add node-2-eth0 netns nsl.gc-policy index 1001 type veth peer name eth0 netns nsl.gc-policy.node-2
# test/unit/golden/cluster/network-policy.lab.yaml:4:3 — link coredns:eth0 <-> cni0@node-1
link add veth96971f43 netns nsl.gc-policy.node-1 index 1000 mtu 1450 type veth peer name eth0 netns nsl.gc-policy.coredns mtu 1450
# test/unit/golden/cluster/network-policy.lab.yaml:13:7 — link web-1:eth0 <-> cni0@node-1
link add veth91bef8fb netns nsl.gc-policy.node-1 index 1001 mtu 1450 type veth peer name eth0 netns nsl.gc-policy.web-1 mtu 1450
# test/unit/golden/cluster/network-policy.lab.yaml:13:7 — link web-2:eth0 <-> cni0@node-2
link add veth1b1aef9b netns nsl.gc-policy.node-2 index 1000 mtu 1450 type veth peer name eth0 netns nsl.gc-policy.web-2 mtu 1450
# test/unit/golden/cluster/network-policy.lab.yaml:17:7 — link client:eth0 <-> cni0@node-1
link add vetha7a3e029 netns nsl.gc-policy.node-1 index 1002 mtu 1450 type veth peer name eth0 netns nsl.gc-policy.client mtu 1450
# test/unit/golden/cluster/network-policy.lab.yaml:20:7 — link other:eth0 <-> cni0@node-2
link add vethbaee662c netns nsl.gc-policy.node-2 index 1001 mtu 1450 type veth peer name eth0 netns nsl.gc-policy.other mtu 1450
EOF

# ── configure: inside each namespace: sysctls, bridges, addresses, routes
# one batch file per namespace, run 4 at a time by xargs
mkdir -p /run/nslab/gc-policy/batch
cat >/run/nslab/gc-policy/batch/nsl.gc-policy.node-1.ip <<'EOF'
# test/unit/golden/cluster/network-policy.lab.yaml:9:5
link set lo up
# test/unit/golden/cluster/network-policy.lab.yaml:4:3 — bridge cni0 in node-1
link add cni0 type bridge
link set cni0 mtu 1450
# test/unit/golden/cluster/network-policy.lab.yaml:4:3 — VXLAN flannel.1: VNI 1 over eth0
link add flannel.1 address 0e:ac:16:28:3c:8e mtu 1450 type vxlan id 1 local 192.168.56.11 dstport 8472 dev eth0 nolearning
link set veth96971f43 master cni0
# test/unit/golden/cluster/network-policy.lab.yaml:13:7
link set veth91bef8fb master cni0
# test/unit/golden/cluster/network-policy.lab.yaml:17:7
link set vetha7a3e029 master cni0
# test/unit/golden/cluster/network-policy.lab.yaml:4:3 — hairpin mode: frames may leave by the port they came in on
link set veth96971f43 type bridge_slave hairpin on
# test/unit/golden/cluster/network-policy.lab.yaml:13:7 — hairpin mode: frames may leave by the port they came in on
link set veth91bef8fb type bridge_slave hairpin on
# test/unit/golden/cluster/network-policy.lab.yaml:17:7 — hairpin mode: frames may leave by the port they came in on
link set vetha7a3e029 type bridge_slave hairpin on
# test/unit/golden/cluster/network-policy.lab.yaml:9:13
addr add 192.168.56.11/24 dev eth0
# test/unit/golden/cluster/network-policy.lab.yaml:4:3
addr add 10.244.0.0/32 dev flannel.1
addr add 10.244.0.1/24 dev cni0
# test/unit/golden/cluster/network-policy.lab.yaml:9:13
link set eth0 up
# test/unit/golden/cluster/network-policy.lab.yaml:4:3
link set flannel.1 up
link set cni0 up
link set veth96971f43 up
# test/unit/golden/cluster/network-policy.lab.yaml:13:7
link set veth91bef8fb up
# test/unit/golden/cluster/network-policy.lab.yaml:17:7
link set vetha7a3e029 up
# test/unit/golden/cluster/network-policy.lab.yaml:4:8
route add 10.96.0.0/12 dev eth0
route add 10.244.1.0/24 via 10.244.1.0 dev flannel.1 onlink
# test/unit/golden/cluster/network-policy.lab.yaml:4:3
neigh replace 10.244.1.0 lladdr 0e:bf:72:cf:f5:8b dev flannel.1 nud permanent
EOF
cat >/run/nslab/gc-policy/batch/nsl.gc-policy.node-2.ip <<'EOF'
# test/unit/golden/cluster/network-policy.lab.yaml:10:5
link set lo up
# test/unit/golden/cluster/network-policy.lab.yaml:4:3 — bridge cni0 in node-2
link add cni0 type bridge
link set cni0 mtu 1450
# test/unit/golden/cluster/network-policy.lab.yaml:4:3 — VXLAN flannel.1: VNI 1 over eth0
link add flannel.1 address 0e:bf:72:cf:f5:8b mtu 1450 type vxlan id 1 local 192.168.56.12 dstport 8472 dev eth0 nolearning
# test/unit/golden/cluster/network-policy.lab.yaml:13:7
link set veth1b1aef9b master cni0
# test/unit/golden/cluster/network-policy.lab.yaml:20:7
link set vethbaee662c master cni0
# test/unit/golden/cluster/network-policy.lab.yaml:13:7 — hairpin mode: frames may leave by the port they came in on
link set veth1b1aef9b type bridge_slave hairpin on
# test/unit/golden/cluster/network-policy.lab.yaml:20:7 — hairpin mode: frames may leave by the port they came in on
link set vethbaee662c type bridge_slave hairpin on
# test/unit/golden/cluster/network-policy.lab.yaml:10:13
addr add 192.168.56.12/24 dev eth0
# test/unit/golden/cluster/network-policy.lab.yaml:4:3
addr add 10.244.1.0/32 dev flannel.1
addr add 10.244.1.1/24 dev cni0
# test/unit/golden/cluster/network-policy.lab.yaml:10:13
link set eth0 up
# test/unit/golden/cluster/network-policy.lab.yaml:4:3
link set flannel.1 up
link set cni0 up
# test/unit/golden/cluster/network-policy.lab.yaml:13:7
link set veth1b1aef9b up
# test/unit/golden/cluster/network-policy.lab.yaml:20:7
link set vethbaee662c up
# test/unit/golden/cluster/network-policy.lab.yaml:4:8
route add 10.96.0.0/12 dev eth0
route add 10.244.0.0/24 via 10.244.0.0 dev flannel.1 onlink
# test/unit/golden/cluster/network-policy.lab.yaml:4:3
neigh replace 10.244.0.0 lladdr 0e:ac:16:28:3c:8e dev flannel.1 nud permanent
EOF
cat >/run/nslab/gc-policy/batch/nsl.gc-policy.coredns.ip <<'EOF'
# test/unit/golden/cluster/network-policy.lab.yaml:4:3
link set lo up
addr add 10.244.0.2/24 dev eth0
link set eth0 up
route add default via 10.244.0.1
EOF
cat >/run/nslab/gc-policy/batch/nsl.gc-policy.web-1.ip <<'EOF'
# test/unit/golden/cluster/network-policy.lab.yaml:12:5
link set lo up
# test/unit/golden/cluster/network-policy.lab.yaml:13:7
addr add 10.244.0.3/24 dev eth0
link set eth0 up
route add default via 10.244.0.1
EOF
cat >/run/nslab/gc-policy/batch/nsl.gc-policy.web-2.ip <<'EOF'
# test/unit/golden/cluster/network-policy.lab.yaml:12:5
link set lo up
# test/unit/golden/cluster/network-policy.lab.yaml:13:7
addr add 10.244.1.2/24 dev eth0
link set eth0 up
route add default via 10.244.1.1
EOF
cat >/run/nslab/gc-policy/batch/nsl.gc-policy.client.ip <<'EOF'
# test/unit/golden/cluster/network-policy.lab.yaml:16:5
link set lo up
# test/unit/golden/cluster/network-policy.lab.yaml:17:7
addr add 10.244.0.4/24 dev eth0
link set eth0 up
route add default via 10.244.0.1
EOF
cat >/run/nslab/gc-policy/batch/nsl.gc-policy.other.ip <<'EOF'
# test/unit/golden/cluster/network-policy.lab.yaml:19:5
link set lo up
# test/unit/golden/cluster/network-policy.lab.yaml:20:7
addr add 10.244.1.3/24 dev eth0
link set eth0 up
route add default via 10.244.1.1
EOF
cat >/run/nslab/gc-policy/batch/nsl.gc-policy.ip <<'EOF'
# test/unit/golden/cluster/network-policy.lab.yaml:2:7
link set lo up
# test/unit/golden/cluster/network-policy.lab.yaml:4:3 — bridge k8s-net
link add k8s-net type bridge
# test/unit/golden/cluster/network-policy.lab.yaml:9:13
link set node-1-eth0 master k8s-net
# test/unit/golden/cluster/network-policy.lab.yaml:10:13
link set node-2-eth0 master k8s-net
# test/unit/golden/cluster/network-policy.lab.yaml:4:3
link set k8s-net up
# test/unit/golden/cluster/network-policy.lab.yaml:9:13
link set node-1-eth0 up
# test/unit/golden/cluster/network-policy.lab.yaml:10:13
link set node-2-eth0 up
EOF
xargs -P 4 -L 1 nsenter <<'EOF'
--net=/run/netns/nsl.gc-policy.node-1 sysctl -qw net.ipv6.conf.all.forwarding=1
--net=/run/netns/nsl.gc-policy.node-1 ip -batch /run/nslab/gc-policy/batch/nsl.gc-policy.node-1.ip
--net=/run/netns/nsl.gc-policy.node-2 sysctl -qw net.ipv6.conf.all.forwarding=1
--net=/run/netns/nsl.gc-policy.node-2 ip -batch /run/nslab/gc-policy/batch/nsl.gc-policy.node-2.ip
--net=/run/netns/nsl.gc-policy.coredns sysctl -qw net.ipv4.ip_forward=0
--net=/run/netns/nsl.gc-policy.coredns ip -batch /run/nslab/gc-policy/batch/nsl.gc-policy.coredns.ip
--net=/run/netns/nsl.gc-policy.web-1 sysctl -qw net.ipv4.ip_forward=0
--net=/run/netns/nsl.gc-policy.web-1 ip -batch /run/nslab/gc-policy/batch/nsl.gc-policy.web-1.ip
--net=/run/netns/nsl.gc-policy.web-2 sysctl -qw net.ipv4.ip_forward=0
--net=/run/netns/nsl.gc-policy.web-2 ip -batch /run/nslab/gc-policy/batch/nsl.gc-policy.web-2.ip
--net=/run/netns/nsl.gc-policy.client sysctl -qw net.ipv4.ip_forward=0
--net=/run/netns/nsl.gc-policy.client ip -batch /run/nslab/gc-policy/batch/nsl.gc-policy.client.ip
--net=/run/netns/nsl.gc-policy.other sysctl -qw net.ipv4.ip_forward=0
--net=/run/netns/nsl.gc-policy.other ip -batch /run/nslab/gc-policy/batch/nsl.gc-policy.other.ip
--net=/run/netns/nsl.gc-policy ip -batch /run/nslab/gc-policy/batch/nsl.gc-policy.ip
EOF

# ── fdb: forwarding-database entries of VXLAN endpoints (`bridge fdb`)
# one batch file per namespace, run 4 at a time by xargs
mkdir -p /run/nslab/gc-policy/batch
cat >/run/nslab/gc-policy/batch/nsl.gc-policy.node-1.bridge <<'EOF'
# test/unit/golden/cluster/network-policy.lab.yaml:4:3
fdb append 0e:bf:72:cf:f5:8b dev flannel.1 dst 192.168.56.12 self permanent
EOF
cat >/run/nslab/gc-policy/batch/nsl.gc-policy.node-2.bridge <<'EOF'
# test/unit/golden/cluster/network-policy.lab.yaml:4:3
fdb append 0e:ac:16:28:3c:8e dev flannel.1 dst 192.168.56.11 self permanent
EOF
xargs -P 4 -L 1 nsenter <<'EOF'
--net=/run/netns/nsl.gc-policy.node-1 bridge -batch /run/nslab/gc-policy/batch/nsl.gc-policy.node-1.bridge
--net=/run/netns/nsl.gc-policy.node-2 bridge -batch /run/nslab/gc-policy/batch/nsl.gc-policy.node-2.bridge
EOF

# ── settle: wait until every bridge port forwards (the kernel applies link changes asynchronously)
# wait until every bridge port forwards
# from test/unit/golden/cluster/network-policy.lab.yaml:4:3
# repeated until no port is "state disabled", for at most 10 s
while nsenter --net=/run/netns/nsl.gc-policy bridge link show | grep -q 'state disabled'; do sleep 0.01; done
# wait until every bridge port forwards
# from test/unit/golden/cluster/network-policy.lab.yaml:4:3
# repeated until no port is "state disabled", for at most 10 s
while nsenter --net=/run/netns/nsl.gc-policy.node-1 bridge link show | grep -q 'state disabled'; do sleep 0.01; done
# wait until every bridge port forwards
# from test/unit/golden/cluster/network-policy.lab.yaml:4:3
# repeated until no port is "state disabled", for at most 10 s
while nsenter --net=/run/netns/nsl.gc-policy.node-2 bridge link show | grep -q 'state disabled'; do sleep 0.01; done

# ── firewall: NAT and firewall rule sets
# node node-1: kube-proxy (iptables mode) and NetworkPolicy
ip netns exec nsl.gc-policy.node-1 iptables-restore --noflush <<'EOF'
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
# pod kube-system/coredns 10.244.0.2 (veth96971f43): ingress not isolated; egress not isolated
# pod prod/web-1 10.244.0.3 (veth91bef8fb): ingress isolated by prod/allow-client, prod/deny-all; egress not isolated
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
:NSL-POL-IN-7341FEE83091 - [0:0]
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
-A NSL-POL-INGRESS -o veth91bef8fb -m comment --comment "to pod prod/web-1: routed to its veth" -j NSL-POL-IN-7341FEE83091
-A NSL-POL-INGRESS -m physdev --physdev-out veth91bef8fb --physdev-is-bridged -m comment --comment "to pod prod/web-1: bridged to its port (needs br_netfilter: bridge-nf-call-iptables=1)" -j NSL-POL-IN-7341FEE83091
-A NSL-POL-INGRESS -d 10.244.0.3/32 -m physdev ! --physdev-is-bridged -m comment --comment "to pod prod/web-1: routed onto its bridge (the out port is not known in FORWARD, so by address)" -j NSL-POL-IN-7341FEE83091
# NSL-POL-IN-7341FEE83091: ingress of pod prod/web-1 (10.244.0.3, veth91bef8fb), isolated by prod/allow-client, prod/deny-all
-A NSL-POL-IN-7341FEE83091 -s 10.244.0.4/32 -p tcp -m tcp --dport 80 -m comment --comment "policy prod/allow-client ingress[0]: from[0] pod default/client, TCP 80" -j ACCEPT
# policy prod/deny-all has no ingress rules: it allows nothing (it only isolates)
-A NSL-POL-IN-7341FEE83091 -m comment --comment "pod prod/web-1 is isolated for ingress: the rest is dropped (DROP, silently, as Kubernetes describes; not REJECT)" -j DROP
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
:KUBE-SVC-TCOU7JCQXEZGVUNU - [0:0]
:KUBE-SEP-YIL6JZP7A3QYXJU2 - [0:0]
:KUBE-SVC-ERIFXISQEP7F7OF4 - [0:0]
:KUBE-SEP-IT2ZTR26TO4XFPTO - [0:0]
:KUBE-SVC-H573A7JHHBBTS7QH - [0:0]
:KUBE-SEP-RL3JSZXJ7WUEACDO - [0:0]
:KUBE-SEP-X7G7HDX23IYOWRDB - [0:0]
:FLANNEL-POSTRTG - [0:0]
-A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
-A OUTPUT -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
-A POSTROUTING -m comment --comment "kubernetes postrouting rules" -j KUBE-POSTROUTING
-A KUBE-POSTROUTING -m mark ! --mark 0x4000/0x4000 -j RETURN
-A KUBE-POSTROUTING -j MARK --xor-mark 0x4000
-A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE --random-fully
-A KUBE-MARK-MASQ -j MARK --or-mark 0x4000
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
-A KUBE-SERVICES -m comment --comment "prod/web cluster IP" -m tcp -p tcp -d 10.96.0.11 --dport 80 -j KUBE-SVC-H573A7JHHBBTS7QH
-A KUBE-SVC-H573A7JHHBBTS7QH -m comment --comment "prod/web cluster IP" -m tcp -p tcp -d 10.96.0.11 --dport 80 ! -s 10.244.0.0/16 -j KUBE-MARK-MASQ
-A KUBE-SVC-H573A7JHHBBTS7QH -m comment --comment "prod/web -> 10.244.0.3:80" -m statistic --mode random --probability 0.5000000000 -j KUBE-SEP-RL3JSZXJ7WUEACDO
-A KUBE-SVC-H573A7JHHBBTS7QH -m comment --comment "prod/web -> 10.244.1.2:80" -j KUBE-SEP-X7G7HDX23IYOWRDB
-A KUBE-SEP-RL3JSZXJ7WUEACDO -m comment --comment prod/web -s 10.244.0.3 -j KUBE-MARK-MASQ
-A KUBE-SEP-RL3JSZXJ7WUEACDO -m comment --comment prod/web -m tcp -p tcp -j DNAT --to-destination 10.244.0.3:80
-A KUBE-SEP-X7G7HDX23IYOWRDB -m comment --comment prod/web -s 10.244.1.2 -j KUBE-MARK-MASQ
-A KUBE-SEP-X7G7HDX23IYOWRDB -m comment --comment prod/web -m tcp -p tcp -j DNAT --to-destination 10.244.1.2:80
-A KUBE-SERVICES -m comment --comment "kubernetes service nodeports; NOTE: this must be the last rule in this chain" -m addrtype --dst-type LOCAL ! -d 127.0.0.0/8 -j KUBE-NODEPORTS
-A POSTROUTING -m comment --comment "flanneld masq" -j FLANNEL-POSTRTG
-A FLANNEL-POSTRTG -m mark --mark 0x4000/0x4000 -m comment --comment "flanneld masq" -j RETURN
-A FLANNEL-POSTRTG -s 10.244.0.0/16 -d 10.244.0.0/16 -m comment --comment "flanneld masq" -j RETURN
-A FLANNEL-POSTRTG -s 10.244.0.0/16 ! -d 224.0.0.0/4 -m comment --comment "flanneld masq" -j MASQUERADE --random-fully
COMMIT
EOF
# node node-2: kube-proxy (iptables mode) and NetworkPolicy
ip netns exec nsl.gc-policy.node-2 iptables-restore --noflush <<'EOF'
# kube-proxy (iptables mode) rules for node node-2, written by nslab; load with iptables-restore
# nslab NetworkPolicy rules for node node-2: iptables-restore input, filter table (Kubernetes semantics; see runner/cluster/policy.ts).
# FORWARD -> NSL-POLICY: replies (conntrack ESTABLISHED,RELATED) are accepted first; then the source pod egress chain
# NSL-POL-OUT-<hash> (allowed -> NSL-POL-EGRESS-OK, else DROP); then NSL-POL-INGRESS picks the destination pod ingress chain
# NSL-POL-IN-<hash> (allowed -> ACCEPT, else DROP). A pod selected by no policy of a type gets no chain for it: not isolated.
# Pods are told by their host-side veth: -i/-o when routed, -m physdev when on a bridge (bridged traffic reaches iptables only
# with br_netfilter, net.bridge.bridge-nf-call-iptables=1); traffic routed onto a pod bridge is told by the pod address.
# Node-originated traffic (kubelet health checks) leaves by OUTPUT, which is not hooked: the node reaches all its pods, as
# Kubernetes CNIs allow. Pod -> node goes to INPUT: not filtered either. Peers are pod IPs resolved now (the lab is static).
# pod default/other 10.244.1.3 (vethbaee662c): ingress not isolated; egress not isolated
# pod prod/web-2 10.244.1.2 (veth1b1aef9b): ingress isolated by prod/allow-client, prod/deny-all; egress not isolated
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
:NSL-POL-IN-D0F9ECC7B848 - [0:0]
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
-A NSL-POL-INGRESS -o veth1b1aef9b -m comment --comment "to pod prod/web-2: routed to its veth" -j NSL-POL-IN-D0F9ECC7B848
-A NSL-POL-INGRESS -m physdev --physdev-out veth1b1aef9b --physdev-is-bridged -m comment --comment "to pod prod/web-2: bridged to its port (needs br_netfilter: bridge-nf-call-iptables=1)" -j NSL-POL-IN-D0F9ECC7B848
-A NSL-POL-INGRESS -d 10.244.1.2/32 -m physdev ! --physdev-is-bridged -m comment --comment "to pod prod/web-2: routed onto its bridge (the out port is not known in FORWARD, so by address)" -j NSL-POL-IN-D0F9ECC7B848
# NSL-POL-IN-D0F9ECC7B848: ingress of pod prod/web-2 (10.244.1.2, veth1b1aef9b), isolated by prod/allow-client, prod/deny-all
-A NSL-POL-IN-D0F9ECC7B848 -s 10.244.0.4/32 -p tcp -m tcp --dport 80 -m comment --comment "policy prod/allow-client ingress[0]: from[0] pod default/client, TCP 80" -j ACCEPT
# policy prod/deny-all has no ingress rules: it allows nothing (it only isolates)
-A NSL-POL-IN-D0F9ECC7B848 -m comment --comment "pod prod/web-2 is isolated for ingress: the rest is dropped (DROP, silently, as Kubernetes describes; not REJECT)" -j DROP
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
:KUBE-SVC-TCOU7JCQXEZGVUNU - [0:0]
:KUBE-SEP-YIL6JZP7A3QYXJU2 - [0:0]
:KUBE-SVC-ERIFXISQEP7F7OF4 - [0:0]
:KUBE-SEP-IT2ZTR26TO4XFPTO - [0:0]
:KUBE-SVC-H573A7JHHBBTS7QH - [0:0]
:KUBE-SEP-RL3JSZXJ7WUEACDO - [0:0]
:KUBE-SEP-X7G7HDX23IYOWRDB - [0:0]
:FLANNEL-POSTRTG - [0:0]
-A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
-A OUTPUT -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
-A POSTROUTING -m comment --comment "kubernetes postrouting rules" -j KUBE-POSTROUTING
-A KUBE-POSTROUTING -m mark ! --mark 0x4000/0x4000 -j RETURN
-A KUBE-POSTROUTING -j MARK --xor-mark 0x4000
-A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE --random-fully
-A KUBE-MARK-MASQ -j MARK --or-mark 0x4000
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
-A KUBE-SERVICES -m comment --comment "prod/web cluster IP" -m tcp -p tcp -d 10.96.0.11 --dport 80 -j KUBE-SVC-H573A7JHHBBTS7QH
-A KUBE-SVC-H573A7JHHBBTS7QH -m comment --comment "prod/web cluster IP" -m tcp -p tcp -d 10.96.0.11 --dport 80 ! -s 10.244.0.0/16 -j KUBE-MARK-MASQ
-A KUBE-SVC-H573A7JHHBBTS7QH -m comment --comment "prod/web -> 10.244.0.3:80" -m statistic --mode random --probability 0.5000000000 -j KUBE-SEP-RL3JSZXJ7WUEACDO
-A KUBE-SVC-H573A7JHHBBTS7QH -m comment --comment "prod/web -> 10.244.1.2:80" -j KUBE-SEP-X7G7HDX23IYOWRDB
-A KUBE-SEP-RL3JSZXJ7WUEACDO -m comment --comment prod/web -s 10.244.0.3 -j KUBE-MARK-MASQ
-A KUBE-SEP-RL3JSZXJ7WUEACDO -m comment --comment prod/web -m tcp -p tcp -j DNAT --to-destination 10.244.0.3:80
-A KUBE-SEP-X7G7HDX23IYOWRDB -m comment --comment prod/web -s 10.244.1.2 -j KUBE-MARK-MASQ
-A KUBE-SEP-X7G7HDX23IYOWRDB -m comment --comment prod/web -m tcp -p tcp -j DNAT --to-destination 10.244.1.2:80
-A KUBE-SERVICES -m comment --comment "kubernetes service nodeports; NOTE: this must be the last rule in this chain" -m addrtype --dst-type LOCAL ! -d 127.0.0.0/8 -j KUBE-NODEPORTS
-A POSTROUTING -m comment --comment "flanneld masq" -j FLANNEL-POSTRTG
-A FLANNEL-POSTRTG -m mark --mark 0x4000/0x4000 -m comment --comment "flanneld masq" -j RETURN
-A FLANNEL-POSTRTG -s 10.244.0.0/16 -d 10.244.0.0/16 -m comment --comment "flanneld masq" -j RETURN
-A FLANNEL-POSTRTG -s 10.244.0.0/16 ! -d 224.0.0.0/4 -m comment --comment "flanneld masq" -j MASQUERADE --random-fully
COMMIT
EOF

# ── exec: commands from the lab file
# pod coredns: resolv.conf (ip netns exec mounts it)
# from test/unit/golden/cluster/network-policy.lab.yaml:4:3
mkdir -p /etc/netns/nsl.gc-policy.coredns
cat >/etc/netns/nsl.gc-policy.coredns/resolv.conf <<'EOF'
nameserver 10.96.0.10
search kube-system.svc.cluster.local svc.cluster.local cluster.local
options ndots:5
EOF
# pod web-1: resolv.conf (ip netns exec mounts it)
# from test/unit/golden/cluster/network-policy.lab.yaml:12:5
mkdir -p /etc/netns/nsl.gc-policy.web-1
cat >/etc/netns/nsl.gc-policy.web-1/resolv.conf <<'EOF'
nameserver 10.96.0.10
search prod.svc.cluster.local svc.cluster.local cluster.local
options ndots:5
EOF
# pod web-2: resolv.conf (ip netns exec mounts it)
# from test/unit/golden/cluster/network-policy.lab.yaml:12:5
mkdir -p /etc/netns/nsl.gc-policy.web-2
cat >/etc/netns/nsl.gc-policy.web-2/resolv.conf <<'EOF'
nameserver 10.96.0.10
search prod.svc.cluster.local svc.cluster.local cluster.local
options ndots:5
EOF
# pod client: resolv.conf (ip netns exec mounts it)
# from test/unit/golden/cluster/network-policy.lab.yaml:16:5
mkdir -p /etc/netns/nsl.gc-policy.client
cat >/etc/netns/nsl.gc-policy.client/resolv.conf <<'EOF'
nameserver 10.96.0.10
search default.svc.cluster.local svc.cluster.local cluster.local
options ndots:5
EOF
# pod other: resolv.conf (ip netns exec mounts it)
# from test/unit/golden/cluster/network-policy.lab.yaml:19:5
mkdir -p /etc/netns/nsl.gc-policy.other
cat >/etc/netns/nsl.gc-policy.other/resolv.conf <<'EOF'
nameserver 10.96.0.10
search default.svc.cluster.local svc.cluster.local cluster.local
options ndots:5
EOF

# ── daemons: long-running processes (stopped by `lab down`)
# the cluster DNS: dnsmasq with the records of every service and pod
# from test/unit/golden/cluster/network-policy.lab.yaml:3:1
mkdir -p /run/nslab/gc-policy/logs
ip netns exec nsl.gc-policy.coredns dnsmasq --keep-in-foreground --no-resolv --no-hosts --bind-interfaces --listen-address=10.244.0.2 --port=53 --log-facility=- --local=/cluster.local/ --host-record=kube-dns.kube-system.svc.cluster.local,10.96.0.10 --srv-host=_dns._udp.kube-dns.kube-system.svc.cluster.local,kube-dns.kube-system.svc.cluster.local,53 --srv-host=_dns-tcp._tcp.kube-dns.kube-system.svc.cluster.local,kube-dns.kube-system.svc.cluster.local,53 --host-record=web.prod.svc.cluster.local,10.96.0.11 --host-record=10-244-0-4.default.pod.cluster.local,10.244.0.4 --host-record=10-244-1-3.default.pod.cluster.local,10.244.1.3 --host-record=10-244-0-2.kube-system.pod.cluster.local,10.244.0.2 --host-record=10-244-0-3.prod.pod.cluster.local,10.244.0.3 --host-record=10-244-1-2.prod.pod.cluster.local,10.244.1.2 --pid-file --user=root >/run/nslab/gc-policy/logs/coredns.dnsmasq.log 2>&1 &
# pod web-1: answers with its name and the client address on 80/tcp
# from test/unit/golden/cluster/network-policy.lab.yaml:12:5
mkdir -p /run/nslab/gc-policy/logs
ip netns exec nsl.gc-policy.web-1 lab agent whoami --name web-1 --port 80 >/run/nslab/gc-policy/logs/web-1.whoami.log 2>&1 &
# pod web-2: answers with its name and the client address on 80/tcp
# from test/unit/golden/cluster/network-policy.lab.yaml:12:5
mkdir -p /run/nslab/gc-policy/logs
ip netns exec nsl.gc-policy.web-2 lab agent whoami --name web-2 --port 80 >/run/nslab/gc-policy/logs/web-2.whoami.log 2>&1 &
# pod client: answers with its name and the client address on 80/tcp
# from test/unit/golden/cluster/network-policy.lab.yaml:16:5
mkdir -p /run/nslab/gc-policy/logs
ip netns exec nsl.gc-policy.client lab agent whoami --name client --port 80 >/run/nslab/gc-policy/logs/client.whoami.log 2>&1 &
# pod other: answers with its name and the client address on 80/tcp
# from test/unit/golden/cluster/network-policy.lab.yaml:19:5
mkdir -p /run/nslab/gc-policy/logs
ip netns exec nsl.gc-policy.other lab agent whoami --name other --port 80 >/run/nslab/gc-policy/logs/other.whoami.log 2>&1 &

# ── teardown (what `lab down` runs): stop every process inside the lab's namespaces (by PID), then
# delete the namespaces, which removes every link, bridge, address, route and rule inside them
# (commented out, so that running this script builds the lab and leaves it up)
#   ip -force -batch - <<'EOF'
#   netns del nsl.gc-policy
#   netns del nsl.gc-policy.node-1
#   netns del nsl.gc-policy.node-2
#   netns del nsl.gc-policy.coredns
#   netns del nsl.gc-policy.web-1
#   netns del nsl.gc-policy.web-2
#   netns del nsl.gc-policy.client
#   netns del nsl.gc-policy.other
#   EOF
