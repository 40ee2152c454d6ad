// The correlate stage: which inputs describe one host (its evidence scope), decided once every
// input's role is known, and the grouping of each scope's findings and evidence for diagnose.
// Its rules are written down in docs/ARCHITECTURE.md ("Correlate"); diagnose then splits a
// scope into incidents per process.

import { COMMAND_LINE_SCOPE, type EvidenceFile, type OmittedFindings, type ScopeInput, type Source } from '../core/index.js';

/** One input as correlate sees it: where it was found, and what scanning it yielded. */
export interface CorrelateEntry {
  readonly source: Source;
  /** True when the input was read as a log (its findings make incidents). */
  readonly isLog: boolean;
  readonly findings?: ScopeInput['findings'];
  readonly omitted?: readonly OmittedFindings[];
  readonly evidence?: readonly EvidenceFile[];
}

/**
 * Final evidence scopes, once each input's role is known. A capture bundle is one scope. Under a
 * directory root, first-level folders are separate scopes only when two or more of them hold
 * logs (a folder per host or scenario); otherwise the whole root is one host (a support bundle
 * with logs/ and proc/). With exactly one capture bundle, unsplit roots join the bundle's host;
 * inputs named one by one join the other inputs' scope when there is exactly one. A capture bundle
 * inside an archive (`bundle.tar.gz!/bundle/manifest.json`) is a bundle as the same folder on disk is.
 */
export function assignScopes(entries: readonly Pick<CorrelateEntry, 'source' | 'isLog' | 'evidence'>[]): Map<string, string> {
  const logUnits = new Map<string, Set<string>>();
  for (const { source, isLog } of entries) {
    if (!isLog || source.root === COMMAND_LINE_SCOPE || source.unit === source.root) continue;
    const set = logUnits.get(source.root) ?? new Set<string>();
    set.add(source.unit);
    logUnits.set(source.root, set);
  }
  const out = new Map<string, string>();
  const archived = archivedBundles(entries);
  const bundleOf = (source: Source): string | undefined =>
    'bundle' in source && source.bundle !== undefined
      ? source.bundle
      : source.kind === 'member'
        ? archived.find((b) => source.display.startsWith(b.endsWith('!') ? b : `${b}/`))
        : undefined;
  const bundles = new Set<string>();
  for (const { source } of entries) {
    const b = bundleOf(source);
    if (b !== undefined) bundles.add(b);
  }
  // With exactly one capture bundle, every root that is one host on its own (not split into
  // per-host folders) belongs to the host the bundle describes (`scan logs/ bundle/`, --capture-pid).
  const onlyBundle = bundles.size === 1 ? [...bundles][0]! : undefined;
  const others = new Set<string>();
  for (const { source } of entries) {
    if (source.root === COMMAND_LINE_SCOPE) continue;
    const bundle = bundleOf(source);
    const split = (logUnits.get(source.root)?.size ?? 0) >= 2;
    const scope = bundle ?? (split ? source.unit : (onlyBundle ?? source.root));
    out.set(source.display, scope);
    others.add(scope);
  }
  const joined = others.size === 1 ? [...others][0]! : COMMAND_LINE_SCOPE;
  for (const { source } of entries) if (source.root === COMMAND_LINE_SCOPE) out.set(source.display, joined);
  return out;
}

/**
 * The folders of archive members that are capture manifests (`b.tgz!/b`, or `b.tgz!` for a
 * manifest at the archive's top), deepest first: known only once the members have been read.
 */
function archivedBundles(entries: readonly Pick<CorrelateEntry, 'source' | 'evidence'>[]): string[] {
  const out: string[] = [];
  for (const { source, evidence } of entries) {
    const d = source.display;
    if (source.kind !== 'member' || !/[!/]manifest\.json$/.test(d) || !evidence?.some((e) => e.kind === 'capture-manifest')) continue;
    const slash = d.lastIndexOf('/');
    const bang = d.indexOf('!');
    out.push(slash > bang ? d.slice(0, slash) : d.slice(0, bang + 1));
  }
  return [...new Set(out)].sort((a, b) => b.length - a.length || (a < b ? -1 : 1));
}

/**
 * The inputs grouped into scopes (sorted by scope name), each ready for diagnose. `peers` are
 * inputs another shard of the same scan reads (`scan --shard`): they count where scopes are
 * decided (a root split into hosts, the one bundle, the one other host) but make no scope here.
 */
export function correlate(entries: readonly CorrelateEntry[], peers: readonly Pick<CorrelateEntry, 'source' | 'isLog'>[] = []): ScopeInput[] {
  const scopeOf = assignScopes(peers.length > 0 ? [...entries, ...peers] : entries);
  const scopes = new Map<string, { findings: ScopeInput['findings'][number][]; omitted: OmittedFindings[]; evidence: EvidenceFile[] }>();
  for (const e of entries) {
    const name = scopeOf.get(e.source.display) ?? e.source.scope;
    let sc = scopes.get(name);
    if (!sc) {
      sc = { findings: [], omitted: [], evidence: [] };
      scopes.set(name, sc);
    }
    sc.findings.push(...(e.findings ?? []));
    sc.omitted.push(...(e.omitted ?? []));
    sc.evidence.push(...(e.evidence ?? []));
  }
  return [...scopes.keys()].sort().map((scope) => ({ scope, ...scopes.get(scope)! }));
}
