#!/bin/sh
# nslab plan for lab "conntrack-snat-race" from labs/conntrack-snat-race/lab.yaml
# Run as root to build the lab by hand; these are exactly the commands `lab up` runs
# (it runs the blocks of one phase in parallel). Every line notes the lab-file place behind it.
# new namespaces start with net.ipv4.ip_forward=1, net.ipv6.conf.all.forwarding=0 (inherited from this host): only nodes that need other values get a sysctl
set -e

# ── namespaces: network namespaces (one per node, plus the lab fabric) and containers
ip -batch - <<'EOF'
# labs/conntrack-snat-race/lab.yaml:2:7 — the lab fabric: bridges that belong to no node
netns add nsl.conntrack-snat-race
# labs/conntrack-snat-race/lab.yaml:11:3 — node srv
netns add nsl.conntrack-snat-race.srv
# labs/conntrack-snat-race/lab.yaml:24:5 — node node-1
netns add nsl.conntrack-snat-race.node-1
# labs/conntrack-snat-race/lab.yaml:26:5 — node client-1
netns add nsl.conntrack-snat-race.client-1
# labs/conntrack-snat-race/lab.yaml:26:5 — node client-2
netns add nsl.conntrack-snat-race.client-2
# labs/conntrack-snat-race/lab.yaml:26:5 — node client-3
netns add nsl.conntrack-snat-race.client-3
# labs/conntrack-snat-race/lab.yaml:26:5 — node client-4
netns add nsl.conntrack-snat-race.client-4
# labs/conntrack-snat-race/lab.yaml:26:5 — node client-5
netns add nsl.conntrack-snat-race.client-5
# labs/conntrack-snat-race/lab.yaml:26:5 — node client-6
netns add nsl.conntrack-snat-race.client-6
# labs/conntrack-snat-race/lab.yaml:26:5 — node client-7
netns add nsl.conntrack-snat-race.client-7
# labs/conntrack-snat-race/lab.yaml:26:5 — node client-8
netns add nsl.conntrack-snat-race.client-8
EOF

# ── links: veth pairs created directly inside their namespaces
ip -batch - <<'EOF'
# labs/conntrack-snat-race/lab.yaml:17:5 — link srv:eth0 <-> k8s-net
link add srv-eth0 netns nsl.conntrack-snat-race index 1000 type veth peer name eth0 netns nsl.conntrack-snat-race.srv
# labs/conntrack-snat-race/lab.yaml:24:13 — link node-1:eth0 <-> k8s-net
link add node-1-eth0 netns nsl.conntrack-snat-race index 1001 type veth peer name eth0 netns nsl.conntrack-snat-race.node-1
# labs/conntrack-snat-race/lab.yaml:27:7 — link client-1:eth0 <-> cni0@node-1
link add vethb731b837 netns nsl.conntrack-snat-race.node-1 index 1000 type veth peer name eth0 netns nsl.conntrack-snat-race.client-1
# labs/conntrack-snat-race/lab.yaml:27:7 — link client-2:eth0 <-> cni0@node-1
link add vethbe3a7da1 netns nsl.conntrack-snat-race.node-1 index 1001 type veth peer name eth0 netns nsl.conntrack-snat-race.client-2
# labs/conntrack-snat-race/lab.yaml:27:7 — link client-3:eth0 <-> cni0@node-1
link add veth301b85a5 netns nsl.conntrack-snat-race.node-1 index 1002 type veth peer name eth0 netns nsl.conntrack-snat-race.client-3
# labs/conntrack-snat-race/lab.yaml:27:7 — link client-4:eth0 <-> cni0@node-1
link add veth3e3836ef netns nsl.conntrack-snat-race.node-1 index 1003 type veth peer name eth0 netns nsl.conntrack-snat-race.client-4
# labs/conntrack-snat-race/lab.yaml:27:7 — link client-5:eth0 <-> cni0@node-1
link add veth24620b22 netns nsl.conntrack-snat-race.node-1 index 1004 type veth peer name eth0 netns nsl.conntrack-snat-race.client-5
# labs/conntrack-snat-race/lab.yaml:27:7 — link client-6:eth0 <-> cni0@node-1
link add veth8808a5fd netns nsl.conntrack-snat-race.node-1 index 1005 type veth peer name eth0 netns nsl.conntrack-snat-race.client-6
# labs/conntrack-snat-race/lab.yaml:27:7 — link client-7:eth0 <-> cni0@node-1
link add veth0e1b9f6b netns nsl.conntrack-snat-race.node-1 index 1006 type veth peer name eth0 netns nsl.conntrack-snat-race.client-7
# labs/conntrack-snat-race/lab.yaml:27:7 — link client-8:eth0 <-> cni0@node-1
link add veth21416398 netns nsl.conntrack-snat-race.node-1 index 1007 type veth peer name eth0 netns nsl.conntrack-snat-race.client-8
EOF

