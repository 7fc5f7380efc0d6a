#!/bin/sh
# nslab plan for lab "k8s-ingress" from labs/k8s-ingress/lab.yaml
# Run as root to build the lab by hand; these are exactly the commands `lab up` runs
# (it runs the blocks of one phase in parallel). Every line notes the lab-file place behind it.
# new namespaces start with net.ipv4.ip_forward=1, net.ipv6.conf.all.forwarding=0 (inherited from this host): only nodes that need other values get a sysctl
set -e

# ── namespaces: network namespaces (one per node, plus the lab fabric) and containers
ip -batch - <<'EOF'
# labs/k8s-ingress/lab.yaml:2:7 — the lab fabric: bridges that belong to no node
netns add nsl.k8s-ingress
# labs/k8s-ingress/lab.yaml:10:3 — node ext
netns add nsl.k8s-ingress.ext
# labs/k8s-ingress/lab.yaml:21:5 — node node-1
netns add nsl.k8s-ingress.node-1
# labs/k8s-ingress/lab.yaml:22:5 — node node-2
netns add nsl.k8s-ingress.node-2
# labs/k8s-ingress/lab.yaml:18:3 — node coredns
netns add nsl.k8s-ingress.coredns
# labs/k8s-ingress/lab.yaml:43:3 — node ingress-nginx
netns add nsl.k8s-ingress.ingress-nginx
# labs/k8s-ingress/lab.yaml:24:5 — node shop-1
netns add nsl.k8s-ingress.shop-1
# labs/k8s-ingress/lab.yaml:24:5 — node shop-2
netns add nsl.k8s-ingress.shop-2
# labs/k8s-ingress/lab.yaml:27:5 — node api
netns add nsl.k8s-ingress.api
# labs/k8s-ingress/lab.yaml:30:5 — node blog
netns add nsl.k8s-ingress.blog
EOF

# ── links: veth pairs created directly inside their namespaces
ip -batch - <<'EOF'
# labs/k8s-ingress/lab.yaml:15:5 — link ext:eth0 <-> k8s-net
link add ext-eth0 netns nsl.k8s-ingress index 1000 type veth peer name eth0 netns nsl.k8s-ingress.ext
# labs/k8s-ingress/lab.yaml:21:13 — link node-1:eth0 <-> k8s-net
link add node-1-eth0 netns nsl.k8s-ingress index 1001 type veth peer name eth0 netns nsl.k8s-ingress.node-1
# labs/k8s-ingress/lab.yaml:22:13 — link node-2:eth0 <-> k8s-net
link add node-2-eth0 netns nsl.k8s-ingress index 1002 type veth peer name eth0 netns nsl.k8s-ingress.node-2
# labs/k8s-ingress/lab.yaml:18:3 — link coredns:eth0 <-> cni0@node-1
link add veth96971f43 netns nsl.k8s-ingress.node-1 index 1000 mtu 1450 type veth peer name eth0 netns nsl.k8s-ingress.coredns mtu 1450
# labs/k8s-ingress/lab.yaml:44:5 — link ingress-nginx:eth0 <-> cni0@node-1
link add veth91058e7f netns nsl.k8s-ingress.node-1 index 1001 mtu 1450 type veth peer name eth0 netns nsl.k8s-ingress.ingress-nginx mtu 1450
# labs/k8s-ingress/lab.yaml:25:7 — link shop-1:eth0 <-> cni0@node-1
link add veth4b2c92ae netns nsl.k8s-ingress.node-1 index 1002 mtu 1450 type veth peer name eth0 netns nsl.k8s-ingress.shop-1 mtu 1450
# labs/k8s-ingress/lab.yaml:25:7 — link shop-2:eth0 <-> cni0@node-2
link add vethafba09da netns nsl.k8s-ingress.node-2 index 1000 mtu 1450 type veth peer name eth0 netns nsl.k8s-ingress.shop-2 mtu 1450
# labs/k8s-ingress/lab.yaml:28:7 — link api:eth0 <-> cni0@node-2
link add vethbd0ecddf netns nsl.k8s-ingress.node-2 index 1001 mtu 1450 type veth peer name eth0 netns nsl.k8s-ingress.api mtu 1450
# labs/k8s-ingress/lab.yaml:31:7 — link blog:eth0 <-> cni0@node-1
link add vethac104186 netns nsl.k8s-ingress.node-1 index 1003 mtu 1450 type veth peer name eth0 netns nsl.k8s-ingress.blog mtu 1450
EOF

