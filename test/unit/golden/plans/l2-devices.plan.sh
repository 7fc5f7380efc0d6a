#!/bin/sh
# nslab plan for lab "l2-devices" from labs/l2-devices/lab.yaml
# Run as root to build the lab by hand; these are exactly the commands `lab up` runs
# (it runs the blocks of one phase in parallel). Every line notes the lab-file place behind it.
# new namespaces start with net.ipv4.ip_forward=1, net.ipv6.conf.all.forwarding=0 (inherited from this host): only nodes that need other values get a sysctl
set -e

# ── namespaces: network namespaces (one per node, plus the lab fabric) and containers
ip -batch - <<'EOF'
# labs/l2-devices/lab.yaml:11:3 — node host
netns add nsl.l2-devices.host
# labs/l2-devices/lab.yaml:26:3 — node a
netns add nsl.l2-devices.a
# labs/l2-devices/lab.yaml:29:3 — node b
netns add nsl.l2-devices.b
# labs/l2-devices/lab.yaml:32:3 — node lan
netns add nsl.l2-devices.lan
# labs/l2-devices/lab.yaml:35:3 — node c1
netns add nsl.l2-devices.c1
# labs/l2-devices/lab.yaml:40:3 — node c2
netns add nsl.l2-devices.c2
EOF

# ── links: veth pairs created directly inside their namespaces
ip -batch - <<'EOF'
# labs/l2-devices/lab.yaml:50:5 — link a:eth0 <-> br0
link add a-eth0 netns nsl.l2-devices.host index 1000 type veth peer name eth0 netns nsl.l2-devices.a address 02:00:00:00:00:0a
# labs/l2-devices/lab.yaml:51:5 — link b:eth0 <-> br0
link add b-eth0 netns nsl.l2-devices.host index 1001 type veth peer name eth0 netns nsl.l2-devices.b address 02:00:00:00:00:0b
# labs/l2-devices/lab.yaml:52:5 — link host:eth0 <-> lan:eth0
link add eth0 netns nsl.l2-devices.host type veth peer name eth0 netns nsl.l2-devices.lan
EOF

# ── configure: inside each namespace: sysctls, bridges, addresses, routes
# one batch file per namespace, run 4 at a time by xargs
mkdir -p /run/nslab/l2-devices/batch
cat >/run/nslab/l2-devices/batch/nsl.l2-devices.host.ip <<'EOF'
# labs/l2-devices/lab.yaml:11:3
link set lo up
# labs/l2-devices/lab.yaml:45:3 — bridge br0 in host
link add br0 type bridge
# labs/l2-devices/lab.yaml:50:5
link set a-eth0 master br0
# labs/l2-devices/lab.yaml:51:5
link set b-eth0 master br0
# labs/l2-devices/lab.yaml:13:7
addr add 192.168.50.1/24 dev eth0
# labs/l2-devices/lab.yaml:45:3
addr add 10.0.0.1/24 dev br0
# labs/l2-devices/lab.yaml:13:7
link set eth0 up
# labs/l2-devices/lab.yaml:45:3
link set br0 up
# labs/l2-devices/lab.yaml:50:5
link set a-eth0 up
# labs/l2-devices/lab.yaml:51:5
link set b-eth0 up
EOF
cat >/run/nslab/l2-devices/batch/nsl.l2-devices.a.ip <<'EOF'
# labs/l2-devices/lab.yaml:26:3
link set lo up
# labs/l2-devices/lab.yaml:28:7
addr add 10.0.0.10/24 dev eth0
link set eth0 up
EOF
cat >/run/nslab/l2-devices/batch/nsl.l2-devices.b.ip <<'EOF'
# labs/l2-devices/lab.yaml:29:3
link set lo up
# labs/l2-devices/lab.yaml:31:7
addr add 10.0.0.11/24 dev eth0
link set eth0 up
EOF
cat >/run/nslab/l2-devices/batch/nsl.l2-devices.lan.ip <<'EOF'
# labs/l2-devices/lab.yaml:32:3
link set lo up
# labs/l2-devices/lab.yaml:34:7
addr add 192.168.50.2/24 dev eth0
link set eth0 up
EOF
cat >/run/nslab/l2-devices/batch/nsl.l2-devices.c1.ip <<'EOF'
# labs/l2-devices/lab.yaml:35:3
link set lo up
EOF
cat >/run/nslab/l2-devices/batch/nsl.l2-devices.c2.ip <<'EOF'
# labs/l2-devices/lab.yaml:40:3
link set lo up
EOF
xargs -P 4 -L 1 nsenter <<'EOF'
--net=/run/netns/nsl.l2-devices.host sysctl -qw net.ipv4.ip_forward=0
--net=/run/netns/nsl.l2-devices.host ip -batch /run/nslab/l2-devices/batch/nsl.l2-devices.host.ip
--net=/run/netns/nsl.l2-devices.a sysctl -qw net.ipv4.ip_forward=0
--net=/run/netns/nsl.l2-devices.a ip -batch /run/nslab/l2-devices/batch/nsl.l2-devices.a.ip
--net=/run/netns/nsl.l2-devices.b sysctl -qw net.ipv4.ip_forward=0
--net=/run/netns/nsl.l2-devices.b ip -batch /run/nslab/l2-devices/batch/nsl.l2-devices.b.ip
--net=/run/netns/nsl.l2-devices.lan sysctl -qw net.ipv4.ip_forward=0
--net=/run/netns/nsl.l2-devices.lan ip -batch /run/nslab/l2-devices/batch/nsl.l2-devices.lan.ip
--net=/run/netns/nsl.l2-devices.c1 sysctl -qw net.ipv4.ip_forward=0
--net=/run/netns/nsl.l2-devices.c1 ip -batch /run/nslab/l2-devices/batch/nsl.l2-devices.c1.ip
--net=/run/netns/nsl.l2-devices.c2 sysctl -qw net.ipv4.ip_forward=0
--net=/run/netns/nsl.l2-devices.c2 ip -batch /run/nslab/l2-devices/batch/nsl.l2-devices.c2.ip
EOF