# ── configure: inside each namespace: sysctls, bridges, addresses, routes
# one batch file per namespace, run 4 at a time by xargs
mkdir -p /run/nslab/conntrack-snat-race/batch
cat >/run/nslab/conntrack-snat-race/batch/nsl.conntrack-snat-race.srv.ip <<'EOF'
# labs/conntrack-snat-race/lab.yaml:11:3
link set lo up
# labs/conntrack-snat-race/lab.yaml:13:7
addr add 192.168.56.200/24 dev eth0
link set eth0 up
EOF
cat >/run/nslab/conntrack-snat-race/batch/nsl.conntrack-snat-race.node-1.ip <<'EOF'
# labs/conntrack-snat-race/lab.yaml:24:5
link set lo up
# labs/conntrack-snat-race/lab.yaml:20:3 — bridge cni0 in node-1
link add cni0 type bridge
# labs/conntrack-snat-race/lab.yaml:27:7
link set vethb731b837 master cni0
link set vethbe3a7da1 master cni0
link set veth301b85a5 master cni0
link set veth3e3836ef master cni0
link set veth24620b22 master cni0
link set veth8808a5fd master cni0
link set veth0e1b9f6b master cni0
link set veth21416398 master cni0
# labs/conntrack-snat-race/lab.yaml:27:7 — hairpin mode: frames may leave by the port they came in on
link set vethb731b837 type bridge_slave hairpin on
# labs/conntrack-snat-race/lab.yaml:27:7 — hairpin mode: frames may leave by the port they came in on
link set vethbe3a7da1 type bridge_slave hairpin on
# labs/conntrack-snat-race/lab.yaml:27:7 — hairpin mode: frames may leave by the port they came in on
link set veth301b85a5 type bridge_slave hairpin on
# labs/conntrack-snat-race/lab.yaml:27:7 — hairpin mode: frames may leave by the port they came in on
link set veth3e3836ef type bridge_slave hairpin on
# labs/conntrack-snat-race/lab.yaml:27:7 — hairpin mode: frames may leave by the port they came in on
link set veth24620b22 type bridge_slave hairpin on
# labs/conntrack-snat-race/lab.yaml:27:7 — hairpin mode: frames may leave by the port they came in on
link set veth8808a5fd type bridge_slave hairpin on
# labs/conntrack-snat-race/lab.yaml:27:7 — hairpin mode: frames may leave by the port they came in on
link set veth0e1b9f6b type bridge_slave hairpin on
# labs/conntrack-snat-race/lab.yaml:27:7 — hairpin mode: frames may leave by the port they came in on
link set veth21416398 type bridge_slave hairpin on
# labs/conntrack-snat-race/lab.yaml:24:13
addr add 192.168.56.11/24 dev eth0
# labs/conntrack-snat-race/lab.yaml:20:3
addr add 10.244.0.1/24 dev cni0
# labs/conntrack-snat-race/lab.yaml:24:13
link set eth0 up
# labs/conntrack-snat-race/lab.yaml:20:3
link set cni0 up
# labs/conntrack-snat-race/lab.yaml:27:7
link set vethb731b837 up
link set vethbe3a7da1 up
link set veth301b85a5 up
link set veth3e3836ef up
link set veth24620b22 up
link set veth8808a5fd up
link set veth0e1b9f6b up
link set veth21416398 up
# labs/conntrack-snat-race/lab.yaml:20:8
route add 10.96.0.0/12 dev eth0
EOF
cat >/run/nslab/conntrack-snat-race/batch/nsl.conntrack-snat-race.client-1.ip <<'EOF'
# labs/conntrack-snat-race/lab.yaml:26:5
link set lo up
# labs/conntrack-snat-race/lab.yaml:27:7
addr add 10.244.0.2/24 dev eth0
link set eth0 up
route add default via 10.244.0.1
EOF
cat >/run/nslab/conntrack-snat-race/batch/nsl.conntrack-snat-race.client-2.ip <<'EOF'
# labs/conntrack-snat-race/lab.yaml:26:5
link set lo up
# labs/conntrack-snat-race/lab.yaml:27:7
addr add 10.244.0.3/24 dev eth0
link set eth0 up
route add default via 10.244.0.1
EOF
cat >/run/nslab/conntrack-snat-race/batch/nsl.conntrack-snat-race.client-3.ip <<'EOF'
# labs/conntrack-snat-race/lab.yaml:26:5
link set lo up
# labs/conntrack-snat-race/lab.yaml:27:7
addr add 10.244.0.4/24 dev eth0
link set eth0 up
route add default via 10.244.0.1
EOF
cat >/run/nslab/conntrack-snat-race/batch/nsl.conntrack-snat-race.client-4.ip <<'EOF'
# labs/conntrack-snat-race/lab.yaml:26:5
link set lo up
# labs/conntrack-snat-race/lab.yaml:27:7
addr add 10.244.0.5/24 dev eth0
link set eth0 up
route add default via 10.244.0.1
EOF
cat >/run/nslab/conntrack-snat-race/batch/nsl.conntrack-snat-race.client-5.ip <<'EOF'
# labs/conntrack-snat-race/lab.yaml:26:5
link set lo up
# labs/conntrack-snat-race/lab.yaml:27:7
addr add 10.244.0.6/24 dev eth0
link set eth0 up
route add default via 10.244.0.1
EOF
cat >/run/nslab/conntrack-snat-race/batch/nsl.conntrack-snat-race.client-6.ip <<'EOF'
# labs/conntrack-snat-race/lab.yaml:26:5
link set lo up
# labs/conntrack-snat-race/lab.yaml:27:7
addr add 10.244.0.7/24 dev eth0
link set eth0 up
route add default via 10.244.0.1
EOF
cat >/run/nslab/conntrack-snat-race/batch/nsl.conntrack-snat-race.client-7.ip <<'EOF'
# labs/conntrack-snat-race/lab.yaml:26:5
link set lo up
# labs/conntrack-snat-race/lab.yaml:27:7
addr add 10.244.0.8/24 dev eth0
link set eth0 up
route add default via 10.244.0.1
EOF
cat >/run/nslab/conntrack-snat-race/batch/nsl.conntrack-snat-race.client-8.ip <<'EOF'
# labs/conntrack-snat-race/lab.yaml:26:5
link set lo up
# labs/conntrack-snat-race/lab.yaml:27:7
addr add 10.244.0.9/24 dev eth0
link set eth0 up
route add default via 10.244.0.1
EOF
cat >/run/nslab/conntrack-snat-race/batch/nsl.conntrack-snat-race.ip <<'EOF'
# labs/conntrack-snat-race/lab.yaml:2:7
link set lo up
# labs/conntrack-snat-race/lab.yaml:20:3 — bridge k8s-net
link add k8s-net type bridge
# labs/conntrack-snat-race/lab.yaml:17:5
link set srv-eth0 master k8s-net
# labs/conntrack-snat-race/lab.yaml:24:13
link set node-1-eth0 master k8s-net
# labs/conntrack-snat-race/lab.yaml:20:3
link set k8s-net up
# labs/conntrack-snat-race/lab.yaml:17:5
link set srv-eth0 up
# labs/conntrack-snat-race/lab.yaml:24:13
link set node-1-eth0 up
EOF
xargs -P 4 -L 1 nsenter <<'EOF'
--net=/run/netns/nsl.conntrack-snat-race.srv sysctl -qw net.ipv4.ip_forward=0
--net=/run/netns/nsl.conntrack-snat-race.srv ip -batch /run/nslab/conntrack-snat-race/batch/nsl.conntrack-snat-race.srv.ip
--net=/run/netns/nsl.conntrack-snat-race.node-1 sysctl -qw net.ipv6.conf.all.forwarding=1
--net=/run/netns/nsl.conntrack-snat-race.node-1 ip -batch /run/nslab/conntrack-snat-race/batch/nsl.conntrack-snat-race.node-1.ip
--net=/run/netns/nsl.conntrack-snat-race.client-1 sysctl -qw net.ipv4.ip_forward=0
--net=/run/netns/nsl.conntrack-snat-race.client-1 ip -batch /run/nslab/conntrack-snat-race/batch/nsl.conntrack-snat-race.client-1.ip
--net=/run/netns/nsl.conntrack-snat-race.client-2 sysctl -qw net.ipv4.ip_forward=0
--net=/run/netns/nsl.conntrack-snat-race.client-2 ip -batch /run/nslab/conntrack-snat-race/batch/nsl.conntrack-snat-race.client-2.ip
--net=/run/netns/nsl.conntrack-snat-race.client-3 sysctl -qw net.ipv4.ip_forward=0
--net=/run/netns/nsl.conntrack-snat-race.client-3 ip -batch /run/nslab/conntrack-snat-race/batch/nsl.conntrack-snat-race.client-3.ip
--net=/run/netns/nsl.conntrack-snat-race.client-4 sysctl -qw net.ipv4.ip_forward=0
--net=/run/netns/nsl.conntrack-snat-race.client-4 ip -batch /run/nslab/conntrack-snat-race/batch/nsl.conntrack-snat-race.client-4.ip
--net=/run/netns/nsl.conntrack-snat-race.client-5 sysctl -qw net.ipv4.ip_forward=0
--net=/run/netns/nsl.conntrack-snat-race.client-5 ip -batch /run/nslab/conntrack-snat-race/batch/nsl.conntrack-snat-race.client-5.ip
--net=/run/netns/nsl.conntrack-snat-race.client-6 sysctl -qw net.ipv4.ip_forward=0
--net=/run/netns/nsl.conntrack-snat-race.client-6 ip -batch /run/nslab/conntrack-snat-race/batch/nsl.conntrack-snat-race.client-6.ip
--net=/run/netns/nsl.conntrack-snat-race.client-7 sysctl -qw net.ipv4.ip_forward=0
--net=/run/netns/nsl.conntrack-snat-race.client-7 ip -batch /run/nslab/conntrack-snat-race/batch/nsl.conntrack-snat-race.client-7.ip
--net=/run/netns/nsl.conntrack-snat-race.client-8 sysctl -qw net.ipv4.ip_forward=0
--net=/run/netns/nsl.conntrack-snat-race.client-8 ip -batch /run/nslab/conntrack-snat-race/batch/nsl.conntrack-snat-race.client-8.ip
--net=/run/netns/nsl.conntrack-snat-race ip -batch /run/nslab/conntrack-snat-race/batch/nsl.conntrack-snat-race.ip
EOF

