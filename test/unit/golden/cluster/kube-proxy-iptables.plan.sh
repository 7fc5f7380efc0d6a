#!/bin/sh
# nslab plan for lab "gc-kp-ipt" from test/unit/golden/cluster/kube-proxy-iptables.lab.yaml
# Run as root to build the lab by hand; these are exactly the commands `lab up` runs
# (it runs the blocks of one phase in parallel). Every line notes the lab-file place behind it.
# new namespaces start with net.ipv4.ip_forward=1, net.ipv6.conf.all.forwarding=0 (inherited from this host): only nodes that need other values get a sysctl
set -e

# ── namespaces: network namespaces (one per node, plus the lab fabric) and containers
ip -batch - <<'EOF'
# test/unit/golden/cluster/kube-proxy-iptables.lab.yaml:3:7 — the lab fabric: bridges that belong to no node
netns add nsl.gc-kp-ipt
# test/unit/golden/cluster/kube-proxy-iptables.lab.yaml:8:5 — node node-1
netns add nsl.gc-kp-ipt.node-1
# test/unit/golden/cluster/kube-proxy-iptables.lab.yaml:9:5 — node node-2
netns add nsl.gc-kp-ipt.node-2
# test/unit/golden/cluster/kube-proxy-iptables.lab.yaml:5:3 — node coredns
netns add nsl.gc-kp-ipt.coredns
# test/unit/golden/cluster/kube-proxy-iptables.lab.yaml:11:5 — node web-1
netns add nsl.gc-kp-ipt.web-1
# test/unit/golden/cluster/kube-proxy-iptables.lab.yaml:11:5 — node web-2
netns add nsl.gc-kp-ipt.web-2
EOF

# ── links: veth pairs created directly inside their namespaces
ip -batch - <<'EOF'
# test/unit/golden/cluster/kube-proxy-iptables.lab.yaml:8:13 — link node-1:eth0 <-> k8s-net
link add node-1-eth0 netns nsl.gc-kp-ipt index 1000 type veth peer name eth0 netns nsl.gc-kp-ipt.node-1
# test/unit/golden/cluster/kube-proxy-iptables.lab.yaml:9:13 — link node-2:eth0 <-> k8s-net
link add node-2-eth0 netns nsl.gc-kp-ipt index 1001 type veth peer name eth0 netns nsl.gc-kp-ipt.node-2
# test/unit/golden/cluster/kube-proxy-iptables.lab.yaml:5:3 — link coredns:eth0 <-> cni0@node-1
link add veth96971f43 netns nsl.gc-kp-ipt.node-1 index 1000 mtu 1450 type veth peer name eth0 netns nsl.gc-kp-ipt.coredns mtu 1450
# test/unit/golden/cluster/kube-proxy-iptables.lab.yaml:12:7 — link web-1:eth0 <-> cni0@node-1
link add veth0761ccbe netns nsl.gc-kp-ipt.node-1 index 1001 mtu 1450 type veth peer name eth0 netns nsl.gc-kp-ipt.web-1 mtu 1450
# test/unit/golden/cluster/kube-proxy-iptables.lab.yaml:12:7 — link web-2:eth0 <-> cni0@node-2
link add veth9fb0db7f netns nsl.gc-kp-ipt.node-2 index 1000 mtu 1450 type veth peer name eth0 netns nsl.gc-kp-ipt.web-2 mtu 1450
EOF

