#!/bin/sh
# nslab plan for lab "gc-kp-nft" from test/unit/golden/cluster/kube-proxy-nftables.lab.yaml
# Run as root to build the lab by hand; these are exactly the commands `lab up` runs
# (it runs the blocks of one phase in parallel). Every line notes the lab-file place behind it.
# new namespaces start with net.ipv4.ip_forward=1, net.ipv6.conf.all.forwarding=0 (inherited from this host): only nodes that need other values get a sysctl
set -e

# ── namespaces: network namespaces (one per node, plus the lab fabric) and containers
ip -batch - <<'EOF'
# test/unit/golden/cluster/kube-proxy-nftables.lab.yaml:3:7 — the lab fabric: bridges that belong to no node
netns add nsl.gc-kp-nft
# test/unit/golden/cluster/kube-proxy-nftables.lab.yaml:8:5 — node node-1
netns add nsl.gc-kp-nft.node-1
# test/unit/golden/cluster/kube-proxy-nftables.lab.yaml:9:5 — node node-2
netns add nsl.gc-kp-nft.node-2
# test/unit/golden/cluster/kube-proxy-nftables.lab.yaml:5:3 — node coredns
netns add nsl.gc-kp-nft.coredns
# test/unit/golden/cluster/kube-proxy-nftables.lab.yaml:11:5 — node web-1
netns add nsl.gc-kp-nft.web-1
# test/unit/golden/cluster/kube-proxy-nftables.lab.yaml:11:5 — node web-2
netns add nsl.gc-kp-nft.web-2
EOF

# ── links: veth pairs created directly inside their namespaces
ip -batch - <<'EOF'
# test/unit/golden/cluster/kube-proxy-nftables.lab.yaml:8:13 — link node-1:eth0 <-> k8s-net
link add node-1-eth0 netns nsl.gc-kp-nft index 1000 type veth peer name eth0 netns nsl.gc-kp-nft.node-1
# test/unit/golden/cluster/kube-proxy-nftables.lab.yaml:9:13 — link node-2:eth0 <-> k8s-net
link add node-2-eth0 netns nsl.gc-kp-nft index 1001 type veth peer name eth0 netns nsl.gc-kp-nft.node-2
# test/unit/golden/cluster/kube-proxy-nftables.lab.yaml:5:3 — link coredns:eth0 <-> cni0@node-1
link add veth96971f43 netns nsl.gc-kp-nft.node-1 index 1000 mtu 1450 type veth peer name eth0 netns nsl.gc-kp-nft.coredns mtu 1450
# test/unit/golden/cluster/kube-proxy-nftables.lab.yaml:12:7 — link web-1:eth0 <-> cni0@node-1
link add veth0761ccbe netns nsl.gc-kp-nft.node-1 index 1001 mtu 1450 type veth peer name eth0 netns nsl.gc-kp-nft.web-1 mtu 1450
# test/unit/golden/cluster/kube-proxy-nftables.lab.yaml:12:7 — link web-2:eth0 <-> cni0@node-2
link add veth9fb0db7f netns nsl.gc-kp-nft.node-2 index 1000 mtu 1450 type veth peer name eth0 netns nsl.gc-kp-nft.web-2 mtu 1450
EOF

