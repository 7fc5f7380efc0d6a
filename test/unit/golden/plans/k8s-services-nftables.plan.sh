#!/bin/sh
# nslab plan for lab "k8s-services-nftables" from labs/k8s-services-nftables/lab.yaml
# Run as root to build the lab by hand; these are exactly the commands `lab up` runs
# (it runs the blocks of one phase in parallel). Every line notes the lab-file place behind it.
# new namespaces start with net.ipv4.ip_forward=1, net.ipv6.conf.all.forwarding=0 (inherited from this host): only nodes that need other values get a sysctl
set -e

# ── namespaces: network namespaces (one per node, plus the lab fabric) and containers
ip -batch - <<'EOF'
# labs/k8s-services-nftables/lab.yaml:2:7 — the lab fabric: bridges that belong to no node
netns add nsl.k8s-services-nftables
# labs/k8s-services-nftables/lab.yaml:11:3 — node outside
netns add nsl.k8s-services-nftables.outside
# labs/k8s-services-nftables/lab.yaml:22:5 — node node-1
netns add nsl.k8s-services-nftables.node-1
# labs/k8s-services-nftables/lab.yaml:23:5 — node node-2
netns add nsl.k8s-services-nftables.node-2
# labs/k8s-services-nftables/lab.yaml:19:3 — node coredns
netns add nsl.k8s-services-nftables.coredns
# labs/k8s-services-nftables/lab.yaml:25:5 — node web-1
netns add nsl.k8s-services-nftables.web-1
# labs/k8s-services-nftables/lab.yaml:25:5 — node web-2
netns add nsl.k8s-services-nftables.web-2
# labs/k8s-services-nftables/lab.yaml:25:5 — node web-3
netns add nsl.k8s-services-nftables.web-3
# labs/k8s-services-nftables/lab.yaml:28:5 — node api-1
netns add nsl.k8s-services-nftables.api-1
# labs/k8s-services-nftables/lab.yaml:28:5 — node api-2
netns add nsl.k8s-services-nftables.api-2
# labs/k8s-services-nftables/lab.yaml:34:5 — node echo
netns add nsl.k8s-services-nftables.echo
# labs/k8s-services-nftables/lab.yaml:39:5 — node client
netns add nsl.k8s-services-nftables.client
EOF

# ── links: veth pairs created directly inside their namespaces
ip -batch - <<'EOF'
# labs/k8s-services-nftables/lab.yaml:16:5 — link outside:eth0 <-> k8s-net
link add outside-eth0 netns nsl.k8s-services-nftables index 1000 type veth peer name eth0 netns nsl.k8s-services-nftables.outside
# labs/k8s-services-nftables/lab.yaml:22:13 — link node-1:eth0 <-> k8s-net
link add node-1-eth0 netns nsl.k8s-services-nftables index 1001 type veth peer name eth0 netns nsl.k8s-services-nftables.node-1
# labs/k8s-services-nftables/lab.yaml:23:13 — link node-2:eth0 <-> k8s-net
link add node-2-eth0 netns nsl.k8s-services-nftables index 1002 type veth peer name eth0 netns nsl.k8s-services-nftables.node-2
# labs/k8s-services-nftables/lab.yaml:19:3 — link coredns:eth0 <-> cni0@node-1
link add veth96971f43 netns nsl.k8s-services-nftables.node-1 index 1000 type veth peer name eth0 netns nsl.k8s-services-nftables.coredns
# labs/k8s-services-nftables/lab.yaml:26:7 — link web-1:eth0 <-> cni0@node-1
link add veth0761ccbe netns nsl.k8s-services-nftables.node-1 index 1001 type veth peer name eth0 netns nsl.k8s-services-nftables.web-1
# labs/k8s-services-nftables/lab.yaml:26:7 — link web-2:eth0 <-> cni0@node-2
link add veth9fb0db7f netns nsl.k8s-services-nftables.node-2 index 1000 type veth peer name eth0 netns nsl.k8s-services-nftables.web-2
# labs/k8s-services-nftables/lab.yaml:26:7 — link web-3:eth0 <-> cni0@node-1
link add veth4448cbdd netns nsl.k8s-services-nftables.node-1 index 1002 type veth peer name eth0 netns nsl.k8s-services-nftables.web-3
# labs/k8s-services-nftables/lab.yaml:29:7 — link api-1:eth0 <-> cni0@node-2
link add veth41e47e3d netns nsl.k8s-services-nftables.node-2 index 1001 type veth peer name eth0 netns nsl.k8s-services-nftables.api-1
# labs/k8s-services-nftables/lab.yaml:29:7 — link api-2:eth0 <-> cni0@node-1
link add vethe655985e netns nsl.k8s-services-nftables.node-1 index 1003 type veth peer name eth0 netns nsl.k8s-services-nftables.api-2
# labs/k8s-services-nftables/lab.yaml:35:7 — link echo:eth0 <-> cni0@node-2
link add veth4093604f netns nsl.k8s-services-nftables.node-2 index 1002 type veth peer name eth0 netns nsl.k8s-services-nftables.echo
# labs/k8s-services-nftables/lab.yaml:40:7 — link client:eth0 <-> cni0@node-1
link add vetha7a3e029 netns nsl.k8s-services-nftables.node-1 index 1004 type veth peer name eth0 netns nsl.k8s-services-nftables.client
EOF