# ── configure: inside each namespace: sysctls, bridges, addresses, routes
# one batch file per namespace, run 4 at a time by xargs
mkdir -p /run/nslab/gc-kp-ipt/batch
cat >/run/nslab/gc-kp-ipt/batch/nsl.gc-kp-ipt.node-1.ip <<'EOF'
# test/unit/golden/cluster/kube-proxy-iptables.lab.yaml:8:5
link set lo up
# test/unit/golden/cluster/kube-proxy-iptables.lab.yaml:5:3 — bridge cni0 in node-1
link add cni0 type bridge
link set cni0 mtu 1450
# test/unit/golden/cluster/kube-proxy-iptables.lab.yaml:5:3 — VXLAN flannel.1: VNI 1 over eth0
link add flannel.1 address 0e:ed:0d:ea:65:1a mtu 1450 type vxlan id 1 local 192.168.56.11 dstport 8472 dev eth0 nolearning
link set veth96971f43 master cni0
# test/unit/golden/cluster/kube-proxy-iptables.lab.yaml:12:7
link set veth0761ccbe master cni0
# test/unit/golden/cluster/kube-proxy-iptables.lab.yaml:5:3 — hairpin mode: frames may leave by the port they came in on
link set veth96971f43 type bridge_slave hairpin on
# test/unit/golden/cluster/kube-proxy-iptables.lab.yaml:12:7 — hairpin mode: frames may leave by the port they came in on
link set veth0761ccbe type bridge_slave hairpin on
# test/unit/golden/cluster/kube-proxy-iptables.lab.yaml:8:13
addr add 192.168.56.11/24 dev eth0
# test/unit/golden/cluster/kube-proxy-iptables.lab.yaml:5:3
addr add 10.244.0.0/32 dev flannel.1
addr add 10.244.0.1/24 dev cni0
# test/unit/golden/cluster/kube-proxy-iptables.lab.yaml:8:13
link set eth0 up
# test/unit/golden/cluster/kube-proxy-iptables.lab.yaml:5:3
link set flannel.1 up
link set cni0 up
link set veth96971f43 up
# test/unit/golden/cluster/kube-proxy-iptables.lab.yaml:12:7
link set veth0761ccbe up
# test/unit/golden/cluster/kube-proxy-iptables.lab.yaml:5:8
route add 10.96.0.0/12 dev eth0
route add 10.244.1.0/24 via 10.244.1.0 dev flannel.1 onlink
# test/unit/golden/cluster/kube-proxy-iptables.lab.yaml:5:3
neigh replace 10.244.1.0 lladdr 0e:84:6c:13:40:ba dev flannel.1 nud permanent
EOF
cat >/run/nslab/gc-kp-ipt/batch/nsl.gc-kp-ipt.node-2.ip <<'EOF'
# test/unit/golden/cluster/kube-proxy-iptables.lab.yaml:9:5
link set lo up
# test/unit/golden/cluster/kube-proxy-iptables.lab.yaml:5:3 — bridge cni0 in node-2
link add cni0 type bridge
link set cni0 mtu 1450
# test/unit/golden/cluster/kube-proxy-iptables.lab.yaml:5:3 — VXLAN flannel.1: VNI 1 over eth0
link add flannel.1 address 0e:84:6c:13:40:ba mtu 1450 type vxlan id 1 local 192.168.56.12 dstport 8472 dev eth0 nolearning
# test/unit/golden/cluster/kube-proxy-iptables.lab.yaml:12:7
link set veth9fb0db7f master cni0
# test/unit/golden/cluster/kube-proxy-iptables.lab.yaml:12:7 — hairpin mode: frames may leave by the port they came in on
link set veth9fb0db7f type bridge_slave hairpin on
# test/unit/golden/cluster/kube-proxy-iptables.lab.yaml:9:13
addr add 192.168.56.12/24 dev eth0
# test/unit/golden/cluster/kube-proxy-iptables.lab.yaml:5:3
addr add 10.244.1.0/32 dev flannel.1
addr add 10.244.1.1/24 dev cni0
# test/unit/golden/cluster/kube-proxy-iptables.lab.yaml:9:13
link set eth0 up
# test/unit/golden/cluster/kube-proxy-iptables.lab.yaml:5:3
link set flannel.1 up
link set cni0 up
# test/unit/golden/cluster/kube-proxy-iptables.lab.yaml:12:7
link set veth9fb0db7f up
# test/unit/golden/cluster/kube-proxy-iptables.lab.yaml:5:8
route add 10.96.0.0/12 dev eth0
route add 10.244.0.0/24 via 10.244.0.0 dev flannel.1 onlink
# test/unit/golden/cluster/kube-proxy-iptables.lab.yaml:5:3
neigh replace 10.244.0.0 lladdr 0e:ed:0d:ea:65:1a dev flannel.1 nud permanent
EOF
cat >/run/nslab/gc-kp-ipt/batch/nsl.gc-kp-ipt.coredns.ip <<'EOF'
# test/unit/golden/cluster/kube-proxy-iptables.lab.yaml:5:3
link set lo up
addr add 10.244.0.2/24 dev eth0
link set eth0 up
route add default via 10.244.0.1
EOF
cat >/run/nslab/gc-kp-ipt/batch/nsl.gc-kp-ipt.web-1.ip <<'EOF'
# test/unit/golden/cluster/kube-proxy-iptables.lab.yaml:11:5
link set lo up
# test/unit/golden/cluster/kube-proxy-iptables.lab.yaml:12:7
addr add 10.244.0.3/24 dev eth0
link set eth0 up
route add default via 10.244.0.1
EOF
cat >/run/nslab/gc-kp-ipt/batch/nsl.gc-kp-ipt.web-2.ip <<'EOF'
# test/unit/golden/cluster/kube-proxy-iptables.lab.yaml:11:5
link set lo up
# test/unit/golden/cluster/kube-proxy-iptables.lab.yaml:12:7
addr add 10.244.1.2/24 dev eth0
link set eth0 up
route add default via 10.244.1.1
EOF
cat >/run/nslab/gc-kp-ipt/batch/nsl.gc-kp-ipt.ip <<'EOF'
# test/unit/golden/cluster/kube-proxy-iptables.lab.yaml:3:7
link set lo up
# test/unit/golden/cluster/kube-proxy-iptables.lab.yaml:5:3 — bridge k8s-net
link add k8s-net type bridge
# test/unit/golden/cluster/kube-proxy-iptables.lab.yaml:8:13
link set node-1-eth0 master k8s-net
# test/unit/golden/cluster/kube-proxy-iptables.lab.yaml:9:13
link set node-2-eth0 master k8s-net
# test/unit/golden/cluster/kube-proxy-iptables.lab.yaml:5:3
link set k8s-net up
# test/unit/golden/cluster/kube-proxy-iptables.lab.yaml:8:13
link set node-1-eth0 up
# test/unit/golden/cluster/kube-proxy-iptables.lab.yaml:9:13
link set node-2-eth0 up
EOF
xargs -P 4 -L 1 nsenter <<'EOF'
--net=/run/netns/nsl.gc-kp-ipt.node-1 sysctl -qw net.ipv6.conf.all.forwarding=1
--net=/run/netns/nsl.gc-kp-ipt.node-1 ip -batch /run/nslab/gc-kp-ipt/batch/nsl.gc-kp-ipt.node-1.ip
--net=/run/netns/nsl.gc-kp-ipt.node-2 sysctl -qw net.ipv6.conf.all.forwarding=1
--net=/run/netns/nsl.gc-kp-ipt.node-2 ip -batch /run/nslab/gc-kp-ipt/batch/nsl.gc-kp-ipt.node-2.ip
--net=/run/netns/nsl.gc-kp-ipt.coredns sysctl -qw net.ipv4.ip_forward=0
--net=/run/netns/nsl.gc-kp-ipt.coredns ip -batch /run/nslab/gc-kp-ipt/batch/nsl.gc-kp-ipt.coredns.ip
--net=/run/netns/nsl.gc-kp-ipt.web-1 sysctl -qw net.ipv4.ip_forward=0
--net=/run/netns/nsl.gc-kp-ipt.web-1 ip -batch /run/nslab/gc-kp-ipt/batch/nsl.gc-kp-ipt.web-1.ip
--net=/run/netns/nsl.gc-kp-ipt.web-2 sysctl -qw net.ipv4.ip_forward=0
--net=/run/netns/nsl.gc-kp-ipt.web-2 ip -batch /run/nslab/gc-kp-ipt/batch/nsl.gc-kp-ipt.web-2.ip
--net=/run/netns/nsl.gc-kp-ipt ip -batch /run/nslab/gc-kp-ipt/batch/nsl.gc-kp-ipt.ip
EOF