# ── configure: inside each namespace: sysctls, bridges, addresses, routes
# one batch file per namespace, run 4 at a time by xargs
mkdir -p /run/nslab/gc-kp-nft/batch
cat >/run/nslab/gc-kp-nft/batch/nsl.gc-kp-nft.node-1.ip <<'EOF'
# test/unit/golden/cluster/kube-proxy-nftables.lab.yaml:8:5
link set lo up
# test/unit/golden/cluster/kube-proxy-nftables.lab.yaml:5:3 — bridge cni0 in node-1
link add cni0 type bridge
link set cni0 mtu 1450
# test/unit/golden/cluster/kube-proxy-nftables.lab.yaml:5:3 — VXLAN flannel.1: VNI 1 over eth0
link add flannel.1 address 0e:e1:49:cd:c4:d5 mtu 1450 type vxlan id 1 local 192.168.56.11 dstport 8472 dev eth0 nolearning
link set veth96971f43 master cni0
# test/unit/golden/cluster/kube-proxy-nftables.lab.yaml:12:7
link set veth0761ccbe master cni0
# test/unit/golden/cluster/kube-proxy-nftables.lab.yaml:5:3 — hairpin mode: frames may leave by the port they came in on
link set veth96971f43 type bridge_slave hairpin on
# test/unit/golden/cluster/kube-proxy-nftables.lab.yaml:12:7 — hairpin mode: frames may leave by the port they came in on
link set veth0761ccbe type bridge_slave hairpin on
# test/unit/golden/cluster/kube-proxy-nftables.lab.yaml:8:13
addr add 192.168.56.11/24 dev eth0
# test/unit/golden/cluster/kube-proxy-nftables.lab.yaml:5:3
addr add 10.244.0.0/32 dev flannel.1
addr add 10.244.0.1/24 dev cni0
# test/unit/golden/cluster/kube-proxy-nftables.lab.yaml:8:13
link set eth0 up
# test/unit/golden/cluster/kube-proxy-nftables.lab.yaml:5:3
link set flannel.1 up
link set cni0 up
link set veth96971f43 up
# test/unit/golden/cluster/kube-proxy-nftables.lab.yaml:12:7
link set veth0761ccbe up
# test/unit/golden/cluster/kube-proxy-nftables.lab.yaml:5:8
route add 10.96.0.0/12 dev eth0
route add 10.244.1.0/24 via 10.244.1.0 dev flannel.1 onlink
# test/unit/golden/cluster/kube-proxy-nftables.lab.yaml:5:3
neigh replace 10.244.1.0 lladdr 0e:32:41:be:79:68 dev flannel.1 nud permanent
EOF
cat >/run/nslab/gc-kp-nft/batch/nsl.gc-kp-nft.node-2.ip <<'EOF'
# test/unit/golden/cluster/kube-proxy-nftables.lab.yaml:9:5
link set lo up
# test/unit/golden/cluster/kube-proxy-nftables.lab.yaml:5:3 — bridge cni0 in node-2
link add cni0 type bridge
link set cni0 mtu 1450
# test/unit/golden/cluster/kube-proxy-nftables.lab.yaml:5:3 — VXLAN flannel.1: VNI 1 over eth0
link add flannel.1 address 0e:32:41:be:79:68 mtu 1450 type vxlan id 1 local 192.168.56.12 dstport 8472 dev eth0 nolearning
# test/unit/golden/cluster/kube-proxy-nftables.lab.yaml:12:7
link set veth9fb0db7f master cni0
# test/unit/golden/cluster/kube-proxy-nftables.lab.yaml:12:7 — hairpin mode: frames may leave by the port they came in on
link set veth9fb0db7f type bridge_slave hairpin on
# test/unit/golden/cluster/kube-proxy-nftables.lab.yaml:9:13
addr add 192.168.56.12/24 dev eth0
# test/unit/golden/cluster/kube-proxy-nftables.lab.yaml:5:3
addr add 10.244.1.0/32 dev flannel.1
addr add 10.244.1.1/24 dev cni0
# test/unit/golden/cluster/kube-proxy-nftables.lab.yaml:9:13
link set eth0 up
# test/unit/golden/cluster/kube-proxy-nftables.lab.yaml:5:3
link set flannel.1 up
link set cni0 up
# test/unit/golden/cluster/kube-proxy-nftables.lab.yaml:12:7
link set veth9fb0db7f up
# test/unit/golden/cluster/kube-proxy-nftables.lab.yaml:5:8
route add 10.96.0.0/12 dev eth0
route add 10.244.0.0/24 via 10.244.0.0 dev flannel.1 onlink
# test/unit/golden/cluster/kube-proxy-nftables.lab.yaml:5:3
neigh replace 10.244.0.0 lladdr 0e:e1:49:cd:c4:d5 dev flannel.1 nud permanent
EOF
cat >/run/nslab/gc-kp-nft/batch/nsl.gc-kp-nft.coredns.ip <<'EOF'
# test/unit/golden/cluster/kube-proxy-nftables.lab.yaml:5:3
link set lo up
addr add 10.244.0.2/24 dev eth0
link set eth0 up
route add default via 10.244.0.1
EOF
cat >/run/nslab/gc-kp-nft/batch/nsl.gc-kp-nft.web-1.ip <<'EOF'
# test/unit/golden/cluster/kube-proxy-nftables.lab.yaml:11:5
link set lo up
# test/unit/golden/cluster/kube-proxy-nftables.lab.yaml:12:7
addr add 10.244.0.3/24 dev eth0
link set eth0 up
route add default via 10.244.0.1
EOF
cat >/run/nslab/gc-kp-nft/batch/nsl.gc-kp-nft.web-2.ip <<'EOF'
# test/unit/golden/cluster/kube-proxy-nftables.lab.yaml:11:5
link set lo up
# test/unit/golden/cluster/kube-proxy-nftables.lab.yaml:12:7
addr add 10.244.1.2/24 dev eth0
link set eth0 up
route add default via 10.244.1.1
EOF
cat >/run/nslab/gc-kp-nft/batch/nsl.gc-kp-nft.ip <<'EOF'
# test/unit/golden/cluster/kube-proxy-nftables.lab.yaml:3:7
link set lo up
# test/unit/golden/cluster/kube-proxy-nftables.lab.yaml:5:3 — bridge k8s-net
link add k8s-net type bridge
# test/unit/golden/cluster/kube-proxy-nftables.lab.yaml:8:13
link set node-1-eth0 master k8s-net
# test/unit/golden/cluster/kube-proxy-nftables.lab.yaml:9:13
link set node-2-eth0 master k8s-net
# test/unit/golden/cluster/kube-proxy-nftables.lab.yaml:5:3
link set k8s-net up
# test/unit/golden/cluster/kube-proxy-nftables.lab.yaml:8:13
link set node-1-eth0 up
# test/unit/golden/cluster/kube-proxy-nftables.lab.yaml:9:13
link set node-2-eth0 up
EOF
xargs -P 4 -L 1 nsenter <<'EOF'
--net=/run/netns/nsl.gc-kp-nft.node-1 sysctl -qw net.ipv6.conf.all.forwarding=1
--net=/run/netns/nsl.gc-kp-nft.node-1 ip -batch /run/nslab/gc-kp-nft/batch/nsl.gc-kp-nft.node-1.ip
--net=/run/netns/nsl.gc-kp-nft.node-2 sysctl -qw net.ipv6.conf.all.forwarding=1
--net=/run/netns/nsl.gc-kp-nft.node-2 ip -batch /run/nslab/gc-kp-nft/batch/nsl.gc-kp-nft.node-2.ip
--net=/run/netns/nsl.gc-kp-nft.coredns sysctl -qw net.ipv4.ip_forward=0
--net=/run/netns/nsl.gc-kp-nft.coredns ip -batch /run/nslab/gc-kp-nft/batch/nsl.gc-kp-nft.coredns.ip
--net=/run/netns/nsl.gc-kp-nft.web-1 sysctl -qw net.ipv4.ip_forward=0
--net=/run/netns/nsl.gc-kp-nft.web-1 ip -batch /run/nslab/gc-kp-nft/batch/nsl.gc-kp-nft.web-1.ip
--net=/run/netns/nsl.gc-kp-nft.web-2 sysctl -qw net.ipv4.ip_forward=0
--net=/run/netns/nsl.gc-kp-nft.web-2 ip -batch /run/nslab/gc-kp-nft/batch/nsl.gc-kp-nft.web-2.ip
--net=/run/netns/nsl.gc-kp-nft ip -batch /run/nslab/gc-kp-nft/batch/nsl.gc-kp-nft.ip
EOF

