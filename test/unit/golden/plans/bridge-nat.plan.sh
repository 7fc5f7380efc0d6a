#!/bin/sh
# nslab plan for lab "bridge-nat" from labs/bridge-nat/lab.yaml
# Run as root to build the lab by hand; these are exactly the commands `lab up` runs
# (it runs the blocks of one phase in parallel). Every line notes the lab-file place behind it.
# new namespaces start with net.ipv4.ip_forward=1, net.ipv6.conf.all.forwarding=0 (inherited from this host): only nodes that need other values get a sysctl
set -e

# ── namespaces: network namespaces (one per node, plus the lab fabric) and containers
ip -batch - <<'EOF'
# labs/bridge-nat/lab.yaml:12:3 — node host
netns add nsl.bridge-nat.host
# labs/bridge-nat/lab.yaml:23:3 — node h1
netns add nsl.bridge-nat.h1
# labs/bridge-nat/lab.yaml:28:3 — node h2
netns add nsl.bridge-nat.h2
# labs/bridge-nat/lab.yaml:32:3 — node h3
netns add nsl.bridge-nat.h3
# labs/bridge-nat/lab.yaml:36:3 — node internet
netns add nsl.bridge-nat.internet
EOF

# ── links: veth pairs created directly inside their namespaces
ip -batch - <<'EOF'
# labs/bridge-nat/lab.yaml:47:5 — link h1:eth0 <-> docker0
link add h1-eth0 netns nsl.bridge-nat.host index 1000 type veth peer name eth0 netns nsl.bridge-nat.h1
# labs/bridge-nat/lab.yaml:48:5 — link h2:eth0 <-> docker0
link add h2-eth0 netns nsl.bridge-nat.host index 1001 type veth peer name eth0 netns nsl.bridge-nat.h2
# labs/bridge-nat/lab.yaml:49:5 — link h3:eth0 <-> docker0
link add h3-eth0 netns nsl.bridge-nat.host index 1002 type veth peer name eth0 netns nsl.bridge-nat.h3
# labs/bridge-nat/lab.yaml:50:5 — link host:eth0 <-> internet:eth0
link add eth0 netns nsl.bridge-nat.host type veth peer name eth0 netns nsl.bridge-nat.internet
EOF

# ── configure: inside each namespace: sysctls, bridges, addresses, routes
# one batch file per namespace, run 4 at a time by xargs
mkdir -p /run/nslab/bridge-nat/batch
cat >/run/nslab/bridge-nat/batch/nsl.bridge-nat.host.ip <<'EOF'
# labs/bridge-nat/lab.yaml:12:3
link set lo up
# labs/bridge-nat/lab.yaml:42:3 — bridge docker0 in host
link add docker0 type bridge
# labs/bridge-nat/lab.yaml:47:5
link set h1-eth0 master docker0
# labs/bridge-nat/lab.yaml:48:5
link set h2-eth0 master docker0
# labs/bridge-nat/lab.yaml:49:5
link set h3-eth0 master docker0
# labs/bridge-nat/lab.yaml:15:7
addr add 203.0.113.2/24 dev eth0
# labs/bridge-nat/lab.yaml:42:3
addr add 172.17.0.1/16 dev docker0
# labs/bridge-nat/lab.yaml:15:7
link set eth0 up
# labs/bridge-nat/lab.yaml:42:3
link set docker0 up
# labs/bridge-nat/lab.yaml:47:5
link set h1-eth0 up
# labs/bridge-nat/lab.yaml:48:5
link set h2-eth0 up
# labs/bridge-nat/lab.yaml:49:5
link set h3-eth0 up
# labs/bridge-nat/lab.yaml:17:9
route add default via 203.0.113.1
EOF
cat >/run/nslab/bridge-nat/batch/nsl.bridge-nat.h1.ip <<'EOF'
# labs/bridge-nat/lab.yaml:23:3
link set lo up
# labs/bridge-nat/lab.yaml:25:7
addr add 172.17.0.2/16 dev eth0
link set eth0 up
# labs/bridge-nat/lab.yaml:26:14
route add default via 172.17.0.1
EOF
cat >/run/nslab/bridge-nat/batch/nsl.bridge-nat.h2.ip <<'EOF'
# labs/bridge-nat/lab.yaml:28:3
link set lo up
# labs/bridge-nat/lab.yaml:30:7
addr add 172.17.0.3/16 dev eth0
link set eth0 up
# labs/bridge-nat/lab.yaml:31:14
route add default via 172.17.0.1
EOF
cat >/run/nslab/bridge-nat/batch/nsl.bridge-nat.h3.ip <<'EOF'
# labs/bridge-nat/lab.yaml:32:3
link set lo up
# labs/bridge-nat/lab.yaml:34:7
addr add 172.17.0.4/16 dev eth0
link set eth0 up
# labs/bridge-nat/lab.yaml:35:14
route add default via 172.17.0.1
EOF
cat >/run/nslab/bridge-nat/batch/nsl.bridge-nat.internet.ip <<'EOF'
# labs/bridge-nat/lab.yaml:36:3
link set lo up
# labs/bridge-nat/lab.yaml:38:7
addr add 203.0.113.1/24 dev eth0
link set eth0 up
EOF
xargs -P 4 -L 1 nsenter <<'EOF'
--net=/run/netns/nsl.bridge-nat.host sysctl -qw net.ipv6.conf.all.forwarding=1
--net=/run/netns/nsl.bridge-nat.host ip -batch /run/nslab/bridge-nat/batch/nsl.bridge-nat.host.ip
--net=/run/netns/nsl.bridge-nat.h1 sysctl -qw net.ipv4.ip_forward=0
--net=/run/netns/nsl.bridge-nat.h1 ip -batch /run/nslab/bridge-nat/batch/nsl.bridge-nat.h1.ip
--net=/run/netns/nsl.bridge-nat.h2 sysctl -qw net.ipv4.ip_forward=0
--net=/run/netns/nsl.bridge-nat.h2 ip -batch /run/nslab/bridge-nat/batch/nsl.bridge-nat.h2.ip
--net=/run/netns/nsl.bridge-nat.h3 sysctl -qw net.ipv4.ip_forward=0
--net=/run/netns/nsl.bridge-nat.h3 ip -batch /run/nslab/bridge-nat/batch/nsl.bridge-nat.h3.ip
--net=/run/netns/nsl.bridge-nat.internet sysctl -qw net.ipv4.ip_forward=0
--net=/run/netns/nsl.bridge-nat.internet ip -batch /run/nslab/bridge-nat/batch/nsl.bridge-nat.internet.ip
EOF

