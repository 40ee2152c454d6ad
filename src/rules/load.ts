// Loads the rule pack: reads every *.yaml / *.yml of the given directories (sorted, not
// recursive), parses it with `yaml` and validates it strictly into core `Rule` values (format
// v2, and v1 files converted on the way). A bad file yields RuleErrors (file, field, problem
// and fix), never a thrown exception. Resolves `supersedes` across the pack and the repo's `rules/`.

import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import {
  CAUSE_HINTS,
  EXTRACT_KINDS,
  FAILURE_SIGNALS,
  LOG_FORMATS,
  MATCH_SCOPES,
  OPERATIONS,
  RULE_STATUSES,
  SEVERITIES,
  SYSTEM_NAMES,
  type Pattern,
  type RuleStatus,
  type RuleSystem,
  type ExtractKind,
  type LogFormat,
  type Rule,
  type RuleSample,
  type Severity,
  type FailureSignal,
  type Operation,
  type CauseHint,
  type MatchScope,
  type RuleSignals,
} from '../core/index.js';
import { isEmbedded, listPackageDir, packageRoot, readPackageFile } from '../core/package.js';
import { templateNames } from './compile.js';
import { decideEngine, groupNames, re2Problem } from './engine.js';
import { precompiledRules, type RuleFileText } from './precompiled.js';

export interface RuleError {
  readonly file: string;
  readonly field: string;
  readonly message: string;
}

export type LoadRulesResult = { ok: true; rules: Rule[] } | { ok: false; errors: RuleError[] };

/** A rule may name a system the registry (src/core/systems.ts) does not know, as a lowercase slug. */
const SYSTEM_SLUG = /^[a-z][a-z0-9]*(?:[-.][a-z0-9]+)*$/;

const TOP_KEYS = [
  'version',
  'id',
  'status',
  'title',
  'severity',
  'systems',
  'formats',
  'literals',
  'message',
  'match',
  'captures',
  'extract',
  'supersedes',
  'signals',
  'explanation',
  'remediation',
  'references',
  'tests',
] as const;
const REQUIRED_TOP = ['id', 'title', 'severity', 'systems', 'literals', 'match', 'signals', 'explanation', 'remediation', 'tests'];
const MATCH_KEYS = ['scope', 'all', 'any', 'none', 'flags'];
const SIGNAL_KEYS = ['failure', 'operation', 'hint', 'decides'];
const TEST_KEYS = ['match', 'noMatch'];
const SAMPLE_KEYS = ['text', 'captures', 'line'];
/** Every key a rule file may hold, per level (docs/rules.md documents each; test/rules/docs.test.ts checks it). */
export const RULE_FILE_KEYS = { top: TOP_KEYS, match: MATCH_KEYS, signals: SIGNAL_KEYS, tests: TEST_KEYS, sample: SAMPLE_KEYS } as const;
/** Keys only a v2 file may use. */
const V2_KEYS = ['status', 'message', 'captures', 'supersedes'];
const MIN_LITERAL = 4;

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function oneOf(values: readonly string[]): string {
  return `must be one of ${values.join(', ')}`;
}

/** Validates one parsed file; pushes errors and returns the rule when it is sound. */
class RuleValidator {
  readonly errors: RuleError[] = [];
  constructor(private readonly file: string) {}

  err(field: string, message: string): void {
    this.errors.push({ file: this.file, field, message });
  }

  str(o: Obj, key: string, field = key): string | undefined {
    const v = o[key];
    if (v === undefined) return undefined;
    if (typeof v !== 'string' || v.trim() === '') {
      this.err(field, 'must be a non-empty string');
      return undefined;
    }
    return v;
  }

