/**
 * Kubernetes label selectors (metav1.LabelSelector) over the cluster model: `matches` is the exact Kubernetes
 * meaning, `selectPods` the pod/namespace selection NetworkPolicies (and Services) are built on.
 */
import type { LabelSelector, Pod } from './types.ts';

export type Labels = Readonly<Record<string, string>>;

/** The label Kubernetes puts on every namespace (immutable, since 1.21): `kubernetes.io/metadata.name: <name>`. */
export const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

/**
 * Whether `labels` satisfy `selector`, as Kubernetes' labels.Selector does: every matchLabels pair AND every
 * matchExpressions requirement must hold; an empty selector `{}` matches everything.
 *   In: the key is present and its value is one of `values`;
 *   NotIn: the key is absent, or its value is none of `values`;
 *   Exists / DoesNotExist: the key is present / absent (values must be empty).
 * A requirement Kubernetes' validation would reject (In/NotIn without values, Exists with values, an unknown
 * operator) throws: it is a bug in the model, not a selector that matches nothing.
 */
export function matches(selector: LabelSelector, labels: Labels): boolean {
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) {
    if (!Object.hasOwn(labels, k) || labels[k] !== v) return false;
  }
  for (const r of selector.matchExpressions ?? []) {
    const values = r.values ?? [];
    const has = Object.hasOwn(labels, r.key);
    switch (r.operator) {
      case 'In':
      case 'NotIn':
        if (values.length === 0) throw new Error(`label selector: operator ${r.operator} on key ${JSON.stringify(r.key)} needs at least one value`);
        if (r.operator === 'In' ? !(has && values.includes(labels[r.key])) : has && values.includes(labels[r.key])) return false;
        break;
      case 'Exists':
      case 'DoesNotExist':
        if (values.length > 0) throw new Error(`label selector: operator ${r.operator} on key ${JSON.stringify(r.key)} takes no values`);
        if (has !== (r.operator === 'Exists')) return false;
        break;
      default:
        throw new Error(`label selector: unknown operator ${JSON.stringify((r as { operator: unknown }).operator)}`);
    }
  }
  return true;
}

/** Whether a selector is `{}` (matches everything). */
export function isEmptySelector(selector: LabelSelector): boolean {
  return Object.keys(selector.matchLabels ?? {}).length === 0 && (selector.matchExpressions ?? []).length === 0;
}

/**
 * A namespace's labels as selectors see them: the model's labels plus the automatic
 * `kubernetes.io/metadata.name` label. A namespace missing from the map (it only has pods) has that label only.
 */
export function namespaceLabels(namespaces: Readonly<Record<string, Labels>>, namespace: string): Labels {
  return { ...(Object.hasOwn(namespaces, namespace) ? namespaces[namespace] : {}), [NAMESPACE_NAME_LABEL]: namespace };
}

export interface PodSelection {
  /** Labels the pod must match; absent: any pod. */
  readonly podSelector?: LabelSelector;
  /** Only pods of this namespace. */
  readonly namespace?: string;
  /** Only pods in namespaces whose labels (see namespaceLabels) match; needs `namespaces`. */
  readonly namespaceSelector?: LabelSelector;
  readonly namespaces?: Readonly<Record<string, Labels>>;
}

/**
 * The pods matching every part of `sel` (all of `pods` for `{}`), in the order given. This is how a
 * NetworkPolicy peer selects: podSelector alone = `{ podSelector, namespace: <policy's namespace> }`;
 * namespaceSelector alone = `{ namespaceSelector, namespaces }`; both in one peer = all three (pods matching
 * podSelector in namespaces matching namespaceSelector).
 */
export function selectPods(pods: readonly Pod[], sel: PodSelection): Pod[] {
  return pods.filter(
    (p) =>
      (sel.namespace === undefined || p.namespace === sel.namespace) &&
      (sel.podSelector === undefined || matches(sel.podSelector, p.labels)) &&
      (sel.namespaceSelector === undefined || matches(sel.namespaceSelector, namespaceLabels(sel.namespaces ?? {}, p.namespace))),
  );
}