# ── settle: wait until every bridge port forwards (the kernel applies link changes asynchronously)
# wait until every bridge port forwards
# from labs/conntrack-snat-race/lab.yaml:20:3
# repeated until no port is "state disabled", for at most 10 s
while nsenter --net=/run/netns/nsl.conntrack-snat-race bridge link show | grep -q 'state disabled'; do sleep 0.01; done
# wait until every bridge port forwards
# from labs/conntrack-snat-race/lab.yaml:20:3
# repeated until no port is "state disabled", for at most 10 s
while nsenter --net=/run/netns/nsl.conntrack-snat-race.node-1 bridge link show | grep -q 'state disabled'; do sleep 0.01; done

# ── firewall: NAT and firewall rule sets
# node node-1: kube-proxy (iptables mode)
ip netns exec nsl.conntrack-snat-race.node-1 iptables-restore --noflush <<'EOF'
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
:CNI-MASQ - [0:0]
-A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
-A OUTPUT -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
-A POSTROUTING -m comment --comment "kubernetes postrouting rules" -j KUBE-POSTROUTING
-A KUBE-POSTROUTING -m mark ! --mark 0x4000/0x4000 -j RETURN
-A KUBE-POSTROUTING -j MARK --xor-mark 0x4000
-A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE --random-fully
-A KUBE-MARK-MASQ -j MARK --or-mark 0x4000
-A KUBE-SERVICES -m comment --comment "kubernetes service nodeports; NOTE: this must be the last rule in this chain" -m addrtype --dst-type LOCAL ! -d 127.0.0.0/8 -j KUBE-NODEPORTS
-A POSTROUTING -s 10.244.0.0/24 -m comment --comment "the bridge plugin: ipMasq for the pods of cni0" -j CNI-MASQ
-A CNI-MASQ -d 10.244.0.0/24 -m comment --comment "the bridge plugin: the pods' own subnet" -j ACCEPT
-A CNI-MASQ ! -d 224.0.0.0/4 -m comment --comment "the bridge plugin: ipMasq" -j MASQUERADE
COMMIT
EOF

