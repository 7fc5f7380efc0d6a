/** The cluster's assertions (Services, DNS, NetworkPolicy, the network model, deleting a pod, a node NotReady): assertions/registry.ts spreads them in. */
import type { AssertionDef } from '../../../assertions/types.ts';
import { deletePod } from './delete-pod.ts';
import { dns } from './dns.ts';
import { k8sNetworkModel } from './k8s-network-model.ts';
import { k8sNode } from './k8s-node.ts';
import { policy } from './policy.ts';
import { service } from './service.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each def has its own params type
export const CLUSTER_ASSERTIONS: readonly AssertionDef<any>[] = [service, dns, policy, k8sNetworkModel, deletePod, k8sNode];
