#!/bin/sh
# nslab plan for lab "cni-by-hand" from labs/cni-by-hand/lab.yaml
# Run as root to build the lab by hand; these are exactly the commands `lab up` runs
# (it runs the blocks of one phase in parallel). Every line notes the lab-file place behind it.
# new namespaces start with net.ipv4.ip_forward=1, net.ipv6.conf.all.forwarding=0 (inherited from this host): only nodes that need other values get a sysctl
set -e

# ── namespaces: network namespaces (one per node, plus the lab fabric) and containers
ip -batch - <<'EOF'
# labs/cni-by-hand/lab.yaml:2:7 — the lab fabric: bridges that belong to no node
netns add nsl.cni-by-hand
# labs/cni-by-hand/lab.yaml:15:5 — node node-1
netns add nsl.cni-by-hand.node-1
# labs/cni-by-hand/lab.yaml:17:5 — node web
netns add nsl.cni-by-hand.web
# labs/cni-by-hand/lab.yaml:19:5 — node client
netns add nsl.cni-by-hand.client
EOF

# ── links: veth pairs created directly inside their namespaces
ip -batch - <<'EOF'
# labs/cni-by-hand/lab.yaml:15:13 — link node-1:eth0 <-> k8s-net
link add node-1-eth0 netns nsl.cni-by-hand index 1000 type veth peer name eth0 netns nsl.cni-by-hand.node-1
EOF

# ── configure: inside each namespace: sysctls, bridges, addresses, routes
# one batch file per namespace, run 4 at a time by xargs
mkdir -p /run/nslab/cni-by-hand/batch
cat >/run/nslab/cni-by-hand/batch/nsl.cni-by-hand.node-1.ip <<'EOF'
# labs/cni-by-hand/lab.yaml:15:5
link set lo up
# labs/cni-by-hand/lab.yaml:15:13
addr add 192.168.56.11/24 dev eth0
link set eth0 up
# labs/cni-by-hand/lab.yaml:12:5
route add 10.96.0.0/12 dev eth0
EOF
cat >/run/nslab/cni-by-hand/batch/nsl.cni-by-hand.web.ip <<'EOF'
# labs/cni-by-hand/lab.yaml:17:5
link set lo up
EOF
cat >/run/nslab/cni-by-hand/batch/nsl.cni-by-hand.client.ip <<'EOF'
# labs/cni-by-hand/lab.yaml:19:5
link set lo up
EOF
cat >/run/nslab/cni-by-hand/batch/nsl.cni-by-hand.ip <<'EOF'
# labs/cni-by-hand/lab.yaml:2:7
link set lo up
# labs/cni-by-hand/lab.yaml:11:3 — bridge k8s-net
link add k8s-net type bridge
# labs/cni-by-hand/lab.yaml:15:13
link set node-1-eth0 master k8s-net
# labs/cni-by-hand/lab.yaml:11:3
link set k8s-net up
# labs/cni-by-hand/lab.yaml:15:13
link set node-1-eth0 up
EOF
xargs -P 4 -L 1 nsenter <<'EOF'
--net=/run/netns/nsl.cni-by-hand.node-1 sysctl -qw net.ipv6.conf.all.forwarding=1
--net=/run/netns/nsl.cni-by-hand.node-1 ip -batch /run/nslab/cni-by-hand/batch/nsl.cni-by-hand.node-1.ip
--net=/run/netns/nsl.cni-by-hand.web sysctl -qw net.ipv4.ip_forward=0
--net=/run/netns/nsl.cni-by-hand.web ip -batch /run/nslab/cni-by-hand/batch/nsl.cni-by-hand.web.ip
--net=/run/netns/nsl.cni-by-hand.client sysctl -qw net.ipv4.ip_forward=0
--net=/run/netns/nsl.cni-by-hand.client ip -batch /run/nslab/cni-by-hand/batch/nsl.cni-by-hand.client.ip
--net=/run/netns/nsl.cni-by-hand ip -batch /run/nslab/cni-by-hand/batch/nsl.cni-by-hand.ip
EOF

# ── settle: wait until every bridge port forwards (the kernel applies link changes asynchronously)
# wait until every bridge port forwards
# from labs/cni-by-hand/lab.yaml:11:3
# repeated until no port is "state disabled", for at most 10 s
while nsenter --net=/run/netns/nsl.cni-by-hand bridge link show | grep -q 'state disabled'; do sleep 0.01; done

