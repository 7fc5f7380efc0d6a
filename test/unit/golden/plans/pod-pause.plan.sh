#!/bin/sh
# nslab plan for lab "pod-pause" from labs/pod-pause/lab.yaml
# Run as root to build the lab by hand; these are exactly the commands `lab up` runs
# (it runs the blocks of one phase in parallel). Every line notes the lab-file place behind it.
# new namespaces start with net.ipv4.ip_forward=1, net.ipv6.conf.all.forwarding=0 (inherited from this host): only nodes that need other values get a sysctl
set -e

# ── namespaces: network namespaces (one per node, plus the lab fabric) and containers
ip -batch - <<'EOF'
# labs/pod-pause/lab.yaml:10:3 — node node1
netns add nsl.pod-pause.node1
EOF
# pod pod-a
# from labs/pod-pause/lab.yaml:12:3
docker run -d --name nsl.pod-pause.pod-a --network none --hostname pod-a --label nslab.lab=pod-pause --label nslab.node=pod-a --label nslab.pod-role=pause --cap-add NET_ADMIN --cap-add NET_RAW nslab/host:1f5bc45320f4 sleep infinity
mkdir -p /run/netns && ln -sfn "/proc/$(docker inspect -f '{{.State.Pid}}' nsl.pod-pause.pod-a)/ns/net" /run/netns/nsl.pod-pause.pod-a
# pod pod-a (joins nsl.pod-pause.pod-a)
# from labs/pod-pause/lab.yaml:16:9
docker run -d --name nsl.pod-pause.pod-a.server --network container:nsl.pod-pause.pod-a --label nslab.lab=pod-pause --label nslab.node=pod-a --label nslab.pod-container=server --cap-add NET_ADMIN --cap-add NET_RAW nslab/host:1f5bc45320f4 iperf3 -s -p 5201
# pod pod-a (joins nsl.pod-pause.pod-a)
# from labs/pod-pause/lab.yaml:18:9
docker run -d --name nsl.pod-pause.pod-a.client --network container:nsl.pod-pause.pod-a --label nslab.lab=pod-pause --label nslab.node=pod-a --label nslab.pod-container=client --cap-add NET_ADMIN --cap-add NET_RAW nslab/host:1f5bc45320f4
# pod pod-b
# from labs/pod-pause/lab.yaml:19:3
docker run -d --name nsl.pod-pause.pod-b --network none --hostname pod-b --label nslab.lab=pod-pause --label nslab.node=pod-b --label nslab.pod-role=pause --cap-add NET_ADMIN --cap-add NET_RAW nslab/host:1f5bc45320f4 sleep infinity
mkdir -p /run/netns && ln -sfn "/proc/$(docker inspect -f '{{.State.Pid}}' nsl.pod-pause.pod-b)/ns/net" /run/netns/nsl.pod-pause.pod-b
# pod pod-b (joins nsl.pod-pause.pod-b)
# from labs/pod-pause/lab.yaml:23:9
docker run -d --name nsl.pod-pause.pod-b.app --network container:nsl.pod-pause.pod-b --label nslab.lab=pod-pause --label nslab.node=pod-b --label nslab.pod-container=app --cap-add NET_ADMIN --cap-add NET_RAW nslab/host:1f5bc45320f4

# ── links: veth pairs created directly inside their namespaces
ip -batch - <<'EOF'
# labs/pod-pause/lab.yaml:31:5 — link pod-a:eth0 <-> cni0
link add pod-a-eth0 netns nsl.pod-pause.node1 index 1000 type veth peer name eth0 netns nsl.pod-pause.pod-a
# labs/pod-pause/lab.yaml:32:5 — link pod-b:eth0 <-> cni0
link add pod-b-eth0 netns nsl.pod-pause.node1 index 1001 type veth peer name eth0 netns nsl.pod-pause.pod-b
EOF

# ── configure: inside each namespace: sysctls, bridges, addresses, routes
# one batch file per namespace, run 4 at a time by xargs
mkdir -p /run/nslab/pod-pause/batch
cat >/run/nslab/pod-pause/batch/nsl.pod-pause.node1.ip <<'EOF'
# labs/pod-pause/lab.yaml:10:3
link set lo up
# labs/pod-pause/lab.yaml:26:3 — bridge cni0 in node1
link add cni0 type bridge
# labs/pod-pause/lab.yaml:31:5
link set pod-a-eth0 master cni0
# labs/pod-pause/lab.yaml:32:5
link set pod-b-eth0 master cni0
# labs/pod-pause/lab.yaml:26:3
addr add 10.244.1.1/24 dev cni0
link set cni0 up
# labs/pod-pause/lab.yaml:31:5
link set pod-a-eth0 up
# labs/pod-pause/lab.yaml:32:5
link set pod-b-eth0 up
EOF
cat >/run/nslab/pod-pause/batch/nsl.pod-pause.pod-a.ip <<'EOF'
# labs/pod-pause/lab.yaml:12:3
link set lo up
# labs/pod-pause/lab.yaml:31:6 — address from the pool
addr add 10.244.1.2/24 dev eth0
link set eth0 up
# labs/pod-pause/lab.yaml:14:14
route add default via 10.244.1.1
EOF
cat >/run/nslab/pod-pause/batch/nsl.pod-pause.pod-b.ip <<'EOF'
# labs/pod-pause/lab.yaml:19:3
link set lo up
# labs/pod-pause/lab.yaml:32:6 — address from the pool
addr add 10.244.1.3/24 dev eth0
link set eth0 up
# labs/pod-pause/lab.yaml:21:14
route add default via 10.244.1.1
EOF
xargs -P 4 -L 1 nsenter <<'EOF'
--net=/run/netns/nsl.pod-pause.node1 sysctl -qw net.ipv6.conf.all.forwarding=1
--net=/run/netns/nsl.pod-pause.node1 ip -batch /run/nslab/pod-pause/batch/nsl.pod-pause.node1.ip
--net=/run/netns/nsl.pod-pause.pod-a sysctl -qw net.ipv4.ip_forward=0
--net=/run/netns/nsl.pod-pause.pod-a ip -batch /run/nslab/pod-pause/batch/nsl.pod-pause.pod-a.ip
--net=/run/netns/nsl.pod-pause.pod-b sysctl -qw net.ipv4.ip_forward=0
--net=/run/netns/nsl.pod-pause.pod-b ip -batch /run/nslab/pod-pause/batch/nsl.pod-pause.pod-b.ip
EOF

# ── settle: wait until every bridge port forwards (the kernel applies link changes asynchronously)
# wait until every bridge port forwards
# from labs/pod-pause/lab.yaml:26:3
# repeated until no port is "state disabled", for at most 10 s
while nsenter --net=/run/netns/nsl.pod-pause.node1 bridge link show | grep -q 'state disabled'; do sleep 0.01; done

# ── teardown (what `lab down` runs): stop every process inside the lab's namespaces (by PID), then
# delete the namespaces, which removes every link, bridge, address, route and rule inside them
# (commented out, so that running this script builds the lab and leaves it up)
#   ip -force -batch - <<'EOF'
#   netns del nsl.pod-pause.node1
#   netns del nsl.pod-pause.pod-a
#   netns del nsl.pod-pause.pod-b
#   EOF