# ── configure: inside each namespace: sysctls, bridges, addresses, routes
# one batch file per namespace, run 4 at a time by xargs
mkdir -p /run/nslab/k8s-services-nftables/batch
cat >/run/nslab/k8s-services-nftables/batch/nsl.k8s-services-nftables.outside.ip <<'EOF'
# labs/k8s-services-nftables/lab.yaml:11:3
link set lo up
# labs/k8s-services-nftables/lab.yaml:13:7
addr add 192.168.56.100/24 dev eth0
link set eth0 up
EOF
cat >/run/nslab/k8s-services-nftables/batch/nsl.k8s-services-nftables.node-1.ip <<'EOF'
# labs/k8s-services-nftables/lab.yaml:22:5
link set lo up
# labs/k8s-services-nftables/lab.yaml:19:3 — bridge cni0 in node-1
link add cni0 type bridge
link set veth96971f43 master cni0
# labs/k8s-services-nftables/lab.yaml:26:7
link set veth0761ccbe master cni0
link set veth4448cbdd master cni0
# labs/k8s-services-nftables/lab.yaml:29:7
link set vethe655985e master cni0
# labs/k8s-services-nftables/lab.yaml:40:7
link set vetha7a3e029 master cni0
# labs/k8s-services-nftables/lab.yaml:19:3 — hairpin mode: frames may leave by the port they came in on
link set veth96971f43 type bridge_slave hairpin on
# labs/k8s-services-nftables/lab.yaml:26:7 — hairpin mode: frames may leave by the port they came in on
link set veth0761ccbe type bridge_slave hairpin on
# labs/k8s-services-nftables/lab.yaml:26:7 — hairpin mode: frames may leave by the port they came in on
link set veth4448cbdd type bridge_slave hairpin on
# labs/k8s-services-nftables/lab.yaml:29:7 — hairpin mode: frames may leave by the port they came in on
link set vethe655985e type bridge_slave hairpin on
# labs/k8s-services-nftables/lab.yaml:40:7 — hairpin mode: frames may leave by the port they came in on
link set vetha7a3e029 type bridge_slave hairpin on
# labs/k8s-services-nftables/lab.yaml:22:13
addr add 192.168.56.11/24 dev eth0
# labs/k8s-services-nftables/lab.yaml:19:3
addr add 10.244.0.1/24 dev cni0
# labs/k8s-services-nftables/lab.yaml:22:13
link set eth0 up
# labs/k8s-services-nftables/lab.yaml:19:3
link set cni0 up
link set veth96971f43 up
# labs/k8s-services-nftables/lab.yaml:26:7
link set veth0761ccbe up
link set veth4448cbdd up
# labs/k8s-services-nftables/lab.yaml:29:7
link set vethe655985e up
# labs/k8s-services-nftables/lab.yaml:40:7
link set vetha7a3e029 up
# labs/k8s-services-nftables/lab.yaml:19:8
route add 10.96.0.0/12 dev eth0
route add 10.244.1.0/24 via 192.168.56.12 dev eth0
EOF
cat >/run/nslab/k8s-services-nftables/batch/nsl.k8s-services-nftables.node-2.ip <<'EOF'
# labs/k8s-services-nftables/lab.yaml:23:5
link set lo up
# labs/k8s-services-nftables/lab.yaml:19:3 — bridge cni0 in node-2
link add cni0 type bridge
# labs/k8s-services-nftables/lab.yaml:26:7
link set veth9fb0db7f master cni0
# labs/k8s-services-nftables/lab.yaml:29:7
link set veth41e47e3d master cni0
# labs/k8s-services-nftables/lab.yaml:35:7
link set veth4093604f master cni0
# labs/k8s-services-nftables/lab.yaml:26:7 — hairpin mode: frames may leave by the port they came in on
link set veth9fb0db7f type bridge_slave hairpin on
# labs/k8s-services-nftables/lab.yaml:29:7 — hairpin mode: frames may leave by the port they came in on
link set veth41e47e3d type bridge_slave hairpin on
# labs/k8s-services-nftables/lab.yaml:35:7 — hairpin mode: frames may leave by the port they came in on
link set veth4093604f type bridge_slave hairpin on
# labs/k8s-services-nftables/lab.yaml:23:13
addr add 192.168.56.12/24 dev eth0
# labs/k8s-services-nftables/lab.yaml:19:3
addr add 10.244.1.1/24 dev cni0
# labs/k8s-services-nftables/lab.yaml:23:13
link set eth0 up
# labs/k8s-services-nftables/lab.yaml:19:3
link set cni0 up
# labs/k8s-services-nftables/lab.yaml:26:7
link set veth9fb0db7f up
# labs/k8s-services-nftables/lab.yaml:29:7
link set veth41e47e3d up
# labs/k8s-services-nftables/lab.yaml:35:7
link set veth4093604f up
# labs/k8s-services-nftables/lab.yaml:19:8
route add 10.96.0.0/12 dev eth0
route add 10.244.0.0/24 via 192.168.56.11 dev eth0
EOF
cat >/run/nslab/k8s-services-nftables/batch/nsl.k8s-services-nftables.coredns.ip <<'EOF'
# labs/k8s-services-nftables/lab.yaml:19:3
link set lo up
addr add 10.244.0.2/24 dev eth0
link set eth0 up
route add default via 10.244.0.1
EOF
cat >/run/nslab/k8s-services-nftables/batch/nsl.k8s-services-nftables.web-1.ip <<'EOF'
# labs/k8s-services-nftables/lab.yaml:25:5
link set lo up
# labs/k8s-services-nftables/lab.yaml:26:7
addr add 10.244.0.3/24 dev eth0
link set eth0 up
route add default via 10.244.0.1
EOF
cat >/run/nslab/k8s-services-nftables/batch/nsl.k8s-services-nftables.web-2.ip <<'EOF'
# labs/k8s-services-nftables/lab.yaml:25:5
link set lo up
# labs/k8s-services-nftables/lab.yaml:26:7
addr add 10.244.1.2/24 dev eth0
link set eth0 up
route add default via 10.244.1.1
EOF
cat >/run/nslab/k8s-services-nftables/batch/nsl.k8s-services-nftables.web-3.ip <<'EOF'
# labs/k8s-services-nftables/lab.yaml:25:5
link set lo up
# labs/k8s-services-nftables/lab.yaml:26:7
addr add 10.244.0.4/24 dev eth0
link set eth0 up
route add default via 10.244.0.1
EOF
cat >/run/nslab/k8s-services-nftables/batch/nsl.k8s-services-nftables.api-1.ip <<'EOF'
# labs/k8s-services-nftables/lab.yaml:28:5
link set lo up
# labs/k8s-services-nftables/lab.yaml:29:7
addr add 10.244.1.3/24 dev eth0
link set eth0 up
route add default via 10.244.1.1
EOF
cat >/run/nslab/k8s-services-nftables/batch/nsl.k8s-services-nftables.api-2.ip <<'EOF'
# labs/k8s-services-nftables/lab.yaml:28:5
link set lo up
# labs/k8s-services-nftables/lab.yaml:29:7
addr add 10.244.0.5/24 dev eth0
link set eth0 up
route add default via 10.244.0.1
EOF
cat >/run/nslab/k8s-services-nftables/batch/nsl.k8s-services-nftables.echo.ip <<'EOF'
# labs/k8s-services-nftables/lab.yaml:34:5
link set lo up
# labs/k8s-services-nftables/lab.yaml:35:7
addr add 10.244.1.4/24 dev eth0
link set eth0 up
route add default via 10.244.1.1
EOF
cat >/run/nslab/k8s-services-nftables/batch/nsl.k8s-services-nftables.client.ip <<'EOF'
# labs/k8s-services-nftables/lab.yaml:39:5
link set lo up
# labs/k8s-services-nftables/lab.yaml:40:7
addr add 10.244.0.6/24 dev eth0
link set eth0 up
route add default via 10.244.0.1
EOF
cat >/run/nslab/k8s-services-nftables/batch/nsl.k8s-services-nftables.ip <<'EOF'
# labs/k8s-services-nftables/lab.yaml:2:7
link set lo up
# labs/k8s-services-nftables/lab.yaml:19:3 — bridge k8s-net
link add k8s-net type bridge
# labs/k8s-services-nftables/lab.yaml:16:5
link set outside-eth0 master k8s-net
# labs/k8s-services-nftables/lab.yaml:22:13
link set node-1-eth0 master k8s-net
# labs/k8s-services-nftables/lab.yaml:23:13
link set node-2-eth0 master k8s-net
# labs/k8s-services-nftables/lab.yaml:19:3
link set k8s-net up
# labs/k8s-services-nftables/lab.yaml:16:5
link set outside-eth0 up
# labs/k8s-services-nftables/lab.yaml:22:13
link set node-1-eth0 up
# labs/k8s-services-nftables/lab.yaml:23:13
link set node-2-eth0 up
EOF
xargs -P 4 -L 1 nsenter <<'EOF'
--net=/run/netns/nsl.k8s-services-nftables.outside sysctl -qw net.ipv4.ip_forward=0
--net=/run/netns/nsl.k8s-services-nftables.outside ip -batch /run/nslab/k8s-services-nftables/batch/nsl.k8s-services-nftables.outside.ip
--net=/run/netns/nsl.k8s-services-nftables.node-1 sysctl -qw net.ipv6.conf.all.forwarding=1
--net=/run/netns/nsl.k8s-services-nftables.node-1 ip -batch /run/nslab/k8s-services-nftables/batch/nsl.k8s-services-nftables.node-1.ip
--net=/run/netns/nsl.k8s-services-nftables.node-2 sysctl -qw net.ipv6.conf.all.forwarding=1
--net=/run/netns/nsl.k8s-services-nftables.node-2 ip -batch /run/nslab/k8s-services-nftables/batch/nsl.k8s-services-nftables.node-2.ip
--net=/run/netns/nsl.k8s-services-nftables.coredns sysctl -qw net.ipv4.ip_forward=0
--net=/run/netns/nsl.k8s-services-nftables.coredns ip -batch /run/nslab/k8s-services-nftables/batch/nsl.k8s-services-nftables.coredns.ip
--net=/run/netns/nsl.k8s-services-nftables.web-1 sysctl -qw net.ipv4.ip_forward=0
--net=/run/netns/nsl.k8s-services-nftables.web-1 ip -batch /run/nslab/k8s-services-nftables/batch/nsl.k8s-services-nftables.web-1.ip
--net=/run/netns/nsl.k8s-services-nftables.web-2 sysctl -qw net.ipv4.ip_forward=0
--net=/run/netns/nsl.k8s-services-nftables.web-2 ip -batch /run/nslab/k8s-services-nftables/batch/nsl.k8s-services-nftables.web-2.ip
--net=/run/netns/nsl.k8s-services-nftables.web-3 sysctl -qw net.ipv4.ip_forward=0
--net=/run/netns/nsl.k8s-services-nftables.web-3 ip -batch /run/nslab/k8s-services-nftables/batch/nsl.k8s-services-nftables.web-3.ip
--net=/run/netns/nsl.k8s-services-nftables.api-1 sysctl -qw net.ipv4.ip_forward=0
--net=/run/netns/nsl.k8s-services-nftables.api-1 ip -batch /run/nslab/k8s-services-nftables/batch/nsl.k8s-services-nftables.api-1.ip
--net=/run/netns/nsl.k8s-services-nftables.api-2 sysctl -qw net.ipv4.ip_forward=0
--net=/run/netns/nsl.k8s-services-nftables.api-2 ip -batch /run/nslab/k8s-services-nftables/batch/nsl.k8s-services-nftables.api-2.ip
--net=/run/netns/nsl.k8s-services-nftables.echo sysctl -qw net.ipv4.ip_forward=0
--net=/run/netns/nsl.k8s-services-nftables.echo ip -batch /run/nslab/k8s-services-nftables/batch/nsl.k8s-services-nftables.echo.ip
--net=/run/netns/nsl.k8s-services-nftables.client sysctl -qw net.ipv4.ip_forward=0
--net=/run/netns/nsl.k8s-services-nftables.client ip -batch /run/nslab/k8s-services-nftables/batch/nsl.k8s-services-nftables.client.ip
--net=/run/netns/nsl.k8s-services-nftables ip -batch /run/nslab/k8s-services-nftables/batch/nsl.k8s-services-nftables.ip
EOF