# ── firewall: NAT and firewall rule sets
# node node-1: kube-proxy (iptables mode)
ip netns exec nsl.cni-by-hand.node-1 iptables-restore --noflush <<'EOF'
# kube-proxy (iptables mode) rules for node node-1, written by nslab; load with iptables-restore
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
:KUBE-SEP-NRFUO7XKMWLPJJAE - [0:0]
-A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
-A OUTPUT -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
-A POSTROUTING -m comment --comment "kubernetes postrouting rules" -j KUBE-POSTROUTING
-A KUBE-POSTROUTING -m mark ! --mark 0x4000/0x4000 -j RETURN
-A KUBE-POSTROUTING -j MARK --xor-mark 0x4000
-A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE --random-fully
-A KUBE-MARK-MASQ -j MARK --or-mark 0x4000
-A KUBE-SERVICES -m comment --comment "default/web cluster IP" -m tcp -p tcp -d 10.96.0.11 --dport 80 -j KUBE-SVC-LOLE4ISW44XBNF3G
-A KUBE-SVC-LOLE4ISW44XBNF3G -m comment --comment "default/web cluster IP" -m tcp -p tcp -d 10.96.0.11 --dport 80 ! -s 10.244.0.0/16 -j KUBE-MARK-MASQ
-A KUBE-SVC-LOLE4ISW44XBNF3G -m comment --comment "default/web -> 10.244.0.2:80" -j KUBE-SEP-NRFUO7XKMWLPJJAE
-A KUBE-SEP-NRFUO7XKMWLPJJAE -m comment --comment default/web -s 10.244.0.2 -j KUBE-MARK-MASQ
-A KUBE-SEP-NRFUO7XKMWLPJJAE -m comment --comment default/web -m tcp -p tcp -j DNAT --to-destination 10.244.0.2:80
-A KUBE-SERVICES -m comment --comment "kubernetes service nodeports; NOTE: this must be the last rule in this chain" -m addrtype --dst-type LOCAL ! -d 127.0.0.0/8 -j KUBE-NODEPORTS
COMMIT
EOF

