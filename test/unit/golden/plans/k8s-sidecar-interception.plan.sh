#!/bin/sh
# nslab plan for lab "k8s-sidecar-interception" from labs/k8s-sidecar-interception/lab.yaml
# Run as root to build the lab by hand; these are exactly the commands `lab up` runs
# (it runs the blocks of one phase in parallel). Every line notes the lab-file place behind it.
# new namespaces start with net.ipv4.ip_forward=1, net.ipv6.conf.all.forwarding=0 (inherited from this host): only nodes that need other values get a sysctl
set -e

# ── namespaces: network namespaces (one per node, plus the lab fabric) and containers
ip -batch - <<'EOF'
# labs/k8s-sidecar-interception/lab.yaml:2:7 — the lab fabric: bridges that belong to no node
netns add nsl.k8s-sidecar-interception
# labs/k8s-sidecar-interception/lab.yaml:14:5 — node node-1
netns add nsl.k8s-sidecar-interception.node-1
# labs/k8s-sidecar-interception/lab.yaml:12:3 — node coredns
netns add nsl.k8s-sidecar-interception.coredns
# labs/k8s-sidecar-interception/lab.yaml:16:5 — node reviews
netns add nsl.k8s-sidecar-interception.reviews
# labs/k8s-sidecar-interception/lab.yaml:20:5 — node ratings
netns add nsl.k8s-sidecar-interception.ratings
# labs/k8s-sidecar-interception/lab.yaml:24:5 — node plain
netns add nsl.k8s-sidecar-interception.plain
EOF

# ── links: veth pairs created directly inside their namespaces
ip -batch - <<'EOF'
# labs/k8s-sidecar-interception/lab.yaml:14:13 — link node-1:eth0 <-> k8s-net
link add node-1-eth0 netns nsl.k8s-sidecar-interception index 1000 type veth peer name eth0 netns nsl.k8s-sidecar-interception.node-1
# labs/k8s-sidecar-interception/lab.yaml:12:3 — link coredns:eth0 <-> cni0@node-1
link add veth96971f43 netns nsl.k8s-sidecar-interception.node-1 index 1000 type veth peer name eth0 netns nsl.k8s-sidecar-interception.coredns
# labs/k8s-sidecar-interception/lab.yaml:17:7 — link reviews:eth0 <-> cni0@node-1
link add veth162f5d14 netns nsl.k8s-sidecar-interception.node-1 index 1001 type veth peer name eth0 netns nsl.k8s-sidecar-interception.reviews
# labs/k8s-sidecar-interception/lab.yaml:21:7 — link ratings:eth0 <-> cni0@node-1
link add veth9705e345 netns nsl.k8s-sidecar-interception.node-1 index 1002 type veth peer name eth0 netns nsl.k8s-sidecar-interception.ratings
# labs/k8s-sidecar-interception/lab.yaml:25:7 — link plain:eth0 <-> cni0@node-1
link add vethad357612 netns nsl.k8s-sidecar-interception.node-1 index 1003 type veth peer name eth0 netns nsl.k8s-sidecar-interception.plain
EOF