# ── settle: wait until every bridge port forwards (the kernel applies link changes asynchronously)
# wait until every bridge port forwards
# from labs/k8s-services-nftables/lab.yaml:19:3
# repeated until no port is "state disabled", for at most 10 s
while nsenter --net=/run/netns/nsl.k8s-services-nftables bridge link show | grep -q 'state disabled'; do sleep 0.01; done
# wait until every bridge port forwards
# from labs/k8s-services-nftables/lab.yaml:19:3
# repeated until no port is "state disabled", for at most 10 s
while nsenter --net=/run/netns/nsl.k8s-services-nftables.node-1 bridge link show | grep -q 'state disabled'; do sleep 0.01; done
# wait until every bridge port forwards
# from labs/k8s-services-nftables/lab.yaml:19:3
# repeated until no port is "state disabled", for at most 10 s
while nsenter --net=/run/netns/nsl.k8s-services-nftables.node-2 bridge link show | grep -q 'state disabled'; do sleep 0.01; done

# ── firewall: NAT and firewall rule sets
# node node-1: kube-proxy (nftables mode)
ip netns exec nsl.k8s-services-nftables.node-1 nft -f - <<'EOF'
# kube-proxy (nftables mode) rules for node node-1, written by nslab; load with nft -f
add table ip kube-proxy
delete table ip kube-proxy
add table ip kube-proxy { comment "rules for kube-proxy" ; }
add chain ip kube-proxy filter-prerouting { type filter hook prerouting priority -110 ; }
add chain ip kube-proxy filter-input { type filter hook input priority -110 ; }
add chain ip kube-proxy filter-forward { type filter hook forward priority -110 ; }
add chain ip kube-proxy filter-output { type filter hook output priority -110 ; }
add chain ip kube-proxy filter-output-post-dnat { type filter hook output priority -90 ; }
add chain ip kube-proxy nat-prerouting { type nat hook prerouting priority -100 ; }
add chain ip kube-proxy nat-output { type nat hook output priority -100 ; }
add chain ip kube-proxy nat-postrouting { type nat hook postrouting priority 100 ; }
add chain ip kube-proxy nodeport-endpoints-check
add rule ip kube-proxy filter-input ct state new jump nodeport-endpoints-check
add chain ip kube-proxy service-endpoints-check
add rule ip kube-proxy filter-input ct state new jump service-endpoints-check
add rule ip kube-proxy filter-forward ct state new jump service-endpoints-check
add rule ip kube-proxy filter-output ct state new jump service-endpoints-check
add chain ip kube-proxy firewall-check
add rule ip kube-proxy filter-prerouting ct state new jump firewall-check
add rule ip kube-proxy filter-output ct state new jump firewall-check
add chain ip kube-proxy services
add rule ip kube-proxy nat-output jump services
add rule ip kube-proxy nat-prerouting jump services
add chain ip kube-proxy masquerading
add rule ip kube-proxy nat-postrouting jump masquerading
add chain ip kube-proxy cluster-ips-check
add rule ip kube-proxy filter-forward ct state new jump cluster-ips-check
add rule ip kube-proxy filter-output-post-dnat ct state new jump cluster-ips-check
add chain ip kube-proxy mark-for-masquerade
add rule ip kube-proxy mark-for-masquerade mark set mark or 0x4000
add rule ip kube-proxy masquerading mark and 0x4000 == 0 return
add rule ip kube-proxy masquerading mark set mark xor 0x4000
add rule ip kube-proxy masquerading masquerade fully-random
add set ip kube-proxy cluster-ips { type ipv4_addr ; comment "Active ClusterIPs" ; }
add rule ip kube-proxy cluster-ips-check ip daddr @cluster-ips reject comment "Reject traffic to invalid ports of ClusterIPs"
add rule ip kube-proxy cluster-ips-check ip daddr { 10.96.0.0/12 } drop comment "Drop traffic to unallocated ClusterIPs"
add set ip kube-proxy nodeport-ips { type ipv4_addr ; comment "IPs that accept NodePort traffic" ; }
add element ip kube-proxy nodeport-ips { 192.168.56.11 }
add map ip kube-proxy no-endpoint-services { type ipv4_addr . inet_proto . inet_service : verdict ; comment "vmap to drop or reject packets to services with no endpoints" ; }
add map ip kube-proxy no-endpoint-nodeports { type inet_proto . inet_service : verdict ; comment "vmap to drop or reject packets to service nodeports with no endpoints" ; }
add chain ip kube-proxy reject-chain { comment "helper for @no-endpoint-services / @no-endpoint-nodeports" ; }
add rule ip kube-proxy reject-chain reject
add rule ip kube-proxy service-endpoints-check ip daddr . meta l4proto . th dport vmap @no-endpoint-services
add rule ip kube-proxy nodeport-endpoints-check ip daddr @nodeport-ips meta l4proto . th dport vmap @no-endpoint-nodeports
add map ip kube-proxy firewall-ips { type ipv4_addr . inet_proto . inet_service : verdict ; comment "destinations that are subject to LoadBalancerSourceRanges" ; }
add rule ip kube-proxy firewall-check ip daddr . meta l4proto . th dport vmap @firewall-ips
add map ip kube-proxy service-ips { type ipv4_addr . inet_proto . inet_service : verdict ; comment "ClusterIP, ExternalIP and LoadBalancer IP traffic" ; }
add map ip kube-proxy service-nodeports { type inet_proto . inet_service : verdict ; comment "NodePort traffic" ; }
add rule ip kube-proxy services ip daddr . meta l4proto . th dport vmap @service-ips
add rule ip kube-proxy services ip daddr @nodeport-ips meta l4proto . th dport vmap @service-nodeports
add chain ip kube-proxy endpoint-BDGXENLX-default/api/tcp/http__10.244.0.5/8080
add chain ip kube-proxy endpoint-WYJGQ4S3-default/api/tcp/http__10.244.1.3/8080
add chain ip kube-proxy service-FKIP43JP-default/api/tcp/http
add element ip kube-proxy cluster-ips { 10.96.0.13 }
add element ip kube-proxy service-ips { 10.96.0.13 . tcp . 80 : goto service-FKIP43JP-default/api/tcp/http }
add rule ip kube-proxy service-FKIP43JP-default/api/tcp/http ip daddr 10.96.0.13 tcp dport 80 ip saddr != 10.244.0.0/16 jump mark-for-masquerade
add rule ip kube-proxy service-FKIP43JP-default/api/tcp/http numgen random mod 2 vmap { 0 : goto endpoint-BDGXENLX-default/api/tcp/http__10.244.0.5/8080 , 1 : goto endpoint-WYJGQ4S3-default/api/tcp/http__10.244.1.3/8080 }
add rule ip kube-proxy endpoint-BDGXENLX-default/api/tcp/http__10.244.0.5/8080 ip saddr 10.244.0.5 jump mark-for-masquerade
add rule ip kube-proxy endpoint-BDGXENLX-default/api/tcp/http__10.244.0.5/8080 meta l4proto tcp dnat to 10.244.0.5:8080
add rule ip kube-proxy endpoint-WYJGQ4S3-default/api/tcp/http__10.244.1.3/8080 ip saddr 10.244.1.3 jump mark-for-masquerade
add rule ip kube-proxy endpoint-WYJGQ4S3-default/api/tcp/http__10.244.1.3/8080 meta l4proto tcp dnat to 10.244.1.3:8080
add chain ip kube-proxy endpoint-R5DS6ML4-default/api/tcp/metrics__10.244.0.5/9090
add chain ip kube-proxy endpoint-6VYH3CF2-default/api/tcp/metrics__10.244.1.3/9090
add chain ip kube-proxy service-2LBWQ2QY-default/api/tcp/metrics
add element ip kube-proxy service-ips { 10.96.0.13 . tcp . 9090 : goto service-2LBWQ2QY-default/api/tcp/metrics }
add rule ip kube-proxy service-2LBWQ2QY-default/api/tcp/metrics ip daddr 10.96.0.13 tcp dport 9090 ip saddr != 10.244.0.0/16 jump mark-for-masquerade
add rule ip kube-proxy service-2LBWQ2QY-default/api/tcp/metrics numgen random mod 2 vmap { 0 : goto endpoint-R5DS6ML4-default/api/tcp/metrics__10.244.0.5/9090 , 1 : goto endpoint-6VYH3CF2-default/api/tcp/metrics__10.244.1.3/9090 }
add rule ip kube-proxy endpoint-R5DS6ML4-default/api/tcp/metrics__10.244.0.5/9090 ip saddr 10.244.0.5 jump mark-for-masquerade
add rule ip kube-proxy endpoint-R5DS6ML4-default/api/tcp/metrics__10.244.0.5/9090 meta l4proto tcp dnat to 10.244.0.5:9090
add rule ip kube-proxy endpoint-6VYH3CF2-default/api/tcp/metrics__10.244.1.3/9090 ip saddr 10.244.1.3 jump mark-for-masquerade
add rule ip kube-proxy endpoint-6VYH3CF2-default/api/tcp/metrics__10.244.1.3/9090 meta l4proto tcp dnat to 10.244.1.3:9090
add chain ip kube-proxy endpoint-SGTM556P-default/echo/udp/__10.244.1.4/5353
add chain ip kube-proxy service-WZUX4REB-default/echo/udp/
add element ip kube-proxy cluster-ips { 10.96.0.14 }
add element ip kube-proxy service-ips { 10.96.0.14 . udp . 53 : goto service-WZUX4REB-default/echo/udp/ }
add rule ip kube-proxy service-WZUX4REB-default/echo/udp/ ip daddr 10.96.0.14 udp dport 53 ip saddr != 10.244.0.0/16 jump mark-for-masquerade
add rule ip kube-proxy service-WZUX4REB-default/echo/udp/ numgen random mod 1 vmap { 0 : goto endpoint-SGTM556P-default/echo/udp/__10.244.1.4/5353 }
add rule ip kube-proxy endpoint-SGTM556P-default/echo/udp/__10.244.1.4/5353 ip saddr 10.244.1.4 jump mark-for-masquerade
add rule ip kube-proxy endpoint-SGTM556P-default/echo/udp/__10.244.1.4/5353 meta l4proto udp dnat to 10.244.1.4:5353
add element ip kube-proxy cluster-ips { 10.96.0.15 }
add element ip kube-proxy no-endpoint-services { 10.96.0.15 . tcp . 80 comment "default/ghost" : goto reject-chain }
add chain ip kube-proxy endpoint-AUBV244W-default/web/tcp/__10.244.0.3/80
add chain ip kube-proxy endpoint-PLP2QIGO-default/web/tcp/__10.244.0.4/80
add chain ip kube-proxy endpoint-5V4SALOI-default/web/tcp/__10.244.1.2/80
add chain ip kube-proxy service-PFISGYVC-default/web/tcp/
add element ip kube-proxy cluster-ips { 10.96.0.11 }
add element ip kube-proxy service-ips { 10.96.0.11 . tcp . 80 : goto service-PFISGYVC-default/web/tcp/ }
add rule ip kube-proxy service-PFISGYVC-default/web/tcp/ ip daddr 10.96.0.11 tcp dport 80 ip saddr != 10.244.0.0/16 jump mark-for-masquerade
add rule ip kube-proxy service-PFISGYVC-default/web/tcp/ numgen random mod 3 vmap { 0 : goto endpoint-AUBV244W-default/web/tcp/__10.244.0.3/80 , 1 : goto endpoint-PLP2QIGO-default/web/tcp/__10.244.0.4/80 , 2 : goto endpoint-5V4SALOI-default/web/tcp/__10.244.1.2/80 }
add rule ip kube-proxy endpoint-AUBV244W-default/web/tcp/__10.244.0.3/80 ip saddr 10.244.0.3 jump mark-for-masquerade
add rule ip kube-proxy endpoint-AUBV244W-default/web/tcp/__10.244.0.3/80 meta l4proto tcp dnat to 10.244.0.3:80
add rule ip kube-proxy endpoint-PLP2QIGO-default/web/tcp/__10.244.0.4/80 ip saddr 10.244.0.4 jump mark-for-masquerade
add rule ip kube-proxy endpoint-PLP2QIGO-default/web/tcp/__10.244.0.4/80 meta l4proto tcp dnat to 10.244.0.4:80
add rule ip kube-proxy endpoint-5V4SALOI-default/web/tcp/__10.244.1.2/80 ip saddr 10.244.1.2 jump mark-for-masquerade
add rule ip kube-proxy endpoint-5V4SALOI-default/web/tcp/__10.244.1.2/80 meta l4proto tcp dnat to 10.244.1.2:80
add chain ip kube-proxy endpoint-E6GIZ2CJ-default/web-sticky/tcp/__10.244.0.3/80
add chain ip kube-proxy endpoint-AMTWCMIV-default/web-sticky/tcp/__10.244.0.4/80
add chain ip kube-proxy endpoint-5XQHPQSA-default/web-sticky/tcp/__10.244.1.2/80
add chain ip kube-proxy service-MSXTVR3X-default/web-sticky/tcp/
add element ip kube-proxy cluster-ips { 10.96.0.12 }
add element ip kube-proxy service-ips { 10.96.0.12 . tcp . 80 : goto service-MSXTVR3X-default/web-sticky/tcp/ }
add rule ip kube-proxy service-MSXTVR3X-default/web-sticky/tcp/ ip daddr 10.96.0.12 tcp dport 80 ip saddr != 10.244.0.0/16 jump mark-for-masquerade
add set ip kube-proxy affinity-E6GIZ2CJ-default/web-sticky/tcp/__10.244.0.3/80 { type ipv4_addr ; flags dynamic,timeout ; timeout 10800s ; }
add set ip kube-proxy affinity-AMTWCMIV-default/web-sticky/tcp/__10.244.0.4/80 { type ipv4_addr ; flags dynamic,timeout ; timeout 10800s ; }
add set ip kube-proxy affinity-5XQHPQSA-default/web-sticky/tcp/__10.244.1.2/80 { type ipv4_addr ; flags dynamic,timeout ; timeout 10800s ; }
add rule ip kube-proxy service-MSXTVR3X-default/web-sticky/tcp/ ip saddr @affinity-E6GIZ2CJ-default/web-sticky/tcp/__10.244.0.3/80 goto endpoint-E6GIZ2CJ-default/web-sticky/tcp/__10.244.0.3/80
add rule ip kube-proxy service-MSXTVR3X-default/web-sticky/tcp/ ip saddr @affinity-AMTWCMIV-default/web-sticky/tcp/__10.244.0.4/80 goto endpoint-AMTWCMIV-default/web-sticky/tcp/__10.244.0.4/80
add rule ip kube-proxy service-MSXTVR3X-default/web-sticky/tcp/ ip saddr @affinity-5XQHPQSA-default/web-sticky/tcp/__10.244.1.2/80 goto endpoint-5XQHPQSA-default/web-sticky/tcp/__10.244.1.2/80
add rule ip kube-proxy service-MSXTVR3X-default/web-sticky/tcp/ numgen random mod 3 vmap { 0 : goto endpoint-E6GIZ2CJ-default/web-sticky/tcp/__10.244.0.3/80 , 1 : goto endpoint-AMTWCMIV-default/web-sticky/tcp/__10.244.0.4/80 , 2 : goto endpoint-5XQHPQSA-default/web-sticky/tcp/__10.244.1.2/80 }
add rule ip kube-proxy endpoint-E6GIZ2CJ-default/web-sticky/tcp/__10.244.0.3/80 ip saddr 10.244.0.3 jump mark-for-masquerade
add rule ip kube-proxy endpoint-E6GIZ2CJ-default/web-sticky/tcp/__10.244.0.3/80 update @affinity-E6GIZ2CJ-default/web-sticky/tcp/__10.244.0.3/80 { ip saddr }
add rule ip kube-proxy endpoint-E6GIZ2CJ-default/web-sticky/tcp/__10.244.0.3/80 meta l4proto tcp dnat to 10.244.0.3:80
add rule ip kube-proxy endpoint-AMTWCMIV-default/web-sticky/tcp/__10.244.0.4/80 ip saddr 10.244.0.4 jump mark-for-masquerade
add rule ip kube-proxy endpoint-AMTWCMIV-default/web-sticky/tcp/__10.244.0.4/80 update @affinity-AMTWCMIV-default/web-sticky/tcp/__10.244.0.4/80 { ip saddr }
add rule ip kube-proxy endpoint-AMTWCMIV-default/web-sticky/tcp/__10.244.0.4/80 meta l4proto tcp dnat to 10.244.0.4:80
add rule ip kube-proxy endpoint-5XQHPQSA-default/web-sticky/tcp/__10.244.1.2/80 ip saddr 10.244.1.2 jump mark-for-masquerade
add rule ip kube-proxy endpoint-5XQHPQSA-default/web-sticky/tcp/__10.244.1.2/80 update @affinity-5XQHPQSA-default/web-sticky/tcp/__10.244.1.2/80 { ip saddr }
add rule ip kube-proxy endpoint-5XQHPQSA-default/web-sticky/tcp/__10.244.1.2/80 meta l4proto tcp dnat to 10.244.1.2:80
add chain ip kube-proxy endpoint-2GKX576Q-kube-system/kube-dns/udp/dns__10.244.0.2/53
add chain ip kube-proxy service-FY5PMXPG-kube-system/kube-dns/udp/dns
add element ip kube-proxy cluster-ips { 10.96.0.10 }
add element ip kube-proxy service-ips { 10.96.0.10 . udp . 53 : goto service-FY5PMXPG-kube-system/kube-dns/udp/dns }
add rule ip kube-proxy service-FY5PMXPG-kube-system/kube-dns/udp/dns ip daddr 10.96.0.10 udp dport 53 ip saddr != 10.244.0.0/16 jump mark-for-masquerade
add rule ip kube-proxy service-FY5PMXPG-kube-system/kube-dns/udp/dns numgen random mod 1 vmap { 0 : goto endpoint-2GKX576Q-kube-system/kube-dns/udp/dns__10.244.0.2/53 }
add rule ip kube-proxy endpoint-2GKX576Q-kube-system/kube-dns/udp/dns__10.244.0.2/53 ip saddr 10.244.0.2 jump mark-for-masquerade
add rule ip kube-proxy endpoint-2GKX576Q-kube-system/kube-dns/udp/dns__10.244.0.2/53 meta l4proto udp dnat to 10.244.0.2:53
add chain ip kube-proxy endpoint-BFW5VCWB-kube-system/kube-dns/tcp/dns-tcp__10.244.0.2/53
add chain ip kube-proxy service-NWBZK7IH-kube-system/kube-dns/tcp/dns-tcp
add element ip kube-proxy service-ips { 10.96.0.10 . tcp . 53 : goto service-NWBZK7IH-kube-system/kube-dns/tcp/dns-tcp }
add rule ip kube-proxy service-NWBZK7IH-kube-system/kube-dns/tcp/dns-tcp ip daddr 10.96.0.10 tcp dport 53 ip saddr != 10.244.0.0/16 jump mark-for-masquerade
add rule ip kube-proxy service-NWBZK7IH-kube-system/kube-dns/tcp/dns-tcp numgen random mod 1 vmap { 0 : goto endpoint-BFW5VCWB-kube-system/kube-dns/tcp/dns-tcp__10.244.0.2/53 }
add rule ip kube-proxy endpoint-BFW5VCWB-kube-system/kube-dns/tcp/dns-tcp__10.244.0.2/53 ip saddr 10.244.0.2 jump mark-for-masquerade
add rule ip kube-proxy endpoint-BFW5VCWB-kube-system/kube-dns/tcp/dns-tcp__10.244.0.2/53 meta l4proto tcp dnat to 10.244.0.2:53
EOF
# node node-1: NetworkPolicy
ip netns exec nsl.k8s-services-nftables.node-1 iptables-restore --noflush <<'EOF'
# egress masquerade (flanneld's ip-masq): pod traffic leaving 10.244.0.0/16 gets the node's address
*nat
:POSTROUTING ACCEPT [0:0]
:FLANNEL-POSTRTG - [0:0]
-A POSTROUTING -m comment --comment "flanneld masq" -j FLANNEL-POSTRTG
-A FLANNEL-POSTRTG -m mark --mark 0x4000/0x4000 -m comment --comment "flanneld masq" -j RETURN
-A FLANNEL-POSTRTG -s 10.244.0.0/16 -d 10.244.0.0/16 -m comment --comment "flanneld masq" -j RETURN
-A FLANNEL-POSTRTG -s 10.244.0.0/16 ! -d 224.0.0.0/4 -m comment --comment "flanneld masq" -j MASQUERADE --random-fully
COMMIT
EOF
# node node-2: kube-proxy (nftables mode)
ip netns exec nsl.k8s-services-nftables.node-2 nft -f - <<'EOF'
# kube-proxy (nftables mode) rules for node node-2, written by nslab; load with nft -f
add table ip kube-proxy
delete table ip kube-proxy
add table ip kube-proxy { comment "rules for kube-proxy" ; }
add chain ip kube-proxy filter-prerouting { type filter hook prerouting priority -110 ; }
add chain ip kube-proxy filter-input { type filter hook input priority -110 ; }
add chain ip kube-proxy filter-forward { type filter hook forward priority -110 ; }
add chain ip kube-proxy filter-output { type filter hook output priority -110 ; }
add chain ip kube-proxy filter-output-post-dnat { type filter hook output priority -90 ; }
add chain ip kube-proxy nat-prerouting { type nat hook prerouting priority -100 ; }
add chain ip kube-proxy nat-output { type nat hook output priority -100 ; }
add chain ip kube-proxy nat-postrouting { type nat hook postrouting priority 100 ; }
add chain ip kube-proxy nodeport-endpoints-check
add rule ip kube-proxy filter-input ct state new jump nodeport-endpoints-check
add chain ip kube-proxy service-endpoints-check
add rule ip kube-proxy filter-input ct state new jump service-endpoints-check
add rule ip kube-proxy filter-forward ct state new jump service-endpoints-check
add rule ip kube-proxy filter-output ct state new jump service-endpoints-check
add chain ip kube-proxy firewall-check
add rule ip kube-proxy filter-prerouting ct state new jump firewall-check
add rule ip kube-proxy filter-output ct state new jump firewall-check
add chain ip kube-proxy services
add rule ip kube-proxy nat-output jump services
add rule ip kube-proxy nat-prerouting jump services
add chain ip kube-proxy masquerading
add rule ip kube-proxy nat-postrouting jump masquerading
add chain ip kube-proxy cluster-ips-check
add rule ip kube-proxy filter-forward ct state new jump cluster-ips-check
add rule ip kube-proxy filter-output-post-dnat ct state new jump cluster-ips-check
add chain ip kube-proxy mark-for-masquerade
add rule ip kube-proxy mark-for-masquerade mark set mark or 0x4000
add rule ip kube-proxy masquerading mark and 0x4000 == 0 return
add rule ip kube-proxy masquerading mark set mark xor 0x4000
add rule ip kube-proxy masquerading masquerade fully-random
add set ip kube-proxy cluster-ips { type ipv4_addr ; comment "Active ClusterIPs" ; }
add rule ip kube-proxy cluster-ips-check ip daddr @cluster-ips reject comment "Reject traffic to invalid ports of ClusterIPs"
add rule ip kube-proxy cluster-ips-check ip daddr { 10.96.0.0/12 } drop comment "Drop traffic to unallocated ClusterIPs"
add set ip kube-proxy nodeport-ips { type ipv4_addr ; comment "IPs that accept NodePort traffic" ; }
add element ip kube-proxy nodeport-ips { 192.168.56.12 }
add map ip kube-proxy no-endpoint-services { type ipv4_addr . inet_proto . inet_service : verdict ; comment "vmap to drop or reject packets to services with no endpoints" ; }
add map ip kube-proxy no-endpoint-nodeports { type inet_proto . inet_service : verdict ; comment "vmap to drop or reject packets to service nodeports with no endpoints" ; }
add chain ip kube-proxy reject-chain { comment "helper for @no-endpoint-services / @no-endpoint-nodeports" ; }
add rule ip kube-proxy reject-chain reject
add rule ip kube-proxy service-endpoints-check ip daddr . meta l4proto . th dport vmap @no-endpoint-services
add rule ip kube-proxy nodeport-endpoints-check ip daddr @nodeport-ips meta l4proto . th dport vmap @no-endpoint-nodeports
add map ip kube-proxy firewall-ips { type ipv4_addr . inet_proto . inet_service : verdict ; comment "destinations that are subject to LoadBalancerSourceRanges" ; }
add rule ip kube-proxy firewall-check ip daddr . meta l4proto . th dport vmap @firewall-ips
add map ip kube-proxy service-ips { type ipv4_addr . inet_proto . inet_service : verdict ; comment "ClusterIP, ExternalIP and LoadBalancer IP traffic" ; }
add map ip kube-proxy service-nodeports { type inet_proto . inet_service : verdict ; comment "NodePort traffic" ; }
add rule ip kube-proxy services ip daddr . meta l4proto . th dport vmap @service-ips
add rule ip kube-proxy services ip daddr @nodeport-ips meta l4proto . th dport vmap @service-nodeports
add chain ip kube-proxy endpoint-BDGXENLX-default/api/tcp/http__10.244.0.5/8080
add chain ip kube-proxy endpoint-WYJGQ4S3-default/api/tcp/http__10.244.1.3/8080
add chain ip kube-proxy service-FKIP43JP-default/api/tcp/http
add element ip kube-proxy cluster-ips { 10.96.0.13 }
add element ip kube-proxy service-ips { 10.96.0.13 . tcp . 80 : goto service-FKIP43JP-default/api/tcp/http }
add rule ip kube-proxy service-FKIP43JP-default/api/tcp/http ip daddr 10.96.0.13 tcp dport 80 ip saddr != 10.244.0.0/16 jump mark-for-masquerade
add rule ip kube-proxy service-FKIP43JP-default/api/tcp/http numgen random mod 2 vmap { 0 : goto endpoint-BDGXENLX-default/api/tcp/http__10.244.0.5/8080 , 1 : goto endpoint-WYJGQ4S3-default/api/tcp/http__10.244.1.3/8080 }
add rule ip kube-proxy endpoint-BDGXENLX-default/api/tcp/http__10.244.0.5/8080 ip saddr 10.244.0.5 jump mark-for-masquerade
add rule ip kube-proxy endpoint-BDGXENLX-default/api/tcp/http__10.244.0.5/8080 meta l4proto tcp dnat to 10.244.0.5:8080
add rule ip kube-proxy endpoint-WYJGQ4S3-default/api/tcp/http__10.244.1.3/8080 ip saddr 10.244.1.3 jump mark-for-masquerade
add rule ip kube-proxy endpoint-WYJGQ4S3-default/api/tcp/http__10.244.1.3/8080 meta l4proto tcp dnat to 10.244.1.3:8080
add chain ip kube-proxy endpoint-R5DS6ML4-default/api/tcp/metrics__10.244.0.5/9090
add chain ip kube-proxy endpoint-6VYH3CF2-default/api/tcp/metrics__10.244.1.3/9090
add chain ip kube-proxy service-2LBWQ2QY-default/api/tcp/metrics
add element ip kube-proxy service-ips { 10.96.0.13 . tcp . 9090 : goto service-2LBWQ2QY-default/api/tcp/metrics }
add rule ip kube-proxy service-2LBWQ2QY-default/api/tcp/metrics ip daddr 10.96.0.13 tcp dport 9090 ip saddr != 10.244.0.0/16 jump mark-for-masquerade
add rule ip kube-proxy service-2LBWQ2QY-default/api/tcp/metrics numgen random mod 2 vmap { 0 : goto endpoint-R5DS6ML4-default/api/tcp/metrics__10.244.0.5/9090 , 1 : goto endpoint-6VYH3CF2-default/api/tcp/metrics__10.244.1.3/9090 }
add rule ip kube-proxy endpoint-R5DS6ML4-default/api/tcp/metrics__10.244.0.5/9090 ip saddr 10.244.0.5 jump mark-for-masquerade
add rule ip kube-proxy endpoint-R5DS6ML4-default/api/tcp/metrics__10.244.0.5/9090 meta l4proto tcp dnat to 10.244.0.5:9090
add rule ip kube-proxy endpoint-6VYH3CF2-default/api/tcp/metrics__10.244.1.3/9090 ip saddr 10.244.1.3 jump mark-for-masquerade
add rule ip kube-proxy endpoint-6VYH3CF2-default/api/tcp/metrics__10.244.1.3/9090 meta l4proto tcp dnat to 10.244.1.3:9090
add chain ip kube-proxy endpoint-SGTM556P-default/echo/udp/__10.244.1.4/5353
add chain ip kube-proxy service-WZUX4REB-default/echo/udp/
add element ip kube-proxy cluster-ips { 10.96.0.14 }
add element ip kube-proxy service-ips { 10.96.0.14 . udp . 53 : goto service-WZUX4REB-default/echo/udp/ }
add rule ip kube-proxy service-WZUX4REB-default/echo/udp/ ip daddr 10.96.0.14 udp dport 53 ip saddr != 10.244.0.0/16 jump mark-for-masquerade
add rule ip kube-proxy service-WZUX4REB-default/echo/udp/ numgen random mod 1 vmap { 0 : goto endpoint-SGTM556P-default/echo/udp/__10.244.1.4/5353 }
add rule ip kube-proxy endpoint-SGTM556P-default/echo/udp/__10.244.1.4/5353 ip saddr 10.244.1.4 jump mark-for-masquerade
add rule ip kube-proxy endpoint-SGTM556P-default/echo/udp/__10.244.1.4/5353 meta l4proto udp dnat to 10.244.1.4:5353
add element ip kube-proxy cluster-ips { 10.96.0.15 }
add element ip kube-proxy no-endpoint-services { 10.96.0.15 . tcp . 80 comment "default/ghost" : goto reject-chain }
add chain ip kube-proxy endpoint-AUBV244W-default/web/tcp/__10.244.0.3/80
add chain ip kube-proxy endpoint-PLP2QIGO-default/web/tcp/__10.244.0.4/80
add chain ip kube-proxy endpoint-5V4SALOI-default/web/tcp/__10.244.1.2/80
add chain ip kube-proxy service-PFISGYVC-default/web/tcp/
add element ip kube-proxy cluster-ips { 10.96.0.11 }
add element ip kube-proxy service-ips { 10.96.0.11 . tcp . 80 : goto service-PFISGYVC-default/web/tcp/ }
add rule ip kube-proxy service-PFISGYVC-default/web/tcp/ ip daddr 10.96.0.11 tcp dport 80 ip saddr != 10.244.0.0/16 jump mark-for-masquerade
add rule ip kube-proxy service-PFISGYVC-default/web/tcp/ numgen random mod 3 vmap { 0 : goto endpoint-AUBV244W-default/web/tcp/__10.244.0.3/80 , 1 : goto endpoint-PLP2QIGO-default/web/tcp/__10.244.0.4/80 , 2 : goto endpoint-5V4SALOI-default/web/tcp/__10.244.1.2/80 }
add rule ip kube-proxy endpoint-AUBV244W-default/web/tcp/__10.244.0.3/80 ip saddr 10.244.0.3 jump mark-for-masquerade
add rule ip kube-proxy endpoint-AUBV244W-default/web/tcp/__10.244.0.3/80 meta l4proto tcp dnat to 10.244.0.3:80
add rule ip kube-proxy endpoint-PLP2QIGO-default/web/tcp/__10.244.0.4/80 ip saddr 10.244.0.4 jump mark-for-masquerade
add rule ip kube-proxy endpoint-PLP2QIGO-default/web/tcp/__10.244.0.4/80 meta l4proto tcp dnat to 10.244.0.4:80
add rule ip kube-proxy endpoint-5V4SALOI-default/web/tcp/__10.244.1.2/80 ip saddr 10.244.1.2 jump mark-for-masquerade
add rule ip kube-proxy endpoint-5V4SALOI-default/web/tcp/__10.244.1.2/80 meta l4proto tcp dnat to 10.244.1.2:80
add chain ip kube-proxy endpoint-E6GIZ2CJ-default/web-sticky/tcp/__10.244.0.3/80
add chain ip kube-proxy endpoint-AMTWCMIV-default/web-sticky/tcp/__10.244.0.4/80
add chain ip kube-proxy endpoint-5XQHPQSA-default/web-sticky/tcp/__10.244.1.2/80
add chain ip kube-proxy service-MSXTVR3X-default/web-sticky/tcp/
add element ip kube-proxy cluster-ips { 10.96.0.12 }
add element ip kube-proxy service-ips { 10.96.0.12 . tcp . 80 : goto service-MSXTVR3X-default/web-sticky/tcp/ }
add rule ip kube-proxy service-MSXTVR3X-default/web-sticky/tcp/ ip daddr 10.96.0.12 tcp dport 80 ip saddr != 10.244.0.0/16 jump mark-for-masquerade
add set ip kube-proxy affinity-E6GIZ2CJ-default/web-sticky/tcp/__10.244.0.3/80 { type ipv4_addr ; flags dynamic,timeout ; timeout 10800s ; }
add set ip kube-proxy affinity-AMTWCMIV-default/web-sticky/tcp/__10.244.0.4/80 { type ipv4_addr ; flags dynamic,timeout ; timeout 10800s ; }
add set ip kube-proxy affinity-5XQHPQSA-default/web-sticky/tcp/__10.244.1.2/80 { type ipv4_addr ; flags dynamic,timeout ; timeout 10800s ; }
add rule ip kube-proxy service-MSXTVR3X-default/web-sticky/tcp/ ip saddr @affinity-E6GIZ2CJ-default/web-sticky/tcp/__10.244.0.3/80 goto endpoint-E6GIZ2CJ-default/web-sticky/tcp/__10.244.0.3/80
add rule ip kube-proxy service-MSXTVR3X-default/web-sticky/tcp/ ip saddr @affinity-AMTWCMIV-default/web-sticky/tcp/__10.244.0.4/80 goto endpoint-AMTWCMIV-default/web-sticky/tcp/__10.244.0.4/80
add rule ip kube-proxy service-MSXTVR3X-default/web-sticky/tcp/ ip saddr @affinity-5XQHPQSA-default/web-sticky/tcp/__10.244.1.2/80 goto endpoint-5XQHPQSA-default/web-sticky/tcp/__10.244.1.2/80
add rule ip kube-proxy service-MSXTVR3X-default/web-sticky/tcp/ numgen random mod 3 vmap { 0 : goto endpoint-E6GIZ2CJ-default/web-sticky/tcp/__10.244.0.3/80 , 1 : goto endpoint-AMTWCMIV-default/web-sticky/tcp/__10.244.0.4/80 , 2 : goto endpoint-5XQHPQSA-default/web-sticky/tcp/__10.244.1.2/80 }
add rule ip kube-proxy endpoint-E6GIZ2CJ-default/web-sticky/tcp/__10.244.0.3/80 ip saddr 10.244.0.3 jump mark-for-masquerade
add rule ip kube-proxy endpoint-E6GIZ2CJ-default/web-sticky/tcp/__10.244.0.3/80 update @affinity-E6GIZ2CJ-default/web-sticky/tcp/__10.244.0.3/80 { ip saddr }
add rule ip kube-proxy endpoint-E6GIZ2CJ-default/web-sticky/tcp/__10.244.0.3/80 meta l4proto tcp dnat to 10.244.0.3:80
add rule ip kube-proxy endpoint-AMTWCMIV-default/web-sticky/tcp/__10.244.0.4/80 ip saddr 10.244.0.4 jump mark-for-masquerade
add rule ip kube-proxy endpoint-AMTWCMIV-default/web-sticky/tcp/__10.244.0.4/80 update @affinity-AMTWCMIV-default/web-sticky/tcp/__10.244.0.4/80 { ip saddr }
add rule ip kube-proxy endpoint-AMTWCMIV-default/web-sticky/tcp/__10.244.0.4/80 meta l4proto tcp dnat to 10.244.0.4:80
add rule ip kube-proxy endpoint-5XQHPQSA-default/web-sticky/tcp/__10.244.1.2/80 ip saddr 10.244.1.2 jump mark-for-masquerade
add rule ip kube-proxy endpoint-5XQHPQSA-default/web-sticky/tcp/__10.244.1.2/80 update @affinity-5XQHPQSA-default/web-sticky/tcp/__10.244.1.2/80 { ip saddr }
add rule ip kube-proxy endpoint-5XQHPQSA-default/web-sticky/tcp/__10.244.1.2/80 meta l4proto tcp dnat to 10.244.1.2:80
add chain ip kube-proxy endpoint-2GKX576Q-kube-system/kube-dns/udp/dns__10.244.0.2/53
add chain ip kube-proxy service-FY5PMXPG-kube-system/kube-dns/udp/dns
add element ip kube-proxy cluster-ips { 10.96.0.10 }
add element ip kube-proxy service-ips { 10.96.0.10 . udp . 53 : goto service-FY5PMXPG-kube-system/kube-dns/udp/dns }
add rule ip kube-proxy service-FY5PMXPG-kube-system/kube-dns/udp/dns ip daddr 10.96.0.10 udp dport 53 ip saddr != 10.244.0.0/16 jump mark-for-masquerade
add rule ip kube-proxy service-FY5PMXPG-kube-system/kube-dns/udp/dns numgen random mod 1 vmap { 0 : goto endpoint-2GKX576Q-kube-system/kube-dns/udp/dns__10.244.0.2/53 }
add rule ip kube-proxy endpoint-2GKX576Q-kube-system/kube-dns/udp/dns__10.244.0.2/53 ip saddr 10.244.0.2 jump mark-for-masquerade
add rule ip kube-proxy endpoint-2GKX576Q-kube-system/kube-dns/udp/dns__10.244.0.2/53 meta l4proto udp dnat to 10.244.0.2:53
add chain ip kube-proxy endpoint-BFW5VCWB-kube-system/kube-dns/tcp/dns-tcp__10.244.0.2/53
add chain ip kube-proxy service-NWBZK7IH-kube-system/kube-dns/tcp/dns-tcp
add element ip kube-proxy service-ips { 10.96.0.10 . tcp . 53 : goto service-NWBZK7IH-kube-system/kube-dns/tcp/dns-tcp }
add rule ip kube-proxy service-NWBZK7IH-kube-system/kube-dns/tcp/dns-tcp ip daddr 10.96.0.10 tcp dport 53 ip saddr != 10.244.0.0/16 jump mark-for-masquerade
add rule ip kube-proxy service-NWBZK7IH-kube-system/kube-dns/tcp/dns-tcp numgen random mod 1 vmap { 0 : goto endpoint-BFW5VCWB-kube-system/kube-dns/tcp/dns-tcp__10.244.0.2/53 }
add rule ip kube-proxy endpoint-BFW5VCWB-kube-system/kube-dns/tcp/dns-tcp__10.244.0.2/53 ip saddr 10.244.0.2 jump mark-for-masquerade
add rule ip kube-proxy endpoint-BFW5VCWB-kube-system/kube-dns/tcp/dns-tcp__10.244.0.2/53 meta l4proto tcp dnat to 10.244.0.2:53
EOF
# node node-2: NetworkPolicy
ip netns exec nsl.k8s-services-nftables.node-2 iptables-restore --noflush <<'EOF'
# egress masquerade (flanneld's ip-masq): pod traffic leaving 10.244.0.0/16 gets the node's address
*nat
:POSTROUTING ACCEPT [0:0]
:FLANNEL-POSTRTG - [0:0]
-A POSTROUTING -m comment --comment "flanneld masq" -j FLANNEL-POSTRTG
-A FLANNEL-POSTRTG -m mark --mark 0x4000/0x4000 -m comment --comment "flanneld masq" -j RETURN
-A FLANNEL-POSTRTG -s 10.244.0.0/16 -d 10.244.0.0/16 -m comment --comment "flanneld masq" -j RETURN
-A FLANNEL-POSTRTG -s 10.244.0.0/16 ! -d 224.0.0.0/4 -m comment --comment "flanneld masq" -j MASQUERADE --random-fully
COMMIT
EOF

