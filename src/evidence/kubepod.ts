// Kubernetes pod state as kubectl prints it: `kubectl get pod -o json` (one pod or a List),
// `-o yaml`, and `kubectl describe pod`. One indentation-driven reader serves all three: each
// line is a key (and maybe a value) nested under the keys above it. Yields the container memory
// limit, OOMKilled terminations (the cgroup OOM killer), exit codes, restart counts, and the
// pod and node names that make the fix Kubernetes-specific.

import type { Fact } from '../core/index.js';
import { factsOnly, type EvidenceParserDef } from './parser.js';
import { num, text } from './util.js';

const WHAT = 'kubectl get pod -o json/yaml or kubectl describe pod output';

/** Kubernetes quantities: k/M/G… are decimal, Ki/Mi/Gi… binary; a bare number is bytes. */
export function kubeQuantity(raw: string): number | null {
  const m = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|Pi|Ei|k|K|M|G|T|P|E|m)?$/.exec(raw.trim());
  if (!m) return null;
  const mult: Record<string, number> = {
    '': 1,
    m: 1e-3,
    k: 1e3,
    K: 1e3,
    M: 1e6,
    G: 1e9,
    T: 1e12,
    P: 1e15,
    E: 1e18,
    Ki: 1024,
    Mi: 1024 ** 2,
    Gi: 1024 ** 3,
    Ti: 1024 ** 4,
    Pi: 1024 ** 5,
    Ei: 1024 ** 6,
  };
  return Math.round(Number(m[1]) * (mult[m[2] ?? ''] ?? 1));
}

interface Entry {
  /** Normalised key: lower case, no spaces or quotes ('Last State' → 'laststate'). */
  readonly key: string;
  /** The key as written (a describe container heading keeps its case). */
  readonly raw: string;
  readonly value: string;
  readonly indent: number;
}

/** The workload that owns a pod, as `kubectl set resources` names it: a ReplicaSet's pod-template hash dropped for its Deployment. */
export function kubeOwner(kind: string, name: string): string {
  const rs = /^(.+)-[0-9a-z]{6,10}$/.exec(name);
  if (kind === 'ReplicaSet' && rs) return `deployment/${rs[1] ?? name}`;
  return `${kind.toLowerCase()}/${name}`;
}

