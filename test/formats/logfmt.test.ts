import { describe, expect, it } from 'vitest';
import { assembleRecord, detectFormat, parseEvent, ruleText } from '../../src/formats/index.js';
import { windowAt } from './helpers.js';

const cortexErr =
  'opening existing TSDBs:  failed to open TSDB: 10 errors: mmap, size 31301: cannot allocate memory; mmap files: mmap, size 16585: cannot allocate memory; mmap, size 29350: cannot allocate memory';

// Cortex ingester (go-kit logfmt) in CrashLoopBackOff.
const cortex = [
  'level=info ts=2024-05-01T12:00:00.101234567Z caller=main.go:188 msg="Starting Cortex" version="(version=1.16.0, branch=HEAD, revision=ae0e5e0)"',
  'level=info ts=2024-05-01T12:00:00.2Z caller=ingester.go:2035 msg="opening existing TSDBs"',
  `level=error ts=2024-05-01T12:00:03.123Z caller=cortex.go:460 msg="module failed" module=ingester err="invalid service state: Failed, expected: Running, failure: ${cortexErr}"`,
  'level=info ts=2024-05-01T12:00:03.124Z caller=module_service.go:120 msg="module stopped" module=ring',
];

// Prometheus 3.x slog TextHandler.
const prom3 = [
  'time=2024-05-01T12:00:00.100Z level=INFO source=main.go:1205 msg="Starting TSDB ..."',
  'time=2024-05-01T14:00:00.123+02:00 level=ERROR source=main.go:1280 msg="Fatal error" err="opening storage failed: mmap, size 134217728: cannot allocate memory"',
];

describe('logfmt', () => {
  it('detects go-kit and slog logfmt', () => {
    expect(detectFormat(cortex)).toEqual({ format: 'logfmt', wrapper: 'none' });
    expect(detectFormat(prom3)).toEqual({ format: 'logfmt', wrapper: 'none' });
  });

  it('parses the Cortex ingester failure; rules see the whole line with err="…"', () => {
    const line = cortex[2] ?? '';
    expect(parseEvent(line, 'logfmt')).toEqual({
      time: { iso: '2024-05-01T12:00:03.123Z', hasOffset: true },
      level: 'ERROR',
      logger: 'cortex.go:460',
      message: 'module failed',
    });
    expect(ruleText(line, 'logfmt')).toContain('err="invalid service state: Failed, expected: Running, failure: opening existing TSDBs:');
    expect(ruleText(line, 'logfmt')).toContain('mmap, size 31301: cannot allocate memory');
  });

  it('parses Prometheus 3.x keys in slog order and converts the offset to UTC', () => {
    expect(parseEvent(prom3[1] ?? '', 'logfmt')).toEqual({
      time: { iso: '2024-05-01T12:00:00.123Z', hasOffset: true },
      level: 'ERROR',
      logger: 'main.go:1280',
      message: 'Fatal error',
    });
  });

  it('unescapes quoted values and truncates nanoseconds to milliseconds', () => {
    const ev = parseEvent('ts=2024-05-01T12:00:00.101234567Z level=warn component="tsdb" msg="say \\"hi\\"\\tnow"', 'logfmt');
    expect(ev).toEqual({
      time: { iso: '2024-05-01T12:00:00.101Z', hasOffset: true },
      level: 'WARN',
      logger: 'tsdb',
      message: 'say "hi"\tnow',
    });
  });

  it('keeps a Go panic after logfmt lines as its own record with its goroutine dump', () => {
    const lines = [
      ...cortex.slice(0, 2),
      'fatal error: runtime: out of memory',
      '',
      'runtime stack:',
      'runtime.throw({0x2a9b5c1, 0x16})',
      '\t/usr/local/go/src/runtime/panic.go:1023 +0x5c fp=0x7ffd5c1b8e48 sp=0x7ffd5c1b8e18 pc=0x43b5bc',
      '',
      'goroutine 1 [running]:',
      'github.com/prometheus/prometheus/tsdb/chunks.(*ChunkDiskMapper).openMMapFiles(0xc000a1c000)',
      '\t/go/pkg/mod/github.com/prometheus/prometheus/tsdb/chunks/head_chunks.go:336 +0x1c5',
      '',
      'level=info ts=2024-05-01T12:00:09Z caller=main.go:188 msg="Starting Cortex"',
    ];
    const { record, problems } = assembleRecord(windowAt(lines, 10), { format: 'logfmt', wrapper: 'none' }, 'ingester.log', 0);
    expect(problems).toEqual([]);
    expect(record.startLine).toBe(3);
    expect(record.message).toBe('fatal error: runtime: out of memory');
    expect(record.lines.map((l) => l.lineNo)).toEqual([3, 4, 5, 6, 7, 8, 9, 10, 11]);
  });

  it('rejects lines that are not logfmt', () => {
    expect(parseEvent('\tat foo.Bar(Bar.java:1)', 'logfmt')).toBeNull();
    expect(parseEvent('goroutine 12 [select]:', 'logfmt')).toBeNull();
  });
});