# ── exec: commands from the lab file
# pod coredns: resolv.conf (ip netns exec mounts it)
# from labs/k8s-services-nftables/lab.yaml:19:3
mkdir -p /etc/netns/nsl.k8s-services-nftables.coredns
cat >/etc/netns/nsl.k8s-services-nftables.coredns/resolv.conf <<'EOF'
nameserver 10.96.0.10
search kube-system.svc.cluster.local svc.cluster.local cluster.local
options ndots:5
EOF
# pod web-1: resolv.conf (ip netns exec mounts it)
# from labs/k8s-services-nftables/lab.yaml:25:5
mkdir -p /etc/netns/nsl.k8s-services-nftables.web-1
cat >/etc/netns/nsl.k8s-services-nftables.web-1/resolv.conf <<'EOF'
nameserver 10.96.0.10
search default.svc.cluster.local svc.cluster.local cluster.local
options ndots:5
EOF
# pod web-2: resolv.conf (ip netns exec mounts it)
# from labs/k8s-services-nftables/lab.yaml:25:5
mkdir -p /etc/netns/nsl.k8s-services-nftables.web-2
cat >/etc/netns/nsl.k8s-services-nftables.web-2/resolv.conf <<'EOF'
nameserver 10.96.0.10
search default.svc.cluster.local svc.cluster.local cluster.local
options ndots:5
EOF
# pod web-3: resolv.conf (ip netns exec mounts it)
# from labs/k8s-services-nftables/lab.yaml:25:5
mkdir -p /etc/netns/nsl.k8s-services-nftables.web-3
cat >/etc/netns/nsl.k8s-services-nftables.web-3/resolv.conf <<'EOF'
nameserver 10.96.0.10
search default.svc.cluster.local svc.cluster.local cluster.local
options ndots:5
EOF
# pod api-1: resolv.conf (ip netns exec mounts it)
# from labs/k8s-services-nftables/lab.yaml:28:5
mkdir -p /etc/netns/nsl.k8s-services-nftables.api-1
cat >/etc/netns/nsl.k8s-services-nftables.api-1/resolv.conf <<'EOF'
nameserver 10.96.0.10
search default.svc.cluster.local svc.cluster.local cluster.local
options ndots:5
EOF
# pod api-2: resolv.conf (ip netns exec mounts it)
# from labs/k8s-services-nftables/lab.yaml:28:5
mkdir -p /etc/netns/nsl.k8s-services-nftables.api-2
cat >/etc/netns/nsl.k8s-services-nftables.api-2/resolv.conf <<'EOF'
nameserver 10.96.0.10
search default.svc.cluster.local svc.cluster.local cluster.local
options ndots:5
EOF
# pod echo: resolv.conf (ip netns exec mounts it)
# from labs/k8s-services-nftables/lab.yaml:34:5
mkdir -p /etc/netns/nsl.k8s-services-nftables.echo
cat >/etc/netns/nsl.k8s-services-nftables.echo/resolv.conf <<'EOF'
nameserver 10.96.0.10
search default.svc.cluster.local svc.cluster.local cluster.local
options ndots:5
EOF
# pod client: resolv.conf (ip netns exec mounts it)
# from labs/k8s-services-nftables/lab.yaml:39:5
mkdir -p /etc/netns/nsl.k8s-services-nftables.client
cat >/etc/netns/nsl.k8s-services-nftables.client/resolv.conf <<'EOF'
nameserver 10.96.0.10
search default.svc.cluster.local svc.cluster.local cluster.local
options ndots:5
EOF