# ── fdb: forwarding-database entries of VXLAN endpoints (`bridge fdb`)
# one batch file per namespace, run 4 at a time by xargs
mkdir -p /run/nslab/gc-kp-ipt/batch
cat >/run/nslab/gc-kp-ipt/batch/nsl.gc-kp-ipt.node-1.bridge <<'EOF'
# test/unit/golden/cluster/kube-proxy-iptables.lab.yaml:5:3
fdb append 0e:84:6c:13:40:ba dev flannel.1 dst 192.168.56.12 self permanent
EOF
cat >/run/nslab/gc-kp-ipt/batch/nsl.gc-kp-ipt.node-2.bridge <<'EOF'
# test/unit/golden/cluster/kube-proxy-iptables.lab.yaml:5:3
fdb append 0e:ed:0d:ea:65:1a dev flannel.1 dst 192.168.56.11 self permanent
EOF
xargs -P 4 -L 1 nsenter <<'EOF'
--net=/run/netns/nsl.gc-kp-ipt.node-1 bridge -batch /run/nslab/gc-kp-ipt/batch/nsl.gc-kp-ipt.node-1.bridge
--net=/run/netns/nsl.gc-kp-ipt.node-2 bridge -batch /run/nslab/gc-kp-ipt/batch/nsl.gc-kp-ipt.node-2.bridge
EOF

# ── settle: wait until every bridge port forwards (the kernel applies link changes asynchronously)
# wait until every bridge port forwards
# from test/unit/golden/cluster/kube-proxy-iptables.lab.yaml:5:3
# repeated until no port is "state disabled", for at most 10 s
while nsenter --net=/run/netns/nsl.gc-kp-ipt bridge link show | grep -q 'state disabled'; do sleep 0.01; done
# wait until every bridge port forwards
# from test/unit/golden/cluster/kube-proxy-iptables.lab.yaml:5:3
# repeated until no port is "state disabled", for at most 10 s
while nsenter --net=/run/netns/nsl.gc-kp-ipt.node-1 bridge link show | grep -q 'state disabled'; do sleep 0.01; done
# wait until every bridge port forwards
# from test/unit/golden/cluster/kube-proxy-iptables.lab.yaml:5:3
# repeated until no port is "state disabled", for at most 10 s
while nsenter --net=/run/netns/nsl.gc-kp-ipt.node-2 bridge link show | grep -q 'state disabled'; do sleep 0.01; done