# ── daemons: long-running processes (stopped by `lab down`)
# node srv: test server on 80
# from labs/conntrack-snat-race/lab.yaml:11:3
mkdir -p /run/nslab/conntrack-snat-race/logs
ip netns exec nsl.conntrack-snat-race.srv lab agent whoami --name srv --port 80 >/run/nslab/conntrack-snat-race/logs/srv.whoami.log 2>&1 &
# pod client-1: answers with its name and the client address on 80/tcp
# from labs/conntrack-snat-race/lab.yaml:26:5
mkdir -p /run/nslab/conntrack-snat-race/logs
ip netns exec nsl.conntrack-snat-race.client-1 lab agent whoami --name client-1 --port 80 >/run/nslab/conntrack-snat-race/logs/client-1.whoami.log 2>&1 &
# pod client-2: answers with its name and the client address on 80/tcp
# from labs/conntrack-snat-race/lab.yaml:26:5
mkdir -p /run/nslab/conntrack-snat-race/logs
ip netns exec nsl.conntrack-snat-race.client-2 lab agent whoami --name client-2 --port 80 >/run/nslab/conntrack-snat-race/logs/client-2.whoami.log 2>&1 &
# pod client-3: answers with its name and the client address on 80/tcp
# from labs/conntrack-snat-race/lab.yaml:26:5
mkdir -p /run/nslab/conntrack-snat-race/logs
ip netns exec nsl.conntrack-snat-race.client-3 lab agent whoami --name client-3 --port 80 >/run/nslab/conntrack-snat-race/logs/client-3.whoami.log 2>&1 &
# pod client-4: answers with its name and the client address on 80/tcp
# from labs/conntrack-snat-race/lab.yaml:26:5
mkdir -p /run/nslab/conntrack-snat-race/logs
ip netns exec nsl.conntrack-snat-race.client-4 lab agent whoami --name client-4 --port 80 >/run/nslab/conntrack-snat-race/logs/client-4.whoami.log 2>&1 &
# pod client-5: answers with its name and the client address on 80/tcp
# from labs/conntrack-snat-race/lab.yaml:26:5
mkdir -p /run/nslab/conntrack-snat-race/logs
ip netns exec nsl.conntrack-snat-race.client-5 lab agent whoami --name client-5 --port 80 >/run/nslab/conntrack-snat-race/logs/client-5.whoami.log 2>&1 &
# pod client-6: answers with its name and the client address on 80/tcp
# from labs/conntrack-snat-race/lab.yaml:26:5
mkdir -p /run/nslab/conntrack-snat-race/logs
ip netns exec nsl.conntrack-snat-race.client-6 lab agent whoami --name client-6 --port 80 >/run/nslab/conntrack-snat-race/logs/client-6.whoami.log 2>&1 &
# pod client-7: answers with its name and the client address on 80/tcp
# from labs/conntrack-snat-race/lab.yaml:26:5
mkdir -p /run/nslab/conntrack-snat-race/logs
ip netns exec nsl.conntrack-snat-race.client-7 lab agent whoami --name client-7 --port 80 >/run/nslab/conntrack-snat-race/logs/client-7.whoami.log 2>&1 &
# pod client-8: answers with its name and the client address on 80/tcp
# from labs/conntrack-snat-race/lab.yaml:26:5
mkdir -p /run/nslab/conntrack-snat-race/logs
ip netns exec nsl.conntrack-snat-race.client-8 lab agent whoami --name client-8 --port 80 >/run/nslab/conntrack-snat-race/logs/client-8.whoami.log 2>&1 &

# ── teardown (what `lab down` runs): stop every process inside the lab's namespaces (by PID), then
# delete the namespaces, which removes every link, bridge, address, route and rule inside them
# (commented out, so that running this script builds the lab and leaves it up)
#   ip -force -batch - <<'EOF'
#   netns del nsl.conntrack-snat-race
#   netns del nsl.conntrack-snat-race.srv
#   netns del nsl.conntrack-snat-race.node-1
#   netns del nsl.conntrack-snat-race.client-1
#   netns del nsl.conntrack-snat-race.client-2
#   netns del nsl.conntrack-snat-race.client-3
#   netns del nsl.conntrack-snat-race.client-4
#   netns del nsl.conntrack-snat-race.client-5
#   netns del nsl.conntrack-snat-race.client-6
#   netns del nsl.conntrack-snat-race.client-7
#   netns del nsl.conntrack-snat-race.client-8
#   EOF