# ── fdb: forwarding-database entries of VXLAN endpoints (`bridge fdb`)
# one batch file per namespace, run 4 at a time by xargs
mkdir -p /run/nslab/gc-kp-nft/batch
cat >/run/nslab/gc-kp-nft/batch/nsl.gc-kp-nft.node-1.bridge <<'EOF'
# test/unit/golden/cluster/kube-proxy-nftables.lab.yaml:5:3
fdb append 0e:32:41:be:79:68 dev flannel.1 dst 192.168.56.12 self permanent
EOF
cat >/run/nslab/gc-kp-nft/batch/nsl.gc-kp-nft.node-2.bridge <<'EOF'
# test/unit/golden/cluster/kube-proxy-nftables.lab.yaml:5:3
fdb append 0e:e1:49:cd:c4:d5 dev flannel.1 dst 192.168.56.11 self permanent
EOF
xargs -P 4 -L 1 nsenter <<'EOF'
--net=/run/netns/nsl.gc-kp-nft.node-1 bridge -batch /run/nslab/gc-kp-nft/batch/nsl.gc-kp-nft.node-1.bridge
--net=/run/netns/nsl.gc-kp-nft.node-2 bridge -batch /run/nslab/gc-kp-nft/batch/nsl.gc-kp-nft.node-2.bridge
EOF

# ── settle: wait until every bridge port forwards (the kernel applies link changes asynchronously)
# wait until every bridge port forwards
# from test/unit/golden/cluster/kube-proxy-nftables.lab.yaml:5:3
# repeated until no port is "state disabled", for at most 10 s
while nsenter --net=/run/netns/nsl.gc-kp-nft bridge link show | grep -q 'state disabled'; do sleep 0.01; done
# wait until every bridge port forwards
# from test/unit/golden/cluster/kube-proxy-nftables.lab.yaml:5:3
# repeated until no port is "state disabled", for at most 10 s
while nsenter --net=/run/netns/nsl.gc-kp-nft.node-1 bridge link show | grep -q 'state disabled'; do sleep 0.01; done
# wait until every bridge port forwards
# from test/unit/golden/cluster/kube-proxy-nftables.lab.yaml:5:3
# repeated until no port is "state disabled", for at most 10 s
while nsenter --net=/run/netns/nsl.gc-kp-nft.node-2 bridge link show | grep -q 'state disabled'; do sleep 0.01; done

