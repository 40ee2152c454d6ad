// --redact: replaces host names, IPv4/IPv6 addresses, user names in home-directory paths and
// e-mail addresses in every string of a Report with numbered placeholders (the same input
// always gets the same placeholder across the whole report), before any renderer runs.
// Highlight spans of findings are moved to follow the redacted text.

import { isIPv6 } from 'node:net';
import { escapeRegExp, type Finding, type Report } from '../core/index.js';

/** Keys whose values are vocabulary or digests, never user data: left as they are. */
const KEEP_KEYS = new Set([
  'cause',
  'verdict',
  'system',
  'systems',
  'severity',
  'confidence',
  'ruleId',
  'kind',
  'class',
  'code',
  'format',
  'wrapper',
  'sha256',
  'key',
  'role',
  'failure',
  'operation',
  'hint',
  'generatedAt',
  'iso',
  'level',
]);
/** Public documentation sites named by remediation text: not anybody's infrastructure. */
const PUBLIC_DOMAINS = new RegExp(
  String.raw`(?:^|\.)(?:kernel\.org|github\.com|apache\.org|elastic\.co|prometheus\.io|grafana\.com|cortexmetrics\.io|oracle\.com|openjdk\.org|` +
    String.raw`redhat\.com|kubernetes\.io|docker\.com|example\.com|example\.org)$`,
  'i',
);

const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g;
const IPV4 = /(?<![\d.])(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?![\d.]*\d)/g;
const IPV6_CANDIDATE = /(?<![\w:.])(?:[0-9A-Fa-f]{0,4}:){2,7}(?:[0-9A-Fa-f]{1,4}|(?:\d{1,3}\.){3}\d{1,3})?(?![\w:])/g;
const EC2_HOST = /\bip-\d{1,3}-\d{1,3}-\d{1,3}-\d{1,3}(?:\.[a-z0-9-]+)*\b/g;
/** Fully qualified names under public or common internal suffixes (not Java packages or file names). */
const FQDN = new RegExp(
  String.raw`(?<![\w.@/-])(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+(?:com|net|org|io|dev|cloud|internal|local|localdomain|lan|corp|intra|` +
    String.raw`intranet|svc|cluster\.local|example|de|uk|fr|nl|eu|us|ca|au|jp|cn|in|br|ch|se|no|fi|it|es|pl|ru)(?![\w-]|\.[A-Za-z])`,
  'g',
);
const HOSTNAME = new RegExp(`${EC2_HOST.source}|${FQDN.source}`, 'g');
const JAVA_PACKAGE = /^(?:com|org|net|io|java|javax|jdk|sun|kafka|scala)\./;
const HOME_PATH = /(\/home\/|\/Users\/|[A-Za-z]:\\Users\\|\/var\/home\/)([A-Za-z0-9._-]+)/g;
const HOST_KEY =
  /\b(?:host|hostname|host_name|node|nodename|node_name|instance|pod|server_name|advertised\.host\.name)["']?\s*[=:]\s*["']?([A-Za-z0-9][A-Za-z0-9.-]*[A-Za-z0-9])/gi;
const LOOPBACK = new Set(['127.0.0.1', '0.0.0.0', '255.255.255.255', '::1', '::']);
const HOST_STOPWORDS = new Set(['localhost', 'true', 'false', 'null', 'none', 'unknown', 'all', 'any', 'default']);

class Placeholders {
  private readonly maps = new Map<string, Map<string, string>>();

  get(kind: string, value: string, make: (n: number) => string): string {
    let m = this.maps.get(kind);
    if (!m) {
      m = new Map();
      this.maps.set(kind, m);
    }
    const key = kind === 'host' || kind === 'email' ? value.toLowerCase() : value;
    const known = m.get(key);
    if (known) return known;
    const p = make(m.size + 1);
    m.set(key, p);
    return p;
  }
}

export class Redactor {
  private readonly ph = new Placeholders();
  private hostRe: RegExp | undefined;

  /** Host names learned from the report itself (hostname facts, host=… fields), replaced everywhere. */
  learnHosts(names: Iterable<string>): void {
    const all = new Set<string>();
    for (const raw of names) {
      const n = raw.trim().replace(/\.$/, '');
      if (n.length < 3 || HOST_STOPWORDS.has(n.toLowerCase()) || /^[\d.]+$/.test(n) || !/[A-Za-z]/.test(n)) continue;
      all.add(n);
      const short = n.split('.')[0];
      if (short && short !== n && short.length >= 3 && /[\d-]/.test(short)) all.add(short);
    }
    if (all.size === 0) return;
    for (const n of [...all].sort()) this.ph.get('host', n, (k) => `host-${k}`);
    const alternatives = [...all].sort((a, b) => b.length - a.length || a.localeCompare(b)).map(escapeRegExp);
    this.hostRe = new RegExp(`(?<![\\w.-])(?:${alternatives.join('|')})(?![\\w-]|\\.[A-Za-z0-9])`, 'gi');
  }

  private host(name: string): string {
    return this.ph.get('host', name.replace(/\.$/, ''), (k) => `host-${k}`);
  }

  redact(s: string): string {
    if (s.length === 0) return s;
    let out = s.replace(EMAIL, (m) => this.ph.get('email', m, (k) => `email-${k}@redacted.invalid`));
    out = out.replace(IPV6_CANDIDATE, (m) => {
      if (LOOPBACK.has(m) || !isIPv6(m) || !/[0-9A-Fa-f]/.test(m.replace(/:/g, ''))) return m;
      if (!m.includes('::') && m.split(':').length < 8) return m;
      return this.ph.get('ipv6', m.toLowerCase(), (k) => `ipv6-${k}`);
    });
    out = out.replace(IPV4, (m) => (LOOPBACK.has(m) ? m : this.ph.get('ipv4', m, (k) => `ip-${k}`)));
    if (this.hostRe) out = out.replace(this.hostRe, (m) => this.host(m));
    out = out.replace(HOSTNAME, (m) => (JAVA_PACKAGE.test(m) || PUBLIC_DOMAINS.test(m) ? m : this.host(m)));
    out = out.replace(HOME_PATH, (_m, prefix: string, user: string) => `${prefix}${this.ph.get('user', user, (k) => `user-${k}`)}`);
    return out;
  }
}

function collectStrings(v: unknown, out: string[]): void {
  if (typeof v === 'string') out.push(v);
  else if (Array.isArray(v)) for (const x of v) collectStrings(x, out);
  else if (v && typeof v === 'object') for (const x of Object.values(v)) collectStrings(x, out);
}

const SYSTEM_WORDS = new Set(['kafka', 'jvm', 'java', 'cortex', 'mimir', 'loki', 'prometheus', 'elasticsearch', 'opensearch', 'ingester', 'broker', 'kernel', 'linux']);

function hostsIn(report: Report): string[] {
  const names: string[] = [];
  for (const e of report.evidence) {
    for (const f of e.facts) if (f.key === 'hostname' && typeof f.value === 'string' && !SYSTEM_WORDS.has(f.value.toLowerCase())) names.push(f.value);
  }
  const strings: string[] = [];
  collectStrings(report, strings);
  // A host=… field is taken only when it looks like a machine name (digits, dashes or dots).
  for (const s of strings) for (const m of s.matchAll(HOST_KEY)) if (m[1] && /[\d.-]/.test(m[1])) names.push(m[1]);
  return names;
}

function walk(v: unknown, r: Redactor, key: string | undefined): unknown {
  if (typeof v === 'string') return key !== undefined && KEEP_KEYS.has(key) ? v : r.redact(v);
  if (Array.isArray(v)) return v.map((x) => walk(x, r, key === 'systems' ? key : undefined));
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = walk(x, r, k);
    return out;
  }
  return v;
}

