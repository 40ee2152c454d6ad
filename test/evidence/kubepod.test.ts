// kubectl pod output as evidence: beside a failure, OOMKilled and the container limit decide a
// cgroup memory verdict naming pod.json's lines, and a map-count fix is written for the pod's node
// (kubectl debug node/<node>, a DaemonSet) instead of sudo on a host.
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { parseKubePod } from '../../src/evidence/kubepod.js';
import { recommendMemoryLimit } from '../../src/diagnose/remediation.js';
import { REPO, runCli, scanJson } from '../helpers/cli.js';

const pod = (limits: Record<string, string>, terminated: Record<string, unknown>, node = 'node-3'): string =>
  JSON.stringify(
    {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'ingester-7', namespace: 'cortex', ownerReferences: [{ kind: 'StatefulSet', name: 'ingester' }] },
      spec: { containers: [{ name: 'ingester', resources: { limits, requests: { memory: '1Gi' } } }], nodeName: node },
      status: { containerStatuses: [{ name: 'ingester', restartCount: 12, lastState: { terminated } }] },
    },
    null,
    4,
  );

describe('kube-pod evidence', () => {
  it('an OOMKilled container with a memory limit decides cgroup-memory-limit, citing pod.json', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'mapmortem-kube-'));
    try {
      await writeFile(path.join(dir, 'pod.json'), pod({ memory: '4Gi' }, { exitCode: 137, reason: 'OOMKilled' }));
      await writeFile(
        path.join(dir, 'ingester.log'),
        'level=error ts=2024-05-01T12:00:00.000Z caller=head.go:600 msg="failed to create chunk" err="mmap, size 31301: cannot allocate memory"\n',
      );
      const { report } = await scanJson([dir]);
      expect(report.verdict).toBe('cgroup-memory-limit');
      const kube = report.evidence.find((e: any) => e.kind === 'kube-pod');
      expect(kube.file).toBe(path.join(dir, 'pod.json'));
      const byKey = Object.fromEntries(kube.facts.map((f: any) => [f.key, f.value]));
      expect(byKey).toMatchObject({
        'cgroup-memory-limit': 4 * 1024 ** 3,
        'cgroup-oom-kills': 1,
        'container-exit-code': 137,
        'container-restarts': 12,
        'kube-pod': 'cortex/ingester-7',
        'kube-node': 'node-3',
      });
      expect(report.incidents[0].summary).toContain('the cgroup OOM killer killed 1 process at the limit of 4.00 GiB');
      const step = report.incidents[0].remediation.steps[0];
      expect(step.title).toBe('Kubernetes: raise resources.limits.memory of container ingester (pod ingester-7) from 4.00 GiB to 6Gi');
      expect(step.commands[0]).toBe('kubectl -n cortex set resources statefulset/ingester -c ingester --limits=memory=6Gi --requests=memory=6Gi');
      const [head, ...body] = (step.commands[1] as string).split('\n');
      expect(head).toBe("kubectl -n cortex patch statefulset/ingester --type=strategic --patch-file=/dev/stdin <<'EOF'");
      expect(body.pop()).toBe('EOF');
      expect(parseYaml(body.join('\n'))).toEqual({
        spec: { template: { spec: { containers: [{ name: 'ingester', resources: { limits: { memory: '6Gi' }, requests: { memory: '6Gi' } } }] } } },
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('exit code 137 without OOMKilled is not counted as an OOM kill, and requests are not limits', () => {
    const facts = parseKubePod('p.json', pod({ cpu: '2' }, { exitCode: 137, reason: 'Error' }).split('\n'));
    expect(facts.map((f) => f.key).sort()).toEqual(['container-exit-code', 'container-restarts', 'kube-container', 'kube-node', 'kube-owner', 'kube-pod']);
  });

  it('recommends the larger of limit and peak plus half, in whole Gi (256Mi steps below 1Gi)', () => {
    expect(recommendMemoryLimit(4 * 1024 ** 3)).toBe('6Gi');
    expect(recommendMemoryLimit(4 * 1024 ** 3, 6 * 1024 ** 3)).toBe('9Gi');
    expect(recommendMemoryLimit(512 * 1024 ** 2)).toBe('768Mi');
    expect(recommendMemoryLimit(8e9)).toBe('12Gi');
  });

  it('names the container with the memory limit and the owning workload (json, yaml, describe; a ReplicaSet is its Deployment)', () => {
    const value = (facts: ReturnType<typeof parseKubePod>, key: string): unknown => facts.find((f) => f.key === key)?.value;
    const json = parseKubePod('p.json', pod({ memory: '4Gi' }, { exitCode: 137, reason: 'OOMKilled' }).split('\n'));
    expect([value(json, 'kube-container'), value(json, 'kube-owner')]).toEqual(['ingester', 'statefulset/ingester']);
    const yaml = [
      'apiVersion: v1',
      'kind: Pod',
      'metadata:',
      '  name: web-5d9c7b7f6d-x2x4q',
      '  ownerReferences:',
      '  - kind: ReplicaSet',
      '    name: web-5d9c7b7f6d',
      'spec:',
      '  containers:',
      '  - name: istio-proxy',
      '  - name: web',
      '    resources:',
      '      limits:',
      '        memory: 2Gi',
    ];
    const y = parseKubePod('p.yaml', yaml);
    expect([value(y, 'kube-container'), value(y, 'kube-owner'), value(y, 'kube-pod')]).toEqual(['web', 'deployment/web', 'web-5d9c7b7f6d-x2x4q']);
    const describe = [
      'Name:         es-data-2',
      'Namespace:    search',
      'Controlled By:  StatefulSet/es-data',
      'Containers:',
      '  elasticsearch:',
      '    Limits:',
      '      memory:  16Gi',
    ];
    const d = parseKubePod('describe.txt', describe);
    expect([value(d, 'kube-container'), value(d, 'kube-owner')]).toEqual(['elasticsearch', 'statefulset/es-data']);
  });

  it('a map-count verdict with the pod beside it gives the node command and a DaemonSet, not sudo on a host', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'mapmortem-kube-'));
    try {
      await mkdir(path.join(dir, 'kafka'));
      for (const f of ['server.log', 'data-dir-listing.txt', 'sysctl.txt']) await cp(path.join(REPO, 'samples/kafka-broker-map-failed', f), path.join(dir, 'kafka', f));
      await writeFile(path.join(dir, 'kafka', 'pod.json'), pod({ memory: '8Gi' }, { exitCode: 1, reason: 'Error' }, 'gke-pool-1-abc'));
      const { report } = await scanJson([dir]);
      expect(report.verdict).toBe('map-count-exhaustion');
      const cmds = report.incidents[0].remediation.steps.flatMap((s: any) => s.commands);
      expect(cmds[0]).toBe('kubectl debug node/gke-pool-1-abc -it --image=busybox:1.36 --profile=sysadmin -- chroot /host sysctl -w vm.max_map_count=262144');
      expect(cmds[1]).toContain('kind: DaemonSet');
      expect(cmds[1]).toContain("command: ['sysctl', '-w', 'vm.max_map_count=262144']");
      expect(cmds.some((c: string) => c.startsWith('sudo sysctl'))).toBe(false);
      const text = await runCli(['scan', dir]);
      expect(text.stdout).toContain("$ kubectl apply -f - <<'EOF'");
      expect(text.stdout).toMatch(/^ +kind: DaemonSet$/m);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
