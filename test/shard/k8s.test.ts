// The Kubernetes example of docs/sharding.md: both Jobs validate against the Kubernetes API
// schema (kubernetes-models), the fields sharding depends on agree with each other, and the
// shard and merge command lines, run against the CLI, give the report of one scan.

import { cp, mkdir, mkdtemp, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Job } from 'kubernetes-models/batch/v1/Job';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { REPO, runCli } from '../helpers/cli.js';

const MANIFEST = path.join(REPO, 'docs/examples/kubernetes/mapmortem-shards.yaml');

async function jobs(): Promise<any[]> {
  const docs = parseAllDocuments(await readFile(MANIFEST, 'utf8'));
  for (const d of docs) expect(d.errors).toEqual([]);
  return docs.map((d) => d.toJS());
}

const mount = (container: any, name: string) => container.volumeMounts.find((m: any) => m.name === name);

describe('docs/examples/kubernetes/mapmortem-shards.yaml', () => {
  it('is two batch/v1 Jobs that validate against the Kubernetes schema', async () => {
    const all = await jobs();
    expect(all.map((j) => `${j.kind}/${j.metadata.name}`)).toEqual(['Job/mapmortem-shards', 'Job/mapmortem-merge']);
    for (const j of all) expect(() => new Job(j).validate()).not.toThrow();
    // The validator is not a formality: a wrong type is caught.
    const broken = structuredClone(all[0]);
    broken.spec.completions = 'four';
    expect(() => new Job(broken).validate()).toThrow();
  });

  it('shards by JOB_COMPLETION_INDEX with completions = parallelism = the COUNT of --shard, logs read-only, results shared', async () => {
    const [shards, merge] = await jobs();
    const spec = shards.spec;
    expect(spec.completionMode).toBe('Indexed');
    const n = spec.completions;
    expect(spec.parallelism).toBe(n);
    const pod = spec.template.spec;
    expect(pod.restartPolicy).toBe('Never');
    const scan = pod.containers[0];
    const env = scan.env.find((e: any) => e.name === 'JOB_COMPLETION_INDEX');
    expect(env.valueFrom.fieldRef.fieldPath).toBe("metadata.annotations['batch.kubernetes.io/job-completion-index']");
    const args: string[] = scan.args;
    expect(args[0]).toBe('scan');
    expect(args[args.indexOf('--shard') + 1]).toBe(`$(JOB_COMPLETION_INDEX)/${n}`);
    expect(args[args.indexOf('-o') + 1]).toBe('/results/shard-$(JOB_COMPLETION_INDEX).json');
    expect(mount(scan, 'logs')).toMatchObject({ mountPath: '/logs', readOnly: true });
    expect(mount(scan, 'results')).toMatchObject({ mountPath: '/results' });
    expect(mount(scan, 'results').readOnly).not.toBe(true);
    expect(args).toContain('/logs');
    const volumes = Object.fromEntries(pod.volumes.map((v: any) => [v.name, v]));
    expect(volumes['logs'].persistentVolumeClaim.readOnly).toBe(true);
    // The merge reads exactly the N shard files from the same claim, after waiting for N of them.
    const mpod = merge.spec.template.spec;
    const margs: string[] = mpod.containers[0].args;
    expect(margs[0]).toBe('report');
    expect(margs.filter((a) => a.startsWith('/results/shard-'))).toEqual(Array.from({ length: n }, (_, i) => `/results/shard-${i}.json`));
    expect(mpod.initContainers[0].command.join(' ')).toContain(`-ge ${n} ]`);
    expect(mpod.volumes.find((v: any) => v.name === 'results').persistentVolumeClaim.claimName).toBe(volumes['results'].persistentVolumeClaim.claimName);
  });

  it("its command lines, run as each pod would, merge into one scan's report", { timeout: 600_000 }, async () => {
    const [shards, merge] = await jobs();
    const n: number = shards.spec.completions;
    const root = await mkdtemp(path.join(os.tmpdir(), 'mapmortem-k8s-'));
    const logs = path.join(root, 'logs');
    const results = path.join(root, 'results');
    await mkdir(results);
    for (const s of ['cgroup-oom', 'overcommit-strict', 'healthy-kafka', 'ulimit-address-space']) await cp(path.join(REPO, 'samples', s), path.join(logs, s), { recursive: true });
    // The volumes as mounted, and Kubernetes' $(VAR) expansion, done here.
    const local = (a: string, index?: number) =>
      a
        .replace(/^\/logs(?=\/|$)/, logs)
        .replace(/^\/results(?=\/|$)/, results)
        .replace(/\$\(JOB_COMPLETION_INDEX\)/g, String(index));
    const env = { SOURCE_DATE_EPOCH: '1767225600' };
    for (let i = 0; i < n; i++) {
      const r = await runCli(
        shards.spec.template.spec.containers[0].args.map((a: string) => local(a, i)),
        { env },
      );
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toMatch(new RegExp(`^mapmortem: shard ${i}/${n} \\(plan [0-9a-f]{16}\\)`, 'm'));
    }
    const margs: string[] = merge.spec.template.spec.containers[0].args.map((a: string) => local(a));
    const m = await runCli(margs, { env });
    expect(m.code, m.stderr).toBe(0);
    expect(m.stderr).toContain(`merged all ${n} shards`);
    const html = await readFile(path.join(results, 'report.html'), 'utf8');
    expect(html).toContain('<html');
    const asJson = await runCli([...margs.slice(0, -2), '--format', 'json'], { env });
    const one = await runCli(['scan', logs, '--format', 'json'], { env });
    expect(asJson.stdout).toBe(one.stdout);
  });
});
