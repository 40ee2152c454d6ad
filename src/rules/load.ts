// Loads the rule pack: reads every *.yaml / *.yml of the given directories (sorted, not
// recursive), parses it with `yaml` and validates it strictly into core `Rule` values.
// A bad file yields RuleErrors (file, field, problem and fix), never a thrown exception.
// Also resolves the repository's own `rules/` directory.

import { readdir, readFile } from 'node:fs/promises';
import { extname, basename, join } from 'node:path';
import { parseDocument } from 'yaml';
import {
  CAUSE_HINTS,
  EXTRACT_KINDS,
  FAILURE_SIGNALS,
  LOG_FORMATS,
  MATCH_SCOPES,
  OPERATIONS,
  SEVERITIES,
  SYSTEM_NAMES,
  type ExtractKind,
  type LogFormat,
  type Rule,
  type RuleSample,
  type Severity,
  type SystemName,
  type FailureSignal,
  type Operation,
  type CauseHint,
  type MatchScope,
} from '../core/index.js';
import { isEmbedded, listPackageDir, packageRoot, readPackageFile } from '../core/package.js';

export interface RuleError {
  readonly file: string;
  readonly field: string;
  readonly message: string;
}

export type LoadRulesResult = { ok: true; rules: Rule[] } | { ok: false; errors: RuleError[] };

const TOP_KEYS = [
  'id',
  'title',
  'severity',
  'systems',
  'formats',
  'literals',
  'match',
  'extract',
  'signals',
  'explanation',
  'remediation',
  'references',
  'tests',
] as const;
const REQUIRED_TOP = ['id', 'title', 'severity', 'systems', 'literals', 'match', 'signals', 'explanation', 'remediation', 'tests'];
const MATCH_KEYS = ['scope', 'all', 'any', 'none', 'flags'];
const SIGNAL_KEYS = ['failure', 'operation', 'hint'];
const TEST_KEYS = ['match', 'noMatch'];
const SAMPLE_KEYS = ['text', 'captures'];
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

  regexList(o: Obj, key: string, flags: string): RegExp[] | undefined {
    const field = `match.${key}`;
    const list = this.strList(o, key, field);
    if (list === undefined) return undefined;
    const out: RegExp[] = [];
    let bad = false;
    list.forEach((src, i) => {
      if (src === '') {
        this.err(`${field}[${i}]`, 'is an empty regex (it matches everything); remove it');
        bad = true;
        return;
      }
      try {
        out.push(new RegExp(src, flags));
      } catch (e) {
        this.err(`${field}[${i}]`, `does not compile: ${(e as Error).message}; fix the JavaScript regex syntax`);
        bad = true;
      }
    });
    return bad ? undefined : out;
  }

  validate(doc: unknown, expectedId: string): Rule | undefined {
    if (!isObj(doc)) {
      this.err('(root)', 'must be a YAML mapping with keys id, title, severity, …; see docs/rules.md');
      return undefined;
    }
    this.unknownKeys(doc, TOP_KEYS, '');
    for (const k of REQUIRED_TOP) {
      if (doc[k] === undefined || doc[k] === null) this.err(k, `is required; see docs/rules.md for the rule shape`);
    }

    const id = this.str(doc, 'id');
    if (id !== undefined && id !== expectedId) {
      this.err('id', `'${id}' must equal the file name '${expectedId}'; rename the file or change the id`);
    }
    const title = this.str(doc, 'title');
    const severity = doc.severity === undefined ? undefined : this.enumValue<Severity>(doc, 'severity', 'severity', SEVERITIES);
    const systems = doc.systems === undefined ? undefined : this.enumList<SystemName>(doc, 'systems', 'systems', SYSTEM_NAMES);
    if (systems !== undefined && systems.length === 0 && doc.systems !== undefined) {
      this.err('systems', `must list at least one system; ${oneOf(SYSTEM_NAMES)}`);
    }
    const formats = this.enumList<LogFormat>(doc, 'formats', 'formats', LOG_FORMATS);
    const literals = this.literals(doc);
    const match = this.match(doc.match);
    const extract = this.extract(doc.extract, match);
    const signals = this.signals(doc.signals);
    const explanation = this.str(doc, 'explanation');
    const remediation = this.str(doc, 'remediation');
    const references = this.strList(doc, 'references', 'references');
    const tests = this.tests(doc.tests, literals);

    if (
      this.errors.length > 0 ||
      id === undefined ||
      title === undefined ||
      severity === undefined ||
      systems === undefined ||
      formats === undefined ||
      literals === undefined ||
      match === undefined ||
      extract === undefined ||
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
      severity,
      systems,
      formats,
      literals,
      match: { scope: match.scope, all: match.all, any: match.any, none: match.none },
      extract,
      signals,
      explanation: explanation.trim(),
      remediation: remediation.trim(),
      references,
      tests,
      sourceFile: this.file,
    };
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

  match(v: unknown): { scope: MatchScope; all: RegExp[]; any: RegExp[]; none: RegExp[] } | undefined {
    if (v === undefined || v === null) return undefined;
    if (!isObj(v)) {
      this.err('match', 'must be a mapping with scope, all, any, none, flags');
      return undefined;
    }
    this.unknownKeys(v, MATCH_KEYS, 'match');
    const scope = this.enumValue<MatchScope>(v, 'scope', 'match.scope', MATCH_SCOPES);
    let flags = '';
    if (v.flags !== undefined && v.flags !== null && v.flags !== '') {
      if (v.flags !== 'i') this.err('match.flags', `'${typeof v.flags === 'string' ? v.flags : JSON.stringify(v.flags)}' is not allowed; only 'i' (ignore case) is, or leave it out`);
      else flags = 'i';
    }
    const all = this.regexList(v, 'all', flags);
    const any = this.regexList(v, 'any', flags);
    const none = this.regexList(v, 'none', flags);
    for (const [key, list] of [['any', any], ['none', none]] as const) {
      list?.forEach((re, i) => {
        if (re.exec('') !== null) {
          this.err(`match.${key}[${i}]`, `matches an empty line, so it ${key === 'any' ? 'always' : 'never lets the rule'} match; make it require some text`);
        }
      });
    }
    if (all !== undefined && any !== undefined && [...all, ...any].every((re) => re.exec('') !== null)) {
      this.err('match', 'needs at least one regex in match.all or match.any that requires some text (capture-only regexes that match an empty line do not count)');
      return undefined;
    }
    if (scope === undefined || all === undefined || any === undefined || none === undefined) return undefined;
    return { scope, all, any, none };
  }

  extract(v: unknown, match: { all: RegExp[]; any: RegExp[] } | undefined): Record<string, ExtractKind> | undefined {
    if (v === undefined || v === null) return {};
    if (!isObj(v)) {
      this.err('extract', `must be a mapping of capture name to kind (${EXTRACT_KINDS.join(', ')})`);
      return undefined;
    }
    const groups = new Set<string>();
    if (match !== undefined) for (const re of [...match.all, ...match.any]) for (const g of groupNames(re.source)) groups.add(g);
    const out: Record<string, ExtractKind> = {};
    let bad = false;
    for (const key of Object.keys(v).sort()) {
      const kind = v[key];
      if (typeof kind !== 'string' || !(EXTRACT_KINDS as readonly string[]).includes(kind)) {
        this.err(`extract.${key}`, `unknown kind '${String(kind)}'; ${oneOf(EXTRACT_KINDS)}`);
        bad = true;
        continue;
      }
      if (match !== undefined && !groups.has(key)) {
        this.err(`extract.${key}`, `no regex in match.all or match.any has a named group (?<${key}>…); add one or remove this entry`);
        bad = true;
        continue;
      }
      out[key] = kind as ExtractKind;
    }
    return bad ? undefined : out;
  }

  signals(v: unknown): { failure: FailureSignal; operation: Operation; hint: CauseHint } | undefined {
    if (v === undefined || v === null) return undefined;
    if (!isObj(v)) {
      this.err('signals', 'must be a mapping with failure, operation, hint');
      return undefined;
    }
    this.unknownKeys(v, SIGNAL_KEYS, 'signals');
    const failure = this.enumValue<FailureSignal>(v, 'failure', 'signals.failure', FAILURE_SIGNALS);
    const operation = this.enumValue<Operation>(v, 'operation', 'signals.operation', OPERATIONS);
    const hint = this.enumValue<CauseHint>(v, 'hint', 'signals.hint', CAUSE_HINTS);
    if (failure === undefined || operation === undefined || hint === undefined) return undefined;
    return { failure, operation, hint };
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
    if (s.captures === undefined || s.captures === null) return { text: s.text };
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
    return { text: s.text, captures };
  }
}

