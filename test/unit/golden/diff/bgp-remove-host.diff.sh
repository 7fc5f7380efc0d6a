#!/bin/sh
# nslab: what `lab up` runs to change lab "c4-bgp" (up from test/unit/fixtures/diff/bgp.lab.yaml) to test/unit/fixtures/diff/bgp-remove-host.lab.yaml
# Exactly the commands the change runs (the blocks of one phase in parallel). What is removed goes first;
# a removal of something already gone is not an error (-force).
#
# changes:
#   - node h3 removed (its namespace, links, daemons and files)

# ── remove
# node h3: removed from the lab file
ip -n nsl.c4-bgp.h3 -force -batch - <<'EOF'
link del dev eth0
EOF
# end every process in nsl.c4-bgp.h3 (SIGTERM, then SIGKILL after 1.5 s)
ip netns del nsl.c4-bgp.h3