# ── exec: commands from the lab file
# pod web: the CNI plugins of network cbr0 (bridge → portmap → firewall → tuning), run as a container runtime runs them
# from labs/cni-by-hand/lab.yaml:17:5
# the runtime first brings up lo with the loopback plugin
CNI_COMMAND=ADD CNI_CONTAINERID=57513d5d589420925e46187e95f41bbe5f03d8021c03ac434e0772ee0bc282a4 CNI_NETNS=/run/netns/nsl.cni-by-hand.web CNI_IFNAME=lo CNI_PATH=/usr/lib/cni CNI_ARGS='IgnoreUnknown=1;K8S_POD_NAMESPACE=default;K8S_POD_NAME=web;K8S_POD_INFRA_CONTAINER_ID=57513d5d589420925e46187e95f41bbe5f03d8021c03ac434e0772ee0bc282a4' ip netns exec nsl.cni-by-hand.node-1 /usr/lib/cni/loopback <<'EOF'
{
  "cniVersion": "1.0.0",
  "name": "cni-loopback",
  "type": "loopback"
}
EOF
# plugin 1/4 of network cbr0: bridge (labs/cni-by-hand/10-cbr0.conflist:5:5)
prev=$(CNI_COMMAND=ADD CNI_CONTAINERID=57513d5d589420925e46187e95f41bbe5f03d8021c03ac434e0772ee0bc282a4 CNI_NETNS=/run/netns/nsl.cni-by-hand.web CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni CNI_ARGS='IgnoreUnknown=1;K8S_POD_NAMESPACE=default;K8S_POD_NAME=web;K8S_POD_INFRA_CONTAINER_ID=57513d5d589420925e46187e95f41bbe5f03d8021c03ac434e0772ee0bc282a4;IP=10.244.0.2' ip netns exec nsl.cni-by-hand.node-1 /usr/lib/cni/bridge <<'EOF'
{
  "cniVersion": "1.0.0",
  "name": "cbr0",
  "type": "bridge",
  "bridge": "cni0",
  "isGateway": true,
  "ipMasq": true,
  "hairpinMode": true,
  "ipam": {
    "type": "host-local",
    "routes": [
      {
        "dst": "0.0.0.0/0"
      }
    ],
    "dataDir": "/run/nslab/cni-by-hand/cni/node-1/host-local",
    "ranges": [
      [
        {
          "subnet": "10.244.0.0/24"
        }
      ]
    ]
  }
}
EOF
)
echo "$prev"
# plugin 2/4 of network cbr0: portmap (labs/cni-by-hand/10-cbr0.conflist:16:5), given the previous result as prevResult
prev=$(jq -c --argjson prevResult "$prev" '. + {prevResult: $prevResult}' <<'EOF' | CNI_COMMAND=ADD CNI_CONTAINERID=57513d5d589420925e46187e95f41bbe5f03d8021c03ac434e0772ee0bc282a4 CNI_NETNS=/run/netns/nsl.cni-by-hand.web CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni CNI_ARGS='IgnoreUnknown=1;K8S_POD_NAMESPACE=default;K8S_POD_NAME=web;K8S_POD_INFRA_CONTAINER_ID=57513d5d589420925e46187e95f41bbe5f03d8021c03ac434e0772ee0bc282a4' ip netns exec nsl.cni-by-hand.node-1 /usr/lib/cni/portmap
{
  "cniVersion": "1.0.0",
  "name": "cbr0",
  "type": "portmap",
  "capabilities": {
    "portMappings": true
  },
  "runtimeConfig": {
    "portMappings": []
  }
}
EOF
)
echo "$prev"
# plugin 3/4 of network cbr0: firewall (labs/cni-by-hand/10-cbr0.conflist:20:5), given the previous result as prevResult
prev=$(jq -c --argjson prevResult "$prev" '. + {prevResult: $prevResult}' <<'EOF' | CNI_COMMAND=ADD CNI_CONTAINERID=57513d5d589420925e46187e95f41bbe5f03d8021c03ac434e0772ee0bc282a4 CNI_NETNS=/run/netns/nsl.cni-by-hand.web CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni CNI_ARGS='IgnoreUnknown=1;K8S_POD_NAMESPACE=default;K8S_POD_NAME=web;K8S_POD_INFRA_CONTAINER_ID=57513d5d589420925e46187e95f41bbe5f03d8021c03ac434e0772ee0bc282a4' ip netns exec nsl.cni-by-hand.node-1 /usr/lib/cni/firewall
{
  "cniVersion": "1.0.0",
  "name": "cbr0",
  "type": "firewall"
}
EOF
)
echo "$prev"
# plugin 4/4 of network cbr0: tuning (labs/cni-by-hand/10-cbr0.conflist:23:5), given the previous result as prevResult
prev=$(jq -c --argjson prevResult "$prev" '. + {prevResult: $prevResult}' <<'EOF' | CNI_COMMAND=ADD CNI_CONTAINERID=57513d5d589420925e46187e95f41bbe5f03d8021c03ac434e0772ee0bc282a4 CNI_NETNS=/run/netns/nsl.cni-by-hand.web CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni CNI_ARGS='IgnoreUnknown=1;K8S_POD_NAMESPACE=default;K8S_POD_NAME=web;K8S_POD_INFRA_CONTAINER_ID=57513d5d589420925e46187e95f41bbe5f03d8021c03ac434e0772ee0bc282a4' ip netns exec nsl.cni-by-hand.node-1 /usr/lib/cni/tuning
{
  "cniVersion": "1.0.0",
  "name": "cbr0",
  "type": "tuning",
  "sysctl": {
    "net.ipv4.conf.eth0.accept_redirects": "0"
  }
}
EOF
)
echo "$prev"
# CHECK (cniVersion 1.0.0 ≥ 0.4.0): every plugin again, each given the final result as prevResult
final="$prev"
jq -c --argjson prevResult "$final" '. + {prevResult: $prevResult}' <<'EOF' | CNI_COMMAND=CHECK CNI_CONTAINERID=57513d5d589420925e46187e95f41bbe5f03d8021c03ac434e0772ee0bc282a4 CNI_NETNS=/run/netns/nsl.cni-by-hand.web CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni CNI_ARGS='IgnoreUnknown=1;K8S_POD_NAMESPACE=default;K8S_POD_NAME=web;K8S_POD_INFRA_CONTAINER_ID=57513d5d589420925e46187e95f41bbe5f03d8021c03ac434e0772ee0bc282a4;IP=10.244.0.2' ip netns exec nsl.cni-by-hand.node-1 /usr/lib/cni/bridge
{
  "cniVersion": "1.0.0",
  "name": "cbr0",
  "type": "bridge",
  "bridge": "cni0",
  "isGateway": true,
  "ipMasq": true,
  "hairpinMode": true,
  "ipam": {
    "type": "host-local",
    "routes": [
      {
        "dst": "0.0.0.0/0"
      }
    ],
    "dataDir": "/run/nslab/cni-by-hand/cni/node-1/host-local",
    "ranges": [
      [
        {
          "subnet": "10.244.0.0/24"
        }
      ]
    ]
  }
}
EOF
jq -c --argjson prevResult "$final" '. + {prevResult: $prevResult}' <<'EOF' | CNI_COMMAND=CHECK CNI_CONTAINERID=57513d5d589420925e46187e95f41bbe5f03d8021c03ac434e0772ee0bc282a4 CNI_NETNS=/run/netns/nsl.cni-by-hand.web CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni CNI_ARGS='IgnoreUnknown=1;K8S_POD_NAMESPACE=default;K8S_POD_NAME=web;K8S_POD_INFRA_CONTAINER_ID=57513d5d589420925e46187e95f41bbe5f03d8021c03ac434e0772ee0bc282a4' ip netns exec nsl.cni-by-hand.node-1 /usr/lib/cni/portmap
{
  "cniVersion": "1.0.0",
  "name": "cbr0",
  "type": "portmap",
  "capabilities": {
    "portMappings": true
  },
  "runtimeConfig": {
    "portMappings": []
  }
}
EOF
jq -c --argjson prevResult "$final" '. + {prevResult: $prevResult}' <<'EOF' | CNI_COMMAND=CHECK CNI_CONTAINERID=57513d5d589420925e46187e95f41bbe5f03d8021c03ac434e0772ee0bc282a4 CNI_NETNS=/run/netns/nsl.cni-by-hand.web CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni CNI_ARGS='IgnoreUnknown=1;K8S_POD_NAMESPACE=default;K8S_POD_NAME=web;K8S_POD_INFRA_CONTAINER_ID=57513d5d589420925e46187e95f41bbe5f03d8021c03ac434e0772ee0bc282a4' ip netns exec nsl.cni-by-hand.node-1 /usr/lib/cni/firewall
{
  "cniVersion": "1.0.0",
  "name": "cbr0",
  "type": "firewall"
}
EOF
jq -c --argjson prevResult "$final" '. + {prevResult: $prevResult}' <<'EOF' | CNI_COMMAND=CHECK CNI_CONTAINERID=57513d5d589420925e46187e95f41bbe5f03d8021c03ac434e0772ee0bc282a4 CNI_NETNS=/run/netns/nsl.cni-by-hand.web CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni CNI_ARGS='IgnoreUnknown=1;K8S_POD_NAMESPACE=default;K8S_POD_NAME=web;K8S_POD_INFRA_CONTAINER_ID=57513d5d589420925e46187e95f41bbe5f03d8021c03ac434e0772ee0bc282a4' ip netns exec nsl.cni-by-hand.node-1 /usr/lib/cni/tuning
{
  "cniVersion": "1.0.0",
  "name": "cbr0",
  "type": "tuning",
  "sysctl": {
    "net.ipv4.conf.eth0.accept_redirects": "0"
  }
}
EOF
# nslab records every result in /run/nslab/cni-by-hand/cni/web.json (and the lab's state); lab down runs DEL in reverse order
# pod client: the CNI plugins of network cbr0 (bridge → portmap → firewall → tuning), run as a container runtime runs them
# from labs/cni-by-hand/lab.yaml:19:5
# the runtime first brings up lo with the loopback plugin
CNI_COMMAND=ADD CNI_CONTAINERID=bc0103c4490a25487003a112f9fe6c6407cd2507c9b863249b5eee940a1fba00 CNI_NETNS=/run/netns/nsl.cni-by-hand.client CNI_IFNAME=lo CNI_PATH=/usr/lib/cni CNI_ARGS='IgnoreUnknown=1;K8S_POD_NAMESPACE=default;K8S_POD_NAME=client;K8S_POD_INFRA_CONTAINER_ID=bc0103c4490a25487003a112f9fe6c6407cd2507c9b863249b5eee940a1fba00' ip netns exec nsl.cni-by-hand.node-1 /usr/lib/cni/loopback <<'EOF'
{
  "cniVersion": "1.0.0",
  "name": "cni-loopback",
  "type": "loopback"
}
EOF
# plugin 1/4 of network cbr0: bridge (labs/cni-by-hand/10-cbr0.conflist:5:5)
prev=$(CNI_COMMAND=ADD CNI_CONTAINERID=bc0103c4490a25487003a112f9fe6c6407cd2507c9b863249b5eee940a1fba00 CNI_NETNS=/run/netns/nsl.cni-by-hand.client CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni CNI_ARGS='IgnoreUnknown=1;K8S_POD_NAMESPACE=default;K8S_POD_NAME=client;K8S_POD_INFRA_CONTAINER_ID=bc0103c4490a25487003a112f9fe6c6407cd2507c9b863249b5eee940a1fba00;IP=10.244.0.3' ip netns exec nsl.cni-by-hand.node-1 /usr/lib/cni/bridge <<'EOF'
{
  "cniVersion": "1.0.0",
  "name": "cbr0",
  "type": "bridge",
  "bridge": "cni0",
  "isGateway": true,
  "ipMasq": true,
  "hairpinMode": true,
  "ipam": {
    "type": "host-local",
    "routes": [
      {
        "dst": "0.0.0.0/0"
      }
    ],
    "dataDir": "/run/nslab/cni-by-hand/cni/node-1/host-local",
    "ranges": [
      [
        {
          "subnet": "10.244.0.0/24"
        }
      ]
    ]
  }
}
EOF
)
echo "$prev"
# plugin 2/4 of network cbr0: portmap (labs/cni-by-hand/10-cbr0.conflist:16:5), given the previous result as prevResult
prev=$(jq -c --argjson prevResult "$prev" '. + {prevResult: $prevResult}' <<'EOF' | CNI_COMMAND=ADD CNI_CONTAINERID=bc0103c4490a25487003a112f9fe6c6407cd2507c9b863249b5eee940a1fba00 CNI_NETNS=/run/netns/nsl.cni-by-hand.client CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni CNI_ARGS='IgnoreUnknown=1;K8S_POD_NAMESPACE=default;K8S_POD_NAME=client;K8S_POD_INFRA_CONTAINER_ID=bc0103c4490a25487003a112f9fe6c6407cd2507c9b863249b5eee940a1fba00' ip netns exec nsl.cni-by-hand.node-1 /usr/lib/cni/portmap
{
  "cniVersion": "1.0.0",
  "name": "cbr0",
  "type": "portmap",
  "capabilities": {
    "portMappings": true
  },
  "runtimeConfig": {
    "portMappings": []
  }
}
EOF
)
echo "$prev"
# plugin 3/4 of network cbr0: firewall (labs/cni-by-hand/10-cbr0.conflist:20:5), given the previous result as prevResult
prev=$(jq -c --argjson prevResult "$prev" '. + {prevResult: $prevResult}' <<'EOF' | CNI_COMMAND=ADD CNI_CONTAINERID=bc0103c4490a25487003a112f9fe6c6407cd2507c9b863249b5eee940a1fba00 CNI_NETNS=/run/netns/nsl.cni-by-hand.client CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni CNI_ARGS='IgnoreUnknown=1;K8S_POD_NAMESPACE=default;K8S_POD_NAME=client;K8S_POD_INFRA_CONTAINER_ID=bc0103c4490a25487003a112f9fe6c6407cd2507c9b863249b5eee940a1fba00' ip netns exec nsl.cni-by-hand.node-1 /usr/lib/cni/firewall
{
  "cniVersion": "1.0.0",
  "name": "cbr0",
  "type": "firewall"
}
EOF
)
echo "$prev"
# plugin 4/4 of network cbr0: tuning (labs/cni-by-hand/10-cbr0.conflist:23:5), given the previous result as prevResult
prev=$(jq -c --argjson prevResult "$prev" '. + {prevResult: $prevResult}' <<'EOF' | CNI_COMMAND=ADD CNI_CONTAINERID=bc0103c4490a25487003a112f9fe6c6407cd2507c9b863249b5eee940a1fba00 CNI_NETNS=/run/netns/nsl.cni-by-hand.client CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni CNI_ARGS='IgnoreUnknown=1;K8S_POD_NAMESPACE=default;K8S_POD_NAME=client;K8S_POD_INFRA_CONTAINER_ID=bc0103c4490a25487003a112f9fe6c6407cd2507c9b863249b5eee940a1fba00' ip netns exec nsl.cni-by-hand.node-1 /usr/lib/cni/tuning
{
  "cniVersion": "1.0.0",
  "name": "cbr0",
  "type": "tuning",
  "sysctl": {
    "net.ipv4.conf.eth0.accept_redirects": "0"
  }
}
EOF
)
echo "$prev"
# CHECK (cniVersion 1.0.0 ≥ 0.4.0): every plugin again, each given the final result as prevResult
final="$prev"
jq -c --argjson prevResult "$final" '. + {prevResult: $prevResult}' <<'EOF' | CNI_COMMAND=CHECK CNI_CONTAINERID=bc0103c4490a25487003a112f9fe6c6407cd2507c9b863249b5eee940a1fba00 CNI_NETNS=/run/netns/nsl.cni-by-hand.client CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni CNI_ARGS='IgnoreUnknown=1;K8S_POD_NAMESPACE=default;K8S_POD_NAME=client;K8S_POD_INFRA_CONTAINER_ID=bc0103c4490a25487003a112f9fe6c6407cd2507c9b863249b5eee940a1fba00;IP=10.244.0.3' ip netns exec nsl.cni-by-hand.node-1 /usr/lib/cni/bridge
{
  "cniVersion": "1.0.0",
  "name": "cbr0",
  "type": "bridge",
  "bridge": "cni0",
  "isGateway": true,
  "ipMasq": true,
  "hairpinMode": true,
  "ipam": {
    "type": "host-local",
    "routes": [
      {
        "dst": "0.0.0.0/0"
      }
    ],
    "dataDir": "/run/nslab/cni-by-hand/cni/node-1/host-local",
    "ranges": [
      [
        {
          "subnet": "10.244.0.0/24"
        }
      ]
    ]
  }
}
EOF
jq -c --argjson prevResult "$final" '. + {prevResult: $prevResult}' <<'EOF' | CNI_COMMAND=CHECK CNI_CONTAINERID=bc0103c4490a25487003a112f9fe6c6407cd2507c9b863249b5eee940a1fba00 CNI_NETNS=/run/netns/nsl.cni-by-hand.client CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni CNI_ARGS='IgnoreUnknown=1;K8S_POD_NAMESPACE=default;K8S_POD_NAME=client;K8S_POD_INFRA_CONTAINER_ID=bc0103c4490a25487003a112f9fe6c6407cd2507c9b863249b5eee940a1fba00' ip netns exec nsl.cni-by-hand.node-1 /usr/lib/cni/portmap
{
  "cniVersion": "1.0.0",
  "name": "cbr0",
  "type": "portmap",
  "capabilities": {
    "portMappings": true
  },
  "runtimeConfig": {
    "portMappings": []
  }
}
EOF
jq -c --argjson prevResult "$final" '. + {prevResult: $prevResult}' <<'EOF' | CNI_COMMAND=CHECK CNI_CONTAINERID=bc0103c4490a25487003a112f9fe6c6407cd2507c9b863249b5eee940a1fba00 CNI_NETNS=/run/netns/nsl.cni-by-hand.client CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni CNI_ARGS='IgnoreUnknown=1;K8S_POD_NAMESPACE=default;K8S_POD_NAME=client;K8S_POD_INFRA_CONTAINER_ID=bc0103c4490a25487003a112f9fe6c6407cd2507c9b863249b5eee940a1fba00' ip netns exec nsl.cni-by-hand.node-1 /usr/lib/cni/firewall
{
  "cniVersion": "1.0.0",
  "name": "cbr0",
  "type": "firewall"
}
EOF
jq -c --argjson prevResult "$final" '. + {prevResult: $prevResult}' <<'EOF' | CNI_COMMAND=CHECK CNI_CONTAINERID=bc0103c4490a25487003a112f9fe6c6407cd2507c9b863249b5eee940a1fba00 CNI_NETNS=/run/netns/nsl.cni-by-hand.client CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni CNI_ARGS='IgnoreUnknown=1;K8S_POD_NAMESPACE=default;K8S_POD_NAME=client;K8S_POD_INFRA_CONTAINER_ID=bc0103c4490a25487003a112f9fe6c6407cd2507c9b863249b5eee940a1fba00' ip netns exec nsl.cni-by-hand.node-1 /usr/lib/cni/tuning
{
  "cniVersion": "1.0.0",
  "name": "cbr0",
  "type": "tuning",
  "sysctl": {
    "net.ipv4.conf.eth0.accept_redirects": "0"
  }
}
EOF
# nslab records every result in /run/nslab/cni-by-hand/cni/client.json (and the lab's state); lab down runs DEL in reverse order

