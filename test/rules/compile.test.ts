import { describe, expect, it } from 'vitest';
import type { Pattern, Rule } from '../../src/core/index.js';
import { buildPrefilter, convertCapture, matchRecord, matchRules, matchRulesLean, parseBytes, parseErrno, rulesApplyingTo } from '../../src/rules/compile.js';
import { record } from './helpers.js';

type Res = readonly RegExp[];
type MatchOver = Partial<{ scope: Rule['match']['scope']; all: Res; any: Res; none: Res }>;

const pat = (list: Res = []): Pattern[] => list.map((re) => ({ source: re.source, flags: re.flags.replace(/[^i]/g, '') }));

function rule(over: Partial<Omit<Rule, 'match' | 'captures'>> & { match?: MatchOver; captures?: Res } = {}): Rule {
  const { match, captures, ...rest } = over;
  return {
    id: 'r',
    title: 't',
    formatVersion: 2,
    status: 'stable',
    captures: pat(captures),
    supersedes: [],
    severity: 'critical',
    systems: ['generic'],
    formats: [],
    literals: ['Map failed'],
    extract: {},
    signals: { failure: 'enomem', operation: 'mmap', hint: 'none' },
    explanation: '',
    remediation: '',
    references: [],
    tests: { match: [], noMatch: [] },
    sourceFile: 'r.yaml',
    ...rest,
    match: { scope: match?.scope ?? 'line', all: pat(match?.all), any: pat(match?.any), none: pat(match?.none) },
  };
}

describe('parseBytes', () => {
  it.each([
    ['31301', 31301],
    ['4k', 4096],
    ['4096 kB', 4194304],
    ['12288 bytes', 12288],
    ['2G', 2147483648],
    ['1.5M', 1572864],
    ['7894532kB', 8084000768],
    ['0x3000', 12288],
  ])('%s → %d', (s, n) => expect(parseBytes(s)).toBe(n));
  it('rejects non-sizes', () => expect(parseBytes('lots')).toBeUndefined());
});

describe('parseErrno', () => {
  it.each([
    ['12', 12],
    ['ENOMEM', 12],
    ['EAGAIN', 11],
    ['EINVAL', 22],
    ['Cannot allocate memory', 12],
    ['Not enough space', 12],
    ['invalid argument', 22],
    ['Resource temporarily unavailable', 11],
  ])('%s → %d', (s, n) => expect(parseErrno(s)).toBe(n));
  it('keeps unknown names as strings via convertCapture', () => expect(convertCapture('EWHAT', 'errno')).toBe('EWHAT'));
});

describe('convertCapture', () => {
  it('converts by kind', () => {
    expect(convertCapture('1,024', 'int')).toBe(1024);
    expect(convertCapture('/var/lib/x.index,', 'path')).toBe('/var/lib/x.index');
    expect(convertCapture(' team-a ', 'string')).toBe('team-a');
    expect(convertCapture(' raw ', undefined)).toBe(' raw ');
  });
});

describe('buildPrefilter', () => {
  it('escapes, dedupes case-insensitively and puts longest first', () => {
    const re = buildPrefilter([rule({ literals: ['Map failed', 'os::commit_memory('] }), rule({ literals: ['map FAILED', 'mmap, size'] })])!;
    expect(re.flags).toBe('gi');
    expect(re.source).toBe('os::commit_memory\\(|Map failed|mmap, size');
    expect('x MAP FAILED y os::commit_memory(0x1'.match(re)).toEqual(['MAP FAILED', 'os::commit_memory(']);
  });
  it('is null without literals', () => expect(buildPrefilter([])).toBeNull());
});

describe('rulesApplyingTo', () => {
  it('keeps rules without formats and those listing the format', () => {
    const rs = [rule({ id: 'any' }), rule({ id: 'k', formats: ['kafka-log4j'] }), rule({ id: 'j', formats: ['json'] })];
    expect(rulesApplyingTo(rs, 'kafka-log4j').map((r) => r.id)).toEqual(['any', 'k']);
  });
});

