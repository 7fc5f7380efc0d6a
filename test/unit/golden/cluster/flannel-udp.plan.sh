#!/bin/sh
# nslab plan for lab "gc-udp" from test/unit/golden/cluster/flannel-udp.lab.yaml
# Run as root to build the lab by hand; these are exactly the commands `lab up` runs
# (it runs the blocks of one phase in parallel). Every line notes the lab-file place behind it.
# new namespaces start with net.ipv4.ip_forward=1, net.ipv6.conf.all.forwarding=0 (inherited from this host): only nodes that need other values get a sysctl
set -e

# ── namespaces: network namespaces (one per node, plus the lab fabric) and containers
ip -batch - <<'EOF'
# test/unit/golden/cluster/flannel-udp.lab.yaml:2:7 — the lab fabric: bridges that belong to no node
netns add nsl.gc-udp
# test/unit/golden/cluster/flannel-udp.lab.yaml:7:5 — node node-1
netns add nsl.gc-udp.node-1
# test/unit/golden/cluster/flannel-udp.lab.yaml:8:5 — node node-2
netns add nsl.gc-udp.node-2
# test/unit/golden/cluster/flannel-udp.lab.yaml:9:5 — node node-3
netns add nsl.gc-udp.node-3
# test/unit/golden/cluster/flannel-udp.lab.yaml:11:5 — node web-1
netns add nsl.gc-udp.web-1
# test/unit/golden/cluster/flannel-udp.lab.yaml:11:5 — node web-2
netns add nsl.gc-udp.web-2
# test/unit/golden/cluster/flannel-udp.lab.yaml:11:5 — node web-3
netns add nsl.gc-udp.web-3
EOF

# ── links: veth pairs created directly inside their namespaces
ip -batch - <<'EOF'
# test/unit/golden/cluster/flannel-udp.lab.yaml:7:13 — link node-1:eth0 <-> k8s-net
link add node-1-eth0 netns nsl.gc-udp index 1000 type veth peer name eth0 netns nsl.gc-udp.node-1
# test/unit/golden/cluster/flannel-udp.lab.yaml:8:13 — link node-2:eth0 <-> k8s-net
link add node-2-eth0 netns nsl.gc-udp index 1001 type veth peer name eth0 netns nsl.gc-udp.node-2
# test/unit/golden/cluster/flannel-udp.lab.yaml:9:13 — link node-3:eth0 <-> k8s-net
link add node-3-eth0 netns nsl.gc-udp index 1002 type veth peer name eth0 netns nsl.gc-udp.node-3
# test/unit/golden/cluster/flannel-udp.lab.yaml:12:7 — link web-1:eth0 <-> cni0@node-1
link add veth0761ccbe netns nsl.gc-udp.node-1 index 1000 mtu 1472 type veth peer name eth0 netns nsl.gc-udp.web-1 mtu 1472
# test/unit/golden/cluster/flannel-udp.lab.yaml:12:7 — link web-2:eth0 <-> cni0@node-2
link add veth9fb0db7f netns nsl.gc-udp.node-2 index 1000 mtu 1472 type veth peer name eth0 netns nsl.gc-udp.web-2 mtu 1472
# test/unit/golden/cluster/flannel-udp.lab.yaml:12:7 — link web-3:eth0 <-> cni0@node-3
link add veth4448cbdd netns nsl.gc-udp.node-3 index 1000 mtu 1472 type veth peer name eth0 netns nsl.gc-udp.web-3 mtu 1472
EOF

