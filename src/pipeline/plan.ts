// `plan`: composes the data-dir reader (a real directory or a find / ls -R listing) with the
// capacity math: the map count the server will need, its growth per unit, and the limit to set.

import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { PlanResult, Problem } from '../core/index.js';
import { fmtCount, formatProblem } from '../core/index.js';
import { detectListing, parseListing, planFromEvidence, readDataDir, type DataDirPlan } from '../evidence/datadir.js';
import { recommendMaxMapCount } from '../diagnose/remediation.js';
import { openReadOnly } from '../io/open.js';

export interface PlanRequest {
  readonly path: string;
  readonly cwd: string;
  readonly maxMapCount?: number;
}

/** The limit to weigh: the flag, else this host's, but only for a directory on this host (a listing comes from elsewhere). */
async function currentLimit(req: PlanRequest, live: boolean): Promise<PlanResult['maxMapCount']> {
  if (req.maxMapCount !== undefined) return { value: req.maxMapCount, source: '--max-map-count' };
  if (!live) return undefined;
  try {
    const v = Number((await readFile('/proc/sys/vm/max_map_count', 'utf8')).trim());
    return Number.isFinite(v) ? { value: v, source: '/proc/sys/vm/max_map_count (this host)' } : undefined;
  } catch {
    return undefined;
  }
}

/** A find / ls -R listing is read whole up to this size (a listing of 1M files is about 100 MB). */
export const MAX_LISTING_BYTES = 256 * 1024 * 1024;

/** A listing file read without touching its access time (it is evidence too). */
async function readListing(abs: string): Promise<string> {
  const fh = await openReadOnly(abs);
  try {
    return await fh.readFile('utf8');
  } finally {
    await fh.close();
  }
}

export async function runPlan(req: PlanRequest): Promise<{ ok: true; plan: PlanResult } | { ok: false; message: string }> {
  const abs = path.resolve(req.cwd, req.path);
  let st;
  try {
    st = await stat(abs);
  } catch {
    return { ok: false, message: `${req.path}: no such file or directory` };
  }
  let plan: DataDirPlan | null = null;
  let problems: Problem[] = [];
  if (st.isDirectory()) {
    const res = await readDataDir(abs, req.path);
    problems = res.problems;
    plan = res.evidence ? planFromEvidence(res.evidence) : null;
  } else if (!st.isFile()) {
    const kind = st.isFIFO() ? 'a FIFO' : st.isSocket() ? 'a socket' : st.isCharacterDevice() || st.isBlockDevice() ? 'a device' : 'not a regular file';
    return { ok: false, message: `${req.path}: ${kind}, not a data directory or a listing file; nothing was read (save the listing to a file first: find DIR > listing.txt)` };
  } else if (st.size > MAX_LISTING_BYTES) {
    return {
      ok: false,
      message:
        `${req.path}: ${st.size} bytes, larger than a listing plan reads (${MAX_LISTING_BYTES} bytes); nothing was read: give the data directory itself, ` +
        `or a find listing of it`,
    };
  } else {
    const lines = (await readListing(abs)).split('\n');
    if (detectListing(lines.slice(0, 200))) plan = planFromEvidence(parseListing(req.path, lines));
  }
  if (!plan) {
    return {
      ok: false,
      message:
        `${req.path}: neither a Kafka log dir nor a TSDB data dir (nor a find / ls -R listing of one); give the directory that holds the ` +
        `<topic>-<partition>/ or <block ULID>/ folders`,
    };
  }
  const units = plan.perUnit.length || (plan.partitions ?? plan.blocks ?? 1);
  const unitName = plan.kind === 'kafka-log-dir' ? 'partition' : plan.tenants && plan.tenants > 1 ? 'tenant' : 'block';
  const limit = await currentLimit(req, st.isDirectory());
  const needed = plan.mmapFiles;
  const recommended = recommendMaxMapCount(needed);
  const basis =
    plan.kind === 'kafka-log-dir'
      ? `${fmtCount(plan.partitions ?? 0)} partitions, ${fmtCount(plan.segments ?? 0)} segments: ${fmtCount(plan.indexFiles ?? 0)} .index + .timeindex ` +
        `files (each mapped while open; .txnindex is not mapped)`
      : `${fmtCount(plan.blocks ?? 0)} blocks${plan.tenants ? ` in ${fmtCount(plan.tenants)} tenants` : ''}: ${fmtCount(plan.mmapFiles)} index, chunk and head-chunk files`;
  return {
    ok: true,
    plan: {
      input: req.path,
      kind: plan.kind,
      neededMapCount: { value: needed, basis },
      growth: { unit: unitName, perUnit: units > 0 ? Math.round((needed / units) * 10) / 10 : 0 },
      units,
      top: plan.perUnit.slice(0, 10),
      ...(limit ? { maxMapCount: limit, headroom: limit.value - needed } : {}),
      recommendedMaxMapCount: recommended,
      verdict: !limit ? 'unknown' : needed * 1.3 > limit.value ? 'map-count-limit-low' : 'none',
      source: plan.source,
      problems: problems.map(formatProblem),
    },
  };
}