# ── firewall: NAT and firewall rule sets
# node node-1: kube-proxy (iptables mode)
ip netns exec nsl.gc-kp-ipt.node-1 iptables-restore --noflush <<'EOF'
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
:KUBE-EXT-NEXWZWH5PGMW4KIO - [0:0]
:KUBE-SVC-NEXWZWH5PGMW4KIO - [0:0]
:KUBE-SVL-NEXWZWH5PGMW4KIO - [0:0]
:KUBE-SEP-CNDLZPBGSIX3YZAW - [0:0]
:KUBE-SEP-2HNVDVPSG4IEC5FK - [0:0]
:KUBE-SVC-NUYQOHMSGPXXTXNF - [0:0]
:KUBE-SEP-JTFRCJOS2QEGGI6Z - [0:0]
:KUBE-SEP-BBE4XI2QFLCVQ7EY - [0:0]
:KUBE-SVC-GULZSZRICXE5C7M7 - [0:0]
:KUBE-SEP-UUPA3HBHGOX6U7OR - [0:0]
:KUBE-SEP-IQMYWVNXQYOXD4X2 - [0:0]
:KUBE-SVC-BJWR5DPVIKTHVKZU - [0:0]
:KUBE-SEP-67IAFIECQT34GTRZ - [0:0]
:KUBE-SEP-K4UUMTLQQPESB2YU - [0:0]
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
-A KUBE-SERVICES -m comment --comment "default/local cluster IP" -m tcp -p tcp -d 10.96.0.12 --dport 80 -j KUBE-SVC-NEXWZWH5PGMW4KIO
-A KUBE-NODEPORTS -m comment --comment default/local -m tcp -p tcp --dport 30080 -j KUBE-EXT-NEXWZWH5PGMW4KIO
-A KUBE-SVC-NEXWZWH5PGMW4KIO -m comment --comment "default/local cluster IP" -m tcp -p tcp -d 10.96.0.12 --dport 80 ! -s 10.244.0.0/16 -j KUBE-MARK-MASQ
-A KUBE-EXT-NEXWZWH5PGMW4KIO -m comment --comment "pod traffic for default/local external destinations" -s 10.244.0.0/16 -j KUBE-SVC-NEXWZWH5PGMW4KIO
-A KUBE-EXT-NEXWZWH5PGMW4KIO -m comment --comment "masquerade LOCAL traffic for default/local external destinations" -m addrtype --src-type LOCAL -j KUBE-MARK-MASQ
-A KUBE-EXT-NEXWZWH5PGMW4KIO -m comment --comment "route LOCAL traffic for default/local external destinations" -m addrtype --src-type LOCAL -j KUBE-SVC-NEXWZWH5PGMW4KIO
-A KUBE-EXT-NEXWZWH5PGMW4KIO -j KUBE-SVL-NEXWZWH5PGMW4KIO
-A KUBE-SVC-NEXWZWH5PGMW4KIO -m comment --comment "default/local -> 10.244.0.3:80" -m statistic --mode random --probability 0.5000000000 -j KUBE-SEP-CNDLZPBGSIX3YZAW
-A KUBE-SVC-NEXWZWH5PGMW4KIO -m comment --comment "default/local -> 10.244.1.2:80" -j KUBE-SEP-2HNVDVPSG4IEC5FK
-A KUBE-SVL-NEXWZWH5PGMW4KIO -m comment --comment "default/local -> 10.244.0.3:80" -j KUBE-SEP-CNDLZPBGSIX3YZAW
-A KUBE-SEP-CNDLZPBGSIX3YZAW -m comment --comment default/local -s 10.244.0.3 -j KUBE-MARK-MASQ
-A KUBE-SEP-CNDLZPBGSIX3YZAW -m comment --comment default/local -m tcp -p tcp -j DNAT --to-destination 10.244.0.3:80
-A KUBE-SEP-2HNVDVPSG4IEC5FK -m comment --comment default/local -s 10.244.1.2 -j KUBE-MARK-MASQ
-A KUBE-SEP-2HNVDVPSG4IEC5FK -m comment --comment default/local -m tcp -p tcp -j DNAT --to-destination 10.244.1.2:80
-A KUBE-SERVICES -m comment --comment "default/multi:dns cluster IP" -m udp -p udp -d 10.96.0.13 --dport 53 -j KUBE-SVC-NUYQOHMSGPXXTXNF
-A KUBE-SVC-NUYQOHMSGPXXTXNF -m comment --comment "default/multi:dns cluster IP" -m udp -p udp -d 10.96.0.13 --dport 53 ! -s 10.244.0.0/16 -j KUBE-MARK-MASQ
-A KUBE-SVC-NUYQOHMSGPXXTXNF -m comment --comment "default/multi:dns -> 10.244.0.3:5353" -m statistic --mode random --probability 0.5000000000 -j KUBE-SEP-JTFRCJOS2QEGGI6Z
-A KUBE-SVC-NUYQOHMSGPXXTXNF -m comment --comment "default/multi:dns -> 10.244.1.2:5353" -j KUBE-SEP-BBE4XI2QFLCVQ7EY
-A KUBE-SEP-JTFRCJOS2QEGGI6Z -m comment --comment default/multi:dns -s 10.244.0.3 -j KUBE-MARK-MASQ
-A KUBE-SEP-JTFRCJOS2QEGGI6Z -m comment --comment default/multi:dns -m udp -p udp -j DNAT --to-destination 10.244.0.3:5353
-A KUBE-SEP-BBE4XI2QFLCVQ7EY -m comment --comment default/multi:dns -s 10.244.1.2 -j KUBE-MARK-MASQ
-A KUBE-SEP-BBE4XI2QFLCVQ7EY -m comment --comment default/multi:dns -m udp -p udp -j DNAT --to-destination 10.244.1.2:5353
-A KUBE-SERVICES -m comment --comment "default/multi:https cluster IP" -m tcp -p tcp -d 10.96.0.13 --dport 443 -j KUBE-SVC-GULZSZRICXE5C7M7
-A KUBE-SVC-GULZSZRICXE5C7M7 -m comment --comment "default/multi:https cluster IP" -m tcp -p tcp -d 10.96.0.13 --dport 443 ! -s 10.244.0.0/16 -j KUBE-MARK-MASQ
-A KUBE-SVC-GULZSZRICXE5C7M7 -m comment --comment "default/multi:https -> 10.244.0.3:8443" -m statistic --mode random --probability 0.5000000000 -j KUBE-SEP-UUPA3HBHGOX6U7OR
-A KUBE-SVC-GULZSZRICXE5C7M7 -m comment --comment "default/multi:https -> 10.244.1.2:8443" -j KUBE-SEP-IQMYWVNXQYOXD4X2
-A KUBE-SEP-UUPA3HBHGOX6U7OR -m comment --comment default/multi:https -s 10.244.0.3 -j KUBE-MARK-MASQ
-A KUBE-SEP-UUPA3HBHGOX6U7OR -m comment --comment default/multi:https -m tcp -p tcp -j DNAT --to-destination 10.244.0.3:8443
-A KUBE-SEP-IQMYWVNXQYOXD4X2 -m comment --comment default/multi:https -s 10.244.1.2 -j KUBE-MARK-MASQ
-A KUBE-SEP-IQMYWVNXQYOXD4X2 -m comment --comment default/multi:https -m tcp -p tcp -j DNAT --to-destination 10.244.1.2:8443
-A KUBE-SERVICES -m comment --comment "default/sticky cluster IP" -m tcp -p tcp -d 10.96.0.11 --dport 80 -j KUBE-SVC-BJWR5DPVIKTHVKZU
-A KUBE-SVC-BJWR5DPVIKTHVKZU -m comment --comment "default/sticky cluster IP" -m tcp -p tcp -d 10.96.0.11 --dport 80 ! -s 10.244.0.0/16 -j KUBE-MARK-MASQ
-A KUBE-SVC-BJWR5DPVIKTHVKZU -m comment --comment "default/sticky -> 10.244.0.3:80" -m recent --name KUBE-SEP-67IAFIECQT34GTRZ --rcheck --seconds 10800 --reap -j KUBE-SEP-67IAFIECQT34GTRZ
-A KUBE-SVC-BJWR5DPVIKTHVKZU -m comment --comment "default/sticky -> 10.244.1.2:80" -m recent --name KUBE-SEP-K4UUMTLQQPESB2YU --rcheck --seconds 10800 --reap -j KUBE-SEP-K4UUMTLQQPESB2YU
-A KUBE-SVC-BJWR5DPVIKTHVKZU -m comment --comment "default/sticky -> 10.244.0.3:80" -m statistic --mode random --probability 0.5000000000 -j KUBE-SEP-67IAFIECQT34GTRZ
-A KUBE-SVC-BJWR5DPVIKTHVKZU -m comment --comment "default/sticky -> 10.244.1.2:80" -j KUBE-SEP-K4UUMTLQQPESB2YU
-A KUBE-SEP-67IAFIECQT34GTRZ -m comment --comment default/sticky -s 10.244.0.3 -j KUBE-MARK-MASQ
-A KUBE-SEP-67IAFIECQT34GTRZ -m comment --comment default/sticky -m recent --name KUBE-SEP-67IAFIECQT34GTRZ --set -m tcp -p tcp -j DNAT --to-destination 10.244.0.3:80
-A KUBE-SEP-K4UUMTLQQPESB2YU -m comment --comment default/sticky -s 10.244.1.2 -j KUBE-MARK-MASQ
-A KUBE-SEP-K4UUMTLQQPESB2YU -m comment --comment default/sticky -m recent --name KUBE-SEP-K4UUMTLQQPESB2YU --set -m tcp -p tcp -j DNAT --to-destination 10.244.1.2:80
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
ip netns exec nsl.gc-kp-ipt.node-2 iptables-restore --noflush <<'EOF'
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
:KUBE-EXT-NEXWZWH5PGMW4KIO - [0:0]
:KUBE-SVC-NEXWZWH5PGMW4KIO - [0:0]
:KUBE-SVL-NEXWZWH5PGMW4KIO - [0:0]
:KUBE-SEP-CNDLZPBGSIX3YZAW - [0:0]
:KUBE-SEP-2HNVDVPSG4IEC5FK - [0:0]
:KUBE-SVC-NUYQOHMSGPXXTXNF - [0:0]
:KUBE-SEP-JTFRCJOS2QEGGI6Z - [0:0]
:KUBE-SEP-BBE4XI2QFLCVQ7EY - [0:0]
:KUBE-SVC-GULZSZRICXE5C7M7 - [0:0]
:KUBE-SEP-UUPA3HBHGOX6U7OR - [0:0]
:KUBE-SEP-IQMYWVNXQYOXD4X2 - [0:0]
:KUBE-SVC-BJWR5DPVIKTHVKZU - [0:0]
:KUBE-SEP-67IAFIECQT34GTRZ - [0:0]
:KUBE-SEP-K4UUMTLQQPESB2YU - [0:0]
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
-A KUBE-SERVICES -m comment --comment "default/local cluster IP" -m tcp -p tcp -d 10.96.0.12 --dport 80 -j KUBE-SVC-NEXWZWH5PGMW4KIO
-A KUBE-NODEPORTS -m comment --comment default/local -m tcp -p tcp --dport 30080 -j KUBE-EXT-NEXWZWH5PGMW4KIO
-A KUBE-SVC-NEXWZWH5PGMW4KIO -m comment --comment "default/local cluster IP" -m tcp -p tcp -d 10.96.0.12 --dport 80 ! -s 10.244.0.0/16 -j KUBE-MARK-MASQ
-A KUBE-EXT-NEXWZWH5PGMW4KIO -m comment --comment "pod traffic for default/local external destinations" -s 10.244.0.0/16 -j KUBE-SVC-NEXWZWH5PGMW4KIO
-A KUBE-EXT-NEXWZWH5PGMW4KIO -m comment --comment "masquerade LOCAL traffic for default/local external destinations" -m addrtype --src-type LOCAL -j KUBE-MARK-MASQ
-A KUBE-EXT-NEXWZWH5PGMW4KIO -m comment --comment "route LOCAL traffic for default/local external destinations" -m addrtype --src-type LOCAL -j KUBE-SVC-NEXWZWH5PGMW4KIO
-A KUBE-EXT-NEXWZWH5PGMW4KIO -j KUBE-SVL-NEXWZWH5PGMW4KIO
-A KUBE-SVC-NEXWZWH5PGMW4KIO -m comment --comment "default/local -> 10.244.0.3:80" -m statistic --mode random --probability 0.5000000000 -j KUBE-SEP-CNDLZPBGSIX3YZAW
-A KUBE-SVC-NEXWZWH5PGMW4KIO -m comment --comment "default/local -> 10.244.1.2:80" -j KUBE-SEP-2HNVDVPSG4IEC5FK
-A KUBE-SVL-NEXWZWH5PGMW4KIO -m comment --comment "default/local -> 10.244.1.2:80" -j KUBE-SEP-2HNVDVPSG4IEC5FK
-A KUBE-SEP-CNDLZPBGSIX3YZAW -m comment --comment default/local -s 10.244.0.3 -j KUBE-MARK-MASQ
-A KUBE-SEP-CNDLZPBGSIX3YZAW -m comment --comment default/local -m tcp -p tcp -j DNAT --to-destination 10.244.0.3:80
-A KUBE-SEP-2HNVDVPSG4IEC5FK -m comment --comment default/local -s 10.244.1.2 -j KUBE-MARK-MASQ
-A KUBE-SEP-2HNVDVPSG4IEC5FK -m comment --comment default/local -m tcp -p tcp -j DNAT --to-destination 10.244.1.2:80
-A KUBE-SERVICES -m comment --comment "default/multi:dns cluster IP" -m udp -p udp -d 10.96.0.13 --dport 53 -j KUBE-SVC-NUYQOHMSGPXXTXNF
-A KUBE-SVC-NUYQOHMSGPXXTXNF -m comment --comment "default/multi:dns cluster IP" -m udp -p udp -d 10.96.0.13 --dport 53 ! -s 10.244.0.0/16 -j KUBE-MARK-MASQ
-A KUBE-SVC-NUYQOHMSGPXXTXNF -m comment --comment "default/multi:dns -> 10.244.0.3:5353" -m statistic --mode random --probability 0.5000000000 -j KUBE-SEP-JTFRCJOS2QEGGI6Z
-A KUBE-SVC-NUYQOHMSGPXXTXNF -m comment --comment "default/multi:dns -> 10.244.1.2:5353" -j KUBE-SEP-BBE4XI2QFLCVQ7EY
-A KUBE-SEP-JTFRCJOS2QEGGI6Z -m comment --comment default/multi:dns -s 10.244.0.3 -j KUBE-MARK-MASQ
-A KUBE-SEP-JTFRCJOS2QEGGI6Z -m comment --comment default/multi:dns -m udp -p udp -j DNAT --to-destination 10.244.0.3:5353
-A KUBE-SEP-BBE4XI2QFLCVQ7EY -m comment --comment default/multi:dns -s 10.244.1.2 -j KUBE-MARK-MASQ
-A KUBE-SEP-BBE4XI2QFLCVQ7EY -m comment --comment default/multi:dns -m udp -p udp -j DNAT --to-destination 10.244.1.2:5353
-A KUBE-SERVICES -m comment --comment "default/multi:https cluster IP" -m tcp -p tcp -d 10.96.0.13 --dport 443 -j KUBE-SVC-GULZSZRICXE5C7M7
-A KUBE-SVC-GULZSZRICXE5C7M7 -m comment --comment "default/multi:https cluster IP" -m tcp -p tcp -d 10.96.0.13 --dport 443 ! -s 10.244.0.0/16 -j KUBE-MARK-MASQ
-A KUBE-SVC-GULZSZRICXE5C7M7 -m comment --comment "default/multi:https -> 10.244.0.3:8443" -m statistic --mode random --probability 0.5000000000 -j KUBE-SEP-UUPA3HBHGOX6U7OR
-A KUBE-SVC-GULZSZRICXE5C7M7 -m comment --comment "default/multi:https -> 10.244.1.2:8443" -j KUBE-SEP-IQMYWVNXQYOXD4X2
-A KUBE-SEP-UUPA3HBHGOX6U7OR -m comment --comment default/multi:https -s 10.244.0.3 -j KUBE-MARK-MASQ
-A KUBE-SEP-UUPA3HBHGOX6U7OR -m comment --comment default/multi:https -m tcp -p tcp -j DNAT --to-destination 10.244.0.3:8443
-A KUBE-SEP-IQMYWVNXQYOXD4X2 -m comment --comment default/multi:https -s 10.244.1.2 -j KUBE-MARK-MASQ
-A KUBE-SEP-IQMYWVNXQYOXD4X2 -m comment --comment default/multi:https -m tcp -p tcp -j DNAT --to-destination 10.244.1.2:8443
-A KUBE-SERVICES -m comment --comment "default/sticky cluster IP" -m tcp -p tcp -d 10.96.0.11 --dport 80 -j KUBE-SVC-BJWR5DPVIKTHVKZU
-A KUBE-SVC-BJWR5DPVIKTHVKZU -m comment --comment "default/sticky cluster IP" -m tcp -p tcp -d 10.96.0.11 --dport 80 ! -s 10.244.0.0/16 -j KUBE-MARK-MASQ
-A KUBE-SVC-BJWR5DPVIKTHVKZU -m comment --comment "default/sticky -> 10.244.0.3:80" -m recent --name KUBE-SEP-67IAFIECQT34GTRZ --rcheck --seconds 10800 --reap -j KUBE-SEP-67IAFIECQT34GTRZ
-A KUBE-SVC-BJWR5DPVIKTHVKZU -m comment --comment "default/sticky -> 10.244.1.2:80" -m recent --name KUBE-SEP-K4UUMTLQQPESB2YU --rcheck --seconds 10800 --reap -j KUBE-SEP-K4UUMTLQQPESB2YU
-A KUBE-SVC-BJWR5DPVIKTHVKZU -m comment --comment "default/sticky -> 10.244.0.3:80" -m statistic --mode random --probability 0.5000000000 -j KUBE-SEP-67IAFIECQT34GTRZ
-A KUBE-SVC-BJWR5DPVIKTHVKZU -m comment --comment "default/sticky -> 10.244.1.2:80" -j KUBE-SEP-K4UUMTLQQPESB2YU
-A KUBE-SEP-67IAFIECQT34GTRZ -m comment --comment default/sticky -s 10.244.0.3 -j KUBE-MARK-MASQ
-A KUBE-SEP-67IAFIECQT34GTRZ -m comment --comment default/sticky -m recent --name KUBE-SEP-67IAFIECQT34GTRZ --set -m tcp -p tcp -j DNAT --to-destination 10.244.0.3:80
-A KUBE-SEP-K4UUMTLQQPESB2YU -m comment --comment default/sticky -s 10.244.1.2 -j KUBE-MARK-MASQ
-A KUBE-SEP-K4UUMTLQQPESB2YU -m comment --comment default/sticky -m recent --name KUBE-SEP-K4UUMTLQQPESB2YU --set -m tcp -p tcp -j DNAT --to-destination 10.244.1.2:80
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
# from test/unit/golden/cluster/kube-proxy-iptables.lab.yaml:5:3
mkdir -p /etc/netns/nsl.gc-kp-ipt.coredns
cat >/etc/netns/nsl.gc-kp-ipt.coredns/resolv.conf <<'EOF'
nameserver 10.96.0.10
search kube-system.svc.cluster.local svc.cluster.local cluster.local
options ndots:5
EOF
# pod web-1: resolv.conf (ip netns exec mounts it)
# from test/unit/golden/cluster/kube-proxy-iptables.lab.yaml:11:5
mkdir -p /etc/netns/nsl.gc-kp-ipt.web-1
cat >/etc/netns/nsl.gc-kp-ipt.web-1/resolv.conf <<'EOF'
nameserver 10.96.0.10
search default.svc.cluster.local svc.cluster.local cluster.local
options ndots:5
EOF
# pod web-2: resolv.conf (ip netns exec mounts it)
# from test/unit/golden/cluster/kube-proxy-iptables.lab.yaml:11:5
mkdir -p /etc/netns/nsl.gc-kp-ipt.web-2
cat >/etc/netns/nsl.gc-kp-ipt.web-2/resolv.conf <<'EOF'
nameserver 10.96.0.10
search default.svc.cluster.local svc.cluster.local cluster.local
options ndots:5
EOF