# ── settle: wait until every bridge port forwards (the kernel applies link changes asynchronously)
# wait until every bridge port forwards
# from labs/l2-devices/lab.yaml:45:3
# repeated until no port is "state disabled", for at most 10 s
while nsenter --net=/run/netns/nsl.l2-devices.host bridge link show | grep -q 'state disabled'; do sleep 0.01; done

# ── exec: commands from the lab file
# from labs/l2-devices/lab.yaml:16:9
ip netns exec nsl.l2-devices.host ip tuntap add dev tap0 mode tap
# from labs/l2-devices/lab.yaml:17:9
ip netns exec nsl.l2-devices.host ip link set tap0 master br0 up
# from labs/l2-devices/lab.yaml:18:9
ip netns exec nsl.l2-devices.host ip tuntap add dev tap1 mode tap
# from labs/l2-devices/lab.yaml:19:9
ip netns exec nsl.l2-devices.host ip link set tap1 master br0 up
# from labs/l2-devices/lab.yaml:21:9
ip netns exec nsl.l2-devices.host ip link set br0 type bridge ageing_time 300
# from labs/l2-devices/lab.yaml:39:9
ip netns exec nsl.l2-devices.c1 sh -c 'lab=$(ip netns identify $$) && ip -n "${lab%.*}.host" link add mv0 link eth0 netns $$ type macvlan mode bridge && ip addr add 192.168.50.11/24 dev mv0 && ip link set mv0 up'
# from labs/l2-devices/lab.yaml:42:9
ip netns exec nsl.l2-devices.c2 sh -c 'lab=$(ip netns identify $$) && ip -n "${lab%.*}.host" link add mv0 link eth0 netns $$ type macvlan mode bridge && ip addr add 192.168.50.12/24 dev mv0 && ip link set mv0 up'

# ── daemons: long-running processes (stopped by `lab down`)
# from labs/l2-devices/lab.yaml:25:14
mkdir -p /run/nslab/l2-devices/logs
ip netns exec nsl.l2-devices.host socat -u TUN:192.0.2.1/32,tun-name=tap1,tun-type=tap,iff-no-pi OPEN:/dev/null >/run/nslab/l2-devices/logs/host.tap1-reader.log 2>&1 &

# ── teardown (what `lab down` runs): stop every process inside the lab's namespaces (by PID), then
# delete the namespaces, which removes every link, bridge, address, route and rule inside them
# (commented out, so that running this script builds the lab and leaves it up)
#   ip -force -batch - <<'EOF'
#   netns del nsl.l2-devices.host
#   netns del nsl.l2-devices.a
#   netns del nsl.l2-devices.b
#   netns del nsl.l2-devices.lan
#   netns del nsl.l2-devices.c1
#   netns del nsl.l2-devices.c2
#   EOF