# ── configure: inside each namespace: sysctls, bridges, addresses, routes
# one batch file per namespace, run 4 at a time by xargs
mkdir -p /run/nslab/k8s-ingress/batch
cat >/run/nslab/k8s-ingress/batch/nsl.k8s-ingress.ext.ip <<'EOF'
# labs/k8s-ingress/lab.yaml:10:3
link set lo up
# labs/k8s-ingress/lab.yaml:12:7
addr add 192.168.56.100/24 dev eth0
link set eth0 up
EOF
cat >/run/nslab/k8s-ingress/batch/nsl.k8s-ingress.node-1.ip <<'EOF'
# labs/k8s-ingress/lab.yaml:21:5
link set lo up
# labs/k8s-ingress/lab.yaml:18:3 — bridge cni0 in node-1
link add cni0 type bridge
link set cni0 mtu 1450
# labs/k8s-ingress/lab.yaml:18:3 — VXLAN flannel.1: VNI 1 over eth0
link add flannel.1 address 0e:e8:b5:b2:56:2c mtu 1450 type vxlan id 1 local 192.168.56.11 dstport 8472 dev eth0 nolearning
link set veth96971f43 master cni0
# labs/k8s-ingress/lab.yaml:44:5
link set veth91058e7f master cni0
# labs/k8s-ingress/lab.yaml:25:7
link set veth4b2c92ae master cni0
# labs/k8s-ingress/lab.yaml:31:7
link set vethac104186 master cni0
# labs/k8s-ingress/lab.yaml:18:3 — hairpin mode: frames may leave by the port they came in on
link set veth96971f43 type bridge_slave hairpin on
# labs/k8s-ingress/lab.yaml:44:5 — hairpin mode: frames may leave by the port they came in on
link set veth91058e7f type bridge_slave hairpin on
# labs/k8s-ingress/lab.yaml:25:7 — hairpin mode: frames may leave by the port they came in on
link set veth4b2c92ae type bridge_slave hairpin on
# labs/k8s-ingress/lab.yaml:31:7 — hairpin mode: frames may leave by the port they came in on
link set vethac104186 type bridge_slave hairpin on
# labs/k8s-ingress/lab.yaml:21:13
addr add 192.168.56.11/24 dev eth0
# labs/k8s-ingress/lab.yaml:18:3
addr add 10.244.0.0/32 dev flannel.1
addr add 10.244.0.1/24 dev cni0
# labs/k8s-ingress/lab.yaml:21:13
link set eth0 up
# labs/k8s-ingress/lab.yaml:18:3
link set flannel.1 up
link set cni0 up
link set veth96971f43 up
# labs/k8s-ingress/lab.yaml:44:5
link set veth91058e7f up
# labs/k8s-ingress/lab.yaml:25:7
link set veth4b2c92ae up
# labs/k8s-ingress/lab.yaml:31:7
link set vethac104186 up
# labs/k8s-ingress/lab.yaml:18:8
route add 10.96.0.0/12 dev eth0
route add 10.244.1.0/24 via 10.244.1.0 dev flannel.1 onlink
# labs/k8s-ingress/lab.yaml:18:3
neigh replace 10.244.1.0 lladdr 0e:a8:a5:1a:a7:71 dev flannel.1 nud permanent
EOF
cat >/run/nslab/k8s-ingress/batch/nsl.k8s-ingress.node-2.ip <<'EOF'
# labs/k8s-ingress/lab.yaml:22:5
link set lo up
# labs/k8s-ingress/lab.yaml:18:3 — bridge cni0 in node-2
link add cni0 type bridge
link set cni0 mtu 1450
# labs/k8s-ingress/lab.yaml:18:3 — VXLAN flannel.1: VNI 1 over eth0
link add flannel.1 address 0e:a8:a5:1a:a7:71 mtu 1450 type vxlan id 1 local 192.168.56.12 dstport 8472 dev eth0 nolearning
# labs/k8s-ingress/lab.yaml:25:7
link set vethafba09da master cni0
# labs/k8s-ingress/lab.yaml:28:7
link set vethbd0ecddf master cni0
# labs/k8s-ingress/lab.yaml:25:7 — hairpin mode: frames may leave by the port they came in on
link set vethafba09da type bridge_slave hairpin on
# labs/k8s-ingress/lab.yaml:28:7 — hairpin mode: frames may leave by the port they came in on
link set vethbd0ecddf type bridge_slave hairpin on
# labs/k8s-ingress/lab.yaml:22:13
addr add 192.168.56.12/24 dev eth0
# labs/k8s-ingress/lab.yaml:18:3
addr add 10.244.1.0/32 dev flannel.1
addr add 10.244.1.1/24 dev cni0
# labs/k8s-ingress/lab.yaml:22:13
link set eth0 up
# labs/k8s-ingress/lab.yaml:18:3
link set flannel.1 up
link set cni0 up
# labs/k8s-ingress/lab.yaml:25:7
link set vethafba09da up
# labs/k8s-ingress/lab.yaml:28:7
link set vethbd0ecddf up
# labs/k8s-ingress/lab.yaml:18:8
route add 10.96.0.0/12 dev eth0
route add 10.244.0.0/24 via 10.244.0.0 dev flannel.1 onlink
# labs/k8s-ingress/lab.yaml:18:3
neigh replace 10.244.0.0 lladdr 0e:e8:b5:b2:56:2c dev flannel.1 nud permanent
EOF
cat >/run/nslab/k8s-ingress/batch/nsl.k8s-ingress.coredns.ip <<'EOF'
# labs/k8s-ingress/lab.yaml:18:3
link set lo up
addr add 10.244.0.2/24 dev eth0
link set eth0 up
route add default via 10.244.0.1
EOF
cat >/run/nslab/k8s-ingress/batch/nsl.k8s-ingress.ingress-nginx.ip <<'EOF'
# labs/k8s-ingress/lab.yaml:43:3
link set lo up
# labs/k8s-ingress/lab.yaml:44:5
addr add 10.244.0.3/24 dev eth0
link set eth0 up
route add default via 10.244.0.1
EOF
cat >/run/nslab/k8s-ingress/batch/nsl.k8s-ingress.shop-1.ip <<'EOF'
# labs/k8s-ingress/lab.yaml:24:5
link set lo up
# labs/k8s-ingress/lab.yaml:25:7
addr add 10.244.0.4/24 dev eth0
link set eth0 up
route add default via 10.244.0.1
EOF
cat >/run/nslab/k8s-ingress/batch/nsl.k8s-ingress.shop-2.ip <<'EOF'
# labs/k8s-ingress/lab.yaml:24:5
link set lo up
# labs/k8s-ingress/lab.yaml:25:7
addr add 10.244.1.2/24 dev eth0
link set eth0 up
route add default via 10.244.1.1
EOF
cat >/run/nslab/k8s-ingress/batch/nsl.k8s-ingress.api.ip <<'EOF'
# labs/k8s-ingress/lab.yaml:27:5
link set lo up
# labs/k8s-ingress/lab.yaml:28:7
addr add 10.244.1.3/24 dev eth0
link set eth0 up
route add default via 10.244.1.1
EOF
cat >/run/nslab/k8s-ingress/batch/nsl.k8s-ingress.blog.ip <<'EOF'
# labs/k8s-ingress/lab.yaml:30:5
link set lo up
# labs/k8s-ingress/lab.yaml:31:7
addr add 10.244.0.5/24 dev eth0
link set eth0 up
route add default via 10.244.0.1
EOF
cat >/run/nslab/k8s-ingress/batch/nsl.k8s-ingress.ip <<'EOF'
# labs/k8s-ingress/lab.yaml:2:7
link set lo up
# labs/k8s-ingress/lab.yaml:18:3 — bridge k8s-net
link add k8s-net type bridge
# labs/k8s-ingress/lab.yaml:15:5
link set ext-eth0 master k8s-net
# labs/k8s-ingress/lab.yaml:21:13
link set node-1-eth0 master k8s-net
# labs/k8s-ingress/lab.yaml:22:13
link set node-2-eth0 master k8s-net
# labs/k8s-ingress/lab.yaml:18:3
link set k8s-net up
# labs/k8s-ingress/lab.yaml:15:5
link set ext-eth0 up
# labs/k8s-ingress/lab.yaml:21:13
link set node-1-eth0 up
# labs/k8s-ingress/lab.yaml:22:13
link set node-2-eth0 up
EOF
xargs -P 4 -L 1 nsenter <<'EOF'
--net=/run/netns/nsl.k8s-ingress.ext sysctl -qw net.ipv4.ip_forward=0
--net=/run/netns/nsl.k8s-ingress.ext ip -batch /run/nslab/k8s-ingress/batch/nsl.k8s-ingress.ext.ip
--net=/run/netns/nsl.k8s-ingress.node-1 sysctl -qw net.ipv6.conf.all.forwarding=1
--net=/run/netns/nsl.k8s-ingress.node-1 ip -batch /run/nslab/k8s-ingress/batch/nsl.k8s-ingress.node-1.ip
--net=/run/netns/nsl.k8s-ingress.node-2 sysctl -qw net.ipv6.conf.all.forwarding=1
--net=/run/netns/nsl.k8s-ingress.node-2 ip -batch /run/nslab/k8s-ingress/batch/nsl.k8s-ingress.node-2.ip
--net=/run/netns/nsl.k8s-ingress.coredns sysctl -qw net.ipv4.ip_forward=0
--net=/run/netns/nsl.k8s-ingress.coredns ip -batch /run/nslab/k8s-ingress/batch/nsl.k8s-ingress.coredns.ip
--net=/run/netns/nsl.k8s-ingress.ingress-nginx sysctl -qw net.ipv4.ip_forward=0
--net=/run/netns/nsl.k8s-ingress.ingress-nginx ip -batch /run/nslab/k8s-ingress/batch/nsl.k8s-ingress.ingress-nginx.ip
--net=/run/netns/nsl.k8s-ingress.shop-1 sysctl -qw net.ipv4.ip_forward=0
--net=/run/netns/nsl.k8s-ingress.shop-1 ip -batch /run/nslab/k8s-ingress/batch/nsl.k8s-ingress.shop-1.ip
--net=/run/netns/nsl.k8s-ingress.shop-2 sysctl -qw net.ipv4.ip_forward=0
--net=/run/netns/nsl.k8s-ingress.shop-2 ip -batch /run/nslab/k8s-ingress/batch/nsl.k8s-ingress.shop-2.ip
--net=/run/netns/nsl.k8s-ingress.api sysctl -qw net.ipv4.ip_forward=0
--net=/run/netns/nsl.k8s-ingress.api ip -batch /run/nslab/k8s-ingress/batch/nsl.k8s-ingress.api.ip
--net=/run/netns/nsl.k8s-ingress.blog sysctl -qw net.ipv4.ip_forward=0
--net=/run/netns/nsl.k8s-ingress.blog ip -batch /run/nslab/k8s-ingress/batch/nsl.k8s-ingress.blog.ip
--net=/run/netns/nsl.k8s-ingress ip -batch /run/nslab/k8s-ingress/batch/nsl.k8s-ingress.ip
EOF

