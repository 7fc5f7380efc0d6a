/**
 * Issue 16.5: facts the labs state, pinned so that a wrong claim cannot come back. Each entry: a file, what it must
 * say, and the wrong version it must not say.
 */
import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const FACTS: readonly { file: string; says: RegExp; never: RegExp; why: string }[] = [
  { file: 'labs/ibgp-full-mesh-vs-rr/README.md', says: /about 100 nodes/, never: /few\s+hundred/, why: "Calico's guidance (and k8s-calico-rr) put the mesh's limit at about 100 nodes" },
  { file: 'labs/ibgp-full-mesh-vs-rr/README.md', says: /quadratically/, never: /sessions grow exponentially/, why: 'N(N-1)/2 is quadratic' },
  { file: 'labs/k8s-services-nftables/lab.yaml', says: /1\.29 \(alpha; beta in 1\.31, GA in 1\.33\)/, never: /Since Kubernetes 1\.31 kube-proxy/, why: 'the nftables mode was alpha in 1.29 and beta in 1.31' },
  { file: 'labs/pod-pause/lab.yaml', says: /Only the pause container \(the pod sandbox\) is made that way/, never: /app containers? (are|is) (started|created) with `?(docker run )?--net(work)?[= ]none/i, why: "note 004 says a pod's user containers are made with docker run --net=none; only the sandbox is, the apps join it" },
  { file: 'labs/docker-network-modes/lab.yaml', says: /Docker's `container:` mode on the container that plays the host/, never: /\$^/, why: "a lab's host mode joins a container's namespace, never the real host's" },
];

describe('facts the labs state (issue 16)', () => {
  for (const f of FACTS) {
    it(`${f.file}: ${f.why}`, () => {
      const text = readFileSync(f.file, 'utf8').replace(/\s+/g, ' ');
      assert.match(text, new RegExp(f.says.source.replace(/ /g, '\\s+')));
      assert.doesNotMatch(text, f.never);
    });
  }
  it('no lab says a BGP full mesh stops scaling at a few hundred nodes', () => {
    for (const d of readdirSync('labs')) for (const name of ['lab.yaml', 'README.md']) {
      let text = '';
      try {
        text = readFileSync(join('labs', d, name), 'utf8');
      } catch {
        continue;
      }
      assert.doesNotMatch(text.replace(/\s+/g, ' '), /few hundred nodes/, `${d}/${name}`);
    }
  });
});
