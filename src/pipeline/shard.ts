// `scan --shard INDEX/COUNT`: a deterministic partition of the discovered inputs over processes
// or machines that never splits one host (one correlate scope), and the peers each shard hands
// correlate so that its scopes, and so its incidents, come out exactly as in a single run.

import { createHash } from 'node:crypto';
import path from 'node:path';
import { COMMAND_LINE_SCOPE, type ShardInfo, type Source } from '../core/index.js';
import { assignScopes, type CorrelateEntry } from '../correlate/correlate.js';
import { rawInputKind, textInputKind } from '../discover/kind.js';
import { decodeUtf16, detectUtf16, rechain, stripLeadingNuls } from '../io/decode.js';
import { openFile } from '../io/open.js';
import type { FileSource } from '../discover/discover.js';

/** Which part of a scan to run: INDEX counts from 0 (Kubernetes' JOB_COMPLETION_INDEX), 0 ≤ INDEX < COUNT. */
export interface ShardSpec {
  readonly index: number;
  readonly count: number;
}

/** What the first bytes of an input make of it, as far as correlate cares: a log, an archive, or anything else. */
export type PlannedRole = 'log' | 'archive' | 'other';

export interface ShardPlan {
  readonly info: ShardInfo;
  /** The sources this shard scans, in discovery order. */
  readonly own: readonly Source[];
  /** The other shards' inputs, with their planned roles, for correlate (they make no scope here). */
  readonly peers: readonly Pick<CorrelateEntry, 'source' | 'isLog'>[];
  /** Planned role of each of this shard's files (display name): the scan checks it against what it read. */
  readonly planned: ReadonlyMap<string, PlannedRole>;
}

/**
 * The role the scan will give a file, from its first chunk: the same decisions (discover/kind.ts)
 * on the same bytes that `scanSource` and `scanOpened` take, in their order: an archive; empty,
 * one of our own reports or a cmdline file (none is a log); UTF-16 or NUL-led text decoded first;
 * binary or evidence (not a log); a crash file, a log stating its limits, or a log.
 */
export async function planRole(src: FileSource): Promise<PlannedRole> {
  const opened = openFile(src.absPath, src.display, { sizeHint: src.size });
  const it = opened.chunks[Symbol.asyncIterator]();
  try {
    const res = await it.next();
    let first = res.done ? undefined : res.value;
    if (!first) return 'other';
    const name = path.basename(src.display);
    const raw = rawInputKind(name, first, { archives: true });
    if (raw.kind === 'archive') return 'archive';
    if (raw.kind !== 'text') return 'other';
    const utf16 = detectUtf16(first);
    if (utf16 || first[0] === 0) {
      const gen = utf16 ? decodeUtf16(utf16, rechain(first, it)) : stripLeadingNuls(rechain(first, it)).chunks;
      const n = await gen.next();
      await gen.return(undefined);
      first = n.done ? undefined : n.value;
      if (!first) return 'other';
    }
    const kind = textInputKind(name, first).kind;
    return kind === 'binary' || kind === 'evidence' ? 'other' : 'log';
  } catch {
    // Unreadable now: the scan reports it (a problem, no log), wherever it runs.
    return 'other';
  } finally {
    await it.return?.();
  }
}

/** Stands for an archive's members (known only once it is read): one host at least, of its own. */
function archiveStandIn(archive: Source): Pick<CorrelateEntry, 'source' | 'isLog'> {
  const root = `${archive.display}!`;
  return { source: { kind: 'member', display: `${root}\u0000`, scope: root, root, unit: root }, isLog: false };
}

/** Which shard a host group goes to: a hash of its name, so it does not move when other hosts come or go. */
export function shardOfGroup(key: string, count: number): number {
  return createHash('sha256').update(key).digest().readUIntBE(0, 6) % count;
}

/**
 * Splits the discovered sources into host groups and keeps this shard's. A group is what one
 * correlate scope can draw on, decided as a single run decides it (assignScopes over every
 * input, with the roles planned from the first bytes): a host folder of a root split into hosts,
 * a whole root that is one host (a support bundle), a capture bundle and what joins it, an
 * archive with any files named alone that may join it; with archives and fewer than two capture
 * bundles on disk, every archive and single-host root together (an archive may hold the one
 * bundle they would join). Stdin cannot be shared: it is a bug here.
 */
export async function planShards(sources: readonly Source[], spec: ShardSpec, role: (src: FileSource) => Promise<PlannedRole> = planRole): Promise<ShardPlan> {
  const roles = new Map<string, PlannedRole>();
  for (const s of sources) {
    if (s.kind === 'stdin') throw new Error('stdin cannot be split into shards (the command refuses - with --shard)');
    roles.set(s.display, s.kind === 'file' ? await role(s) : 'other');
  }
  const entries = sources.map((source) => ({ source, isLog: roles.get(source.display) === 'log' }));
  const standIns = new Map(sources.filter((s) => roles.get(s.display) === 'archive').map((s) => [s.display, archiveStandIn(s)]));
  const scopeOf = assignScopes([...entries, ...standIns.values()]);
  const scopeKey = (s: Source): string => (standIns.has(s.display) ? `${s.display}!` : (scopeOf.get(s.display) ?? s.scope));
  // An archive may hold a capture bundle (known only once it is read). When it is the only bundle,
  // every host that is one root of its own joins it, so with archives and fewer than two bundles on
  // disk, the archives, the bundle on disk and the single-host roots form one group.
  const diskBundles = new Set(sources.flatMap((s) => ('bundle' in s && s.bundle !== undefined ? [s.bundle] : [])));
  const coupled = new Set<string>();
  if (standIns.size > 0 && diskBundles.size < 2) {
    for (const s of sources) {
      const k = scopeKey(s);
      if (standIns.has(s.display) || diskBundles.has(k) || (s.root !== COMMAND_LINE_SCOPE && k === s.root)) coupled.add(k);
    }
  }
  const joinedKey = [...coupled].sort()[0];
  const keyOf = (s: Source): string => {
    const k = scopeKey(s);
    return joinedKey !== undefined && coupled.has(k) ? joinedKey : k;
  };
  const groups = new Map<string, string[]>();
  for (const s of sources) {
    const k = keyOf(s);
    groups.set(k, [...(groups.get(k) ?? []), s.display]);
  }
  const keys = [...groups.keys()].sort();
  const plan = createHash('sha256')
    .update(JSON.stringify([spec.count, keys.map((k) => [k, [...groups.get(k)!].sort()])]))
    .digest('hex')
    .slice(0, 16);
  const mine = new Set(keys.filter((k) => shardOfGroup(k, spec.count) === spec.index));
  const own = sources.filter((s) => mine.has(keyOf(s)));
  const byDisplay = new Map(sources.map((s) => [s.display, s]));
  const peers = [
    ...entries.filter((e) => !mine.has(keyOf(e.source))),
    ...[...standIns.entries()].filter(([display]) => !mine.has(keyOf(byDisplay.get(display)!))).map(([, e]) => e),
  ];
  const planned = new Map(own.filter((s) => s.kind === 'file').map((s) => [s.display, roles.get(s.display)!]));
  return { info: { index: spec.index, count: spec.count, plan, groups: mine.size, totalGroups: keys.length }, own, peers, planned };
}