# ── fdb: forwarding-database entries of VXLAN endpoints (`bridge fdb`)
# one batch file per namespace, run 4 at a time by xargs
mkdir -p /run/nslab/k8s-ingress/batch
cat >/run/nslab/k8s-ingress/batch/nsl.k8s-ingress.node-1.bridge <<'EOF'
# labs/k8s-ingress/lab.yaml:18:3
fdb append 0e:a8:a5:1a:a7:71 dev flannel.1 dst 192.168.56.12 self permanent
EOF
cat >/run/nslab/k8s-ingress/batch/nsl.k8s-ingress.node-2.bridge <<'EOF'
# labs/k8s-ingress/lab.yaml:18:3
fdb append 0e:e8:b5:b2:56:2c dev flannel.1 dst 192.168.56.11 self permanent
EOF
xargs -P 4 -L 1 nsenter <<'EOF'
--net=/run/netns/nsl.k8s-ingress.node-1 bridge -batch /run/nslab/k8s-ingress/batch/nsl.k8s-ingress.node-1.bridge
--net=/run/netns/nsl.k8s-ingress.node-2 bridge -batch /run/nslab/k8s-ingress/batch/nsl.k8s-ingress.node-2.bridge
EOF

# ── settle: wait until every bridge port forwards (the kernel applies link changes asynchronously)
# wait until every bridge port forwards
# from labs/k8s-ingress/lab.yaml:18:3
# repeated until no port is "state disabled", for at most 10 s
while nsenter --net=/run/netns/nsl.k8s-ingress bridge link show | grep -q 'state disabled'; do sleep 0.01; done
# wait until every bridge port forwards
# from labs/k8s-ingress/lab.yaml:18:3
# repeated until no port is "state disabled", for at most 10 s
while nsenter --net=/run/netns/nsl.k8s-ingress.node-1 bridge link show | grep -q 'state disabled'; do sleep 0.01; done
# wait until every bridge port forwards
# from labs/k8s-ingress/lab.yaml:18:3
# repeated until no port is "state disabled", for at most 10 s
while nsenter --net=/run/netns/nsl.k8s-ingress.node-2 bridge link show | grep -q 'state disabled'; do sleep 0.01; done