# ── firewall: NAT and firewall rule sets
# node node-1: kube-proxy (nftables mode)
ip netns exec nsl.gc-kp-nft.node-1 nft -f - <<'EOF'
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
add chain ip kube-proxy endpoint-YRDSMK7H-default/local/tcp/__10.244.0.3/80
add chain ip kube-proxy endpoint-XUMXZHWH-default/local/tcp/__10.244.1.2/80
add chain ip kube-proxy service-O7JKBUXF-default/local/tcp/
add chain ip kube-proxy local-O7JKBUXF-default/local/tcp/
add chain ip kube-proxy external-O7JKBUXF-default/local/tcp/
add element ip kube-proxy cluster-ips { 10.96.0.12 }
add element ip kube-proxy service-ips { 10.96.0.12 . tcp . 80 : goto service-O7JKBUXF-default/local/tcp/ }
add element ip kube-proxy service-nodeports { tcp . 30080 : goto external-O7JKBUXF-default/local/tcp/ }
add rule ip kube-proxy service-O7JKBUXF-default/local/tcp/ ip daddr 10.96.0.12 tcp dport 80 ip saddr != 10.244.0.0/16 jump mark-for-masquerade
add rule ip kube-proxy external-O7JKBUXF-default/local/tcp/ ip saddr 10.244.0.0/16 goto service-O7JKBUXF-default/local/tcp/ comment "short-circuit pod traffic"
add rule ip kube-proxy external-O7JKBUXF-default/local/tcp/ fib saddr type local jump mark-for-masquerade comment "masquerade local traffic"
add rule ip kube-proxy external-O7JKBUXF-default/local/tcp/ fib saddr type local goto service-O7JKBUXF-default/local/tcp/ comment "short-circuit local traffic"
add rule ip kube-proxy external-O7JKBUXF-default/local/tcp/ goto local-O7JKBUXF-default/local/tcp/
add rule ip kube-proxy service-O7JKBUXF-default/local/tcp/ numgen random mod 2 vmap { 0 : goto endpoint-YRDSMK7H-default/local/tcp/__10.244.0.3/80 , 1 : goto endpoint-XUMXZHWH-default/local/tcp/__10.244.1.2/80 }
add rule ip kube-proxy local-O7JKBUXF-default/local/tcp/ numgen random mod 1 vmap { 0 : goto endpoint-YRDSMK7H-default/local/tcp/__10.244.0.3/80 }
add rule ip kube-proxy endpoint-YRDSMK7H-default/local/tcp/__10.244.0.3/80 ip saddr 10.244.0.3 jump mark-for-masquerade
add rule ip kube-proxy endpoint-YRDSMK7H-default/local/tcp/__10.244.0.3/80 meta l4proto tcp dnat to 10.244.0.3:80
add rule ip kube-proxy endpoint-XUMXZHWH-default/local/tcp/__10.244.1.2/80 ip saddr 10.244.1.2 jump mark-for-masquerade
add rule ip kube-proxy endpoint-XUMXZHWH-default/local/tcp/__10.244.1.2/80 meta l4proto tcp dnat to 10.244.1.2:80
add chain ip kube-proxy endpoint-753K7232-default/multi/udp/dns__10.244.0.3/5353
add chain ip kube-proxy endpoint-UY63PXZR-default/multi/udp/dns__10.244.1.2/5353
add chain ip kube-proxy service-BEH3B6JS-default/multi/udp/dns
add element ip kube-proxy cluster-ips { 10.96.0.13 }
add element ip kube-proxy service-ips { 10.96.0.13 . udp . 53 : goto service-BEH3B6JS-default/multi/udp/dns }
add rule ip kube-proxy service-BEH3B6JS-default/multi/udp/dns ip daddr 10.96.0.13 udp dport 53 ip saddr != 10.244.0.0/16 jump mark-for-masquerade
add rule ip kube-proxy service-BEH3B6JS-default/multi/udp/dns numgen random mod 2 vmap { 0 : goto endpoint-753K7232-default/multi/udp/dns__10.244.0.3/5353 , 1 : goto endpoint-UY63PXZR-default/multi/udp/dns__10.244.1.2/5353 }
add rule ip kube-proxy endpoint-753K7232-default/multi/udp/dns__10.244.0.3/5353 ip saddr 10.244.0.3 jump mark-for-masquerade
add rule ip kube-proxy endpoint-753K7232-default/multi/udp/dns__10.244.0.3/5353 meta l4proto udp dnat to 10.244.0.3:5353
add rule ip kube-proxy endpoint-UY63PXZR-default/multi/udp/dns__10.244.1.2/5353 ip saddr 10.244.1.2 jump mark-for-masquerade
add rule ip kube-proxy endpoint-UY63PXZR-default/multi/udp/dns__10.244.1.2/5353 meta l4proto udp dnat to 10.244.1.2:5353
add chain ip kube-proxy endpoint-F6KLGSPY-default/multi/tcp/https__10.244.0.3/8443
add chain ip kube-proxy endpoint-5DBMI46T-default/multi/tcp/https__10.244.1.2/8443
add chain ip kube-proxy service-Q5ZA3USH-default/multi/tcp/https
add element ip kube-proxy service-ips { 10.96.0.13 . tcp . 443 : goto service-Q5ZA3USH-default/multi/tcp/https }
add rule ip kube-proxy service-Q5ZA3USH-default/multi/tcp/https ip daddr 10.96.0.13 tcp dport 443 ip saddr != 10.244.0.0/16 jump mark-for-masquerade
add rule ip kube-proxy service-Q5ZA3USH-default/multi/tcp/https numgen random mod 2 vmap { 0 : goto endpoint-F6KLGSPY-default/multi/tcp/https__10.244.0.3/8443 , 1 : goto endpoint-5DBMI46T-default/multi/tcp/https__10.244.1.2/8443 }
add rule ip kube-proxy endpoint-F6KLGSPY-default/multi/tcp/https__10.244.0.3/8443 ip saddr 10.244.0.3 jump mark-for-masquerade
add rule ip kube-proxy endpoint-F6KLGSPY-default/multi/tcp/https__10.244.0.3/8443 meta l4proto tcp dnat to 10.244.0.3:8443
add rule ip kube-proxy endpoint-5DBMI46T-default/multi/tcp/https__10.244.1.2/8443 ip saddr 10.244.1.2 jump mark-for-masquerade
add rule ip kube-proxy endpoint-5DBMI46T-default/multi/tcp/https__10.244.1.2/8443 meta l4proto tcp dnat to 10.244.1.2:8443
add chain ip kube-proxy endpoint-GAITAD5M-default/sticky/tcp/__10.244.0.3/80
add chain ip kube-proxy endpoint-3R4B2H53-default/sticky/tcp/__10.244.1.2/80
add chain ip kube-proxy service-EDE2N7RF-default/sticky/tcp/
add element ip kube-proxy cluster-ips { 10.96.0.11 }
add element ip kube-proxy service-ips { 10.96.0.11 . tcp . 80 : goto service-EDE2N7RF-default/sticky/tcp/ }
add rule ip kube-proxy service-EDE2N7RF-default/sticky/tcp/ ip daddr 10.96.0.11 tcp dport 80 ip saddr != 10.244.0.0/16 jump mark-for-masquerade
add set ip kube-proxy affinity-GAITAD5M-default/sticky/tcp/__10.244.0.3/80 { type ipv4_addr ; flags dynamic,timeout ; timeout 10800s ; }
add set ip kube-proxy affinity-3R4B2H53-default/sticky/tcp/__10.244.1.2/80 { type ipv4_addr ; flags dynamic,timeout ; timeout 10800s ; }
add rule ip kube-proxy service-EDE2N7RF-default/sticky/tcp/ ip saddr @affinity-GAITAD5M-default/sticky/tcp/__10.244.0.3/80 goto endpoint-GAITAD5M-default/sticky/tcp/__10.244.0.3/80
add rule ip kube-proxy service-EDE2N7RF-default/sticky/tcp/ ip saddr @affinity-3R4B2H53-default/sticky/tcp/__10.244.1.2/80 goto endpoint-3R4B2H53-default/sticky/tcp/__10.244.1.2/80
add rule ip kube-proxy service-EDE2N7RF-default/sticky/tcp/ numgen random mod 2 vmap { 0 : goto endpoint-GAITAD5M-default/sticky/tcp/__10.244.0.3/80 , 1 : goto endpoint-3R4B2H53-default/sticky/tcp/__10.244.1.2/80 }
add rule ip kube-proxy endpoint-GAITAD5M-default/sticky/tcp/__10.244.0.3/80 ip saddr 10.244.0.3 jump mark-for-masquerade
add rule ip kube-proxy endpoint-GAITAD5M-default/sticky/tcp/__10.244.0.3/80 update @affinity-GAITAD5M-default/sticky/tcp/__10.244.0.3/80 { ip saddr }
add rule ip kube-proxy endpoint-GAITAD5M-default/sticky/tcp/__10.244.0.3/80 meta l4proto tcp dnat to 10.244.0.3:80
add rule ip kube-proxy endpoint-3R4B2H53-default/sticky/tcp/__10.244.1.2/80 ip saddr 10.244.1.2 jump mark-for-masquerade
add rule ip kube-proxy endpoint-3R4B2H53-default/sticky/tcp/__10.244.1.2/80 update @affinity-3R4B2H53-default/sticky/tcp/__10.244.1.2/80 { ip saddr }
add rule ip kube-proxy endpoint-3R4B2H53-default/sticky/tcp/__10.244.1.2/80 meta l4proto tcp dnat to 10.244.1.2:80
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
ip netns exec nsl.gc-kp-nft.node-1 iptables-restore --noflush <<'EOF'
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
ip netns exec nsl.gc-kp-nft.node-2 nft -f - <<'EOF'
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
add chain ip kube-proxy endpoint-YRDSMK7H-default/local/tcp/__10.244.0.3/80
add chain ip kube-proxy endpoint-XUMXZHWH-default/local/tcp/__10.244.1.2/80
add chain ip kube-proxy service-O7JKBUXF-default/local/tcp/
add chain ip kube-proxy local-O7JKBUXF-default/local/tcp/
add chain ip kube-proxy external-O7JKBUXF-default/local/tcp/
add element ip kube-proxy cluster-ips { 10.96.0.12 }
add element ip kube-proxy service-ips { 10.96.0.12 . tcp . 80 : goto service-O7JKBUXF-default/local/tcp/ }
add element ip kube-proxy service-nodeports { tcp . 30080 : goto external-O7JKBUXF-default/local/tcp/ }
add rule ip kube-proxy service-O7JKBUXF-default/local/tcp/ ip daddr 10.96.0.12 tcp dport 80 ip saddr != 10.244.0.0/16 jump mark-for-masquerade
add rule ip kube-proxy external-O7JKBUXF-default/local/tcp/ ip saddr 10.244.0.0/16 goto service-O7JKBUXF-default/local/tcp/ comment "short-circuit pod traffic"
add rule ip kube-proxy external-O7JKBUXF-default/local/tcp/ fib saddr type local jump mark-for-masquerade comment "masquerade local traffic"
add rule ip kube-proxy external-O7JKBUXF-default/local/tcp/ fib saddr type local goto service-O7JKBUXF-default/local/tcp/ comment "short-circuit local traffic"
add rule ip kube-proxy external-O7JKBUXF-default/local/tcp/ goto local-O7JKBUXF-default/local/tcp/
add rule ip kube-proxy service-O7JKBUXF-default/local/tcp/ numgen random mod 2 vmap { 0 : goto endpoint-YRDSMK7H-default/local/tcp/__10.244.0.3/80 , 1 : goto endpoint-XUMXZHWH-default/local/tcp/__10.244.1.2/80 }
add rule ip kube-proxy local-O7JKBUXF-default/local/tcp/ numgen random mod 1 vmap { 0 : goto endpoint-XUMXZHWH-default/local/tcp/__10.244.1.2/80 }
add rule ip kube-proxy endpoint-YRDSMK7H-default/local/tcp/__10.244.0.3/80 ip saddr 10.244.0.3 jump mark-for-masquerade
add rule ip kube-proxy endpoint-YRDSMK7H-default/local/tcp/__10.244.0.3/80 meta l4proto tcp dnat to 10.244.0.3:80
add rule ip kube-proxy endpoint-XUMXZHWH-default/local/tcp/__10.244.1.2/80 ip saddr 10.244.1.2 jump mark-for-masquerade
add rule ip kube-proxy endpoint-XUMXZHWH-default/local/tcp/__10.244.1.2/80 meta l4proto tcp dnat to 10.244.1.2:80
add chain ip kube-proxy endpoint-753K7232-default/multi/udp/dns__10.244.0.3/5353
add chain ip kube-proxy endpoint-UY63PXZR-default/multi/udp/dns__10.244.1.2/5353
add chain ip kube-proxy service-BEH3B6JS-default/multi/udp/dns
add element ip kube-proxy cluster-ips { 10.96.0.13 }
add element ip kube-proxy service-ips { 10.96.0.13 . udp . 53 : goto service-BEH3B6JS-default/multi/udp/dns }
add rule ip kube-proxy service-BEH3B6JS-default/multi/udp/dns ip daddr 10.96.0.13 udp dport 53 ip saddr != 10.244.0.0/16 jump mark-for-masquerade
add rule ip kube-proxy service-BEH3B6JS-default/multi/udp/dns numgen random mod 2 vmap { 0 : goto endpoint-753K7232-default/multi/udp/dns__10.244.0.3/5353 , 1 : goto endpoint-UY63PXZR-default/multi/udp/dns__10.244.1.2/5353 }
add rule ip kube-proxy endpoint-753K7232-default/multi/udp/dns__10.244.0.3/5353 ip saddr 10.244.0.3 jump mark-for-masquerade
add rule ip kube-proxy endpoint-753K7232-default/multi/udp/dns__10.244.0.3/5353 meta l4proto udp dnat to 10.244.0.3:5353
add rule ip kube-proxy endpoint-UY63PXZR-default/multi/udp/dns__10.244.1.2/5353 ip saddr 10.244.1.2 jump mark-for-masquerade
add rule ip kube-proxy endpoint-UY63PXZR-default/multi/udp/dns__10.244.1.2/5353 meta l4proto udp dnat to 10.244.1.2:5353
add chain ip kube-proxy endpoint-F6KLGSPY-default/multi/tcp/https__10.244.0.3/8443
add chain ip kube-proxy endpoint-5DBMI46T-default/multi/tcp/https__10.244.1.2/8443
add chain ip kube-proxy service-Q5ZA3USH-default/multi/tcp/https
add element ip kube-proxy service-ips { 10.96.0.13 . tcp . 443 : goto service-Q5ZA3USH-default/multi/tcp/https }
add rule ip kube-proxy service-Q5ZA3USH-default/multi/tcp/https ip daddr 10.96.0.13 tcp dport 443 ip saddr != 10.244.0.0/16 jump mark-for-masquerade
add rule ip kube-proxy service-Q5ZA3USH-default/multi/tcp/https numgen random mod 2 vmap { 0 : goto endpoint-F6KLGSPY-default/multi/tcp/https__10.244.0.3/8443 , 1 : goto endpoint-5DBMI46T-default/multi/tcp/https__10.244.1.2/8443 }
add rule ip kube-proxy endpoint-F6KLGSPY-default/multi/tcp/https__10.244.0.3/8443 ip saddr 10.244.0.3 jump mark-for-masquerade
add rule ip kube-proxy endpoint-F6KLGSPY-default/multi/tcp/https__10.244.0.3/8443 meta l4proto tcp dnat to 10.244.0.3:8443
add rule ip kube-proxy endpoint-5DBMI46T-default/multi/tcp/https__10.244.1.2/8443 ip saddr 10.244.1.2 jump mark-for-masquerade
add rule ip kube-proxy endpoint-5DBMI46T-default/multi/tcp/https__10.244.1.2/8443 meta l4proto tcp dnat to 10.244.1.2:8443
add chain ip kube-proxy endpoint-GAITAD5M-default/sticky/tcp/__10.244.0.3/80
add chain ip kube-proxy endpoint-3R4B2H53-default/sticky/tcp/__10.244.1.2/80
add chain ip kube-proxy service-EDE2N7RF-default/sticky/tcp/
add element ip kube-proxy cluster-ips { 10.96.0.11 }
add element ip kube-proxy service-ips { 10.96.0.11 . tcp . 80 : goto service-EDE2N7RF-default/sticky/tcp/ }
add rule ip kube-proxy service-EDE2N7RF-default/sticky/tcp/ ip daddr 10.96.0.11 tcp dport 80 ip saddr != 10.244.0.0/16 jump mark-for-masquerade
add set ip kube-proxy affinity-GAITAD5M-default/sticky/tcp/__10.244.0.3/80 { type ipv4_addr ; flags dynamic,timeout ; timeout 10800s ; }
add set ip kube-proxy affinity-3R4B2H53-default/sticky/tcp/__10.244.1.2/80 { type ipv4_addr ; flags dynamic,timeout ; timeout 10800s ; }
add rule ip kube-proxy service-EDE2N7RF-default/sticky/tcp/ ip saddr @affinity-GAITAD5M-default/sticky/tcp/__10.244.0.3/80 goto endpoint-GAITAD5M-default/sticky/tcp/__10.244.0.3/80
add rule ip kube-proxy service-EDE2N7RF-default/sticky/tcp/ ip saddr @affinity-3R4B2H53-default/sticky/tcp/__10.244.1.2/80 goto endpoint-3R4B2H53-default/sticky/tcp/__10.244.1.2/80
add rule ip kube-proxy service-EDE2N7RF-default/sticky/tcp/ numgen random mod 2 vmap { 0 : goto endpoint-GAITAD5M-default/sticky/tcp/__10.244.0.3/80 , 1 : goto endpoint-3R4B2H53-default/sticky/tcp/__10.244.1.2/80 }
add rule ip kube-proxy endpoint-GAITAD5M-default/sticky/tcp/__10.244.0.3/80 ip saddr 10.244.0.3 jump mark-for-masquerade
add rule ip kube-proxy endpoint-GAITAD5M-default/sticky/tcp/__10.244.0.3/80 update @affinity-GAITAD5M-default/sticky/tcp/__10.244.0.3/80 { ip saddr }
add rule ip kube-proxy endpoint-GAITAD5M-default/sticky/tcp/__10.244.0.3/80 meta l4proto tcp dnat to 10.244.0.3:80
add rule ip kube-proxy endpoint-3R4B2H53-default/sticky/tcp/__10.244.1.2/80 ip saddr 10.244.1.2 jump mark-for-masquerade
add rule ip kube-proxy endpoint-3R4B2H53-default/sticky/tcp/__10.244.1.2/80 update @affinity-3R4B2H53-default/sticky/tcp/__10.244.1.2/80 { ip saddr }
add rule ip kube-proxy endpoint-3R4B2H53-default/sticky/tcp/__10.244.1.2/80 meta l4proto tcp dnat to 10.244.1.2:80
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
ip netns exec nsl.gc-kp-nft.node-2 iptables-restore --noflush <<'EOF'
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
# from test/unit/golden/cluster/kube-proxy-nftables.lab.yaml:5:3
mkdir -p /etc/netns/nsl.gc-kp-nft.coredns
cat >/etc/netns/nsl.gc-kp-nft.coredns/resolv.conf <<'EOF'
nameserver 10.96.0.10
search kube-system.svc.cluster.local svc.cluster.local cluster.local
options ndots:5
EOF
# pod web-1: resolv.conf (ip netns exec mounts it)
# from test/unit/golden/cluster/kube-proxy-nftables.lab.yaml:11:5
mkdir -p /etc/netns/nsl.gc-kp-nft.web-1
cat >/etc/netns/nsl.gc-kp-nft.web-1/resolv.conf <<'EOF'
nameserver 10.96.0.10
search default.svc.cluster.local svc.cluster.local cluster.local
options ndots:5
EOF
# pod web-2: resolv.conf (ip netns exec mounts it)
# from test/unit/golden/cluster/kube-proxy-nftables.lab.yaml:11:5
mkdir -p /etc/netns/nsl.gc-kp-nft.web-2
cat >/etc/netns/nsl.gc-kp-nft.web-2/resolv.conf <<'EOF'
nameserver 10.96.0.10
search default.svc.cluster.local svc.cluster.local cluster.local
options ndots:5
EOF