# ── daemons: long-running processes (stopped by `lab down`)
# the cluster DNS: dnsmasq with the records of every service and pod
# from test/unit/golden/cluster/kube-proxy-iptables.lab.yaml:4:1
mkdir -p /run/nslab/gc-kp-ipt/logs
ip netns exec nsl.gc-kp-ipt.coredns dnsmasq --keep-in-foreground --no-resolv --no-hosts --bind-interfaces --listen-address=10.244.0.2 --port=53 --log-facility=- --local=/cluster.local/ --host-record=headless.default.svc.cluster.local,10.244.0.3 --host-record=headless.default.svc.cluster.local,10.244.1.2 --host-record=10-244-0-3.headless.default.svc.cluster.local,10.244.0.3 --host-record=10-244-1-2.headless.default.svc.cluster.local,10.244.1.2 --host-record=local.default.svc.cluster.local,10.96.0.12 --host-record=multi.default.svc.cluster.local,10.96.0.13 --srv-host=_https._tcp.multi.default.svc.cluster.local,multi.default.svc.cluster.local,443 --srv-host=_dns._udp.multi.default.svc.cluster.local,multi.default.svc.cluster.local,53 --host-record=sticky.default.svc.cluster.local,10.96.0.11 --host-record=kube-dns.kube-system.svc.cluster.local,10.96.0.10 --srv-host=_dns._udp.kube-dns.kube-system.svc.cluster.local,kube-dns.kube-system.svc.cluster.local,53 --srv-host=_dns-tcp._tcp.kube-dns.kube-system.svc.cluster.local,kube-dns.kube-system.svc.cluster.local,53 --host-record=10-244-0-3.default.pod.cluster.local,10.244.0.3 --host-record=10-244-1-2.default.pod.cluster.local,10.244.1.2 --host-record=10-244-0-2.kube-system.pod.cluster.local,10.244.0.2 --pid-file --user=root >/run/nslab/gc-kp-ipt/logs/coredns.dnsmasq.log 2>&1 &
# pod web-1: answers with its name and the client address on 80/tcp, 8443/tcp, 5353/udp
# from test/unit/golden/cluster/kube-proxy-iptables.lab.yaml:11:5
mkdir -p /run/nslab/gc-kp-ipt/logs
ip netns exec nsl.gc-kp-ipt.web-1 lab agent whoami --name web-1 --port 80 --port 8443 --udp-port 5353 >/run/nslab/gc-kp-ipt/logs/web-1.whoami.log 2>&1 &
# pod web-2: answers with its name and the client address on 80/tcp, 8443/tcp, 5353/udp
# from test/unit/golden/cluster/kube-proxy-iptables.lab.yaml:11:5
mkdir -p /run/nslab/gc-kp-ipt/logs
ip netns exec nsl.gc-kp-ipt.web-2 lab agent whoami --name web-2 --port 80 --port 8443 --udp-port 5353 >/run/nslab/gc-kp-ipt/logs/web-2.whoami.log 2>&1 &

# ── teardown (what `lab down` runs): stop every process inside the lab's namespaces (by PID), then
# delete the namespaces, which removes every link, bridge, address, route and rule inside them
# (commented out, so that running this script builds the lab and leaves it up)
#   ip -force -batch - <<'EOF'
#   netns del nsl.gc-kp-ipt
#   netns del nsl.gc-kp-ipt.node-1
#   netns del nsl.gc-kp-ipt.node-2
#   netns del nsl.gc-kp-ipt.coredns
#   netns del nsl.gc-kp-ipt.web-1
#   netns del nsl.gc-kp-ipt.web-2
#   EOF