# ── daemons: long-running processes (stopped by `lab down`)
# the cluster DNS: dnsmasq with the records of every service and pod
# from labs/k8s-services-nftables/lab.yaml:18:1
mkdir -p /run/nslab/k8s-services-nftables/logs
ip netns exec nsl.k8s-services-nftables.coredns dnsmasq --keep-in-foreground --no-resolv --no-hosts --bind-interfaces --listen-address=10.244.0.2 --port=53 --log-facility=- --local=/cluster.local/ --host-record=api.default.svc.cluster.local,10.96.0.13 --srv-host=_http._tcp.api.default.svc.cluster.local,api.default.svc.cluster.local,80 --srv-host=_metrics._tcp.api.default.svc.cluster.local,api.default.svc.cluster.local,9090 --host-record=echo.default.svc.cluster.local,10.96.0.14 --host-record=ghost.default.svc.cluster.local,10.96.0.15 --host-record=web.default.svc.cluster.local,10.96.0.11 --host-record=web-headless.default.svc.cluster.local,10.244.0.3 --host-record=web-headless.default.svc.cluster.local,10.244.0.4 --host-record=web-headless.default.svc.cluster.local,10.244.1.2 --host-record=10-244-0-3.web-headless.default.svc.cluster.local,10.244.0.3 --host-record=10-244-0-4.web-headless.default.svc.cluster.local,10.244.0.4 --host-record=10-244-1-2.web-headless.default.svc.cluster.local,10.244.1.2 --host-record=web-sticky.default.svc.cluster.local,10.96.0.12 --host-record=kube-dns.kube-system.svc.cluster.local,10.96.0.10 --srv-host=_dns._udp.kube-dns.kube-system.svc.cluster.local,kube-dns.kube-system.svc.cluster.local,53 --srv-host=_dns-tcp._tcp.kube-dns.kube-system.svc.cluster.local,kube-dns.kube-system.svc.cluster.local,53 --host-record=10-244-1-3.default.pod.cluster.local,10.244.1.3 --host-record=10-244-0-5.default.pod.cluster.local,10.244.0.5 --host-record=10-244-0-6.default.pod.cluster.local,10.244.0.6 --host-record=10-244-1-4.default.pod.cluster.local,10.244.1.4 --host-record=10-244-0-3.default.pod.cluster.local,10.244.0.3 --host-record=10-244-1-2.default.pod.cluster.local,10.244.1.2 --host-record=10-244-0-4.default.pod.cluster.local,10.244.0.4 --host-record=10-244-0-2.kube-system.pod.cluster.local,10.244.0.2 --pid-file --user=root >/run/nslab/k8s-services-nftables/logs/coredns.dnsmasq.log 2>&1 &
# pod web-1: answers with its name and the client address on 80/tcp
# from labs/k8s-services-nftables/lab.yaml:25:5
mkdir -p /run/nslab/k8s-services-nftables/logs
ip netns exec nsl.k8s-services-nftables.web-1 lab agent whoami --name web-1 --port 80 >/run/nslab/k8s-services-nftables/logs/web-1.whoami.log 2>&1 &
# pod web-2: answers with its name and the client address on 80/tcp
# from labs/k8s-services-nftables/lab.yaml:25:5
mkdir -p /run/nslab/k8s-services-nftables/logs
ip netns exec nsl.k8s-services-nftables.web-2 lab agent whoami --name web-2 --port 80 >/run/nslab/k8s-services-nftables/logs/web-2.whoami.log 2>&1 &
# pod web-3: answers with its name and the client address on 80/tcp
# from labs/k8s-services-nftables/lab.yaml:25:5
mkdir -p /run/nslab/k8s-services-nftables/logs
ip netns exec nsl.k8s-services-nftables.web-3 lab agent whoami --name web-3 --port 80 >/run/nslab/k8s-services-nftables/logs/web-3.whoami.log 2>&1 &
# pod api-1: answers with its name and the client address on 8080/tcp, 9090/tcp
# from labs/k8s-services-nftables/lab.yaml:28:5
mkdir -p /run/nslab/k8s-services-nftables/logs
ip netns exec nsl.k8s-services-nftables.api-1 lab agent whoami --name api-1 --port 8080 --port 9090 >/run/nslab/k8s-services-nftables/logs/api-1.whoami.log 2>&1 &
# pod api-2: answers with its name and the client address on 8080/tcp, 9090/tcp
# from labs/k8s-services-nftables/lab.yaml:28:5
mkdir -p /run/nslab/k8s-services-nftables/logs
ip netns exec nsl.k8s-services-nftables.api-2 lab agent whoami --name api-2 --port 8080 --port 9090 >/run/nslab/k8s-services-nftables/logs/api-2.whoami.log 2>&1 &
# pod echo: answers with its name and the client address on 5353/udp
# from labs/k8s-services-nftables/lab.yaml:34:5
mkdir -p /run/nslab/k8s-services-nftables/logs
ip netns exec nsl.k8s-services-nftables.echo lab agent whoami --name echo --udp-port 5353 >/run/nslab/k8s-services-nftables/logs/echo.whoami.log 2>&1 &
# pod client: answers with its name and the client address on 80/tcp
# from labs/k8s-services-nftables/lab.yaml:39:5
mkdir -p /run/nslab/k8s-services-nftables/logs
ip netns exec nsl.k8s-services-nftables.client lab agent whoami --name client --port 80 >/run/nslab/k8s-services-nftables/logs/client.whoami.log 2>&1 &

# ── teardown (what `lab down` runs): stop every process inside the lab's namespaces (by PID), then
# delete the namespaces, which removes every link, bridge, address, route and rule inside them
# (commented out, so that running this script builds the lab and leaves it up)
#   ip -force -batch - <<'EOF'
#   netns del nsl.k8s-services-nftables
#   netns del nsl.k8s-services-nftables.outside
#   netns del nsl.k8s-services-nftables.node-1
#   netns del nsl.k8s-services-nftables.node-2
#   netns del nsl.k8s-services-nftables.coredns
#   netns del nsl.k8s-services-nftables.web-1
#   netns del nsl.k8s-services-nftables.web-2
#   netns del nsl.k8s-services-nftables.web-3
#   netns del nsl.k8s-services-nftables.api-1
#   netns del nsl.k8s-services-nftables.api-2
#   netns del nsl.k8s-services-nftables.echo
#   netns del nsl.k8s-services-nftables.client
#   EOF
