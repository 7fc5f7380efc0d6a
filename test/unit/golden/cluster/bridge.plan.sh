#!/bin/sh
# nslab plan for lab "gc-bridge" from test/unit/golden/cluster/bridge.lab.yaml
# Run as root to build the lab by hand; these are exactly the commands `lab up` runs
# (it runs the blocks of one phase in parallel). Every line notes the lab-file place behind it.
# new namespaces start with net.ipv4.ip_forward=1, net.ipv6.conf.all.forwarding=0 (inherited from this host): only nodes that need other values get a sysctl
set -e

# ── namespaces: network namespaces (one per node, plus the lab fabric) and containers
ip -batch - <<'EOF'
# test/unit/golden/cluster/bridge.lab.yaml:2:7 — the lab fabric: bridges that belong to no node
netns add nsl.gc-bridge
# test/unit/golden/cluster/bridge.lab.yaml:6:5 — node node-1
netns add nsl.gc-bridge.node-1
# test/unit/golden/cluster/bridge.lab.yaml:4:3 — node coredns
netns add nsl.gc-bridge.coredns
# test/unit/golden/cluster/bridge.lab.yaml:8:5 — node web-1
netns add nsl.gc-bridge.web-1
# test/unit/golden/cluster/bridge.lab.yaml:8:5 — node web-2
netns add nsl.gc-bridge.web-2
# test/unit/golden/cluster/bridge.lab.yaml:11:5 — node client
netns add nsl.gc-bridge.client
EOF

# ── links: veth pairs created directly inside their namespaces
ip -batch - <<'EOF'
# test/unit/golden/cluster/bridge.lab.yaml:6:13 — link node-1:eth0 <-> k8s-net
link add node-1-eth0 netns nsl.gc-bridge index 1000 type veth peer name eth0 netns nsl.gc-bridge.node-1
# test/unit/golden/cluster/bridge.lab.yaml:4:3 — link coredns:eth0 <-> cni0@node-1
link add veth96971f43 netns nsl.gc-bridge.node-1 index 1000 type veth peer name eth0 netns nsl.gc-bridge.coredns
# test/unit/golden/cluster/bridge.lab.yaml:9:7 — link web-1:eth0 <-> cni0@node-1
link add veth0761ccbe netns nsl.gc-bridge.node-1 index 1001 type veth peer name eth0 netns nsl.gc-bridge.web-1
# test/unit/golden/cluster/bridge.lab.yaml:9:7 — link web-2:eth0 <-> cni0@node-1
link add veth9fb0db7f netns nsl.gc-bridge.node-1 index 1002 type veth peer name eth0 netns nsl.gc-bridge.web-2
# test/unit/golden/cluster/bridge.lab.yaml:12:7 — link client:eth0 <-> cni0@node-1
link add vetha7a3e029 netns nsl.gc-bridge.node-1 index 1003 type veth peer name eth0 netns nsl.gc-bridge.client
EOF