  strList(o: Obj, key: string, field: string): string[] | undefined {
    const v = o[key];
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) {
      this.err(field, 'must be a list of strings, e.g. [a, b]');
      return undefined;
    }
    const out: string[] = [];
    let bad = false;
    v.forEach((item, i) => {
      if (typeof item !== 'string') {
        this.err(`${field}[${i}]`, 'must be a string (quote it in YAML)');
        bad = true;
      } else out.push(item);
    });
    return bad ? undefined : out;
  }

  enumList<T extends string>(o: Obj, key: string, field: string, allowed: readonly T[]): T[] | undefined {
    const list = this.strList(o, key, field);
    if (list === undefined) return undefined;
    let bad = false;
    list.forEach((item, i) => {
      if (!(allowed as readonly string[]).includes(item)) {
        this.err(`${field}[${i}]`, `unknown value '${item}'; ${oneOf(allowed)}`);
        bad = true;
      }
    });
    return bad ? undefined : (list as T[]);
  }

  enumValue<T extends string>(o: Obj, key: string, field: string, allowed: readonly T[]): T | undefined {
    const v = o[key];
    if (v === undefined) {
      this.err(field, `is required; ${oneOf(allowed)}`);
      return undefined;
    }
    if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) {
      this.err(field, `unknown value '${typeof v === 'string' ? v : JSON.stringify(v)}'; ${oneOf(allowed)}`);
      return undefined;
    }
    return v as T;
  }

  unknownKeys(o: Obj, allowed: readonly string[], prefix: string): void {
    for (const k of Object.keys(o).sort()) {
      if (!allowed.includes(k)) {
        const field = prefix === '' ? k : `${prefix}.${k}`;
        this.err(field, `unknown key '${k}'; allowed keys here: ${allowed.join(', ')} (check the spelling)`);
      }
    }
  }

  /** A list of regexes: each must compile on RE2 (linear time: no lookaround, no backreferences). */
  regexList(o: Obj, key: string, flags: string, field = `match.${key}`): Pattern[] | undefined {
    const list = this.strList(o, key, field);
    if (list === undefined) return undefined;
    const out: Pattern[] = [];
    let bad = false;
    list.forEach((src, i) => {
      if (src === '') {
        this.err(`${field}[${i}]`, 'is an empty regex (it matches everything); remove it');
        bad = true;
        return;
      }
      const problem = regexProblem(src, flags);
      if (problem !== undefined) {
        this.err(`${field}[${i}]`, problem);
        bad = true;
      } else out.push({ source: src, flags });
    });
    return bad ? undefined : out;
  }

  validate(doc: unknown, expectedId: string): Rule | undefined {
    if (!isObj(doc)) {
      this.err('(root)', 'must be a YAML mapping with keys version, id, title, severity, …; see docs/rules.md');
      return undefined;
    }
    this.unknownKeys(doc, TOP_KEYS, '');
    const version = this.version(doc);
    for (const k of REQUIRED_TOP) {
      if (doc[k] === undefined || doc[k] === null) this.err(k, `is required; add '${k}:' to the file (docs/rules.md shows every field)`);
    }
    if (version === 1) {
      for (const k of V2_KEYS) {
        if (doc[k] !== undefined) this.err(k, `is a rule format v2 key; add 'version: 2' at the top of the file (docs/rules.md, "Converting a v1 rule")`);
      }
    }

    const id = this.str(doc, 'id');
    if (id !== undefined && id !== expectedId) {
      this.err('id', `'${id}' must equal the file name '${expectedId}'; rename the file or change the id`);
    }
    const title = this.str(doc, 'title');
    const status = doc.status === undefined ? 'stable' : this.enumValue<RuleStatus>(doc, 'status', 'status', RULE_STATUSES);
    const severity = doc.severity === undefined ? undefined : this.enumValue<Severity>(doc, 'severity', 'severity', SEVERITIES);
    const systems = doc.systems === undefined ? undefined : this.systems(doc);
    const formats = this.enumList<LogFormat>(doc, 'formats', 'formats', LOG_FORMATS);
    const literals = this.literals(doc);
    const match = this.match(doc.match, version);
    const captures = this.captures(doc, match?.flags ?? '');
    const all = match === undefined ? undefined : version === 1 ? match.all.filter((p) => !emptyMatch(p)) : match.all;
    const moved = match === undefined || version === 2 ? [] : match.all.filter(emptyMatch).map(unwrapCaptureOnly);
    const extraction = captures === undefined ? undefined : [...moved, ...captures];
    const groups = new Set<string>();
    if (match !== undefined && extraction !== undefined) {
      for (const p of [...match.all, ...match.any, ...extraction]) for (const g of groupNames(p.source)) groups.add(g);
    }
    const extract = this.extract(doc.extract, match === undefined || extraction === undefined ? undefined : groups);
    const message = this.message(doc, groups);
    const supersedes = this.idList(doc, 'supersedes', id);
    const signals = this.signals(doc.signals);
    const explanation = this.str(doc, 'explanation');
    const remediation = this.str(doc, 'remediation');
    const references = this.strList(doc, 'references', 'references');
    const tests = this.tests(doc.tests, literals);

    if (
      this.errors.length > 0 ||
      id === undefined ||
      title === undefined ||
      status === undefined ||
      severity === undefined ||
      systems === undefined ||
      formats === undefined ||
      literals === undefined ||
      match === undefined ||
      all === undefined ||
      extraction === undefined ||
      extract === undefined ||
      supersedes === undefined ||
      signals === undefined ||
      explanation === undefined ||
      remediation === undefined ||
      references === undefined ||
      tests === undefined
    ) {
      return undefined;
    }
    return {
      id,
      title,
      formatVersion: version,
      status,
      severity,
      systems,
      formats,
      literals,
      match: { scope: match.scope, all, any: match.any, none: match.none },
      captures: extraction,
      supersedes,
      ...(message === undefined ? {} : { message }),
      extract,
      signals,
      explanation: explanation.trim(),
      remediation: remediation.trim(),
      references,
      tests,
      sourceFile: this.file,
    };
  }

  version(doc: Obj): 1 | 2 {
    const v = doc.version;
    if (v === undefined) return 1;
    if (v === 2) return 2;
    if (v === 1) this.err('version', "version 1 is written by leaving 'version' out; remove it, or convert the file to 'version: 2' (docs/rules.md)");
    else {
      const shown = typeof v === 'string' ? v : JSON.stringify(v);
      this.err('version', `unknown rule format version '${shown}'; this mapmortem reads v2 (and v1 files without 'version'): write 'version: 2' (docs/rules.md)`);
    }
    return 2;
  }

  systems(doc: Obj): RuleSystem[] | undefined {
    const list = this.strList(doc, 'systems', 'systems');
    if (list === undefined) return undefined;
    if (list.length === 0) {
      this.err('systems', `must list at least one system, e.g. [${SYSTEM_NAMES.slice(0, 4).join(', ')}] or your own (redis)`);
      return undefined;
    }
    let bad = false;
    list.forEach((name, i) => {
      if (!SYSTEM_SLUG.test(name)) {
        this.err(`systems[${i}]`, `'${name}' is not a system name; use a lowercase word such as redis or prometheus-tsdb (known: ${SYSTEM_NAMES.join(', ')})`);
        bad = true;
      }
    });
    return bad ? undefined : list;
  }

  /** Extraction patterns: each needs a named group; they may match an empty line. */
  captures(doc: Obj, flags: string): Pattern[] | undefined {
    if (doc.captures === undefined || doc.captures === null) return [];
    const list = this.regexList(doc, 'captures', flags, 'captures');
    if (list === undefined) return undefined;
    let bad = false;
    list.forEach((p, i) => {
      if (groupNames(p.source).length === 0) {
        this.err(`captures[${i}]`, 'has no named group (?<name>…); an extraction pattern only fills captures, so it needs one');
        bad = true;
      }
    });
    return bad ? undefined : list;
  }

  message(doc: Obj, groups: ReadonlySet<string>): string | undefined {
    const m = this.str(doc, 'message');
    if (m === undefined) return undefined;
    for (const name of templateNames(m)) {
      if (!groups.has(name))
        this.err(
          'message',
          `{${name}} names no capture (captures here: ${[...groups].sort().join(', ') || 'none'}); use one of them, or add a named group (?<${name}>…) to match or captures`,
        );
    }
    return m.trim();
  }

  idList(doc: Obj, key: string, self: string | undefined): string[] | undefined {
    const list = this.strList(doc, key, key);
    if (list === undefined) return undefined;
    list.forEach((id, i) => {
      if (id === self) this.err(`${key}[${i}]`, 'a rule cannot supersede itself; remove it');
    });
    return list;
  }

  match(v: unknown, version: 1 | 2): { scope: MatchScope; all: Pattern[]; any: Pattern[]; none: Pattern[]; flags: string } | undefined {
    if (v === undefined || v === null) return undefined;
    if (!isObj(v)) {
      this.err('match', 'must be a mapping with scope, all, any, none, flags');
      return undefined;
    }
    this.unknownKeys(v, MATCH_KEYS, 'match');
    const scope = this.enumValue<MatchScope>(v, 'scope', 'match.scope', MATCH_SCOPES);
    let flags = '';
    if (v.flags !== undefined && v.flags !== null && v.flags !== '') {
      if (v.flags !== 'i')
        this.err('match.flags', `'${typeof v.flags === 'string' ? v.flags : JSON.stringify(v.flags)}' is not allowed; only 'i' (ignore case) is, or leave it out`);
      else flags = 'i';
    }
    const all = this.regexList(v, 'all', flags);
    const any = this.regexList(v, 'any', flags);
    const none = this.regexList(v, 'none', flags);
    const lists =
      version === 2
        ? ([
            ['all', all],
            ['any', any],
            ['none', none],
          ] as const)
        : ([
            ['any', any],
            ['none', none],
          ] as const);
    for (const [key, list] of lists) {
      list?.forEach((p, i) => {
        if (emptyMatch(p)) {
          const why = key === 'none' ? 'never lets the rule match' : key === 'any' ? 'always matches' : 'decides nothing';
          const fix = version === 2 && key !== 'none' ? '; a pattern that only fills captures belongs in `captures`' : '; make it require some text';
          this.err(`match.${key}[${i}]`, `matches an empty line, so it ${why}${fix}`);
        }
      });
    }
    if (all !== undefined && any !== undefined && [...all, ...any].every(emptyMatch)) {
      this.err('match', 'needs at least one regex in match.all or match.any that requires some text (capture-only regexes that match an empty line do not count)');
      return undefined;
    }
    if (scope === undefined || all === undefined || any === undefined || none === undefined) return undefined;
    return { scope, all, any, none, flags };
  }

  extract(v: unknown, groups: ReadonlySet<string> | undefined): Record<string, ExtractKind> | undefined {
    if (v === undefined || v === null) return {};
    if (!isObj(v)) {
      this.err('extract', `must be a mapping of capture name to kind (${EXTRACT_KINDS.join(', ')})`);
      return undefined;
    }
    const out: Record<string, ExtractKind> = {};
    let bad = false;
    for (const key of Object.keys(v).sort()) {
      const kind = v[key];
      if (typeof kind !== 'string' || !(EXTRACT_KINDS as readonly string[]).includes(kind)) {
        this.err(`extract.${key}`, `unknown kind '${String(kind)}'; ${oneOf(EXTRACT_KINDS)}`);
        bad = true;
        continue;
      }
      if (groups !== undefined && !groups.has(key)) {
        this.err(`extract.${key}`, `no regex in match.all, match.any or captures has a named group (?<${key}>…); add one or remove this entry`);
        bad = true;
        continue;
      }
      out[key] = kind as ExtractKind;
    }
    return bad ? undefined : out;
  }

  literals(doc: Obj): string[] | undefined {
    if (doc.literals === undefined || doc.literals === null) return undefined;
    const list = this.strList(doc, 'literals', 'literals');
    if (list === undefined) return undefined;
    if (list.length === 0) {
      this.err('literals', 'must list at least one string that every match contains (used by the prefilter)');
      return undefined;
    }
    let bad = false;
    list.forEach((lit, i) => {
      const field = `literals[${i}]`;
      if (lit.length < MIN_LITERAL) {
        this.err(field, `'${lit}' is shorter than ${MIN_LITERAL} characters; use a longer, more specific string`);
        bad = true;
      }
      if (lit.includes('"') || lit.includes('\\')) {
        this.err(field, `'${lit}' contains '"' or '\\', which JSON logs escape; use a part of the text without them`);
        bad = true;
      }
    });
    return bad ? undefined : list;
  }

  signals(v: unknown): RuleSignals | undefined {
    if (v === undefined || v === null) return undefined;
    if (!isObj(v)) {
      this.err('signals', 'must be a mapping with failure, operation, hint');
      return undefined;
    }
    this.unknownKeys(v, SIGNAL_KEYS, 'signals');
    const failure = this.enumValue<FailureSignal>(v, 'failure', 'signals.failure', FAILURE_SIGNALS);
    const operation = this.enumValue<Operation>(v, 'operation', 'signals.operation', OPERATIONS);
    const hint = this.enumValue<CauseHint>(v, 'hint', 'signals.hint', CAUSE_HINTS);
    const decides = v['decides'];
    if (decides !== undefined && typeof decides !== 'boolean') this.err('signals.decides', 'must be true or false (true: the line names the limit that was reached)');
    if (failure === undefined || operation === undefined || hint === undefined) return undefined;
    return { failure, operation, hint, ...(decides === true ? { decides } : {}) };
  }

  tests(v: unknown, literals: string[] | undefined): Rule['tests'] | undefined {
    if (v === undefined || v === null) return undefined;
    if (!isObj(v)) {
      this.err('tests', 'must be a mapping with match and noMatch lists');
      return undefined;
    }
    this.unknownKeys(v, TEST_KEYS, 'tests');
    const match: RuleSample[] = [];
    let bad = false;
    if (!Array.isArray(v.match) || v.match.length === 0) {
      this.err('tests.match', 'must list at least one sample the rule matches (a string or {text, captures})');
      bad = true;
    } else {
      v.match.forEach((s: unknown, i: number) => {
        const sample = this.sample(s, `tests.match[${i}]`);
        if (sample === undefined) {
          bad = true;
          return;
        }
        match.push(sample);
        if (literals !== undefined) {
          const lower = sample.text.toLowerCase();
          if (!literals.some((l) => lower.includes(l.toLowerCase()))) {
            this.err(
              `tests.match[${i}]`,
              `contains none of the literals (${literals.join(', ')}); the prefilter would never let it through: add a literal that every match contains`,
            );
            bad = true;
          }
        }
      });
    }
    const noMatch: string[] = [];
    if (!Array.isArray(v.noMatch) || v.noMatch.length === 0) {
      this.err('tests.noMatch', 'must list at least one near-miss sample the rule must not match');
      bad = true;
    } else {
      v.noMatch.forEach((s: unknown, i: number) => {
        if (typeof s !== 'string' || s.trim() === '') {
          this.err(`tests.noMatch[${i}]`, 'must be a non-empty string (use a YAML block scalar |)');
          bad = true;
        } else noMatch.push(s);
      });
    }
    return bad ? undefined : { match, noMatch };
  }

  sample(s: unknown, field: string): RuleSample | undefined {
    if (typeof s === 'string') {
      if (s.trim() === '') {
        this.err(field, 'is empty; give the log text the rule must match');
        return undefined;
      }
      return { text: s };
    }
    if (!isObj(s)) {
      this.err(field, 'must be a string or a mapping {text, captures}');
      return undefined;
    }
    this.unknownKeys(s, SAMPLE_KEYS, field);
    if (typeof s.text !== 'string' || s.text.trim() === '') {
      this.err(`${field}.text`, 'must be a non-empty string (use a YAML block scalar |)');
      return undefined;
    }
    let line: number | undefined;
    if (s.line !== undefined) {
      const n = s.text.split('\n').length;
      if (typeof s.line !== 'number' || !Number.isInteger(s.line) || s.line < 1 || s.line > n) {
        this.err(`${field}.line`, `must be the 1-based line of the sample where the finding is (1..${n})`);
        return undefined;
      }
      line = s.line;
    }
    const withLine = line === undefined ? {} : { line };
    if (s.captures === undefined || s.captures === null) return { text: s.text, ...withLine };
    if (!isObj(s.captures)) {
      this.err(`${field}.captures`, 'must be a mapping of capture name to expected value');
      return undefined;
    }
    const captures: Record<string, string | number> = {};
    for (const [k, val] of Object.entries(s.captures)) {
      if (typeof val !== 'string' && typeof val !== 'number') {
        this.err(`${field}.captures.${k}`, 'must be a string or a number');
        return undefined;
      }
      captures[k] = val;
    }
    return { text: s.text, captures, ...withLine };
  }
}