# ── configure: inside each namespace: sysctls, bridges, addresses, routes
# one batch file per namespace, run 4 at a time by xargs
mkdir -p /run/nslab/k8s-sidecar-interception/batch
cat >/run/nslab/k8s-sidecar-interception/batch/nsl.k8s-sidecar-interception.node-1.ip <<'EOF'
# labs/k8s-sidecar-interception/lab.yaml:14:5
link set lo up
# labs/k8s-sidecar-interception/lab.yaml:12:3 — bridge cni0 in node-1
link add cni0 type bridge
link set veth96971f43 master cni0
# labs/k8s-sidecar-interception/lab.yaml:17:7
link set veth162f5d14 master cni0
# labs/k8s-sidecar-interception/lab.yaml:21:7
link set veth9705e345 master cni0
# labs/k8s-sidecar-interception/lab.yaml:25:7
link set vethad357612 master cni0
# labs/k8s-sidecar-interception/lab.yaml:12:3 — hairpin mode: frames may leave by the port they came in on
link set veth96971f43 type bridge_slave hairpin on
# labs/k8s-sidecar-interception/lab.yaml:17:7 — hairpin mode: frames may leave by the port they came in on
link set veth162f5d14 type bridge_slave hairpin on
# labs/k8s-sidecar-interception/lab.yaml:21:7 — hairpin mode: frames may leave by the port they came in on
link set veth9705e345 type bridge_slave hairpin on
# labs/k8s-sidecar-interception/lab.yaml:25:7 — hairpin mode: frames may leave by the port they came in on
link set vethad357612 type bridge_slave hairpin on
# labs/k8s-sidecar-interception/lab.yaml:14:13
addr add 192.168.56.11/24 dev eth0
# labs/k8s-sidecar-interception/lab.yaml:12:3
addr add 10.244.0.1/24 dev cni0
# labs/k8s-sidecar-interception/lab.yaml:14:13
link set eth0 up
# labs/k8s-sidecar-interception/lab.yaml:12:3
link set cni0 up
link set veth96971f43 up
# labs/k8s-sidecar-interception/lab.yaml:17:7
link set veth162f5d14 up
# labs/k8s-sidecar-interception/lab.yaml:21:7
link set veth9705e345 up
# labs/k8s-sidecar-interception/lab.yaml:25:7
link set vethad357612 up
# labs/k8s-sidecar-interception/lab.yaml:12:8
route add 10.96.0.0/12 dev eth0
EOF
cat >/run/nslab/k8s-sidecar-interception/batch/nsl.k8s-sidecar-interception.coredns.ip <<'EOF'
# labs/k8s-sidecar-interception/lab.yaml:12:3
link set lo up
addr add 10.244.0.2/24 dev eth0
link set eth0 up
route add default via 10.244.0.1
EOF
cat >/run/nslab/k8s-sidecar-interception/batch/nsl.k8s-sidecar-interception.reviews.ip <<'EOF'
# labs/k8s-sidecar-interception/lab.yaml:16:5
link set lo up
# labs/k8s-sidecar-interception/lab.yaml:17:7
addr add 10.244.0.3/24 dev eth0
link set eth0 up
route add default via 10.244.0.1
EOF
cat >/run/nslab/k8s-sidecar-interception/batch/nsl.k8s-sidecar-interception.ratings.ip <<'EOF'
# labs/k8s-sidecar-interception/lab.yaml:20:5
link set lo up
# labs/k8s-sidecar-interception/lab.yaml:21:7
addr add 10.244.0.4/24 dev eth0
link set eth0 up
route add default via 10.244.0.1
EOF
cat >/run/nslab/k8s-sidecar-interception/batch/nsl.k8s-sidecar-interception.plain.ip <<'EOF'
# labs/k8s-sidecar-interception/lab.yaml:24:5
link set lo up
# labs/k8s-sidecar-interception/lab.yaml:25:7
addr add 10.244.0.5/24 dev eth0
link set eth0 up
route add default via 10.244.0.1
EOF
cat >/run/nslab/k8s-sidecar-interception/batch/nsl.k8s-sidecar-interception.ip <<'EOF'
# labs/k8s-sidecar-interception/lab.yaml:2:7
link set lo up
# labs/k8s-sidecar-interception/lab.yaml:12:3 — bridge k8s-net
link add k8s-net type bridge
# labs/k8s-sidecar-interception/lab.yaml:14:13
link set node-1-eth0 master k8s-net
# labs/k8s-sidecar-interception/lab.yaml:12:3
link set k8s-net up
# labs/k8s-sidecar-interception/lab.yaml:14:13
link set node-1-eth0 up
EOF
xargs -P 4 -L 1 nsenter <<'EOF'
--net=/run/netns/nsl.k8s-sidecar-interception.node-1 sysctl -qw net.ipv6.conf.all.forwarding=1
--net=/run/netns/nsl.k8s-sidecar-interception.node-1 ip -batch /run/nslab/k8s-sidecar-interception/batch/nsl.k8s-sidecar-interception.node-1.ip
--net=/run/netns/nsl.k8s-sidecar-interception.coredns sysctl -qw net.ipv4.ip_forward=0
--net=/run/netns/nsl.k8s-sidecar-interception.coredns ip -batch /run/nslab/k8s-sidecar-interception/batch/nsl.k8s-sidecar-interception.coredns.ip
--net=/run/netns/nsl.k8s-sidecar-interception.reviews sysctl -qw net.ipv4.ip_forward=0
--net=/run/netns/nsl.k8s-sidecar-interception.reviews ip -batch /run/nslab/k8s-sidecar-interception/batch/nsl.k8s-sidecar-interception.reviews.ip
--net=/run/netns/nsl.k8s-sidecar-interception.reviews sysctl -qw net.ipv4.ip_unprivileged_port_start=0
--net=/run/netns/nsl.k8s-sidecar-interception.ratings sysctl -qw net.ipv4.ip_forward=0
--net=/run/netns/nsl.k8s-sidecar-interception.ratings ip -batch /run/nslab/k8s-sidecar-interception/batch/nsl.k8s-sidecar-interception.ratings.ip
--net=/run/netns/nsl.k8s-sidecar-interception.plain sysctl -qw net.ipv4.ip_forward=0
--net=/run/netns/nsl.k8s-sidecar-interception.plain ip -batch /run/nslab/k8s-sidecar-interception/batch/nsl.k8s-sidecar-interception.plain.ip
--net=/run/netns/nsl.k8s-sidecar-interception ip -batch /run/nslab/k8s-sidecar-interception/batch/nsl.k8s-sidecar-interception.ip
EOF