# ── configure: inside each namespace: sysctls, bridges, addresses, routes
# one batch file per namespace, run 4 at a time by xargs
mkdir -p /run/nslab/gc-udp/batch
cat >/run/nslab/gc-udp/batch/nsl.gc-udp.node-1.ip <<'EOF'
# test/unit/golden/cluster/flannel-udp.lab.yaml:7:5
link set lo up
# test/unit/golden/cluster/flannel-udp.lab.yaml:4:3 — bridge cni0 in node-1
link add cni0 type bridge
link set cni0 mtu 1472
# test/unit/golden/cluster/flannel-udp.lab.yaml:4:3 — tun flannel0.1: a user-space tunnel to 192.168.56.12 over UDP 8285
tuntap add dev flannel0.1 mode tun
# test/unit/golden/cluster/flannel-udp.lab.yaml:4:3 — tun flannel0.2: a user-space tunnel to 192.168.56.13 over UDP 8286
tuntap add dev flannel0.2 mode tun
link set flannel0.1 mtu 1472
link set flannel0.2 mtu 1472
# test/unit/golden/cluster/flannel-udp.lab.yaml:12:7
link set veth0761ccbe master cni0
# test/unit/golden/cluster/flannel-udp.lab.yaml:12:7 — hairpin mode: frames may leave by the port they came in on
link set veth0761ccbe type bridge_slave hairpin on
# test/unit/golden/cluster/flannel-udp.lab.yaml:7:13
addr add 192.168.56.11/24 dev eth0
# test/unit/golden/cluster/flannel-udp.lab.yaml:4:3
addr add 10.244.0.0/32 dev flannel0.1
addr add 10.244.0.1/24 dev cni0
# test/unit/golden/cluster/flannel-udp.lab.yaml:7:13
link set eth0 up
# test/unit/golden/cluster/flannel-udp.lab.yaml:4:3
link set flannel0.1 up
link set flannel0.2 up
link set cni0 up
# test/unit/golden/cluster/flannel-udp.lab.yaml:12:7
link set veth0761ccbe up
# test/unit/golden/cluster/flannel-udp.lab.yaml:4:8
route add 10.96.0.0/12 dev eth0
route add 10.244.1.0/24 dev flannel0.1
route add 10.244.2.0/24 dev flannel0.2
EOF
cat >/run/nslab/gc-udp/batch/nsl.gc-udp.node-2.ip <<'EOF'
# test/unit/golden/cluster/flannel-udp.lab.yaml:8:5
link set lo up
# test/unit/golden/cluster/flannel-udp.lab.yaml:4:3 — bridge cni0 in node-2
link add cni0 type bridge
link set cni0 mtu 1472
# test/unit/golden/cluster/flannel-udp.lab.yaml:4:3 — tun flannel0.0: a user-space tunnel to 192.168.56.11 over UDP 8285
tuntap add dev flannel0.0 mode tun
# test/unit/golden/cluster/flannel-udp.lab.yaml:4:3 — tun flannel0.2: a user-space tunnel to 192.168.56.13 over UDP 8287
tuntap add dev flannel0.2 mode tun
link set flannel0.0 mtu 1472
link set flannel0.2 mtu 1472
# test/unit/golden/cluster/flannel-udp.lab.yaml:12:7
link set veth9fb0db7f master cni0
# test/unit/golden/cluster/flannel-udp.lab.yaml:12:7 — hairpin mode: frames may leave by the port they came in on
link set veth9fb0db7f type bridge_slave hairpin on
# test/unit/golden/cluster/flannel-udp.lab.yaml:8:13
addr add 192.168.56.12/24 dev eth0
# test/unit/golden/cluster/flannel-udp.lab.yaml:4:3
addr add 10.244.1.0/32 dev flannel0.0
addr add 10.244.1.1/24 dev cni0
# test/unit/golden/cluster/flannel-udp.lab.yaml:8:13
link set eth0 up
# test/unit/golden/cluster/flannel-udp.lab.yaml:4:3
link set flannel0.0 up
link set flannel0.2 up
link set cni0 up
# test/unit/golden/cluster/flannel-udp.lab.yaml:12:7
link set veth9fb0db7f up
# test/unit/golden/cluster/flannel-udp.lab.yaml:4:8
route add 10.96.0.0/12 dev eth0
route add 10.244.0.0/24 dev flannel0.0
route add 10.244.2.0/24 dev flannel0.2
EOF
cat >/run/nslab/gc-udp/batch/nsl.gc-udp.node-3.ip <<'EOF'
# test/unit/golden/cluster/flannel-udp.lab.yaml:9:5
link set lo up
# test/unit/golden/cluster/flannel-udp.lab.yaml:4:3 — bridge cni0 in node-3
link add cni0 type bridge
link set cni0 mtu 1472
# test/unit/golden/cluster/flannel-udp.lab.yaml:4:3 — tun flannel0.0: a user-space tunnel to 192.168.56.11 over UDP 8286
tuntap add dev flannel0.0 mode tun
# test/unit/golden/cluster/flannel-udp.lab.yaml:4:3 — tun flannel0.1: a user-space tunnel to 192.168.56.12 over UDP 8287
tuntap add dev flannel0.1 mode tun
link set flannel0.0 mtu 1472
link set flannel0.1 mtu 1472
# test/unit/golden/cluster/flannel-udp.lab.yaml:12:7
link set veth4448cbdd master cni0
# test/unit/golden/cluster/flannel-udp.lab.yaml:12:7 — hairpin mode: frames may leave by the port they came in on
link set veth4448cbdd type bridge_slave hairpin on
# test/unit/golden/cluster/flannel-udp.lab.yaml:9:13
addr add 192.168.56.13/24 dev eth0
# test/unit/golden/cluster/flannel-udp.lab.yaml:4:3
addr add 10.244.2.0/32 dev flannel0.0
addr add 10.244.2.1/24 dev cni0
# test/unit/golden/cluster/flannel-udp.lab.yaml:9:13
link set eth0 up
# test/unit/golden/cluster/flannel-udp.lab.yaml:4:3
link set flannel0.0 up
link set flannel0.1 up
link set cni0 up
# test/unit/golden/cluster/flannel-udp.lab.yaml:12:7
link set veth4448cbdd up
# test/unit/golden/cluster/flannel-udp.lab.yaml:4:8
route add 10.96.0.0/12 dev eth0
route add 10.244.0.0/24 dev flannel0.0
route add 10.244.1.0/24 dev flannel0.1
EOF
cat >/run/nslab/gc-udp/batch/nsl.gc-udp.web-1.ip <<'EOF'
# test/unit/golden/cluster/flannel-udp.lab.yaml:11:5
link set lo up
# test/unit/golden/cluster/flannel-udp.lab.yaml:12:7
addr add 10.244.0.2/24 dev eth0
link set eth0 up
route add default via 10.244.0.1
EOF
cat >/run/nslab/gc-udp/batch/nsl.gc-udp.web-2.ip <<'EOF'
# test/unit/golden/cluster/flannel-udp.lab.yaml:11:5
link set lo up
# test/unit/golden/cluster/flannel-udp.lab.yaml:12:7
addr add 10.244.1.2/24 dev eth0
link set eth0 up
route add default via 10.244.1.1
EOF
cat >/run/nslab/gc-udp/batch/nsl.gc-udp.web-3.ip <<'EOF'
# test/unit/golden/cluster/flannel-udp.lab.yaml:11:5
link set lo up
# test/unit/golden/cluster/flannel-udp.lab.yaml:12:7
addr add 10.244.2.2/24 dev eth0
link set eth0 up
route add default via 10.244.2.1
EOF
cat >/run/nslab/gc-udp/batch/nsl.gc-udp.ip <<'EOF'
# test/unit/golden/cluster/flannel-udp.lab.yaml:2:7
link set lo up
# test/unit/golden/cluster/flannel-udp.lab.yaml:4:3 — bridge k8s-net
link add k8s-net type bridge
# test/unit/golden/cluster/flannel-udp.lab.yaml:7:13
link set node-1-eth0 master k8s-net
# test/unit/golden/cluster/flannel-udp.lab.yaml:8:13
link set node-2-eth0 master k8s-net
# test/unit/golden/cluster/flannel-udp.lab.yaml:9:13
link set node-3-eth0 master k8s-net
# test/unit/golden/cluster/flannel-udp.lab.yaml:4:3
link set k8s-net up
# test/unit/golden/cluster/flannel-udp.lab.yaml:7:13
link set node-1-eth0 up
# test/unit/golden/cluster/flannel-udp.lab.yaml:8:13
link set node-2-eth0 up
# test/unit/golden/cluster/flannel-udp.lab.yaml:9:13
link set node-3-eth0 up
EOF
xargs -P 4 -L 1 nsenter <<'EOF'
--net=/run/netns/nsl.gc-udp.node-1 sysctl -qw net.ipv6.conf.all.forwarding=1
--net=/run/netns/nsl.gc-udp.node-1 ip -batch /run/nslab/gc-udp/batch/nsl.gc-udp.node-1.ip
--net=/run/netns/nsl.gc-udp.node-2 sysctl -qw net.ipv6.conf.all.forwarding=1
--net=/run/netns/nsl.gc-udp.node-2 ip -batch /run/nslab/gc-udp/batch/nsl.gc-udp.node-2.ip
--net=/run/netns/nsl.gc-udp.node-3 sysctl -qw net.ipv6.conf.all.forwarding=1
--net=/run/netns/nsl.gc-udp.node-3 ip -batch /run/nslab/gc-udp/batch/nsl.gc-udp.node-3.ip
--net=/run/netns/nsl.gc-udp.web-1 sysctl -qw net.ipv4.ip_forward=0
--net=/run/netns/nsl.gc-udp.web-1 ip -batch /run/nslab/gc-udp/batch/nsl.gc-udp.web-1.ip
--net=/run/netns/nsl.gc-udp.web-2 sysctl -qw net.ipv4.ip_forward=0
--net=/run/netns/nsl.gc-udp.web-2 ip -batch /run/nslab/gc-udp/batch/nsl.gc-udp.web-2.ip
--net=/run/netns/nsl.gc-udp.web-3 sysctl -qw net.ipv4.ip_forward=0
--net=/run/netns/nsl.gc-udp.web-3 ip -batch /run/nslab/gc-udp/batch/nsl.gc-udp.web-3.ip
--net=/run/netns/nsl.gc-udp ip -batch /run/nslab/gc-udp/batch/nsl.gc-udp.ip
EOF