# ── daemons: long-running processes (stopped by `lab down`)
# pod web: answers with its name and the client address on 80/tcp
# from labs/cni-by-hand/lab.yaml:17:5
mkdir -p /run/nslab/cni-by-hand/logs
ip netns exec nsl.cni-by-hand.web lab agent whoami --name web --port 80 >/run/nslab/cni-by-hand/logs/web.whoami.log 2>&1 &
# pod client: answers with its name and the client address on 80/tcp
# from labs/cni-by-hand/lab.yaml:19:5
mkdir -p /run/nslab/cni-by-hand/logs
ip netns exec nsl.cni-by-hand.client lab agent whoami --name client --port 80 >/run/nslab/cni-by-hand/logs/client.whoami.log 2>&1 &

# ── teardown (what `lab down` runs): stop every process inside the lab's namespaces (by PID), then
# delete the namespaces, which removes every link, bridge, address, route and rule inside them
# (commented out, so that running this script builds the lab and leaves it up)
# first, CNI DEL for every pod the plugins networked (last pod first), from the record of its ADD:
#   final=$(jq -c '.results[-1].result' /run/nslab/cni-by-hand/cni/client.json)
#   jq -c --argjson prevResult "$final" '. + {prevResult: $prevResult}' <<'EOF' | CNI_COMMAND=DEL CNI_CONTAINERID=bc0103c4490a25487003a112f9fe6c6407cd2507c9b863249b5eee940a1fba00 CNI_NETNS=/run/netns/nsl.cni-by-hand.client CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni CNI_ARGS='IgnoreUnknown=1;K8S_POD_NAMESPACE=default;K8S_POD_NAME=client;K8S_POD_INFRA_CONTAINER_ID=bc0103c4490a25487003a112f9fe6c6407cd2507c9b863249b5eee940a1fba00' ip netns exec nsl.cni-by-hand.node-1 /usr/lib/cni/tuning
#   {
#     "cniVersion": "1.0.0",
#     "name": "cbr0",
#     "type": "tuning",
#     "sysctl": {
#       "net.ipv4.conf.eth0.accept_redirects": "0"
#     }
#   }
#   EOF
#   jq -c --argjson prevResult "$final" '. + {prevResult: $prevResult}' <<'EOF' | CNI_COMMAND=DEL CNI_CONTAINERID=bc0103c4490a25487003a112f9fe6c6407cd2507c9b863249b5eee940a1fba00 CNI_NETNS=/run/netns/nsl.cni-by-hand.client CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni CNI_ARGS='IgnoreUnknown=1;K8S_POD_NAMESPACE=default;K8S_POD_NAME=client;K8S_POD_INFRA_CONTAINER_ID=bc0103c4490a25487003a112f9fe6c6407cd2507c9b863249b5eee940a1fba00' ip netns exec nsl.cni-by-hand.node-1 /usr/lib/cni/firewall
#   {
#     "cniVersion": "1.0.0",
#     "name": "cbr0",
#     "type": "firewall"
#   }
#   EOF
#   jq -c --argjson prevResult "$final" '. + {prevResult: $prevResult}' <<'EOF' | CNI_COMMAND=DEL CNI_CONTAINERID=bc0103c4490a25487003a112f9fe6c6407cd2507c9b863249b5eee940a1fba00 CNI_NETNS=/run/netns/nsl.cni-by-hand.client CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni CNI_ARGS='IgnoreUnknown=1;K8S_POD_NAMESPACE=default;K8S_POD_NAME=client;K8S_POD_INFRA_CONTAINER_ID=bc0103c4490a25487003a112f9fe6c6407cd2507c9b863249b5eee940a1fba00' ip netns exec nsl.cni-by-hand.node-1 /usr/lib/cni/portmap
#   {
#     "cniVersion": "1.0.0",
#     "name": "cbr0",
#     "type": "portmap",
#     "capabilities": {
#       "portMappings": true
#     },
#     "runtimeConfig": {
#       "portMappings": []
#     }
#   }
#   EOF
#   jq -c --argjson prevResult "$final" '. + {prevResult: $prevResult}' <<'EOF' | CNI_COMMAND=DEL CNI_CONTAINERID=bc0103c4490a25487003a112f9fe6c6407cd2507c9b863249b5eee940a1fba00 CNI_NETNS=/run/netns/nsl.cni-by-hand.client CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni CNI_ARGS='IgnoreUnknown=1;K8S_POD_NAMESPACE=default;K8S_POD_NAME=client;K8S_POD_INFRA_CONTAINER_ID=bc0103c4490a25487003a112f9fe6c6407cd2507c9b863249b5eee940a1fba00;IP=10.244.0.3' ip netns exec nsl.cni-by-hand.node-1 /usr/lib/cni/bridge
#   {
#     "cniVersion": "1.0.0",
#     "name": "cbr0",
#     "type": "bridge",
#     "bridge": "cni0",
#     "isGateway": true,
#     "ipMasq": true,
#     "hairpinMode": true,
#     "ipam": {
#       "type": "host-local",
#       "routes": [
#         {
#           "dst": "0.0.0.0/0"
#         }
#       ],
#       "dataDir": "/run/nslab/cni-by-hand/cni/node-1/host-local",
#       "ranges": [
#         [
#           {
#             "subnet": "10.244.0.0/24"
#           }
#         ]
#       ]
#     }
#   }
#   EOF
#   CNI_COMMAND=DEL CNI_CONTAINERID=bc0103c4490a25487003a112f9fe6c6407cd2507c9b863249b5eee940a1fba00 CNI_NETNS=/run/netns/nsl.cni-by-hand.client CNI_IFNAME=lo CNI_PATH=/usr/lib/cni CNI_ARGS='IgnoreUnknown=1;K8S_POD_NAMESPACE=default;K8S_POD_NAME=client;K8S_POD_INFRA_CONTAINER_ID=bc0103c4490a25487003a112f9fe6c6407cd2507c9b863249b5eee940a1fba00' ip netns exec nsl.cni-by-hand.node-1 /usr/lib/cni/loopback <<'EOF'
#   {
#     "cniVersion": "1.0.0",
#     "name": "cni-loopback",
#     "type": "loopback"
#   }
#   EOF
#   final=$(jq -c '.results[-1].result' /run/nslab/cni-by-hand/cni/web.json)
#   jq -c --argjson prevResult "$final" '. + {prevResult: $prevResult}' <<'EOF' | CNI_COMMAND=DEL CNI_CONTAINERID=57513d5d589420925e46187e95f41bbe5f03d8021c03ac434e0772ee0bc282a4 CNI_NETNS=/run/netns/nsl.cni-by-hand.web CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni CNI_ARGS='IgnoreUnknown=1;K8S_POD_NAMESPACE=default;K8S_POD_NAME=web;K8S_POD_INFRA_CONTAINER_ID=57513d5d589420925e46187e95f41bbe5f03d8021c03ac434e0772ee0bc282a4' ip netns exec nsl.cni-by-hand.node-1 /usr/lib/cni/tuning
#   {
#     "cniVersion": "1.0.0",
#     "name": "cbr0",
#     "type": "tuning",
#     "sysctl": {
#       "net.ipv4.conf.eth0.accept_redirects": "0"
#     }
#   }
#   EOF
#   jq -c --argjson prevResult "$final" '. + {prevResult: $prevResult}' <<'EOF' | CNI_COMMAND=DEL CNI_CONTAINERID=57513d5d589420925e46187e95f41bbe5f03d8021c03ac434e0772ee0bc282a4 CNI_NETNS=/run/netns/nsl.cni-by-hand.web CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni CNI_ARGS='IgnoreUnknown=1;K8S_POD_NAMESPACE=default;K8S_POD_NAME=web;K8S_POD_INFRA_CONTAINER_ID=57513d5d589420925e46187e95f41bbe5f03d8021c03ac434e0772ee0bc282a4' ip netns exec nsl.cni-by-hand.node-1 /usr/lib/cni/firewall
#   {
#     "cniVersion": "1.0.0",
#     "name": "cbr0",
#     "type": "firewall"
#   }
#   EOF
#   jq -c --argjson prevResult "$final" '. + {prevResult: $prevResult}' <<'EOF' | CNI_COMMAND=DEL CNI_CONTAINERID=57513d5d589420925e46187e95f41bbe5f03d8021c03ac434e0772ee0bc282a4 CNI_NETNS=/run/netns/nsl.cni-by-hand.web CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni CNI_ARGS='IgnoreUnknown=1;K8S_POD_NAMESPACE=default;K8S_POD_NAME=web;K8S_POD_INFRA_CONTAINER_ID=57513d5d589420925e46187e95f41bbe5f03d8021c03ac434e0772ee0bc282a4' ip netns exec nsl.cni-by-hand.node-1 /usr/lib/cni/portmap
#   {
#     "cniVersion": "1.0.0",
#     "name": "cbr0",
#     "type": "portmap",
#     "capabilities": {
#       "portMappings": true
#     },
#     "runtimeConfig": {
#       "portMappings": []
#     }
#   }
#   EOF
#   jq -c --argjson prevResult "$final" '. + {prevResult: $prevResult}' <<'EOF' | CNI_COMMAND=DEL CNI_CONTAINERID=57513d5d589420925e46187e95f41bbe5f03d8021c03ac434e0772ee0bc282a4 CNI_NETNS=/run/netns/nsl.cni-by-hand.web CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni CNI_ARGS='IgnoreUnknown=1;K8S_POD_NAMESPACE=default;K8S_POD_NAME=web;K8S_POD_INFRA_CONTAINER_ID=57513d5d589420925e46187e95f41bbe5f03d8021c03ac434e0772ee0bc282a4;IP=10.244.0.2' ip netns exec nsl.cni-by-hand.node-1 /usr/lib/cni/bridge
#   {
#     "cniVersion": "1.0.0",
#     "name": "cbr0",
#     "type": "bridge",
#     "bridge": "cni0",
#     "isGateway": true,
#     "ipMasq": true,
#     "hairpinMode": true,
#     "ipam": {
#       "type": "host-local",
#       "routes": [
#         {
#           "dst": "0.0.0.0/0"
#         }
#       ],
#       "dataDir": "/run/nslab/cni-by-hand/cni/node-1/host-local",
#       "ranges": [
#         [
#           {
#             "subnet": "10.244.0.0/24"
#           }
#         ]
#       ]
#     }
#   }
#   EOF
#   CNI_COMMAND=DEL CNI_CONTAINERID=57513d5d589420925e46187e95f41bbe5f03d8021c03ac434e0772ee0bc282a4 CNI_NETNS=/run/netns/nsl.cni-by-hand.web CNI_IFNAME=lo CNI_PATH=/usr/lib/cni CNI_ARGS='IgnoreUnknown=1;K8S_POD_NAMESPACE=default;K8S_POD_NAME=web;K8S_POD_INFRA_CONTAINER_ID=57513d5d589420925e46187e95f41bbe5f03d8021c03ac434e0772ee0bc282a4' ip netns exec nsl.cni-by-hand.node-1 /usr/lib/cni/loopback <<'EOF'
#   {
#     "cniVersion": "1.0.0",
#     "name": "cni-loopback",
#     "type": "loopback"
#   }
#   EOF
#   ip -force -batch - <<'EOF'
#   netns del nsl.cni-by-hand
#   netns del nsl.cni-by-hand.node-1
#   netns del nsl.cni-by-hand.web
#   netns del nsl.cni-by-hand.client
#   EOF