# ── settle: wait until every bridge port forwards (the kernel applies link changes asynchronously)
# wait until every bridge port forwards
# from labs/k8s-sidecar-interception/lab.yaml:12:3
# repeated until no port is "state disabled", for at most 10 s
while nsenter --net=/run/netns/nsl.k8s-sidecar-interception bridge link show | grep -q 'state disabled'; do sleep 0.01; done
# wait until every bridge port forwards
# from labs/k8s-sidecar-interception/lab.yaml:12:3
# repeated until no port is "state disabled", for at most 10 s
while nsenter --net=/run/netns/nsl.k8s-sidecar-interception.node-1 bridge link show | grep -q 'state disabled'; do sleep 0.01; done

# ── firewall: NAT and firewall rule sets
# node node-1: kube-proxy (iptables mode)
ip netns exec nsl.k8s-sidecar-interception.node-1 iptables-restore --noflush <<'EOF'
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
:KUBE-SVC-L7CMIJ7MLO4LHB3N - [0:0]
:KUBE-SEP-EDJD72XZCCCQTIFV - [0:0]
:KUBE-SVC-4MYBDLPZ2DFGC5Z6 - [0:0]
:KUBE-SEP-VGUV5ZEX3PQS2YLK - [0:0]
:KUBE-SVC-HJXRDWJ5XKEX6DB5 - [0:0]
:KUBE-SEP-HXOVRLSUTQQ25OGB - [0:0]
:KUBE-SVC-DFPB5QU3SGQEWJQY - [0:0]
:KUBE-SEP-RJVKHEZ4BRV4WX2B - [0:0]
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
-A KUBE-SERVICES -m comment --comment "default/plain cluster IP" -m tcp -p tcp -d 10.96.0.13 --dport 80 -j KUBE-SVC-L7CMIJ7MLO4LHB3N
-A KUBE-SVC-L7CMIJ7MLO4LHB3N -m comment --comment "default/plain cluster IP" -m tcp -p tcp -d 10.96.0.13 --dport 80 ! -s 10.244.0.0/16 -j KUBE-MARK-MASQ
-A KUBE-SVC-L7CMIJ7MLO4LHB3N -m comment --comment "default/plain -> 10.244.0.5:80" -j KUBE-SEP-EDJD72XZCCCQTIFV
-A KUBE-SEP-EDJD72XZCCCQTIFV -m comment --comment default/plain -s 10.244.0.5 -j KUBE-MARK-MASQ
-A KUBE-SEP-EDJD72XZCCCQTIFV -m comment --comment default/plain -m tcp -p tcp -j DNAT --to-destination 10.244.0.5:80
-A KUBE-SERVICES -m comment --comment "default/ratings:http cluster IP" -m tcp -p tcp -d 10.96.0.12 --dport 80 -j KUBE-SVC-4MYBDLPZ2DFGC5Z6
-A KUBE-SVC-4MYBDLPZ2DFGC5Z6 -m comment --comment "default/ratings:http cluster IP" -m tcp -p tcp -d 10.96.0.12 --dport 80 ! -s 10.244.0.0/16 -j KUBE-MARK-MASQ
-A KUBE-SVC-4MYBDLPZ2DFGC5Z6 -m comment --comment "default/ratings:http -> 10.244.0.4:80" -j KUBE-SEP-VGUV5ZEX3PQS2YLK
-A KUBE-SEP-VGUV5ZEX3PQS2YLK -m comment --comment default/ratings:http -s 10.244.0.4 -j KUBE-MARK-MASQ
-A KUBE-SEP-VGUV5ZEX3PQS2YLK -m comment --comment default/ratings:http -m tcp -p tcp -j DNAT --to-destination 10.244.0.4:80
-A KUBE-SERVICES -m comment --comment "default/ratings:metrics cluster IP" -m tcp -p tcp -d 10.96.0.12 --dport 9090 -j KUBE-SVC-HJXRDWJ5XKEX6DB5
-A KUBE-SVC-HJXRDWJ5XKEX6DB5 -m comment --comment "default/ratings:metrics cluster IP" -m tcp -p tcp -d 10.96.0.12 --dport 9090 ! -s 10.244.0.0/16 -j KUBE-MARK-MASQ
-A KUBE-SVC-HJXRDWJ5XKEX6DB5 -m comment --comment "default/ratings:metrics -> 10.244.0.4:9090" -j KUBE-SEP-HXOVRLSUTQQ25OGB
-A KUBE-SEP-HXOVRLSUTQQ25OGB -m comment --comment default/ratings:metrics -s 10.244.0.4 -j KUBE-MARK-MASQ
-A KUBE-SEP-HXOVRLSUTQQ25OGB -m comment --comment default/ratings:metrics -m tcp -p tcp -j DNAT --to-destination 10.244.0.4:9090
-A KUBE-SERVICES -m comment --comment "default/reviews cluster IP" -m tcp -p tcp -d 10.96.0.11 --dport 80 -j KUBE-SVC-DFPB5QU3SGQEWJQY
-A KUBE-SVC-DFPB5QU3SGQEWJQY -m comment --comment "default/reviews cluster IP" -m tcp -p tcp -d 10.96.0.11 --dport 80 ! -s 10.244.0.0/16 -j KUBE-MARK-MASQ
-A KUBE-SVC-DFPB5QU3SGQEWJQY -m comment --comment "default/reviews -> 10.244.0.3:80" -j KUBE-SEP-RJVKHEZ4BRV4WX2B
-A KUBE-SEP-RJVKHEZ4BRV4WX2B -m comment --comment default/reviews -s 10.244.0.3 -j KUBE-MARK-MASQ
-A KUBE-SEP-RJVKHEZ4BRV4WX2B -m comment --comment default/reviews -m tcp -p tcp -j DNAT --to-destination 10.244.0.3:80
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
# node node-1: the Istio CNI plugin enters the namespace of pod ratings and loads istio-iptables' nat rules (no init container)
ip netns exec nsl.k8s-sidecar-interception.ratings iptables-restore --noflush <<'EOF'
# istio-iptables for pod ratings (istio-cni on the node): inbound → 15006, outbound → 15001, proxy uid 1337
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
-A ISTIO_INBOUND -p tcp -m tcp --dport 9090 -j RETURN
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