# ── configure: inside each namespace: sysctls, bridges, addresses, routes
# one batch file per namespace, run 4 at a time by xargs
mkdir -p /run/nslab/gc-bridge/batch
cat >/run/nslab/gc-bridge/batch/nsl.gc-bridge.node-1.ip <<'EOF'
# test/unit/golden/cluster/bridge.lab.yaml:6:5
link set lo up
# test/unit/golden/cluster/bridge.lab.yaml:4:3 — bridge cni0 in node-1
link add cni0 type bridge
link set veth96971f43 master cni0
# test/unit/golden/cluster/bridge.lab.yaml:9:7
link set veth0761ccbe master cni0
link set veth9fb0db7f master cni0
# test/unit/golden/cluster/bridge.lab.yaml:12:7
link set vetha7a3e029 master cni0
# test/unit/golden/cluster/bridge.lab.yaml:4:3 — hairpin mode: frames may leave by the port they came in on
link set veth96971f43 type bridge_slave hairpin on
# test/unit/golden/cluster/bridge.lab.yaml:9:7 — hairpin mode: frames may leave by the port they came in on
link set veth0761ccbe type bridge_slave hairpin on
# test/unit/golden/cluster/bridge.lab.yaml:9:7 — hairpin mode: frames may leave by the port they came in on
link set veth9fb0db7f type bridge_slave hairpin on
# test/unit/golden/cluster/bridge.lab.yaml:12:7 — hairpin mode: frames may leave by the port they came in on
link set vetha7a3e029 type bridge_slave hairpin on
# test/unit/golden/cluster/bridge.lab.yaml:6:13
addr add 192.168.56.11/24 dev eth0
# test/unit/golden/cluster/bridge.lab.yaml:4:3
addr add 10.244.0.1/24 dev cni0
# test/unit/golden/cluster/bridge.lab.yaml:6:13
link set eth0 up
# test/unit/golden/cluster/bridge.lab.yaml:4:3
link set cni0 up
link set veth96971f43 up
# test/unit/golden/cluster/bridge.lab.yaml:9:7
link set veth0761ccbe up
link set veth9fb0db7f up
# test/unit/golden/cluster/bridge.lab.yaml:12:7
link set vetha7a3e029 up
# test/unit/golden/cluster/bridge.lab.yaml:4:8
route add 10.96.0.0/12 dev eth0
EOF
cat >/run/nslab/gc-bridge/batch/nsl.gc-bridge.coredns.ip <<'EOF'
# test/unit/golden/cluster/bridge.lab.yaml:4:3
link set lo up
addr add 10.244.0.2/24 dev eth0
link set eth0 up
route add default via 10.244.0.1
EOF
cat >/run/nslab/gc-bridge/batch/nsl.gc-bridge.web-1.ip <<'EOF'
# test/unit/golden/cluster/bridge.lab.yaml:8:5
link set lo up
# test/unit/golden/cluster/bridge.lab.yaml:9:7
addr add 10.244.0.3/24 dev eth0
link set eth0 up
route add default via 10.244.0.1
EOF
cat >/run/nslab/gc-bridge/batch/nsl.gc-bridge.web-2.ip <<'EOF'
# test/unit/golden/cluster/bridge.lab.yaml:8:5
link set lo up
# test/unit/golden/cluster/bridge.lab.yaml:9:7
addr add 10.244.0.4/24 dev eth0
link set eth0 up
route add default via 10.244.0.1
EOF
cat >/run/nslab/gc-bridge/batch/nsl.gc-bridge.client.ip <<'EOF'
# test/unit/golden/cluster/bridge.lab.yaml:11:5
link set lo up
# test/unit/golden/cluster/bridge.lab.yaml:12:7
addr add 10.244.0.5/24 dev eth0
link set eth0 up
route add default via 10.244.0.1
EOF
cat >/run/nslab/gc-bridge/batch/nsl.gc-bridge.ip <<'EOF'
# test/unit/golden/cluster/bridge.lab.yaml:2:7
link set lo up
# test/unit/golden/cluster/bridge.lab.yaml:4:3 — bridge k8s-net
link add k8s-net type bridge
# test/unit/golden/cluster/bridge.lab.yaml:6:13
link set node-1-eth0 master k8s-net
# test/unit/golden/cluster/bridge.lab.yaml:4:3
link set k8s-net up
# test/unit/golden/cluster/bridge.lab.yaml:6:13
link set node-1-eth0 up
EOF
xargs -P 4 -L 1 nsenter <<'EOF'
--net=/run/netns/nsl.gc-bridge.node-1 sysctl -qw net.ipv6.conf.all.forwarding=1
--net=/run/netns/nsl.gc-bridge.node-1 ip -batch /run/nslab/gc-bridge/batch/nsl.gc-bridge.node-1.ip
--net=/run/netns/nsl.gc-bridge.coredns sysctl -qw net.ipv4.ip_forward=0
--net=/run/netns/nsl.gc-bridge.coredns ip -batch /run/nslab/gc-bridge/batch/nsl.gc-bridge.coredns.ip
--net=/run/netns/nsl.gc-bridge.web-1 sysctl -qw net.ipv4.ip_forward=0
--net=/run/netns/nsl.gc-bridge.web-1 ip -batch /run/nslab/gc-bridge/batch/nsl.gc-bridge.web-1.ip
--net=/run/netns/nsl.gc-bridge.web-2 sysctl -qw net.ipv4.ip_forward=0
--net=/run/netns/nsl.gc-bridge.web-2 ip -batch /run/nslab/gc-bridge/batch/nsl.gc-bridge.web-2.ip
--net=/run/netns/nsl.gc-bridge.client sysctl -qw net.ipv4.ip_forward=0
--net=/run/netns/nsl.gc-bridge.client ip -batch /run/nslab/gc-bridge/batch/nsl.gc-bridge.client.ip
--net=/run/netns/nsl.gc-bridge ip -batch /run/nslab/gc-bridge/batch/nsl.gc-bridge.ip
EOF