# ── daemons: long-running processes (stopped by `lab down`)
# the cluster DNS: dnsmasq with the records of every service and pod
# from test/unit/golden/cluster/kube-proxy-nftables.lab.yaml:4:1
mkdir -p /run/nslab/gc-kp-nft/logs
ip netns exec nsl.gc-kp-nft.coredns dnsmasq --keep-in-foreground --no-resolv --no-hosts --bind-interfaces --listen-address=10.244.0.2 --port=53 --log-facility=- --local=/cluster.local/ --host-record=headless.default.svc.cluster.local,10.244.0.3 --host-record=headless.default.svc.cluster.local,10.244.1.2 --host-record=10-244-0-3.headless.default.svc.cluster.local,10.244.0.3 --host-record=10-244-1-2.headless.default.svc.cluster.local,10.244.1.2 --host-record=local.default.svc.cluster.local,10.96.0.12 --host-record=multi.default.svc.cluster.local,10.96.0.13 --srv-host=_https._tcp.multi.default.svc.cluster.local,multi.default.svc.cluster.local,443 --srv-host=_dns._udp.multi.default.svc.cluster.local,multi.default.svc.cluster.local,53 --host-record=sticky.default.svc.cluster.local,10.96.0.11 --host-record=kube-dns.kube-system.svc.cluster.local,10.96.0.10 --srv-host=_dns._udp.kube-dns.kube-system.svc.cluster.local,kube-dns.kube-system.svc.cluster.local,53 --srv-host=_dns-tcp._tcp.kube-dns.kube-system.svc.cluster.local,kube-dns.kube-system.svc.cluster.local,53 --host-record=10-244-0-3.default.pod.cluster.local,10.244.0.3 --host-record=10-244-1-2.default.pod.cluster.local,10.244.1.2 --host-record=10-244-0-2.kube-system.pod.cluster.local,10.244.0.2 --pid-file --user=root >/run/nslab/gc-kp-nft/logs/coredns.dnsmasq.log 2>&1 &
# pod web-1: answers with its name and the client address on 80/tcp, 8443/tcp, 5353/udp
# from test/unit/golden/cluster/kube-proxy-nftables.lab.yaml:11:5
mkdir -p /run/nslab/gc-kp-nft/logs
ip netns exec nsl.gc-kp-nft.web-1 lab agent whoami --name web-1 --port 80 --port 8443 --udp-port 5353 >/run/nslab/gc-kp-nft/logs/web-1.whoami.log 2>&1 &
# pod web-2: answers with its name and the client address on 80/tcp, 8443/tcp, 5353/udp
# from test/unit/golden/cluster/kube-proxy-nftables.lab.yaml:11:5
mkdir -p /run/nslab/gc-kp-nft/logs
ip netns exec nsl.gc-kp-nft.web-2 lab agent whoami --name web-2 --port 80 --port 8443 --udp-port 5353 >/run/nslab/gc-kp-nft/logs/web-2.whoami.log 2>&1 &

# ── teardown (what `lab down` runs): stop every process inside the lab's namespaces (by PID), then
# delete the namespaces, which removes every link, bridge, address, route and rule inside them
# (commented out, so that running this script builds the lab and leaves it up)
#   ip -force -batch - <<'EOF'
#   netns del nsl.gc-kp-nft
#   netns del nsl.gc-kp-nft.node-1
#   netns del nsl.gc-kp-nft.node-2
#   netns del nsl.gc-kp-nft.coredns
#   netns del nsl.gc-kp-nft.web-1
#   netns del nsl.gc-kp-nft.web-2
#   EOF