# ── exec: commands from the lab file
# pod coredns: resolv.conf (ip netns exec mounts it)
# from labs/k8s-sidecar-interception/lab.yaml:12:3
mkdir -p /etc/netns/nsl.k8s-sidecar-interception.coredns
cat >/etc/netns/nsl.k8s-sidecar-interception.coredns/resolv.conf <<'EOF'
nameserver 10.96.0.10
search kube-system.svc.cluster.local svc.cluster.local cluster.local
options ndots:5
EOF
# pod reviews: resolv.conf (ip netns exec mounts it)
# from labs/k8s-sidecar-interception/lab.yaml:16:5
mkdir -p /etc/netns/nsl.k8s-sidecar-interception.reviews
cat >/etc/netns/nsl.k8s-sidecar-interception.reviews/resolv.conf <<'EOF'
nameserver 10.96.0.10
search default.svc.cluster.local svc.cluster.local cluster.local
options ndots:5
EOF
# pod reviews: init container istio-init — istio-iptables' nat rules, then it exits before the app starts
ip netns exec nsl.k8s-sidecar-interception.reviews iptables-restore --noflush <<'EOF'
# istio-iptables for pod reviews (istio-init container): inbound → 15006, outbound → 15001, proxy uid 1337
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
# pod reviews: its history (written once the rules loaded)
# from labs/k8s-sidecar-interception/lab.yaml:16:5
mkdir -p /run/nslab/k8s-sidecar-interception/pods
cat >/run/nslab/k8s-sidecar-interception/pods/reviews.history <<'EOF'
pod reviews: init container istio-init (iptables-restore of the ISTIO_* chains) ran and exited 0 (Completed); then containers istio-proxy (haproxy, uid 1337) and app started
EOF
# pod reviews: the sidecar proxy's configuration
# from labs/k8s-sidecar-interception/lab.yaml:16:5
mkdir -p /run/nslab/k8s-sidecar-interception/sidecar
cat >/run/nslab/k8s-sidecar-interception/sidecar/reviews.haproxy.cfg <<'EOF'
# the sidecar of pod reviews: haproxy playing Envoy (generated by nslab)
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
  default_backend outbound-passthrough

