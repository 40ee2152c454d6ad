import { describe, expect, it } from 'vitest';
import { assembleRecord, detectFormat, unwrap, unwrapLine } from '../../src/formats/index.js';
import { windowAt } from './helpers.js';

// A Kafka pod's log under /var/log/pods (containerd CRI format); line 3 is split in two.
const cri = [
  '2024-05-01T12:00:00.101234567Z stdout F [2024-05-01 12:00:00,101] INFO [KafkaServer id=1] starting (kafka.server.KafkaServer)',
  '2024-05-01T12:00:00.123456789Z stdout F [2024-05-01 12:00:00,123] ERROR Error while loading log dir /var/lib/kafka/data (kafka.log.LogManager)',
  '2024-05-01T12:00:00.123500000Z stdout P java.io.IOException: ',
  '2024-05-01T12:00:00.123600000Z stdout F Map failed',
  '2024-05-01T12:00:00.123700000Z stdout F \tat sun.nio.ch.FileChannelImpl.map(FileChannelImpl.java:940)',
  '2024-05-01T12:00:00.123800000Z stdout F Caused by: java.lang.OutOfMemoryError: Map failed',
  '2024-05-01T12:00:00.123900000Z stdout F \tat sun.nio.ch.FileChannelImpl.map0(Native Method)',
  '2024-05-01T12:00:00.200000000Z stdout F [2024-05-01 12:00:00,200] INFO Shutting down (kafka.server.KafkaServer)',
];

// Docker json-file driver around a Prometheus 2.x logfmt line.
const dockerJson = [
  '{"log":"level=info ts=2024-05-01T12:00:00.100Z caller=main.go:556 msg=\\"Starting Prometheus\\"\\n","stream":"stderr","time":"2024-05-01T12:00:00.100462583Z"}',
  '{"log":"level=error ts=2024-05-01T12:00:01.123Z caller=main.go:787 err=\\"opening storage failed: mmap, size 31301: cannot allocate memory\\"\\n","stream":"stderr","time":"2024-05-01T12:00:01.123511207Z"}',
];

// docker compose logs around Kafka (v2 `-1` and v1 `_1` service names).
const compose = [
  'kafka-1  | [2024-05-01 12:00:00,101] INFO Loading logs (kafka.log.LogManager)',
  'kafka-1  | [2024-05-01 12:00:00,123] ERROR Error while loading log dir /var/lib/kafka/data (kafka.log.LogManager)',
  'kafka-1  | java.io.IOException: Map failed',
  'kafka-1  | \tat sun.nio.ch.FileChannelImpl.map(FileChannelImpl.java:940)',
  'kafka-1  | Caused by: java.lang.OutOfMemoryError: Map failed',
  'kafka_1  | [2024-05-01 12:00:00,200] INFO Shutting down (kafka.server.KafkaServer)',
];

describe('wrappers', () => {
  it('detects CRI, docker json-file and compose with their inner format', () => {
    expect(detectFormat(cri)).toEqual({ format: 'kafka-log4j', wrapper: 'cri' });
    expect(detectFormat(dockerJson)).toEqual({ format: 'logfmt', wrapper: 'docker-json' });
    expect(detectFormat(compose)).toEqual({ format: 'kafka-log4j', wrapper: 'compose' });
  });

  it('unwraps each wrapper', () => {
    expect(unwrapLine(cri[5] ?? '', 'cri')).toBe('Caused by: java.lang.OutOfMemoryError: Map failed');
    expect(unwrap(cri[2] ?? '', 'cri')).toMatchObject({ text: 'java.io.IOException: ', partial: true });
    expect(unwrap(cri[0] ?? '', 'cri').time).toEqual({ iso: '2024-05-01T12:00:00.101Z', hasOffset: true });
    expect(unwrapLine(dockerJson[1] ?? '', 'docker-json')).toBe(
      'level=error ts=2024-05-01T12:00:01.123Z caller=main.go:787 err="opening storage failed: mmap, size 31301: cannot allocate memory"',
    );
    expect(unwrapLine(compose[4] ?? '', 'compose')).toBe('Caused by: java.lang.OutOfMemoryError: Map failed');
    expect(unwrapLine(compose[5] ?? '', 'compose')).toBe('[2024-05-01 12:00:00,200] INFO Shutting down (kafka.server.KafkaServer)');
    expect(unwrapLine('not wrapped', 'cri')).toBe('not wrapped');
  });

  it('joins CRI P fragments with the following F line inside a record', () => {
    const { record } = assembleRecord(windowAt(cri, 6), { format: 'kafka-log4j', wrapper: 'cri' }, 'kafka-0.log', 0);
    expect(record.startLine).toBe(2);
    expect(record.lines.map((l) => l.lineNo)).toEqual([2, 3, 5, 6, 7]);
    expect(record.lines[1]?.text).toBe('java.io.IOException: Map failed');
    expect(record.lines[1]?.raw).toBe(`${cri[2]}\n${cri[3]}`);
    expect(record.lines[3]?.raw).toBe(cri[5]);
    expect(record.time).toEqual({ iso: '2024-05-01T12:00:00.123', hasOffset: false });
  });

  it('finds the joined line when the hit is the P fragment', () => {
    const { record } = assembleRecord(windowAt(cri, 3), { format: 'kafka-log4j', wrapper: 'cri' }, 'kafka-0.log', 0);
    expect(record.startLine).toBe(2);
    expect(record.lines).toHaveLength(5);
  });

  it('uses the wrapper time when the inner line has none', () => {
    const lines = [
      '2024-05-01T12:00:00.500+02:00 stderr F fatal error: runtime: out of memory',
      '2024-05-01T12:00:00.501+02:00 stderr F ',
      '2024-05-01T12:00:00.502+02:00 stderr F goroutine 1 [running]:',
    ];
    const detected = detectFormat(lines);
    expect(detected).toEqual({ format: 'plain', wrapper: 'cri' });
    const { record } = assembleRecord(windowAt(lines, 1), detected, 'p.log', 0);
    expect(record.time).toEqual({ iso: '2024-05-01T10:00:00.500Z', hasOffset: true });
    expect(record.lines).toHaveLength(3);
  });

  it('docker json-file: the record text is the decoded log field; time from the inner line', () => {
    const { record } = assembleRecord(windowAt(dockerJson, 2), detectFormat(dockerJson), 'c-json.log', 1);
    expect(record.lines[0]?.text).toContain('err="opening storage failed: mmap, size 31301: cannot allocate memory"');
    expect(record.time).toEqual({ iso: '2024-05-01T12:00:01.123Z', hasOffset: true });
    expect(record.logger).toBe('main.go:787');
    expect(record.contextBefore[0]?.text).toContain('msg="Starting Prometheus"');
  });

  it('compose: assembles the Kafka stack trace record', () => {
    const { record } = assembleRecord(windowAt(compose, 5), detectFormat(compose), 'compose.log', 0);
    expect(record.lines.map((l) => l.lineNo)).toEqual([2, 3, 4, 5]);
    expect(record.wrapper).toBe('compose');
  });

  it('does not take a JSON app log with a "log" field for docker json-file', () => {
    const lines = ['{"time":"2024-05-01T12:00:00Z","level":"error","log":"opening storage","msg":"mmap failed"}'];
    expect(detectFormat(lines)).toEqual({ format: 'json', wrapper: 'none' });
  });
});