# ── settle: wait until every bridge port forwards (the kernel applies link changes asynchronously)
# wait until every bridge port forwards
# from test/unit/golden/cluster/flannel-udp.lab.yaml:4:3
# repeated until no port is "state disabled", for at most 10 s
while nsenter --net=/run/netns/nsl.gc-udp bridge link show | grep -q 'state disabled'; do sleep 0.01; done
# wait until every bridge port forwards
# from test/unit/golden/cluster/flannel-udp.lab.yaml:4:3
# repeated until no port is "state disabled", for at most 10 s
while nsenter --net=/run/netns/nsl.gc-udp.node-1 bridge link show | grep -q 'state disabled'; do sleep 0.01; done
# wait until every bridge port forwards
# from test/unit/golden/cluster/flannel-udp.lab.yaml:4:3
# repeated until no port is "state disabled", for at most 10 s
while nsenter --net=/run/netns/nsl.gc-udp.node-2 bridge link show | grep -q 'state disabled'; do sleep 0.01; done
# wait until every bridge port forwards
# from test/unit/golden/cluster/flannel-udp.lab.yaml:4:3
# repeated until no port is "state disabled", for at most 10 s
while nsenter --net=/run/netns/nsl.gc-udp.node-3 bridge link show | grep -q 'state disabled'; do sleep 0.01; done

