// The regex engines of the rules, and the proof that decides between them. Every rule regex
// must compile on RE2 (re2js: linear time, no lookaround, no backreferences). One that recheck
// proved linear with its automaton checker runs on V8 (fast); any other runs on re2js (linear,
// slower). A regex the automaton checker proves super-linear is rejected at load, with the reason.

import { join } from 'node:path';
import { RE2JS } from 're2js';
import type { Pattern, PatternEngine } from '../core/index.js';
import { packageRoot, readPackageFile } from '../core/package.js';

/** The engine's view of a regex: a leftmost-first search returning the match, its index and named groups. */
export interface Matcher {
  exec(text: string): { index: number; 0: string; groups?: Record<string, string | undefined> } | null;
}

/** Named groups declared in a regex source (`(?<name>`), ignoring escaped parens. */
export function groupNames(source: string): string[] {
  const out: string[] = [];
  const re = /(\\*)\(\?P?<([A-Za-z_$][\w$]*)>/g;
  for (const m of source.matchAll(re)) {
    if ((m[1] ?? '').length % 2 === 0 && m[2] !== undefined) out.push(m[2]);
  }
  return out;
}

/** The plain text every match of a pattern starts with (after a leading `\b`), for a quick skip; '' when none. */
export function leadingLiteral(source: string): string {
  let i = source.startsWith('\\b') ? 2 : 0;
  let out = '';
  for (; i < source.length; i++) {
    const c = source[i]!;
    if (c === '\\') {
      const n = source[i + 1];
      if (n === undefined || /[A-Za-z0-9]/.test(n)) break;
      out += n;
      i++;
    } else if ('.*+?^$()[]{}|'.includes(c)) break;
    else out += c;
  }
  // A quantifier after the last character applies to it alone: it is not required.
  return /^[*?{]/.test(source.slice(i)) ? out.slice(0, -1) : out;
}

function re2Matcher(p: Pattern): Matcher {
  const re = RE2JS.compile(p.source, p.flags.includes('i') ? RE2JS.CASE_INSENSITIVE : 0);
  const names = groupNames(p.source);
  const caseless = p.flags.includes('i');
  const lead = caseless ? leadingLiteral(p.source).toLowerCase() : leadingLiteral(p.source);
  return {
    exec(text) {
      // re2js runs at about 1 MB/s: start it where the match has to start, or not at all.
      let from = 0;
      if (lead !== '') {
        const hay = caseless ? text.toLowerCase() : text;
        from = hay.indexOf(lead);
        if (from < 0) return null;
        if (hay.length !== text.length) from = 0;
      }
      const m = re.matcher(text);
      if (!m.find(from)) return null;
      const groups: Record<string, string | undefined> = {};
      for (const n of names) groups[n] = m.group(n) ?? undefined;
      return { index: m.start(), 0: m.group() ?? '', groups };
    },
  };
}

function v8Matcher(p: Pattern): Matcher {
  const re = new RegExp(p.source, p.flags);
  return {
    exec(text) {
      re.lastIndex = 0;
      return re.exec(text);
    },
  };
}

const cache = new Map<string, Matcher>();

/** Compiles a pattern on the engine the loader chose (re2js when none was chosen); cached per source, flags and engine. */
export function compilePattern(p: Pattern): Matcher {
  const engine: PatternEngine = p.engine ?? 're2';
  const key = `${engine}/${p.flags}/${p.source}`;
  let m = cache.get(key);
  if (m === undefined) {
    m = engine === 'v8' ? v8Matcher(p) : re2Matcher(p);
    cache.set(key, m);
  }
  return m;
}

/** Why RE2 cannot run this regex (lookaround, backreferences, bad syntax), or undefined when it can. */
export function re2Problem(source: string, flags: string): string | undefined {
  try {
    new RegExp(source, flags);
    // A pattern of the proof file compiled on RE2 when it was proved; skip the slow re2js parse.
    if (!decidedEngines().has(proofKey(source, flags))) RE2JS.compile(source, flags.includes('i') ? RE2JS.CASE_INSENSITIVE : 0);
    return undefined;
  } catch (e) {
    return (e as Error).message.replace(/^error parsing regexp: /, '').replace(/^Invalid regular expression: \/.*\/[a-z]*: /s, '');
  }
}

/** `flags/source`: the key of a pattern in the proof file. */
export function proofKey(source: string, flags: string): string {
  return `${flags}/${source}`;
}

/** The proof file: patterns proved linear (V8) and patterns recheck could not prove but found no attack on (re2js). */
export interface ProofFile {
  readonly v8: readonly string[];
  readonly re2: readonly string[];
}

let bundled: Map<string, PatternEngine> | undefined;

/** Engines decided ahead of time for the bundled pack (rules/linear-proofs.json, written by `npm run rules:prove`). */
export function decidedEngines(): ReadonlyMap<string, PatternEngine> {
  if (bundled === undefined) {
    bundled = new Map();
    try {
      const data = JSON.parse(readPackageFile(join(packageRoot(), 'rules', 'linear-proofs.json'))) as Partial<ProofFile>;
      for (const k of data.re2 ?? []) bundled.set(k, 're2');
      for (const k of data.v8 ?? []) bundled.set(k, 'v8');
    } catch {
      // No proof file: every pattern is decided at load.
    }
  }
  return bundled;
}

export type Verdict = { engine: PatternEngine } | { vulnerable: string };

/**
 * Decides the engine of one pattern: V8 when proved linear (the bundled proofs, else recheck's
 * automaton checker now); a reason when the automaton checker proves it super-linear; re2js
 * otherwise (recheck unsure, or only its fuzzer found a slow input: not a proof either way).
 */
export async function decideEngine(source: string, flags: string): Promise<Verdict> {
  const known = decidedEngines().get(proofKey(source, flags));
  if (known !== undefined) return { engine: known };
  return verdictOf(await recheckOne(source, flags));
}

/** What recheck's diagnosis means for a rule regex. */
export function verdictOf(d: Diagnostics | undefined): Verdict {
  if (d === undefined) return { engine: 're2' };
  if (d.status === 'vulnerable' && d.checker === 'automaton') {
    const attack = d.attack.string.length > 40 ? `${d.attack.string.slice(0, 40)}…` : d.attack.string;
    return { vulnerable: `${d.complexity.summary} backtracking (an input such as ${JSON.stringify(attack)} makes it slow)` };
  }
  if (d.status === 'safe' && d.checker === 'automaton') return { engine: 'v8' };
  return { engine: 're2' };
}

type Diagnostics = Awaited<ReturnType<(typeof import('recheck'))['check']>>;

/** recheck's diagnosis, or undefined when recheck is not installed or fails. */
export async function recheckOne(source: string, flags: string, timeoutMs = 10_000): Promise<Diagnostics | undefined> {
  try {
    const { check } = await import('recheck');
    return await check(source, flags, { timeout: timeoutMs });
  } catch {
    return undefined;
  }
}