/** A line as key/value at its indentation (JSON `"k": v,`, YAML `k: v` and `- k: v`, describe `Key:   v`). */
function entry(line: string): Entry | null {
  const m = /^(\s*)(?:-\s+)?"?([A-Za-z][A-Za-z0-9 _.-]*?)"?\s*:(?:\s+(.*?))?\s*,?\s*$/.exec(line);
  if (!m) return null;
  const dash = /^\s*-\s+/.exec(line);
  const indent = dash ? dash[0].length : (m[1] ?? '').length;
  const value = (m[3] ?? '').replace(/^"(.*)"$/, '$1').replace(/[{[]$/, '');
  return { key: (m[2] ?? '').toLowerCase().replace(/\s+/g, ''), raw: m[2] ?? '', value: value.trim(), indent };
}

/** Lines of pod state (JSON, YAML or describe) into facts; `describe` names keys with spaces. */
export function parseKubePod(file: string, lines: readonly string[]): Fact[] {
  const facts: Fact[] = [];
  const stack: Entry[] = [];
  let oomKills = 0;
  let oomLine = 0;
  let restarts = 0;
  let restartsLine = 0;
  let lastLimit: { value: number; line: number } | undefined;
  let podName: { value: string; line: number } | undefined;
  let namespace = '';
  let container: { value: string; line: number } | undefined;
  let limitContainer: { value: string; line: number } | undefined;
  let ownerKind: string | undefined;
  let owner: { value: string; line: number } | undefined;
  lines.forEach((line, i) => {
    const e = entry(line);
    if (!e) return;
    while (stack.length > 0 && (stack[stack.length - 1] as Entry).indent >= e.indent) stack.pop();
    const path = stack.map((s) => s.key);
    const parent = path[path.length - 1];
    const under = (k: string): boolean => path.includes(k);
    const at = i + 1;
    // metadata.name (json/yaml: the first name under metadata; describe: the top-level Name:).
    if (e.key === 'name' && e.value !== '' && !podName && ((parent === 'metadata' && path.length <= 2 && !under('ownerreferences')) || (path.length === 0 && e.indent === 0))) {
      podName = { value: e.value, line: at };
    }
    if (e.key === 'namespace' && e.value !== '' && namespace === '' && (parent === 'metadata' || path.length === 0)) namespace = e.value;
    // spec.nodeName, or describe's "Node: node-1/10.0.0.5".
    if ((e.key === 'nodename' && e.value !== '') || (e.key === 'node' && path.length === 0 && e.value !== '' && e.value !== '<none>')) {
      facts.push(text('kube-node', e.value.split('/')[0] ?? e.value, file, at));
    }
    // spec.containers[].name (json/yaml); describe: a heading under Containers:.
    if (parent === 'containers' && path.length <= 2 && ((e.key === 'name' && e.value !== '') || (path.length === 1 && e.value === '' && e.key !== 'name'))) {
      container = { value: e.key === 'name' ? e.value : e.raw, line: at };
    }
    // metadata.ownerReferences[].kind/name; describe: "Controlled By:  StatefulSet/ingester".
    if (under('ownerreferences') && e.key === 'kind' && e.value !== '') ownerKind = e.value;
    if (under('ownerreferences') && e.key === 'name' && e.value !== '' && ownerKind && !owner) owner = { value: kubeOwner(ownerKind, e.value), line: at };
    const by = e.key === 'controlledby' ? /^([A-Za-z]+)\/(\S+)$/.exec(e.value) : null;
    if (by && !owner) owner = { value: kubeOwner(by[1] ?? '', by[2] ?? ''), line: at };
    if (e.key === 'memory' && parent === 'limits' && !under('requests')) {
      const v = kubeQuantity(e.value);
      if (v !== null && v > 0 && (!lastLimit || lastLimit.value !== v)) {
        lastLimit = { value: v, line: at };
        limitContainer ??= container;
        facts.push(num('cgroup-memory-limit', v, file, at, { method: 'Kubernetes container resources.limits.memory (kubectl)', origin: 'live' }));
      }
    }
    // lastState.terminated / state.terminated (json, yaml); describe: "Last State: Terminated" then "Reason:".
    const terminated = under('terminated') || ((parent === 'laststate' || parent === 'state') && stack[stack.length - 1]?.value.toLowerCase() === 'terminated');
    if (terminated && e.key === 'reason' && e.value === 'OOMKilled') {
      oomKills++;
      oomLine ||= at;
    }
    if (terminated && e.key === 'exitcode') {
      const v = Number(e.value);
      if (Number.isInteger(v) && v !== 0) facts.push(num('container-exit-code', v, file, at, { method: 'Kubernetes container terminated exitCode (kubectl)', origin: 'live' }));
    }
    if (e.key === 'restartcount') {
      const v = Number(e.value);
      if (Number.isInteger(v) && v > 0) {
        restarts += v;
        restartsLine ||= at;
      }
    }
    stack.push(e);
  });
  if (oomKills > 0) {
    facts.push(num('cgroup-oom-kills', oomKills, file, oomLine, { method: 'Kubernetes container terminated with reason OOMKilled (kubectl)', origin: 'live' }));
  }
  if (restarts > 0) facts.push(num('container-restarts', restarts, file, restartsLine, { method: 'Kubernetes container restartCount (kubectl)', origin: 'live' }));
  if (podName) facts.push(text('kube-pod', namespace === '' ? podName.value : `${namespace}/${podName.value}`, file, podName.line));
  const named = limitContainer ?? container;
  if (named) facts.push(text('kube-container', named.value, file, named.line));
  if (owner) facts.push(text('kube-owner', owner.value, file, owner.line));
  return facts;
}

const JSON_POD = /^\s*"kind"\s*:\s*"Pod"/;
const YAML_POD = /^\s*(?:-\s+)?kind:\s*Pod\s*$/;

export const kubePodEvidence: EvidenceParserDef = {
  name: 'kube-pod',
  kinds: ['kube-pod'],
  description: WHAT,
  detect: (head) => {
    if (head.some((l) => JSON_POD.test(l)) && head.some((l) => /^\s*"apiVersion"\s*:/.test(l))) return 'kube-pod';
    if (head.some((l) => YAML_POD.test(l)) && head.some((l) => /^\s*(?:-\s+)?apiVersion:\s*v1\s*$/.test(l))) return 'kube-pod';
    // kubectl describe pod: "Name:" first, then "Namespace:" and the pod's own fields.
    const first = head.find((l) => l.trim() !== '') ?? '';
    const describe = /^Name:\s+\S/.test(first) && head.some((l) => /^Namespace:\s+\S/.test(l)) && head.some((l) => /^(?:Node|Start Time|Service Account|Containers):/.test(l));
    return describe ? 'kube-pod' : null;
  },
  parse: (kind, file, lines) => factsOnly(kind, file, parseKubePod(file, lines), WHAT),
  facts: ['cgroup-memory-limit', 'cgroup-oom-kills', 'container-exit-code', 'container-restarts', 'kube-pod', 'kube-node', 'kube-container', 'kube-owner'],
  samples: [
    {
      name: 'pod.json',
      lines: [
        '{',
        '    "apiVersion": "v1",',
        '    "kind": "Pod",',
        '    "metadata": {',
        '        "name": "kafka-0",',
        '        "namespace": "streaming"',
        '    },',
        '    "spec": {',
        '        "containers": [',
        '            {',
        '                "name": "kafka",',
        '                "resources": {',
        '                    "limits": {',
        '                        "memory": "4Gi"',
        '                    },',
        '                    "requests": {',
        '                        "memory": "2Gi"',
        '                    }',
        '                }',
        '            }',
        '        ],',
        '        "nodeName": "gke-pool-1-abc"',
        '    },',
        '    "status": {',
        '        "containerStatuses": [',
        '            {',
        '                "lastState": {',
        '                    "terminated": {',
        '                        "exitCode": 137,',
        '                        "reason": "OOMKilled"',
        '                    }',
        '                },',
        '                "name": "kafka",',
        '                "restartCount": 7',
        '            }',
        '        ]',
        '    }',
        '}',
      ],
      kind: 'kube-pod',
      facts: {
        'cgroup-memory-limit': 4 * 1024 ** 3,
        'cgroup-oom-kills': 1,
        'container-exit-code': 137,
        'container-restarts': 7,
        'kube-pod': 'streaming/kafka-0',
        'kube-node': 'gke-pool-1-abc',
      },
    },
    {
      name: 'describe.txt',
      lines: [
        'Name:             ingester-7',
        'Namespace:        cortex',
        'Priority:         0',
        'Node:             ip-10-0-3-17.ec2.internal/10.0.3.17',
        'Start Time:       Mon, 01 Jan 2024 09:00:00 +0000',
        'Status:           Running',
        'Containers:',
        '  ingester:',
        '    State:          Waiting',
        '      Reason:       CrashLoopBackOff',
        '    Last State:     Terminated',
        '      Reason:       Error',
        '      Exit Code:    2',
        '    Ready:          False',
        '    Restart Count:  42',
        '    Limits:',
        '      cpu:     2',
        '      memory:  8G',
        '    Requests:',
        '      memory:  4G',
      ],
      kind: 'kube-pod',
      facts: {
        'cgroup-memory-limit': 8e9,
        'container-exit-code': 2,
        'container-restarts': 42,
        'kube-pod': 'cortex/ingester-7',
        'kube-node': 'ip-10-0-3-17.ec2.internal',
      },
    },
    {
      name: 'pod.yaml',
      lines: [
        'apiVersion: v1',
        'kind: Pod',
        'metadata:',
        '  name: es-data-2',
        '  namespace: search',
        'spec:',
        '  containers:',
        '  - name: elasticsearch',
        '    resources:',
        '      limits:',
        '        memory: 16Gi',
        '  nodeName: node-5',
        'status:',
        '  containerStatuses:',
        '  - lastState:',
        '      terminated:',
        '        exitCode: 137',
        '        reason: OOMKilled',
        '    restartCount: 3',
      ],
      kind: 'kube-pod',
      facts: { 'cgroup-memory-limit': 16 * 1024 ** 3, 'cgroup-oom-kills': 1, 'container-restarts': 3, 'kube-pod': 'search/es-data-2', 'kube-node': 'node-5' },
    },
  ],
};
