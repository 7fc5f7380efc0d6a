/** The cluster assertions (service, dns, policy, k8s-network-model) as handout exercises: the commands to type. */
import { dnsCommands, expectText as dnsExpected, type DnsParams } from '../../assertions/dns.ts';
import { modelCommands, modelExpectedText, type ModelParams } from '../../assertions/k8s-network-model.ts';
import { policyCommands, policyExpectedText, type PolicyParams } from '../../assertions/policy.ts';
import { expectedText as serviceExpected, serviceCommands, type ServiceParams } from '../../assertions/service.ts';
import type { DeletePodParams } from '../../assertions/delete-pod.ts';
import type { ResolvedTest } from '../model/types.ts';
import type { Exercise, ExerciseCommand } from './exercises.ts';

type InNode = (node: string, argv: readonly string[], label?: string) => ExerciseCommand;

export function k8sExercise(t: ResolvedTest, inNode: InNode): Exercise | undefined {
  const steps = (list: readonly { node: string; argv: readonly string[]; label?: string }[]): ExerciseCommand[] => list.map((c) => inNode(c.node, c.argv, c.label));
  switch (t.type) {
    case 'service': {
      const p = t.params as unknown as ServiceParams;
      return {
        test: t,
        action: false,
        doThis: `From ${p.from}, send ${p.requests} requests to Service ${p.service} and see which pods answer.`,
        commands: steps(serviceCommands(p)),
        expect: serviceExpected(p, p.address),
        hint: 'Each line is one request: "node" is the pod that answered, "client" the address it saw you as',
      };
    }
    case 'dns': {
      const p = t.params as unknown as DnsParams;
      return { test: t, action: false, doThis: `From ${p.from}, look up ${p.name}${p.type === 'A' ? '' : ` (${p.type})`}.`, commands: steps(dnsCommands(p)), expect: dnsExpected(p), hint: 'The ANSWER SECTION holds the records; status: NXDOMAIN means no such name' };
    }
    case 'policy': {
      const p = t.params as unknown as PolicyParams;
      const text = policyExpectedText(p);
      return { test: t, action: false, doThis: `From every pod of the table's rows, try port ${p.port}/${p.protocol} of every pod of its columns.`, commands: steps(policyCommands(p)), expect: text, hint: 'ok: true is an allowed cell (.), ok: false a denied one (X)' };
    }
    case 'k8s-network-model': {
      const p = t.params as unknown as ModelParams;
      return { test: t, action: false, doThis: 'Check the three rules of the Kubernetes network model over every pod pair and every node.', commands: steps(modelCommands(p)), expect: modelExpectedText(p) };
    }
    case 'delete-pod': {
      const p = t.params as unknown as DeletePodParams;
      const look = p.reloads.map((r) => inNode(r.node, p.kubeProxy === 'nftables' ? ['nft', 'list', 'table', 'ip', 'kube-proxy'] : ['iptables-save', '-t', 'nat'], `on ${r.node}: before and after, the endpoint chains of ${p.pods.join(', ')}`));
      return {
        test: t,
        action: true,
        doThis: `Delete ${p.pods.join(', ')}: kube-proxy drops ${p.endpoints} endpoint${p.endpoints === 1 ? '' : 's'} from every node's rules (\`lab test\` reloads them), then the pod leaves the network. The exercises after this one see the change.`,
        commands: [...look, ...p.pods.map((pod) => inNode(pod, ['ip', 'link', 'set', 'eth0', 'down'], `the pod ${pod} leaves the network`))],
        expect: `${p.pods.join(', ')} no longer among the endpoints on any node`,
      };
    }
    default:
      return undefined;
  }
}