/** Why this regex cannot be a rule regex, in words with the fix, or undefined when it can. */
export function regexProblem(source: string, flags: string): string | undefined {
  const why = re2Problem(source, flags);
  if (why === undefined) return undefined;
  const backtracking = /Perl syntax|backreference|\\[1-9]|\(\?<?[=!]/.test(`${why} ${source}`);
  return backtracking
    ? `cannot run in linear time (${why}): lookahead, lookbehind and backreferences need a backtracking engine, where one long line can take minutes; ` +
        `rewrite it without them (match more text, or put the exclusion in match.none)`
    : `does not compile (${why}); rule regexes are JavaScript regexes without lookaround and backreferences (RE2 syntax)`;
}

/** Whether a pattern matches an empty line (the same on V8 and RE2 for the syntax both accept). */
function emptyMatch(p: Pattern): boolean {
  return new RegExp(p.source, p.flags).exec('') !== null;
}

export { groupNames };

type YamlModule = typeof import('yaml');
let yamlModule: Promise<YamlModule> | undefined;

/** The YAML parser, imported on first use (a bundle hands a CommonJS module over as `default`). */
async function yaml(): Promise<YamlModule> {
  const mod = (await import('yaml')) as YamlModule & { default?: YamlModule };
  return typeof mod.parseDocument === 'function' ? mod : (mod.default ?? mod);
}

/** Parses and validates one rule file's text; `file` is used in errors only. The YAML parser is imported on first use. */
export async function parseRuleText(file: string, text: string): Promise<{ rule?: Rule; errors: RuleError[] }> {
  const { parseDocument } = await (yamlModule ??= yaml());
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const errors = doc.errors.map((e) => {
      const pos = e.linePos?.[0];
      const where = pos === undefined ? '' : ` at ${pos.line}:${pos.col}`;
      const first = (e.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '');
      return { file, field: '(yaml)', message: `YAML syntax error${where}: ${first}; fix the YAML` };
    });
    return { errors };
  }
  const expectedId = basename(file, extname(file));
  const v = new RuleValidator(file);
  const rule = v.validate(doc.toJS(), expectedId);
  return rule === undefined ? { errors: v.errors } : { rule, errors: [] };
}