# ── settle: wait until every bridge port forwards (the kernel applies link changes asynchronously)
# wait until every bridge port forwards
# from test/unit/golden/cluster/bridge.lab.yaml:4:3
# repeated until no port is "state disabled", for at most 10 s
while nsenter --net=/run/netns/nsl.gc-bridge bridge link show | grep -q 'state disabled'; do sleep 0.01; done
# wait until every bridge port forwards
# from test/unit/golden/cluster/bridge.lab.yaml:4:3
# repeated until no port is "state disabled", for at most 10 s
while nsenter --net=/run/netns/nsl.gc-bridge.node-1 bridge link show | grep -q 'state disabled'; do sleep 0.01; done

# ── firewall: NAT and firewall rule sets
# node node-1: kube-proxy (iptables mode)
ip netns exec nsl.gc-bridge.node-1 iptables-restore --noflush <<'EOF'
# kube-proxy (iptables mode) rules for node node-1, written by nslab; load with iptables-restore
# egress masquerade (the bridge plugin's ipMasq): pod traffic leaving 10.244.0.0/16 gets the node's address
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
:KUBE-SVC-LOLE4ISW44XBNF3G - [0:0]
:KUBE-SEP-VPJCWIHGOZWNRC6B - [0:0]
:KUBE-SEP-IG6ZFE2PVFCTIC6R - [0:0]
:KUBE-SVC-TCOU7JCQXEZGVUNU - [0:0]
:KUBE-SEP-YIL6JZP7A3QYXJU2 - [0:0]
:KUBE-SVC-ERIFXISQEP7F7OF4 - [0:0]
:KUBE-SEP-IT2ZTR26TO4XFPTO - [0:0]
:CNI-MASQ - [0:0]
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
-A KUBE-SVC-LOLE4ISW44XBNF3G -m comment --comment "default/web -> 10.244.0.4:80" -j KUBE-SEP-IG6ZFE2PVFCTIC6R
-A KUBE-SEP-VPJCWIHGOZWNRC6B -m comment --comment default/web -s 10.244.0.3 -j KUBE-MARK-MASQ
-A KUBE-SEP-VPJCWIHGOZWNRC6B -m comment --comment default/web -m tcp -p tcp -j DNAT --to-destination 10.244.0.3:80
-A KUBE-SEP-IG6ZFE2PVFCTIC6R -m comment --comment default/web -s 10.244.0.4 -j KUBE-MARK-MASQ
-A KUBE-SEP-IG6ZFE2PVFCTIC6R -m comment --comment default/web -m tcp -p tcp -j DNAT --to-destination 10.244.0.4:80
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
-A POSTROUTING -s 10.244.0.0/24 -m comment --comment "the bridge plugin: ipMasq for the pods of cni0" -j CNI-MASQ
-A CNI-MASQ -d 10.244.0.0/24 -m comment --comment "the bridge plugin: the pods' own subnet" -j ACCEPT
-A CNI-MASQ ! -d 224.0.0.0/4 -m comment --comment "the bridge plugin: ipMasq" -j MASQUERADE
COMMIT
EOF

