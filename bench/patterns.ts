// Benchmark patterns: reads the rule pack (rules/*.yaml) and turns each rule's anchor regexes
// (the first required `all` regex, else its `any` list; optional capture-only regexes are left
// out) into the same search for JS, ripgrep and GNU grep -E, so every tool does comparable work.

import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';

export interface BenchPattern {
  readonly rule: string;
  /** The rule's regex as written (JS syntax). */
  readonly js: string;
  readonly ignoreCase: boolean;
}

interface RuleFile {
  id?: string;
  match?: { all?: unknown[]; any?: unknown[]; flags?: string };
}

/** `^(?:…)?` regexes only capture fields and match every line: not a search pattern. */
const isOptional = (r: string): boolean => /^\^\(\?:.*\)\?$/.test(r);

export function loadPatterns(rulesDir: string): BenchPattern[] {
  const out: BenchPattern[] = [];
  for (const f of readdirSync(rulesDir)
    .filter((n) => n.endsWith('.yaml'))
    .sort()) {
    const doc = parse(readFileSync(path.join(rulesDir, f), 'utf8')) as RuleFile;
    const m = doc.match ?? {};
    const all = (m.all ?? []).filter((r): r is string => typeof r === 'string' && !isOptional(r));
    const any = (m.any ?? []).filter((r): r is string => typeof r === 'string');
    const anchors = all.length > 0 ? [all[0] as string] : any;
    const ignoreCase = (m.flags ?? '').includes('i');
    for (const js of anchors) out.push({ rule: doc.id ?? f, js, ignoreCase });
  }
  return out;
}

export function jsRegex(p: BenchPattern): RegExp {
  return new RegExp(p.js, p.ignoreCase ? 'i' : '');
}

/** ripgrep: unnamed groups (names repeat across rules), ASCII `\b` (the JS meaning, and rg 13's fast path), `(?i)`. */
export function rgPattern(p: BenchPattern): string {
  const s = p.js.replace(/\(\?<([A-Za-z_]\w*)>/g, '(?:').replace(/\\b/g, '(?-u:\\b)');
  return p.ignoreCase ? `(?i)${s}` : s;
}

/** GNU grep -E: no (?:, no named groups, no lazy quantifiers, POSIX classes inside brackets, case by [xX]. */
export function grepPattern(p: BenchPattern): string | null {
  const s = p.js;
  if (/\(\?[=!<][^A-Za-z_]|\(\?<[=!]/.test(s)) return null;
  let out = '';
  let inClass = false;
  const fold = (c: string): string => {
    if (!p.ignoreCase || !/[A-Za-z]/.test(c)) return c;
    const lo = c.toLowerCase();
    const up = c.toUpperCase();
    return inClass ? `${lo}${up}` : `[${lo}${up}]`;
  };
  for (let i = 0; i < s.length; i++) {
    const c = s[i] as string;
    const rest = s.slice(i);
    if (c === '\\') {
      const n = s[i + 1] ?? '';
      i++;
      if (inClass) {
        out += n === 'w' ? '[:alnum:]_' : n === 's' ? '[:space:]' : n === 'd' ? '0-9' : n === 'r' || n === 'n' ? '' : n === ']' ? '' : fold(n);
      } else if (n === 'd') out += '[0-9]';
      else if (n === 'w' || n === 's' || n === 'b' || n === 'W' || n === 'S' || n === 'B') out += `\\${n}`;
      else if (/[A-Za-z]/.test(n)) return null;
      else out += `\\${n}`;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      out += c === ']' ? c : fold(c);
      continue;
    }
    if (c === '[') {
      inClass = true;
      out += c;
      if (s[i + 1] === '^') {
        out += '^';
        i++;
      }
      continue;
    }
    const named = /^\(\?<[A-Za-z_]\w*>/.exec(rest);
    if (named) {
      out += '(';
      i += named[0].length - 1;
      continue;
    }
    if (rest.startsWith('(?:')) {
      out += '(';
      i += 2;
      continue;
    }
    if ((c === '*' || c === '+' || c === '?') && s[i + 1] === '?') {
      out += c;
      i++;
      continue;
    }
    out += fold(c);
  }
  return out;
}