describe('kubectl and stern prefixes', () => {
  const KAFKA = '[2024-05-01 12:00:01,456] ERROR Error while loading log dir /var/lib/kafka/data (kafka.log.LogManager)';
  it('kubectl logs --timestamps, --prefix and both are unwrapped, keeping the time', async () => {
    const { detectWrapper, unwrap } = await import('../../src/formats/wrappers.js');
    const ts = [`2024-05-01T12:00:01.456789012Z ${KAFKA}`, '2024-05-01T12:00:01.456800001Z java.io.IOException: Map failed'];
    expect(detectWrapper(ts)).toBe('kubectl');
    expect(unwrap(ts[0]!, 'kubectl')).toMatchObject({ text: KAFKA, wrapped: true, time: { iso: '2024-05-01T12:00:01.456Z', hasOffset: true } });
    const pre = [`[pod/kafka-0/kafka] ${KAFKA}`, '[pod/kafka-0/kafka] java.io.IOException: Map failed'];
    expect(detectWrapper(pre)).toBe('kubectl');
    expect(unwrap(pre[1]!, 'kubectl').text).toBe('java.io.IOException: Map failed');
    expect(unwrap(`[pod/kafka-0/kafka] 2024-05-01T12:00:01.456789012Z ${KAFKA}`, 'kubectl').text).toBe(KAFKA);
  });

  it("stern's pod and container prefix is unwrapped; an app's own millisecond ISO stamp is not taken for kubectl's", async () => {
    const { detectWrapper, unwrap } = await import('../../src/formats/wrappers.js');
    const st = [`ingester-7 ingester level=error ts=2025-03-11T04:13:40.389Z msg="unable to open TSDB"`, 'ingester-7 ingester level=info msg="x"'];
    expect(detectWrapper(st)).toBe('stern');
    expect(unwrap(st[0]!, 'stern').text).toBe('level=error ts=2025-03-11T04:13:40.389Z msg="unable to open TSDB"');
    expect(detectWrapper(['2024-05-01T12:00:01.456Z INFO started', '2024-05-01T12:00:02.001Z INFO ready'])).toBe('none');
    expect(detectWrapper(['2024-05-01T12:00:01.123456789Z stderr F hello', '2024-05-01T12:00:01.123456789Z stdout F x'])).toBe('cri');
  });
});

describe('kubectl logs through scan', () => {
  it('a Kafka broker read with kubectl logs --timestamps --prefix is still a Kafka broker', async () => {
    const { mkdtemp, writeFile } = await import('node:fs/promises');
    const os = await import('node:os');
    const path = await import('node:path');
    const { scanJson } = await import('../helpers/cli.js');
    const dir = await mkdtemp(path.join(os.tmpdir(), 'mapmortem-kubectl-'));
    const lines = [
      '[2024-05-01 12:00:00,123] INFO Loading logs from log dirs ArrayBuffer(/var/lib/kafka/data) (kafka.log.LogManager)',
      '[2024-05-01 12:00:01,456] ERROR Error while loading log dir /var/lib/kafka/data (kafka.log.LogManager)',
      'java.io.IOException: Map failed',
      '\tat sun.nio.ch.FileChannelImpl.map(FileChannelImpl.java:1016)',
      'Caused by: java.lang.OutOfMemoryError: Map failed',
      '\tat sun.nio.ch.FileChannelImpl.map0(Native Method)',
    ];
    await writeFile(path.join(dir, 'kafka-0.log'), lines.map((l, i) => `[pod/kafka-0/kafka] 2024-05-01T12:00:0${i}.12345678Z ${l}`).join('\n') + '\n');
    const { report } = await scanJson([dir]);
    expect(report.incidents[0].system).toBe('kafka');
    expect(report.inputs[0].role).toBe('log:kafka-log4j');
    expect(report.inputs[0].wrapper).toBe('kubectl');
  });
});