/** Named groups declared in a regex source (`(?<name>`), ignoring escaped parens and lookbehinds. */
export function groupNames(source: string): string[] {
  const out: string[] = [];
  const re = /(\\*)\(\?<([A-Za-z_$][\w$]*)>/g;
  for (const m of source.matchAll(re)) {
    if ((m[1] ?? '').length % 2 === 0 && m[2] !== undefined) out.push(m[2]);
  }
  return out;
}

/** Parses and validates one rule file's text; `file` is used in errors only. */
export function parseRuleText(file: string, text: string): { rule?: Rule; errors: RuleError[] } {
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

/** Loads every rule file of `dirs`; all errors of all files are reported together. */
export async function loadRuleDirs(dirs: readonly string[]): Promise<LoadRulesResult> {
  const rules: Rule[] = [];
  const errors: RuleError[] = [];
  const seen = new Map<string, string>();
  for (const dir of dirs) {
    let names: string[];
    try {
      if (isEmbedded(dir)) names = (listPackageDir(dir) ?? []).filter((n) => /\.ya?ml$/i.test(n));
      else {
        const entries = await readdir(dir, { withFileTypes: true });
        names = entries
          .filter((e) => (e.isFile() || e.isSymbolicLink()) && /\.ya?ml$/i.test(e.name))
          .map((e) => e.name)
          .sort();
      }
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code ?? 'error';
      errors.push({ file: dir, field: '(dir)', message: `cannot read the rules directory (${code}); check the --rules path` });
      continue;
    }
    for (const name of names) {
      const file = join(dir, name);
      let text: string;
      try {
        text = isEmbedded(file) ? readPackageFile(file) : await readFile(file, 'utf8');
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code ?? 'error';
        errors.push({ file, field: '(file)', message: `cannot be read (${code}); check its permissions` });
        continue;
      }
      const res = parseRuleText(file, text);
      errors.push(...res.errors);
      if (res.rule === undefined) continue;
      const prev = seen.get(res.rule.id);
      if (prev !== undefined) {
        errors.push({ file, field: 'id', message: `'${res.rule.id}' is already defined in ${prev}; rule ids must be unique, rename one` });
        continue;
      }
      seen.set(res.rule.id, file);
      rules.push(res.rule);
    }
  }
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, rules };
}

/** The package's `rules/` directory (found by walking up to mapmortem's package.json), or the executable's built-in copy. */
export function defaultRulesDir(): string {
  return join(packageRoot(), 'rules');
}