function redactFinding(f: Finding, r: Redactor): Finding {
  const base = walk(f, r, undefined) as Finding;
  if (!f.span) return base;
  const [s, e] = f.span;
  const before = r.redact(f.text.slice(0, s));
  const mid = r.redact(f.text.slice(s, e));
  if (before + mid + r.redact(f.text.slice(e)) === base.text) return { ...base, span: [before.length, before.length + mid.length] };
  const at = base.text.indexOf(mid);
  if (at >= 0) return { ...base, span: [at, at + mid.length] };
  const { span: _drop, ...rest } = base;
  return rest;
}

/** The report with personal and network identifiers replaced by consistent placeholders. */
export function redactReport(report: Report): Report {
  return redactReportAndFindings(report, []).report;
}

/** Redact a report and extra findings (streamed ndjson lines) with the same placeholders. */
export function redactReportAndFindings(report: Report, more: readonly Finding[]): { report: Report; findings: Finding[] } {
  const r = new Redactor();
  r.learnHosts(hostsIn(report));
  return { report: redactWithin(report, r), findings: more.map((f) => redactFinding(f, r)) };
}

function redactWithin(report: Report, r: Redactor): Report {
  const redacted = walk({ ...report, incidents: [] }, r, undefined) as Report;
  const incidents = report.incidents.map((inc) => {
    const { findings, ...rest } = inc;
    const head = walk(rest, r, undefined) as Omit<typeof inc, 'findings'>;
    return { ...head, findings: findings.map((f) => redactFinding(f, r)) };
  });
  return { ...redacted, incidents };
}