# ── firewall: NAT and firewall rule sets
# node node-1: kube-proxy (iptables mode)
ip netns exec nsl.gc-udp.node-1 iptables-restore --noflush <<'EOF'
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
:FLANNEL-POSTRTG - [0:0]
-A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
-A OUTPUT -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
-A POSTROUTING -m comment --comment "kubernetes postrouting rules" -j KUBE-POSTROUTING
-A KUBE-POSTROUTING -m mark ! --mark 0x4000/0x4000 -j RETURN
-A KUBE-POSTROUTING -j MARK --xor-mark 0x4000
-A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE --random-fully
-A KUBE-MARK-MASQ -j MARK --or-mark 0x4000
-A KUBE-SERVICES -m comment --comment "kubernetes service nodeports; NOTE: this must be the last rule in this chain" -m addrtype --dst-type LOCAL ! -d 127.0.0.0/8 -j KUBE-NODEPORTS
-A POSTROUTING -m comment --comment "flanneld masq" -j FLANNEL-POSTRTG
-A FLANNEL-POSTRTG -m mark --mark 0x4000/0x4000 -m comment --comment "flanneld masq" -j RETURN
-A FLANNEL-POSTRTG -s 10.244.0.0/16 -d 10.244.0.0/16 -m comment --comment "flanneld masq" -j RETURN
-A FLANNEL-POSTRTG -s 10.244.0.0/16 ! -d 224.0.0.0/4 -m comment --comment "flanneld masq" -j MASQUERADE --random-fully
COMMIT
EOF
# node node-2: kube-proxy (iptables mode)
ip netns exec nsl.gc-udp.node-2 iptables-restore --noflush <<'EOF'
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
:FLANNEL-POSTRTG - [0:0]
-A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
-A OUTPUT -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
-A POSTROUTING -m comment --comment "kubernetes postrouting rules" -j KUBE-POSTROUTING
-A KUBE-POSTROUTING -m mark ! --mark 0x4000/0x4000 -j RETURN
-A KUBE-POSTROUTING -j MARK --xor-mark 0x4000
-A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE --random-fully
-A KUBE-MARK-MASQ -j MARK --or-mark 0x4000
-A KUBE-SERVICES -m comment --comment "kubernetes service nodeports; NOTE: this must be the last rule in this chain" -m addrtype --dst-type LOCAL ! -d 127.0.0.0/8 -j KUBE-NODEPORTS
-A POSTROUTING -m comment --comment "flanneld masq" -j FLANNEL-POSTRTG
-A FLANNEL-POSTRTG -m mark --mark 0x4000/0x4000 -m comment --comment "flanneld masq" -j RETURN
-A FLANNEL-POSTRTG -s 10.244.0.0/16 -d 10.244.0.0/16 -m comment --comment "flanneld masq" -j RETURN
-A FLANNEL-POSTRTG -s 10.244.0.0/16 ! -d 224.0.0.0/4 -m comment --comment "flanneld masq" -j MASQUERADE --random-fully
COMMIT
EOF
# node node-3: kube-proxy (iptables mode)
ip netns exec nsl.gc-udp.node-3 iptables-restore --noflush <<'EOF'
# kube-proxy (iptables mode) rules for node node-3, written by nslab; load with iptables-restore
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
:FLANNEL-POSTRTG - [0:0]
-A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
-A OUTPUT -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
-A POSTROUTING -m comment --comment "kubernetes postrouting rules" -j KUBE-POSTROUTING
-A KUBE-POSTROUTING -m mark ! --mark 0x4000/0x4000 -j RETURN
-A KUBE-POSTROUTING -j MARK --xor-mark 0x4000
-A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE --random-fully
-A KUBE-MARK-MASQ -j MARK --or-mark 0x4000
-A KUBE-SERVICES -m comment --comment "kubernetes service nodeports; NOTE: this must be the last rule in this chain" -m addrtype --dst-type LOCAL ! -d 127.0.0.0/8 -j KUBE-NODEPORTS
-A POSTROUTING -m comment --comment "flanneld masq" -j FLANNEL-POSTRTG
-A FLANNEL-POSTRTG -m mark --mark 0x4000/0x4000 -m comment --comment "flanneld masq" -j RETURN
-A FLANNEL-POSTRTG -s 10.244.0.0/16 -d 10.244.0.0/16 -m comment --comment "flanneld masq" -j RETURN
-A FLANNEL-POSTRTG -s 10.244.0.0/16 ! -d 224.0.0.0/4 -m comment --comment "flanneld masq" -j MASQUERADE --random-fully
COMMIT
EOF