# ── firewall: NAT and firewall rule sets
# node node-1: kube-proxy (iptables mode)
ip netns exec nsl.k8s-ingress.node-1 iptables-restore --noflush <<'EOF'
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
:KUBE-SVC-KKDGWRPDK6Z5NCHS - [0:0]
:KUBE-SEP-DUKCOFW7HZBTN57L - [0:0]
:KUBE-SVC-AEF53R7ZRFKW7M3F - [0:0]
:KUBE-SEP-DESXQXDC7NIYO5EO - [0:0]
:KUBE-SVC-PFINMTQ5Y2TT4XZK - [0:0]
:KUBE-SEP-ADYVKU5ESQ32FLGU - [0:0]
:KUBE-SEP-LJGYLEDQMYWBY44X - [0:0]
:KUBE-EXT-CG5I4G2RS3ZVWGLK - [0:0]
:KUBE-SVC-CG5I4G2RS3ZVWGLK - [0:0]
:KUBE-SEP-UY2H74SF4NSLTHCD - [0:0]
:KUBE-EXT-EDNDUDH2C75GIR6O - [0:0]
:KUBE-SVC-EDNDUDH2C75GIR6O - [0:0]
:KUBE-SEP-2EIMEWGZBGMM6S2Y - [0:0]
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
-A KUBE-SERVICES -m comment --comment "default/api:http cluster IP" -m tcp -p tcp -d 10.96.0.12 --dport 8080 -j KUBE-SVC-KKDGWRPDK6Z5NCHS
-A KUBE-SVC-KKDGWRPDK6Z5NCHS -m comment --comment "default/api:http cluster IP" -m tcp -p tcp -d 10.96.0.12 --dport 8080 ! -s 10.244.0.0/16 -j KUBE-MARK-MASQ
-A KUBE-SVC-KKDGWRPDK6Z5NCHS -m comment --comment "default/api:http -> 10.244.1.3:80" -j KUBE-SEP-DUKCOFW7HZBTN57L
-A KUBE-SEP-DUKCOFW7HZBTN57L -m comment --comment default/api:http -s 10.244.1.3 -j KUBE-MARK-MASQ
-A KUBE-SEP-DUKCOFW7HZBTN57L -m comment --comment default/api:http -m tcp -p tcp -j DNAT --to-destination 10.244.1.3:80
-A KUBE-SERVICES -m comment --comment "default/blog cluster IP" -m tcp -p tcp -d 10.96.0.13 --dport 80 -j KUBE-SVC-AEF53R7ZRFKW7M3F
-A KUBE-SVC-AEF53R7ZRFKW7M3F -m comment --comment "default/blog cluster IP" -m tcp -p tcp -d 10.96.0.13 --dport 80 ! -s 10.244.0.0/16 -j KUBE-MARK-MASQ
-A KUBE-SVC-AEF53R7ZRFKW7M3F -m comment --comment "default/blog -> 10.244.0.5:80" -j KUBE-SEP-DESXQXDC7NIYO5EO
-A KUBE-SEP-DESXQXDC7NIYO5EO -m comment --comment default/blog -s 10.244.0.5 -j KUBE-MARK-MASQ
-A KUBE-SEP-DESXQXDC7NIYO5EO -m comment --comment default/blog -m tcp -p tcp -j DNAT --to-destination 10.244.0.5:80
-A KUBE-SERVICES -m comment --comment "default/shop cluster IP" -m tcp -p tcp -d 10.96.0.11 --dport 80 -j KUBE-SVC-PFINMTQ5Y2TT4XZK
-A KUBE-SVC-PFINMTQ5Y2TT4XZK -m comment --comment "default/shop cluster IP" -m tcp -p tcp -d 10.96.0.11 --dport 80 ! -s 10.244.0.0/16 -j KUBE-MARK-MASQ
-A KUBE-SVC-PFINMTQ5Y2TT4XZK -m comment --comment "default/shop -> 10.244.0.4:80" -m statistic --mode random --probability 0.5000000000 -j KUBE-SEP-ADYVKU5ESQ32FLGU
-A KUBE-SVC-PFINMTQ5Y2TT4XZK -m comment --comment "default/shop -> 10.244.1.2:80" -j KUBE-SEP-LJGYLEDQMYWBY44X
-A KUBE-SEP-ADYVKU5ESQ32FLGU -m comment --comment default/shop -s 10.244.0.4 -j KUBE-MARK-MASQ
-A KUBE-SEP-ADYVKU5ESQ32FLGU -m comment --comment default/shop -m tcp -p tcp -j DNAT --to-destination 10.244.0.4:80
-A KUBE-SEP-LJGYLEDQMYWBY44X -m comment --comment default/shop -s 10.244.1.2 -j KUBE-MARK-MASQ
-A KUBE-SEP-LJGYLEDQMYWBY44X -m comment --comment default/shop -m tcp -p tcp -j DNAT --to-destination 10.244.1.2:80
-A KUBE-SERVICES -m comment --comment "ingress-nginx/ingress-nginx-controller:http cluster IP" -m tcp -p tcp -d 10.96.0.14 --dport 80 -j KUBE-SVC-CG5I4G2RS3ZVWGLK
-A KUBE-NODEPORTS -m comment --comment ingress-nginx/ingress-nginx-controller:http -m tcp -p tcp --dport 30080 -j KUBE-EXT-CG5I4G2RS3ZVWGLK
-A KUBE-SVC-CG5I4G2RS3ZVWGLK -m comment --comment "ingress-nginx/ingress-nginx-controller:http cluster IP" -m tcp -p tcp -d 10.96.0.14 --dport 80 ! -s 10.244.0.0/16 -j KUBE-MARK-MASQ
-A KUBE-EXT-CG5I4G2RS3ZVWGLK -m comment --comment "masquerade traffic for ingress-nginx/ingress-nginx-controller:http external destinations" -j KUBE-MARK-MASQ
-A KUBE-EXT-CG5I4G2RS3ZVWGLK -j KUBE-SVC-CG5I4G2RS3ZVWGLK
-A KUBE-SVC-CG5I4G2RS3ZVWGLK -m comment --comment "ingress-nginx/ingress-nginx-controller:http -> 10.244.0.3:80" -j KUBE-SEP-UY2H74SF4NSLTHCD
-A KUBE-SEP-UY2H74SF4NSLTHCD -m comment --comment ingress-nginx/ingress-nginx-controller:http -s 10.244.0.3 -j KUBE-MARK-MASQ
-A KUBE-SEP-UY2H74SF4NSLTHCD -m comment --comment ingress-nginx/ingress-nginx-controller:http -m tcp -p tcp -j DNAT --to-destination 10.244.0.3:80
-A KUBE-SERVICES -m comment --comment "ingress-nginx/ingress-nginx-controller:https cluster IP" -m tcp -p tcp -d 10.96.0.14 --dport 443 -j KUBE-SVC-EDNDUDH2C75GIR6O
-A KUBE-NODEPORTS -m comment --comment ingress-nginx/ingress-nginx-controller:https -m tcp -p tcp --dport 30443 -j KUBE-EXT-EDNDUDH2C75GIR6O
-A KUBE-SVC-EDNDUDH2C75GIR6O -m comment --comment "ingress-nginx/ingress-nginx-controller:https cluster IP" -m tcp -p tcp -d 10.96.0.14 --dport 443 ! -s 10.244.0.0/16 -j KUBE-MARK-MASQ
-A KUBE-EXT-EDNDUDH2C75GIR6O -m comment --comment "masquerade traffic for ingress-nginx/ingress-nginx-controller:https external destinations" -j KUBE-MARK-MASQ
-A KUBE-EXT-EDNDUDH2C75GIR6O -j KUBE-SVC-EDNDUDH2C75GIR6O
-A KUBE-SVC-EDNDUDH2C75GIR6O -m comment --comment "ingress-nginx/ingress-nginx-controller:https -> 10.244.0.3:443" -j KUBE-SEP-2EIMEWGZBGMM6S2Y
-A KUBE-SEP-2EIMEWGZBGMM6S2Y -m comment --comment ingress-nginx/ingress-nginx-controller:https -s 10.244.0.3 -j KUBE-MARK-MASQ
-A KUBE-SEP-2EIMEWGZBGMM6S2Y -m comment --comment ingress-nginx/ingress-nginx-controller:https -m tcp -p tcp -j DNAT --to-destination 10.244.0.3:443
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
ip netns exec nsl.k8s-ingress.node-2 iptables-restore --noflush <<'EOF'
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
:KUBE-SVC-KKDGWRPDK6Z5NCHS - [0:0]
:KUBE-SEP-DUKCOFW7HZBTN57L - [0:0]
:KUBE-SVC-AEF53R7ZRFKW7M3F - [0:0]
:KUBE-SEP-DESXQXDC7NIYO5EO - [0:0]
:KUBE-SVC-PFINMTQ5Y2TT4XZK - [0:0]
:KUBE-SEP-ADYVKU5ESQ32FLGU - [0:0]
:KUBE-SEP-LJGYLEDQMYWBY44X - [0:0]
:KUBE-EXT-CG5I4G2RS3ZVWGLK - [0:0]
:KUBE-SVC-CG5I4G2RS3ZVWGLK - [0:0]
:KUBE-SEP-UY2H74SF4NSLTHCD - [0:0]
:KUBE-EXT-EDNDUDH2C75GIR6O - [0:0]
:KUBE-SVC-EDNDUDH2C75GIR6O - [0:0]
:KUBE-SEP-2EIMEWGZBGMM6S2Y - [0:0]
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
-A KUBE-SERVICES -m comment --comment "default/api:http cluster IP" -m tcp -p tcp -d 10.96.0.12 --dport 8080 -j KUBE-SVC-KKDGWRPDK6Z5NCHS
-A KUBE-SVC-KKDGWRPDK6Z5NCHS -m comment --comment "default/api:http cluster IP" -m tcp -p tcp -d 10.96.0.12 --dport 8080 ! -s 10.244.0.0/16 -j KUBE-MARK-MASQ
-A KUBE-SVC-KKDGWRPDK6Z5NCHS -m comment --comment "default/api:http -> 10.244.1.3:80" -j KUBE-SEP-DUKCOFW7HZBTN57L
-A KUBE-SEP-DUKCOFW7HZBTN57L -m comment --comment default/api:http -s 10.244.1.3 -j KUBE-MARK-MASQ
-A KUBE-SEP-DUKCOFW7HZBTN57L -m comment --comment default/api:http -m tcp -p tcp -j DNAT --to-destination 10.244.1.3:80
-A KUBE-SERVICES -m comment --comment "default/blog cluster IP" -m tcp -p tcp -d 10.96.0.13 --dport 80 -j KUBE-SVC-AEF53R7ZRFKW7M3F
-A KUBE-SVC-AEF53R7ZRFKW7M3F -m comment --comment "default/blog cluster IP" -m tcp -p tcp -d 10.96.0.13 --dport 80 ! -s 10.244.0.0/16 -j KUBE-MARK-MASQ
-A KUBE-SVC-AEF53R7ZRFKW7M3F -m comment --comment "default/blog -> 10.244.0.5:80" -j KUBE-SEP-DESXQXDC7NIYO5EO
-A KUBE-SEP-DESXQXDC7NIYO5EO -m comment --comment default/blog -s 10.244.0.5 -j KUBE-MARK-MASQ
-A KUBE-SEP-DESXQXDC7NIYO5EO -m comment --comment default/blog -m tcp -p tcp -j DNAT --to-destination 10.244.0.5:80
-A KUBE-SERVICES -m comment --comment "default/shop cluster IP" -m tcp -p tcp -d 10.96.0.11 --dport 80 -j KUBE-SVC-PFINMTQ5Y2TT4XZK
-A KUBE-SVC-PFINMTQ5Y2TT4XZK -m comment --comment "default/shop cluster IP" -m tcp -p tcp -d 10.96.0.11 --dport 80 ! -s 10.244.0.0/16 -j KUBE-MARK-MASQ
-A KUBE-SVC-PFINMTQ5Y2TT4XZK -m comment --comment "default/shop -> 10.244.0.4:80" -m statistic --mode random --probability 0.5000000000 -j KUBE-SEP-ADYVKU5ESQ32FLGU
-A KUBE-SVC-PFINMTQ5Y2TT4XZK -m comment --comment "default/shop -> 10.244.1.2:80" -j KUBE-SEP-LJGYLEDQMYWBY44X
-A KUBE-SEP-ADYVKU5ESQ32FLGU -m comment --comment default/shop -s 10.244.0.4 -j KUBE-MARK-MASQ
-A KUBE-SEP-ADYVKU5ESQ32FLGU -m comment --comment default/shop -m tcp -p tcp -j DNAT --to-destination 10.244.0.4:80
-A KUBE-SEP-LJGYLEDQMYWBY44X -m comment --comment default/shop -s 10.244.1.2 -j KUBE-MARK-MASQ
-A KUBE-SEP-LJGYLEDQMYWBY44X -m comment --comment default/shop -m tcp -p tcp -j DNAT --to-destination 10.244.1.2:80
-A KUBE-SERVICES -m comment --comment "ingress-nginx/ingress-nginx-controller:http cluster IP" -m tcp -p tcp -d 10.96.0.14 --dport 80 -j KUBE-SVC-CG5I4G2RS3ZVWGLK
-A KUBE-NODEPORTS -m comment --comment ingress-nginx/ingress-nginx-controller:http -m tcp -p tcp --dport 30080 -j KUBE-EXT-CG5I4G2RS3ZVWGLK
-A KUBE-SVC-CG5I4G2RS3ZVWGLK -m comment --comment "ingress-nginx/ingress-nginx-controller:http cluster IP" -m tcp -p tcp -d 10.96.0.14 --dport 80 ! -s 10.244.0.0/16 -j KUBE-MARK-MASQ
-A KUBE-EXT-CG5I4G2RS3ZVWGLK -m comment --comment "masquerade traffic for ingress-nginx/ingress-nginx-controller:http external destinations" -j KUBE-MARK-MASQ
-A KUBE-EXT-CG5I4G2RS3ZVWGLK -j KUBE-SVC-CG5I4G2RS3ZVWGLK
-A KUBE-SVC-CG5I4G2RS3ZVWGLK -m comment --comment "ingress-nginx/ingress-nginx-controller:http -> 10.244.0.3:80" -j KUBE-SEP-UY2H74SF4NSLTHCD
-A KUBE-SEP-UY2H74SF4NSLTHCD -m comment --comment ingress-nginx/ingress-nginx-controller:http -s 10.244.0.3 -j KUBE-MARK-MASQ
-A KUBE-SEP-UY2H74SF4NSLTHCD -m comment --comment ingress-nginx/ingress-nginx-controller:http -m tcp -p tcp -j DNAT --to-destination 10.244.0.3:80
-A KUBE-SERVICES -m comment --comment "ingress-nginx/ingress-nginx-controller:https cluster IP" -m tcp -p tcp -d 10.96.0.14 --dport 443 -j KUBE-SVC-EDNDUDH2C75GIR6O
-A KUBE-NODEPORTS -m comment --comment ingress-nginx/ingress-nginx-controller:https -m tcp -p tcp --dport 30443 -j KUBE-EXT-EDNDUDH2C75GIR6O
-A KUBE-SVC-EDNDUDH2C75GIR6O -m comment --comment "ingress-nginx/ingress-nginx-controller:https cluster IP" -m tcp -p tcp -d 10.96.0.14 --dport 443 ! -s 10.244.0.0/16 -j KUBE-MARK-MASQ
-A KUBE-EXT-EDNDUDH2C75GIR6O -m comment --comment "masquerade traffic for ingress-nginx/ingress-nginx-controller:https external destinations" -j KUBE-MARK-MASQ
-A KUBE-EXT-EDNDUDH2C75GIR6O -j KUBE-SVC-EDNDUDH2C75GIR6O
-A KUBE-SVC-EDNDUDH2C75GIR6O -m comment --comment "ingress-nginx/ingress-nginx-controller:https -> 10.244.0.3:443" -j KUBE-SEP-2EIMEWGZBGMM6S2Y
-A KUBE-SEP-2EIMEWGZBGMM6S2Y -m comment --comment ingress-nginx/ingress-nginx-controller:https -s 10.244.0.3 -j KUBE-MARK-MASQ
-A KUBE-SEP-2EIMEWGZBGMM6S2Y -m comment --comment ingress-nginx/ingress-nginx-controller:https -m tcp -p tcp -j DNAT --to-destination 10.244.0.3:443
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
# from labs/k8s-ingress/lab.yaml:18:3
mkdir -p /etc/netns/nsl.k8s-ingress.coredns
cat >/etc/netns/nsl.k8s-ingress.coredns/resolv.conf <<'EOF'
nameserver 10.96.0.10
search kube-system.svc.cluster.local svc.cluster.local cluster.local
options ndots:5
EOF
# pod ingress-nginx: resolv.conf (ip netns exec mounts it)
# from labs/k8s-ingress/lab.yaml:43:3
mkdir -p /etc/netns/nsl.k8s-ingress.ingress-nginx
cat >/etc/netns/nsl.k8s-ingress.ingress-nginx/resolv.conf <<'EOF'
nameserver 10.96.0.10
search ingress-nginx.svc.cluster.local svc.cluster.local cluster.local
options ndots:5
EOF
# the ingress controller: nginx.conf generated from the Ingresses and the endpoints of their Services
# from labs/k8s-ingress/lab.yaml:49:5
mkdir -p /run/nslab/k8s-ingress/ingress
cat >/run/nslab/k8s-ingress/ingress/nginx.conf <<'EOF'
# nginx.conf of the ingress controller, generated by nslab the way ingress-nginx generates its own
# (one upstream per backend Service port, listing the endpoints; one server per Ingress host).
daemon off;
worker_processes 1;
user root;
pid /run/nslab/k8s-ingress/ingress/nginx.pid;
error_log /run/nslab/k8s-ingress/ingress/error.log notice;
events {
  worker_connections 512;
}
http {
  log_format upstreaminfo '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" $request_length $request_time [$proxy_upstream_name] [] $upstream_addr $upstream_response_length $upstream_response_time $upstream_status $request_id';
  access_log /run/nslab/k8s-ingress/ingress/access.log upstreaminfo;
  client_body_temp_path /run/nslab/k8s-ingress/ingress/tmp/client-body;
  proxy_temp_path /run/nslab/k8s-ingress/ingress/tmp/proxy;
  fastcgi_temp_path /run/nslab/k8s-ingress/ingress/tmp/fastcgi;
  uwsgi_temp_path /run/nslab/k8s-ingress/ingress/tmp/uwsgi;
  scgi_temp_path /run/nslab/k8s-ingress/ingress/tmp/scgi;
  default_type text/plain;
  server_tokens off;
  server_names_hash_bucket_size 64;
  ssl_protocols TLSv1.2 TLSv1.3;

  upstream default-api-http {  # Service default/api port http: its endpoints, not its ClusterIP 10.96.0.12
    server 10.244.1.3:80 max_fails=0 fail_timeout=0;  # pod api on node-2
  }

  upstream default-blog-80 {  # Service default/blog port 80: its endpoints, not its ClusterIP 10.96.0.13
    server 10.244.0.5:80 max_fails=0 fail_timeout=0;  # pod blog on node-1
  }

  upstream default-shop-80 {  # Service default/shop port 80: its endpoints, not its ClusterIP 10.96.0.11
    server 10.244.0.4:80 max_fails=0 fail_timeout=0;  # pod shop-1 on node-1
    server 10.244.1.2:80 max_fails=0 fail_timeout=0;  # pod shop-2 on node-2
  }

  ## start server _
  server {
    server_name _;
    listen 80 default_server;
    listen 443 ssl default_server;
    ssl_certificate /run/nslab/k8s-ingress/ingress/tls/default-fake-certificate.crt;
    ssl_certificate_key /run/nslab/k8s-ingress/ingress/tls/default-fake-certificate.key;
    location / {  # the default backend
      set $proxy_upstream_name "upstream-default-backend";
      return 404 "default backend - 404\n";
    }
  }
  ## end server _

  ## start server blog.example
  server {
    server_name blog.example;
    listen 80;
    listen 443 ssl;
    ssl_certificate /run/nslab/k8s-ingress/ingress/tls/default-fake-certificate.crt;
    ssl_certificate_key /run/nslab/k8s-ingress/ingress/tls/default-fake-certificate.key;
    location / {  # default/blog Prefix /
      set $proxy_upstream_name default-blog-80;
      proxy_set_header Host $host;
      proxy_set_header X-Request-ID $request_id;
      proxy_set_header X-Real-IP $remote_addr;
      proxy_set_header X-Forwarded-For $remote_addr;
      proxy_set_header X-Forwarded-Host $host;
      proxy_set_header X-Forwarded-Port $server_port;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_set_header X-Scheme $scheme;
      proxy_set_header X-Original-URI $request_uri;
      proxy_set_header Connection "";
      proxy_http_version 1.1;
      proxy_connect_timeout 5s;
      proxy_read_timeout 60s;
      proxy_next_upstream error timeout;
      proxy_pass http://default-blog-80;
    }
  }
  ## end server blog.example

  ## start server shop.example
  server {
    server_name shop.example;
    listen 80;
    listen 443 ssl;
    ssl_certificate /run/nslab/k8s-ingress/ingress/tls/default-shop-tls.crt;
    ssl_certificate_key /run/nslab/k8s-ingress/ingress/tls/default-shop-tls.key;
    # ssl-redirect: a host with TLS answers plain HTTP with a permanent redirect
    if ($scheme = http) {
      return 308 https://$host$request_uri;
    }
    location / {  # default/shop Prefix /
      set $proxy_upstream_name default-shop-80;
      proxy_set_header Host $host;
      proxy_set_header X-Request-ID $request_id;
      proxy_set_header X-Real-IP $remote_addr;
      proxy_set_header X-Forwarded-For $remote_addr;
      proxy_set_header X-Forwarded-Host $host;
      proxy_set_header X-Forwarded-Port $server_port;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_set_header X-Scheme $scheme;
      proxy_set_header X-Original-URI $request_uri;
      proxy_set_header Connection "";
      proxy_http_version 1.1;
      proxy_connect_timeout 5s;
      proxy_read_timeout 60s;
      proxy_next_upstream error timeout;
      proxy_pass http://default-shop-80;
    }
    location /api/ {  # default/shop Prefix /api
      set $proxy_upstream_name default-api-http;
      proxy_set_header Host $host;
      proxy_set_header X-Request-ID $request_id;
      proxy_set_header X-Real-IP $remote_addr;
      proxy_set_header X-Forwarded-For $remote_addr;
      proxy_set_header X-Forwarded-Host $host;
      proxy_set_header X-Forwarded-Port $server_port;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_set_header X-Scheme $scheme;
      proxy_set_header X-Original-URI $request_uri;
      proxy_set_header Connection "";
      proxy_http_version 1.1;
      proxy_connect_timeout 5s;
      proxy_read_timeout 60s;
      proxy_next_upstream error timeout;
      proxy_pass http://default-api-http;
    }
    location = /api {  # default/shop Prefix /api
      set $proxy_upstream_name default-api-http;
      proxy_set_header Host $host;
      proxy_set_header X-Request-ID $request_id;
      proxy_set_header X-Real-IP $remote_addr;
      proxy_set_header X-Forwarded-For $remote_addr;
      proxy_set_header X-Forwarded-Host $host;
      proxy_set_header X-Forwarded-Port $server_port;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_set_header X-Scheme $scheme;
      proxy_set_header X-Original-URI $request_uri;
      proxy_set_header Connection "";
      proxy_http_version 1.1;
      proxy_connect_timeout 5s;
      proxy_read_timeout 60s;
      proxy_next_upstream error timeout;
      proxy_pass http://default-api-http;
    }
    location = /status {  # default/shop Exact /status
      set $proxy_upstream_name default-blog-80;
      proxy_set_header Host $host;
      proxy_set_header X-Request-ID $request_id;
      proxy_set_header X-Real-IP $remote_addr;
      proxy_set_header X-Forwarded-For $remote_addr;
      proxy_set_header X-Forwarded-Host $host;
      proxy_set_header X-Forwarded-Port $server_port;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_set_header X-Scheme $scheme;
      proxy_set_header X-Original-URI $request_uri;
      proxy_set_header Connection "";
      proxy_http_version 1.1;
      proxy_connect_timeout 5s;
      proxy_read_timeout 60s;
      proxy_next_upstream error timeout;
      proxy_pass http://default-blog-80;
    }
  }
  ## end server shop.example

}
EOF
# nginx's client-body temp directory, under the lab's state
# from labs/k8s-ingress/lab.yaml:49:5
mkdir -p /run/nslab/k8s-ingress/ingress/tmp/client-body
cat >/run/nslab/k8s-ingress/ingress/tmp/client-body/.keep <<'EOF'