describe('matchRecord', () => {
  const trace = [
    '[2019-02-16 19:28:43,786] ERROR Error while creating log for orders-3 in dir /var/lib/kafka/data (kafka.server.LogDirFailureChannel)',
    'java.io.IOException: Map failed',
    '\tat kafka.log.OffsetIndex.<init>(OffsetIndex.scala:54)',
    'Caused by: java.lang.OutOfMemoryError: Map failed',
  ].join('\n');

  it('record scope: each regex on any line, line and span from the first all regex', () => {
    const r = rule({
      match: { scope: 'record', all: [/IOException: Map failed/], any: [/kafka\.log\.(?<cls>\w+)/, /log for (?<partition>\S+-\d+)/] },
      extract: { partition: 'string' },
    });
    const f = matchRecord(r, record(trace, { startLine: 100 }))!;
    expect(f.line).toBe(101);
    expect(f.recordStartLine).toBe(100);
    expect(f.text).toBe('java.io.IOException: Map failed');
    expect(f.span).toEqual([8, 31]);
    expect(f.captures).toEqual({ cls: 'OffsetIndex', partition: 'orders-3' });
    expect(f.recordLines.map((l) => l.line)).toEqual([100, 101, 102, 103]);
    expect(f.ruleId).toBe('r');
    expect(f.format).toBe('plain');
  });

  it('line scope: all regexes must hit the same line', () => {
    const r = rule({ match: { scope: 'line', all: [/IOException: Map failed/, /kafka\.log/] } });
    expect(matchRecord(r, record(trace))).toBeNull();
    const r2 = rule({ match: { scope: 'record', all: [/IOException: Map failed/, /kafka\.log/] } });
    expect(matchRecord(r2, record(trace))?.line).toBe(2);
  });

  it('line scope: an any regex is required on the hit line; the hit is the first such line', () => {
    const text = 'mmap failed: ENOMEM\nmmap(NULL, 4096) failed: Cannot allocate memory\nmmap failed: ENOMEM';
    const r = rule({ match: { scope: 'line', all: [/mmap/], any: [/(?<errno>Cannot allocate memory)/] }, extract: { errno: 'errno' } });
    const f = matchRecord(r, record(text))!;
    expect(f.line).toBe(2);
    expect(f.span).toEqual([0, 4]);
    expect(f.captures).toEqual({ errno: 12 });
  });

  it('line scope without all: span comes from the matching any regex', () => {
    const r = rule({ match: { scope: 'line', any: [/nothing/, /Map failed/] } });
    const f = matchRecord(r, record('x\nCaused by: java.lang.OutOfMemoryError: Map failed'))!;
    expect(f.line).toBe(2);
    expect(f.span).toEqual([39, 49]);
  });

  it('none vetoes the whole record, on any line', () => {
    const r = rule({ match: { scope: 'line', all: [/IOException: Map failed/], none: [/LogDirFailureChannel/] } });
    expect(matchRecord(r, record(trace))).toBeNull();
    expect(matchRecord(r, record(trace.split('\n').slice(1).join('\n')))).not.toBeNull();
  });

  it('record scope: fails when an any regex matches nowhere', () => {
    const r = rule({ match: { scope: 'record', all: [/Map failed/], any: [/elasticsearch/] } });
    expect(matchRecord(r, record(trace))).toBeNull();
  });

  it('extraction patterns never place the hit but fill optional captures', () => {
    const r = rule({
      match: { scope: 'record', all: [/IOException: Map failed/] },
      captures: [/in dir (?<dir>\/\S+)/],
      extract: { dir: 'path' },
    });
    const f = matchRecord(r, record(trace))!;
    expect(f.line).toBe(2);
    expect(f.captures).toEqual({ dir: '/var/lib/kafka/data' });
    const tsdb = rule({
      literals: ['mmap, size'],
      match: { scope: 'line', all: [/mmap, size (?<size>\d+): cannot allocate memory/] },
      captures: [/user=(?<tenant>[\w-]+)/],
      extract: { size: 'bytes' },
    });
    expect(matchRecord(tsdb, record('err="mmap, size 31301: cannot allocate memory"'))!.captures).toEqual({ size: 31301 });
    expect(matchRecord(tsdb, record('err="mmap, size 8: cannot allocate memory" user=t-1'))!.captures).toEqual({ size: 8, tenant: 't-1' });
  });

  it('first match wins for a capture name', () => {
    const r = rule({ literals: ['size'], match: { scope: 'record', all: [/size (?<size>\d+)/] }, extract: { size: 'int' } });
    expect(matchRecord(r, record('size 1\nsize 2'))!.captures).toEqual({ size: 1 });
  });

  it('caps record lines at 50 and keeps the hit line visible', () => {
    const lines = Array.from({ length: 120 }, (_, i) => (i === 90 ? 'Caused by: java.lang.OutOfMemoryError: Map failed' : `\tat frame${i}`));
    const f = matchRecord(rule({ match: { scope: 'record', all: [/Map failed/] } }), record(lines.join('\n')))!;
    expect(f.line).toBe(91);
    expect(f.recordLines).toHaveLength(50);
    expect(f.recordLines[0]!.line).toBe(1);
    expect(f.recordLines.some((l) => l.line === 91)).toBe(true);
  });

  it('copies record metadata and context', () => {
    const rec = {
      ...record('java.io.IOException: Map failed', { format: 'kafka-log4j', startLine: 7 }),
      time: { iso: '2019-02-16T19:28:43.786', hasOffset: false },
      level: 'ERROR',
      contextBefore: [{ lineNo: 6, raw: 'before', text: 'before' }],
    };
    const f = matchRecord(rule({ match: { scope: 'line', all: [/Map failed/] } }), rec)!;
    expect(f.time).toEqual({ iso: '2019-02-16T19:28:43.786', hasOffset: false });
    expect(f.level).toBe('ERROR');
    expect('logger' in f).toBe(false);
    expect(f.contextBefore).toEqual([{ line: 6, text: 'before' }]);
    expect(f.format).toBe('kafka-log4j');
  });
});