/**
 * Loads every rule file of `dirs` (a directory's *.yaml / *.yml, or one rule file); all errors of
 * all files are reported together. The bundled directory comes from the precompiled pack when it matches.
 */
export async function loadRuleDirs(dirs: readonly string[]): Promise<LoadRulesResult> {
  const rules: Rule[] = [];
  const errors: RuleError[] = [];
  const seen = new Map<string, string>();
  for (const dir of dirs) {
    let names: string[];
    let base = dir;
    try {
      if (isEmbedded(dir)) names = (listPackageDir(dir) ?? []).filter((n) => /\.ya?ml$/i.test(n));
      else if ((await stat(dir)).isFile()) {
        if (!/\.ya?ml$/i.test(dir)) {
          errors.push({ file: dir, field: '(file)', message: 'is not a rule file: give a .yaml or .yml file, or a directory of them, to --rules' });
          continue;
        }
        base = dirname(dir);
        names = [basename(dir)];
      } else {
        const entries = await readdir(dir, { withFileTypes: true });
        names = entries
          .filter((e) => (e.isFile() || e.isSymbolicLink()) && /\.ya?ml$/i.test(e.name))
          .map((e) => e.name)
          .sort();
      }
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code ?? 'error';
      errors.push({ file: dir, field: '(dir)', message: `cannot read the rules directory or file (${code}); check the --rules path` });
      continue;
    }
    const read = await Promise.all(names.map(async (name) => readRuleFile(base, name)));
    const texts = read.filter((r): r is RuleFileText => !('error' in r));
    const packed = texts.length === read.length && dir === defaultRulesDir() ? precompiledRules(dir, texts) : undefined;
    const parsed: { rule?: Rule; errors: RuleError[] }[] =
      packed?.map((rule) => ({ rule, errors: [] })) ??
      (await Promise.all(read.map(async (r) => ('error' in r ? { errors: [r.error] } : parseRuleText(join(base, r.name), r.text)))));
    for (const res of parsed) {
      errors.push(...res.errors);
      if (res.rule === undefined) continue;
      const prev = seen.get(res.rule.id);
      if (prev !== undefined) {
        errors.push({ file: res.rule.sourceFile, field: 'id', message: `'${res.rule.id}' is already defined in ${prev}; rule ids must be unique, rename one` });
        continue;
      }
      seen.set(res.rule.id, res.rule.sourceFile);
      rules.push(res.rule);
    }
  }
  if (errors.length > 0) return { ok: false, errors };
  const resolved = resolvePrecedence(rules);
  return resolved.ok ? chooseEngines(resolved.rules) : resolved;
}