EOF
# nginx's proxy temp directory, under the lab's state
# from labs/k8s-ingress/lab.yaml:49:5
mkdir -p /run/nslab/k8s-ingress/ingress/tmp/proxy
cat >/run/nslab/k8s-ingress/ingress/tmp/proxy/.keep <<'EOF'

EOF
# nginx's fastcgi temp directory, under the lab's state
# from labs/k8s-ingress/lab.yaml:49:5
mkdir -p /run/nslab/k8s-ingress/ingress/tmp/fastcgi
cat >/run/nslab/k8s-ingress/ingress/tmp/fastcgi/.keep <<'EOF'

EOF
# nginx's uwsgi temp directory, under the lab's state
# from labs/k8s-ingress/lab.yaml:49:5
mkdir -p /run/nslab/k8s-ingress/ingress/tmp/uwsgi
cat >/run/nslab/k8s-ingress/ingress/tmp/uwsgi/.keep <<'EOF'

EOF
# nginx's scgi temp directory, under the lab's state
# from labs/k8s-ingress/lab.yaml:49:5
mkdir -p /run/nslab/k8s-ingress/ingress/tmp/scgi
cat >/run/nslab/k8s-ingress/ingress/tmp/scgi/.keep <<'EOF'

EOF
# the TLS directory
# from labs/k8s-ingress/lab.yaml:49:5
mkdir -p /run/nslab/k8s-ingress/ingress/tls
cat >/run/nslab/k8s-ingress/ingress/tls/README <<'EOF'
The lab CA and the certificates of the TLS secrets of the Ingresses, made by nslab with openssl.
EOF
# the lab CA (nslab k8s-ingress CA): what clients in the lab trust
# from labs/k8s-ingress/lab.yaml:49:5
ip netns exec nsl.k8s-ingress.ingress-nginx openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 30 -keyout /run/nslab/k8s-ingress/ingress/tls/ca.key -out /run/nslab/k8s-ingress/ingress/tls/ca.crt -subj '/O=nslab/CN=nslab k8s-ingress CA' -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign
# the certificate the default server presents (as ingress-nginx's fake one)
# from labs/k8s-ingress/lab.yaml:49:5
ip netns exec nsl.k8s-ingress.ingress-nginx openssl req -x509 -CA /run/nslab/k8s-ingress/ingress/tls/ca.crt -CAkey /run/nslab/k8s-ingress/ingress/tls/ca.key -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 30 -keyout /run/nslab/k8s-ingress/ingress/tls/default-fake-certificate.key -out /run/nslab/k8s-ingress/ingress/tls/default-fake-certificate.crt -subj '/O=nslab/CN=Kubernetes Ingress Controller Fake Certificate' -addext subjectAltName=DNS:ingress.local -addext basicConstraints=critical,CA:FALSE -addext extendedKeyUsage=serverAuth
# Secret default/shop-tls: a certificate for shop.example signed by the lab CA
# from labs/k8s-ingress/lab.yaml:49:5
ip netns exec nsl.k8s-ingress.ingress-nginx openssl req -x509 -CA /run/nslab/k8s-ingress/ingress/tls/ca.crt -CAkey /run/nslab/k8s-ingress/ingress/tls/ca.key -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 30 -keyout /run/nslab/k8s-ingress/ingress/tls/default-shop-tls.key -out /run/nslab/k8s-ingress/ingress/tls/default-shop-tls.crt -subj /O=nslab/CN=shop.example -addext subjectAltName=DNS:shop.example -addext basicConstraints=critical,CA:FALSE -addext extendedKeyUsage=serverAuth
# pod shop-1: resolv.conf (ip netns exec mounts it)
# from labs/k8s-ingress/lab.yaml:24:5
mkdir -p /etc/netns/nsl.k8s-ingress.shop-1
cat >/etc/netns/nsl.k8s-ingress.shop-1/resolv.conf <<'EOF'
nameserver 10.96.0.10
search default.svc.cluster.local svc.cluster.local cluster.local
options ndots:5
EOF
# pod shop-2: resolv.conf (ip netns exec mounts it)
# from labs/k8s-ingress/lab.yaml:24:5
mkdir -p /etc/netns/nsl.k8s-ingress.shop-2
cat >/etc/netns/nsl.k8s-ingress.shop-2/resolv.conf <<'EOF'
nameserver 10.96.0.10
search default.svc.cluster.local svc.cluster.local cluster.local
options ndots:5
EOF
# pod api: resolv.conf (ip netns exec mounts it)
# from labs/k8s-ingress/lab.yaml:27:5
mkdir -p /etc/netns/nsl.k8s-ingress.api
cat >/etc/netns/nsl.k8s-ingress.api/resolv.conf <<'EOF'
nameserver 10.96.0.10
search default.svc.cluster.local svc.cluster.local cluster.local
options ndots:5
EOF
# pod blog: resolv.conf (ip netns exec mounts it)
# from labs/k8s-ingress/lab.yaml:30:5
mkdir -p /etc/netns/nsl.k8s-ingress.blog
cat >/etc/netns/nsl.k8s-ingress.blog/resolv.conf <<'EOF'
nameserver 10.96.0.10
search default.svc.cluster.local svc.cluster.local cluster.local
options ndots:5
EOF