backend outbound-passthrough
  server original-dst 0.0.0.0:0
EOF
# pod ratings: resolv.conf (ip netns exec mounts it)
# from labs/k8s-sidecar-interception/lab.yaml:20:5
mkdir -p /etc/netns/nsl.k8s-sidecar-interception.ratings
cat >/etc/netns/nsl.k8s-sidecar-interception.ratings/resolv.conf <<'EOF'
nameserver 10.96.0.10
search default.svc.cluster.local svc.cluster.local cluster.local
options ndots:5
EOF
# pod ratings: its history (written once the rules loaded)
# from labs/k8s-sidecar-interception/lab.yaml:20:5
mkdir -p /run/nslab/k8s-sidecar-interception/pods
cat >/run/nslab/k8s-sidecar-interception/pods/ratings.history <<'EOF'
pod ratings: no init container; the CNI plugin on node node-1 (istio-cni) loaded the ISTIO_* chains into the pod's namespace from the node (exit 0); then containers istio-proxy (haproxy, uid 1337) and app started
EOF
# pod ratings: the sidecar proxy's configuration
# from labs/k8s-sidecar-interception/lab.yaml:20:5
mkdir -p /run/nslab/k8s-sidecar-interception/sidecar
cat >/run/nslab/k8s-sidecar-interception/sidecar/ratings.haproxy.cfg <<'EOF'
# the sidecar of pod ratings: haproxy playing Envoy (generated by nslab)
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
  default_backend outbound-passthrough

backend outbound-passthrough
  server original-dst 0.0.0.0:0
EOF
# pod plain: resolv.conf (ip netns exec mounts it)
# from labs/k8s-sidecar-interception/lab.yaml:24:5
mkdir -p /etc/netns/nsl.k8s-sidecar-interception.plain
cat >/etc/netns/nsl.k8s-sidecar-interception.plain/resolv.conf <<'EOF'
nameserver 10.96.0.10
search default.svc.cluster.local svc.cluster.local cluster.local
options ndots:5
EOF