describe('matchRulesLean (a scan past its examples)', () => {
  it('keeps the same rules, lines, times and captures as the full findings, after precedence', () => {
    const inner = rule({ id: 'inner', literals: ['cannot allocate memory'], match: { all: [/cannot allocate (?<what>memory)/] } });
    const outer = rule({
      id: 'outer',
      literals: ['mmap, size'],
      supersedes: ['inner'],
      match: { all: [/mmap, size (?<size>\d+)/] },
      captures: [/series=(?<series>\d+)/],
      extract: { size: 'bytes', series: 'int' },
    });
    const rec = { ...record('err="mmap, size 31301: cannot allocate memory" series=7'), time: { iso: '2024-05-01T00:00:01.123Z', hasOffset: true } };
    const full = matchRules([inner, outer], rec);
    const lean = matchRulesLean([inner, outer], rec, () => false);
    expect(full.map((f) => f.ruleId)).toEqual(['outer']);
    expect(lean).toEqual([{ compact: { ruleId: 'outer', systems: ['generic'], line: 1, time: rec.time, captures: { series: 7, size: 31301 } } }]);
    expect(lean[0]!.compact!.captures).toEqual(full[0]!.captures);
    expect(matchRulesLean([inner, outer], rec, (r) => r.id === 'outer')[0]!.finding).toEqual(full[0]);
  });

  it('finds every literal of a record, also one that starts where a longer one does or inside another', () => {
    // 'mmap' starts where 'mmap, size' does; 'size' lies inside it; 'allocate' inside 'cannot allocate memory'.
    const mk = (id: string, lit: string): Rule => rule({ id, literals: [lit], match: { all: [new RegExp(lit.replace(/[,]/g, '\\$&'), 'i')] } });
    const rules = [mk('a', 'mmap, size'), mk('b', 'mmap'), mk('c', 'size'), mk('d', 'cannot allocate memory'), mk('e', 'allocate'), mk('f', 'absent')];
    const hits = matchRules(rules, record('MMAP, Size 1: Cannot allocate memory'));
    expect(hits.map((f) => f.ruleId)).toEqual(['a', 'b', 'c', 'd', 'e']);
  });
});