/** One rule file's text, or the error naming why it cannot be read. */
async function readRuleFile(dir: string, name: string): Promise<RuleFileText | { error: RuleError }> {
  const file = join(dir, name);
  try {
    return { name, text: isEmbedded(file) ? readPackageFile(file) : await readFile(file, 'utf8') };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'error';
    return { error: { file, field: '(file)', message: `cannot be read (${code}); check its permissions` } };
  }
}

type PatternField = 'all' | 'any' | 'none' | 'captures';

/**
 * Gives every pattern its engine (src/rules/engine.ts): V8 when proved linear, re2js when it
 * cannot be proved; a pattern recheck finds super-linear is an error naming file and field.
 */
export async function chooseEngines(rules: readonly Rule[]): Promise<LoadRulesResult> {
  const errors: RuleError[] = [];
  const out: Rule[] = [];
  for (const r of rules) {
    const decide = async (list: readonly Pattern[], field: PatternField): Promise<Pattern[]> =>
      Promise.all(
        list.map(async (p, i) => {
          const v = await decideEngine(p.source, p.flags);
          if ('vulnerable' in v) {
            const where = field === 'captures' ? `captures[${i}]` : `match.${field}[${i}]`;
            errors.push({
              file: r.sourceFile,
              field: where,
              message:
                `can take super-linear time on a long line: ${v.vulnerable}; rewrite it so that no two parts can match the same text (e.g. [^,]+ instead ` + `of .+ before a ',')`,
            });
            return p;
          }
          return { ...p, engine: v.engine };
        }),
      );
    const [all, any, none, captures] = await Promise.all([decide(r.match.all, 'all'), decide(r.match.any, 'any'), decide(r.match.none, 'none'), decide(r.captures, 'captures')]);
    out.push({ ...r, match: { scope: r.match.scope, all, any, none }, captures });
  }
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, rules: out };
}