# ── settle: wait until every bridge port forwards (the kernel applies link changes asynchronously)
# wait until every bridge port forwards
# from labs/bridge-nat/lab.yaml:42:3
# repeated until no port is "state disabled", for at most 10 s
while nsenter --net=/run/netns/nsl.bridge-nat.host bridge link show | grep -q 'state disabled'; do sleep 0.01; done

# ── firewall: NAT and firewall rule sets
# node host: NAT and Docker's filter chains
ip netns exec nsl.bridge-nat.host iptables-restore --noflush <<'EOF'
*filter
:FORWARD DROP [0:0]
:DOCKER - [0:0]
:DOCKER-ISOLATION-STAGE-1 - [0:0]
:DOCKER-ISOLATION-STAGE-2 - [0:0]
:DOCKER-USER - [0:0]
-A FORWARD -j DOCKER-USER
-A FORWARD -j DOCKER-ISOLATION-STAGE-1
-A FORWARD -o docker0 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A FORWARD -o docker0 -j DOCKER
-A FORWARD -i docker0 ! -o docker0 -j ACCEPT
-A FORWARD -i docker0 -o docker0 -j ACCEPT
-A DOCKER -d 172.17.0.2/32 ! -i docker0 -o docker0 -p tcp -m tcp --dport 80 -j ACCEPT
-A DOCKER-ISOLATION-STAGE-1 -i docker0 ! -o docker0 -j DOCKER-ISOLATION-STAGE-2
-A DOCKER-ISOLATION-STAGE-1 -j RETURN
-A DOCKER-ISOLATION-STAGE-2 -o docker0 -j DROP
-A DOCKER-ISOLATION-STAGE-2 -j RETURN
-A DOCKER-USER -j RETURN
COMMIT
*nat
:DOCKER - [0:0]
-A PREROUTING -m addrtype --dst-type LOCAL -j DOCKER
-A OUTPUT ! -d 127.0.0.0/8 -m addrtype --dst-type LOCAL -j DOCKER
-A POSTROUTING -s 172.17.0.0/16 ! -o docker0 -j MASQUERADE
-A POSTROUTING -s 172.17.0.2/32 -d 172.17.0.2/32 -p tcp -m tcp --dport 80 -j MASQUERADE
-A DOCKER -i docker0 -j RETURN
-A DOCKER ! -i docker0 -p tcp -m tcp --dport 8080 -j DNAT --to-destination 172.17.0.2:80
COMMIT
EOF

# ── daemons: long-running processes (stopped by `lab down`)
# node h1: test server on 80
# from labs/bridge-nat/lab.yaml:23:3
mkdir -p /run/nslab/bridge-nat/logs
ip netns exec nsl.bridge-nat.h1 lab agent whoami --name h1 --port 80 >/run/nslab/bridge-nat/logs/h1.whoami.log 2>&1 &
# node internet: test server on 80
# from labs/bridge-nat/lab.yaml:36:3
mkdir -p /run/nslab/bridge-nat/logs
ip netns exec nsl.bridge-nat.internet lab agent whoami --name internet --port 80 >/run/nslab/bridge-nat/logs/internet.whoami.log 2>&1 &
# node host: Docker's userland proxy for a published port
# from labs/bridge-nat/lab.yaml:19:9
mkdir -p /run/nslab/bridge-nat/logs
ip netns exec nsl.bridge-nat.host docker-proxy -proto tcp -host-ip 0.0.0.0 -host-port 8080 -container-ip 172.17.0.2 -container-port 80 >/run/nslab/bridge-nat/logs/host.docker-proxy-tcp-8080.log 2>&1 3>&1 &

# ── teardown (what `lab down` runs): stop every process inside the lab's namespaces (by PID), then
# delete the namespaces, which removes every link, bridge, address, route and rule inside them
# (commented out, so that running this script builds the lab and leaves it up)
#   ip -force -batch - <<'EOF'
#   netns del nsl.bridge-nat.host
#   netns del nsl.bridge-nat.h1
#   netns del nsl.bridge-nat.h2
#   netns del nsl.bridge-nat.h3
#   netns del nsl.bridge-nat.internet
#   EOF