# ── exec: commands from the lab file
# pod coredns: resolv.conf (ip netns exec mounts it)
# from test/unit/golden/cluster/bridge.lab.yaml:4:3
mkdir -p /etc/netns/nsl.gc-bridge.coredns
cat >/etc/netns/nsl.gc-bridge.coredns/resolv.conf <<'EOF'
nameserver 10.96.0.10
search kube-system.svc.cluster.local svc.cluster.local cluster.local
options ndots:5
EOF
# pod web-1: resolv.conf (ip netns exec mounts it)
# from test/unit/golden/cluster/bridge.lab.yaml:8:5
mkdir -p /etc/netns/nsl.gc-bridge.web-1
cat >/etc/netns/nsl.gc-bridge.web-1/resolv.conf <<'EOF'
nameserver 10.96.0.10
search default.svc.cluster.local svc.cluster.local cluster.local
options ndots:5
EOF
# pod web-2: resolv.conf (ip netns exec mounts it)
# from test/unit/golden/cluster/bridge.lab.yaml:8:5
mkdir -p /etc/netns/nsl.gc-bridge.web-2
cat >/etc/netns/nsl.gc-bridge.web-2/resolv.conf <<'EOF'
nameserver 10.96.0.10
search default.svc.cluster.local svc.cluster.local cluster.local
options ndots:5
EOF
# pod client: resolv.conf (ip netns exec mounts it)
# from test/unit/golden/cluster/bridge.lab.yaml:11:5
mkdir -p /etc/netns/nsl.gc-bridge.client
cat >/etc/netns/nsl.gc-bridge.client/resolv.conf <<'EOF'
nameserver 10.96.0.10
search default.svc.cluster.local svc.cluster.local cluster.local
options ndots:5
EOF

# ── daemons: long-running processes (stopped by `lab down`)
# the cluster DNS: dnsmasq with the records of every service and pod
# from test/unit/golden/cluster/bridge.lab.yaml:3:1
mkdir -p /run/nslab/gc-bridge/logs
ip netns exec nsl.gc-bridge.coredns dnsmasq --keep-in-foreground --no-resolv --no-hosts --bind-interfaces --listen-address=10.244.0.2 --port=53 --log-facility=- --local=/cluster.local/ --host-record=web.default.svc.cluster.local,10.96.0.11 --host-record=kube-dns.kube-system.svc.cluster.local,10.96.0.10 --srv-host=_dns._udp.kube-dns.kube-system.svc.cluster.local,kube-dns.kube-system.svc.cluster.local,53 --srv-host=_dns-tcp._tcp.kube-dns.kube-system.svc.cluster.local,kube-dns.kube-system.svc.cluster.local,53 --host-record=10-244-0-5.default.pod.cluster.local,10.244.0.5 --host-record=10-244-0-3.default.pod.cluster.local,10.244.0.3 --host-record=10-244-0-4.default.pod.cluster.local,10.244.0.4 --host-record=10-244-0-2.kube-system.pod.cluster.local,10.244.0.2 --pid-file --user=root >/run/nslab/gc-bridge/logs/coredns.dnsmasq.log 2>&1 &
# pod web-1: answers with its name and the client address on 80/tcp
# from test/unit/golden/cluster/bridge.lab.yaml:8:5
mkdir -p /run/nslab/gc-bridge/logs
ip netns exec nsl.gc-bridge.web-1 lab agent whoami --name web-1 --port 80 >/run/nslab/gc-bridge/logs/web-1.whoami.log 2>&1 &
# pod web-2: answers with its name and the client address on 80/tcp
# from test/unit/golden/cluster/bridge.lab.yaml:8:5
mkdir -p /run/nslab/gc-bridge/logs
ip netns exec nsl.gc-bridge.web-2 lab agent whoami --name web-2 --port 80 >/run/nslab/gc-bridge/logs/web-2.whoami.log 2>&1 &
# pod client: answers with its name and the client address on 80/tcp
# from test/unit/golden/cluster/bridge.lab.yaml:11:5
mkdir -p /run/nslab/gc-bridge/logs
ip netns exec nsl.gc-bridge.client lab agent whoami --name client --port 80 >/run/nslab/gc-bridge/logs/client.whoami.log 2>&1 &

# ── teardown (what `lab down` runs): stop every process inside the lab's namespaces (by PID), then
# delete the namespaces, which removes every link, bridge, address, route and rule inside them
# (commented out, so that running this script builds the lab and leaves it up)
#   ip -force -batch - <<'EOF'
#   netns del nsl.gc-bridge
#   netns del nsl.gc-bridge.node-1
#   netns del nsl.gc-bridge.coredns
#   netns del nsl.gc-bridge.web-1
#   netns del nsl.gc-bridge.web-2
#   netns del nsl.gc-bridge.client
#   EOF