# ── daemons: long-running processes (stopped by `lab down`)
# pod web-1: answers with its name and the client address on 80/tcp
# from test/unit/golden/cluster/flannel-udp.lab.yaml:11:5
mkdir -p /run/nslab/gc-udp/logs
ip netns exec nsl.gc-udp.web-1 lab agent whoami --name web-1 --port 80 >/run/nslab/gc-udp/logs/web-1.whoami.log 2>&1 &
# pod web-2: answers with its name and the client address on 80/tcp
# from test/unit/golden/cluster/flannel-udp.lab.yaml:11:5
mkdir -p /run/nslab/gc-udp/logs
ip netns exec nsl.gc-udp.web-2 lab agent whoami --name web-2 --port 80 >/run/nslab/gc-udp/logs/web-2.whoami.log 2>&1 &
# pod web-3: answers with its name and the client address on 80/tcp
# from test/unit/golden/cluster/flannel-udp.lab.yaml:11:5
mkdir -p /run/nslab/gc-udp/logs
ip netns exec nsl.gc-udp.web-3 lab agent whoami --name web-3 --port 80 >/run/nslab/gc-udp/logs/web-3.whoami.log 2>&1 &
# node-1: user-space forwarder of flannel0.1
# from test/unit/golden/cluster/flannel-udp.lab.yaml:4:3
mkdir -p /run/nslab/gc-udp/logs
ip netns exec nsl.gc-udp.node-1 socat UDP-DATAGRAM:192.168.56.12:8285,bind=192.168.56.11:8285 TUN,tun-name=flannel0.1,tun-type=tun,iff-no-pi >/run/nslab/gc-udp/logs/node-1.tun-flannel0.1.log 2>&1 &
# node-1: user-space forwarder of flannel0.2
# from test/unit/golden/cluster/flannel-udp.lab.yaml:4:3
mkdir -p /run/nslab/gc-udp/logs
ip netns exec nsl.gc-udp.node-1 socat UDP-DATAGRAM:192.168.56.13:8286,bind=192.168.56.11:8286 TUN,tun-name=flannel0.2,tun-type=tun,iff-no-pi >/run/nslab/gc-udp/logs/node-1.tun-flannel0.2.log 2>&1 &
# node-2: user-space forwarder of flannel0.0
# from test/unit/golden/cluster/flannel-udp.lab.yaml:4:3
mkdir -p /run/nslab/gc-udp/logs
ip netns exec nsl.gc-udp.node-2 socat UDP-DATAGRAM:192.168.56.11:8285,bind=192.168.56.12:8285 TUN,tun-name=flannel0.0,tun-type=tun,iff-no-pi >/run/nslab/gc-udp/logs/node-2.tun-flannel0.0.log 2>&1 &
# node-2: user-space forwarder of flannel0.2
# from test/unit/golden/cluster/flannel-udp.lab.yaml:4:3
mkdir -p /run/nslab/gc-udp/logs
ip netns exec nsl.gc-udp.node-2 socat UDP-DATAGRAM:192.168.56.13:8287,bind=192.168.56.12:8287 TUN,tun-name=flannel0.2,tun-type=tun,iff-no-pi >/run/nslab/gc-udp/logs/node-2.tun-flannel0.2.log 2>&1 &
# node-3: user-space forwarder of flannel0.0
# from test/unit/golden/cluster/flannel-udp.lab.yaml:4:3
mkdir -p /run/nslab/gc-udp/logs
ip netns exec nsl.gc-udp.node-3 socat UDP-DATAGRAM:192.168.56.11:8286,bind=192.168.56.13:8286 TUN,tun-name=flannel0.0,tun-type=tun,iff-no-pi >/run/nslab/gc-udp/logs/node-3.tun-flannel0.0.log 2>&1 &
# node-3: user-space forwarder of flannel0.1
# from test/unit/golden/cluster/flannel-udp.lab.yaml:4:3
mkdir -p /run/nslab/gc-udp/logs
ip netns exec nsl.gc-udp.node-3 socat UDP-DATAGRAM:192.168.56.12:8287,bind=192.168.56.13:8287 TUN,tun-name=flannel0.1,tun-type=tun,iff-no-pi >/run/nslab/gc-udp/logs/node-3.tun-flannel0.1.log 2>&1 &

# ── teardown (what `lab down` runs): stop every process inside the lab's namespaces (by PID), then
# delete the namespaces, which removes every link, bridge, address, route and rule inside them
# (commented out, so that running this script builds the lab and leaves it up)
#   ip -force -batch - <<'EOF'
#   netns del nsl.gc-udp
#   netns del nsl.gc-udp.node-1
#   netns del nsl.gc-udp.node-2
#   netns del nsl.gc-udp.node-3
#   netns del nsl.gc-udp.web-1
#   netns del nsl.gc-udp.web-2
#   netns del nsl.gc-udp.web-3
#   EOF