/** A v1 capture-only regex `^(?:.*?BODY)?` as the extraction pattern `BODY` (same captures, found anywhere in the line). */
function unwrapCaptureOnly(p: Pattern): Pattern {
  const m = /^\^\(\?:\.\*\?(.*)\)\?$/s.exec(p.source);
  if (m?.[1] === undefined || regexProblem(m[1], p.flags) !== undefined) return p;
  return { source: m[1], flags: p.flags };
}

/**
 * Checks every `supersedes` id against the loaded pack and closes the relation transitively
 * (A over B over C: A also drops C); a cycle is an error, since neither rule could win.
 */
export function resolvePrecedence(rules: readonly Rule[]): LoadRulesResult {
  const byId = new Map(rules.map((r) => [r.id, r]));
  const errors: RuleError[] = [];
  for (const r of rules) {
    r.supersedes.forEach((id, i) => {
      if (!byId.has(id))
        errors.push({ file: r.sourceFile, field: `supersedes[${i}]`, message: `no loaded rule has the id '${id}'; check the spelling (see mapmortem rules list)` });
    });
  }
  if (errors.length > 0) return { ok: false, errors };
  const closure = new Map<string, string[]>();
  for (const r of rules) {
    const seen = new Set<string>();
    const stack = [...r.supersedes];
    while (stack.length > 0) {
      const id = stack.pop()!;
      if (seen.has(id)) continue;
      seen.add(id);
      stack.push(...(byId.get(id)?.supersedes ?? []));
    }
    if (seen.has(r.id)) {
      errors.push({ file: r.sourceFile, field: 'supersedes', message: `'${r.id}' supersedes itself through a cycle (${[...seen].sort().join(', ')}); remove one direction` });
    }
    closure.set(r.id, [...seen].sort());
  }
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, rules: rules.map((r) => ({ ...r, supersedes: closure.get(r.id) ?? [] })) };
}

/** The package's `rules/` directory (found by walking up to mapmortem's package.json), or the executable's built-in copy. */
export function defaultRulesDir(): string {
  return join(packageRoot(), 'rules');
}