# ── daemons: long-running processes (stopped by `lab down`)
# the cluster DNS: dnsmasq with the records of every service and pod
# from labs/k8s-sidecar-interception/lab.yaml:11:1
mkdir -p /run/nslab/k8s-sidecar-interception/logs
ip netns exec nsl.k8s-sidecar-interception.coredns dnsmasq --keep-in-foreground --no-resolv --no-hosts --bind-interfaces --listen-address=10.244.0.2 --port=53 --log-facility=- --local=/cluster.local/ --host-record=plain.default.svc.cluster.local,10.96.0.13 --host-record=ratings.default.svc.cluster.local,10.96.0.12 --srv-host=_http._tcp.ratings.default.svc.cluster.local,ratings.default.svc.cluster.local,80 --srv-host=_metrics._tcp.ratings.default.svc.cluster.local,ratings.default.svc.cluster.local,9090 --host-record=reviews.default.svc.cluster.local,10.96.0.11 --host-record=kube-dns.kube-system.svc.cluster.local,10.96.0.10 --srv-host=_dns._udp.kube-dns.kube-system.svc.cluster.local,kube-dns.kube-system.svc.cluster.local,53 --srv-host=_dns-tcp._tcp.kube-dns.kube-system.svc.cluster.local,kube-dns.kube-system.svc.cluster.local,53 --host-record=10-244-0-5.default.pod.cluster.local,10.244.0.5 --host-record=10-244-0-4.default.pod.cluster.local,10.244.0.4 --host-record=10-244-0-3.default.pod.cluster.local,10.244.0.3 --host-record=10-244-0-2.kube-system.pod.cluster.local,10.244.0.2 --pid-file --user=root >/run/nslab/k8s-sidecar-interception/logs/coredns.dnsmasq.log 2>&1 &
# pod reviews: the sidecar proxy (haproxy as uid 1337) on 15006 (inbound) and 15001 (outbound), logging every connection
# from labs/k8s-sidecar-interception/lab.yaml:16:5
mkdir -p /run/nslab/k8s-sidecar-interception/logs
ip netns exec nsl.k8s-sidecar-interception.reviews haproxy -db -f /run/nslab/k8s-sidecar-interception/sidecar/reviews.haproxy.cfg >/run/nslab/k8s-sidecar-interception/logs/reviews.istio-proxy.log 2>&1 &
# pod reviews: as uid 1000, answers with its name and the client address on 80/tcp
# from labs/k8s-sidecar-interception/lab.yaml:16:5
mkdir -p /run/nslab/k8s-sidecar-interception/logs
ip netns exec nsl.k8s-sidecar-interception.reviews setpriv --reuid=1000 --regid=1000 --clear-groups -- lab agent whoami --name reviews --port 80 >/run/nslab/k8s-sidecar-interception/logs/reviews.whoami.log 2>&1 &
# pod ratings: the sidecar proxy (haproxy as uid 1337) on 15006 (inbound) and 15001 (outbound), logging every connection
# from labs/k8s-sidecar-interception/lab.yaml:20:5
mkdir -p /run/nslab/k8s-sidecar-interception/logs
ip netns exec nsl.k8s-sidecar-interception.ratings haproxy -db -f /run/nslab/k8s-sidecar-interception/sidecar/ratings.haproxy.cfg >/run/nslab/k8s-sidecar-interception/logs/ratings.istio-proxy.log 2>&1 &
# pod ratings: answers with its name and the client address on 80/tcp, 9090/tcp
# from labs/k8s-sidecar-interception/lab.yaml:20:5
mkdir -p /run/nslab/k8s-sidecar-interception/logs
ip netns exec nsl.k8s-sidecar-interception.ratings lab agent whoami --name ratings --port 80 --port 9090 >/run/nslab/k8s-sidecar-interception/logs/ratings.whoami.log 2>&1 &
# pod plain: answers with its name and the client address on 80/tcp
# from labs/k8s-sidecar-interception/lab.yaml:24:5
mkdir -p /run/nslab/k8s-sidecar-interception/logs
ip netns exec nsl.k8s-sidecar-interception.plain lab agent whoami --name plain --port 80 >/run/nslab/k8s-sidecar-interception/logs/plain.whoami.log 2>&1 &

# ── teardown (what `lab down` runs): stop every process inside the lab's namespaces (by PID), then
# delete the namespaces, which removes every link, bridge, address, route and rule inside them
# (commented out, so that running this script builds the lab and leaves it up)
#   ip -force -batch - <<'EOF'
#   netns del nsl.k8s-sidecar-interception
#   netns del nsl.k8s-sidecar-interception.node-1
#   netns del nsl.k8s-sidecar-interception.coredns
#   netns del nsl.k8s-sidecar-interception.reviews
#   netns del nsl.k8s-sidecar-interception.ratings
#   netns del nsl.k8s-sidecar-interception.plain
#   EOF