# ── daemons: long-running processes (stopped by `lab down`)
# the cluster DNS: dnsmasq with the records of every service and pod
# from labs/k8s-ingress/lab.yaml:17:1
mkdir -p /run/nslab/k8s-ingress/logs
ip netns exec nsl.k8s-ingress.coredns dnsmasq --keep-in-foreground --no-resolv --no-hosts --bind-interfaces --listen-address=10.244.0.2 --port=53 --log-facility=- --local=/cluster.local/ --host-record=api.default.svc.cluster.local,10.96.0.12 --srv-host=_http._tcp.api.default.svc.cluster.local,api.default.svc.cluster.local,8080 --host-record=blog.default.svc.cluster.local,10.96.0.13 --host-record=shop.default.svc.cluster.local,10.96.0.11 --host-record=ingress-nginx-controller.ingress-nginx.svc.cluster.local,10.96.0.14 --srv-host=_http._tcp.ingress-nginx-controller.ingress-nginx.svc.cluster.local,ingress-nginx-controller.ingress-nginx.svc.cluster.local,80 --srv-host=_https._tcp.ingress-nginx-controller.ingress-nginx.svc.cluster.local,ingress-nginx-controller.ingress-nginx.svc.cluster.local,443 --host-record=kube-dns.kube-system.svc.cluster.local,10.96.0.10 --srv-host=_dns._udp.kube-dns.kube-system.svc.cluster.local,kube-dns.kube-system.svc.cluster.local,53 --srv-host=_dns-tcp._tcp.kube-dns.kube-system.svc.cluster.local,kube-dns.kube-system.svc.cluster.local,53 --host-record=10-244-1-3.default.pod.cluster.local,10.244.1.3 --host-record=10-244-0-5.default.pod.cluster.local,10.244.0.5 --host-record=10-244-0-4.default.pod.cluster.local,10.244.0.4 --host-record=10-244-1-2.default.pod.cluster.local,10.244.1.2 --host-record=10-244-0-3.ingress-nginx.pod.cluster.local,10.244.0.3 --host-record=10-244-0-2.kube-system.pod.cluster.local,10.244.0.2 --pid-file --user=root >/run/nslab/k8s-ingress/logs/coredns.dnsmasq.log 2>&1 &
# the ingress controller: nginx, in the pod's namespace, with the generated configuration
# from labs/k8s-ingress/lab.yaml:49:5
mkdir -p /run/nslab/k8s-ingress/logs
ip netns exec nsl.k8s-ingress.ingress-nginx nginx -e /run/nslab/k8s-ingress/ingress/error.log -p /run/nslab/k8s-ingress/ingress/ -c /run/nslab/k8s-ingress/ingress/nginx.conf >/run/nslab/k8s-ingress/logs/ingress-nginx.nginx.log 2>&1 &
# pod shop-1: answers with its name and the client address on 80/tcp
# from labs/k8s-ingress/lab.yaml:24:5
mkdir -p /run/nslab/k8s-ingress/logs
ip netns exec nsl.k8s-ingress.shop-1 lab agent whoami --name shop-1 --port 80 --app-version v1 >/run/nslab/k8s-ingress/logs/shop-1.whoami.log 2>&1 &
# pod shop-2: answers with its name and the client address on 80/tcp
# from labs/k8s-ingress/lab.yaml:24:5
mkdir -p /run/nslab/k8s-ingress/logs
ip netns exec nsl.k8s-ingress.shop-2 lab agent whoami --name shop-2 --port 80 --app-version v1 >/run/nslab/k8s-ingress/logs/shop-2.whoami.log 2>&1 &
# pod api: answers with its name and the client address on 80/tcp
# from labs/k8s-ingress/lab.yaml:27:5
mkdir -p /run/nslab/k8s-ingress/logs
ip netns exec nsl.k8s-ingress.api lab agent whoami --name api --port 80 >/run/nslab/k8s-ingress/logs/api.whoami.log 2>&1 &
# pod blog: answers with its name and the client address on 80/tcp
# from labs/k8s-ingress/lab.yaml:30:5
mkdir -p /run/nslab/k8s-ingress/logs
ip netns exec nsl.k8s-ingress.blog lab agent whoami --name blog --port 80 >/run/nslab/k8s-ingress/logs/blog.whoami.log 2>&1 &

# ── teardown (what `lab down` runs): stop every process inside the lab's namespaces (by PID), then
# delete the namespaces, which removes every link, bridge, address, route and rule inside them
# (commented out, so that running this script builds the lab and leaves it up)
#   ip -force -batch - <<'EOF'
#   netns del nsl.k8s-ingress
#   netns del nsl.k8s-ingress.ext
#   netns del nsl.k8s-ingress.node-1
#   netns del nsl.k8s-ingress.node-2
#   netns del nsl.k8s-ingress.coredns
#   netns del nsl.k8s-ingress.ingress-nginx
#   netns del nsl.k8s-ingress.shop-1
#   netns del nsl.k8s-ingress.shop-2
#   netns del nsl.k8s-ingress.api
#   netns del nsl.k8s-ingress.blog
#   EOF
