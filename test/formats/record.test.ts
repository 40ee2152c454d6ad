import { describe, expect, it } from 'vitest';
import { assembleRecord, MAX_RECORD_LINES } from '../../src/formats/index.js';
import { windowAt } from './helpers.js';

const kafka = { format: 'kafka-log4j', wrapper: 'none' } as const;

function longTrace(frames: number): string[] {
  return [
    '[2024-05-01 12:00:00,000] INFO before (kafka.server.KafkaServer)',
    '[2024-05-01 12:00:00,123] ERROR Error while loading log dir /var/lib/kafka/data (kafka.log.LogManager)',
    'java.io.IOException: Map failed',
    ...Array.from({ length: frames }, (_, i) => `\tat kafka.log.Frame${i}.call(Frame.scala:${i + 1})`),
    'Caused by: java.lang.OutOfMemoryError: Map failed',
    '\tat sun.nio.ch.FileChannelImpl.map0(Native Method)',
    '\t... 40 more',
    '[2024-05-01 12:00:01,000] INFO after (kafka.server.KafkaServer)',
  ];
}

describe('assembleRecord', () => {
  it('reports record-start-lost when the start lies beyond the look-back', () => {
    const lines = longTrace(40);
    const causedBy = lines.indexOf('Caused by: java.lang.OutOfMemoryError: Map failed') + 1;
    expect(causedBy).toBe(44);
    const { record, problems } = assembleRecord(windowAt(lines, causedBy, 10, 10), kafka, 'server.log', 0);
    expect(problems).toEqual([{ code: 'record-start-lost', file: 'server.log', line: 44, args: { limit: 10 } }]);
    expect(record.startLine).toBe(34);
    expect(record.lines.map((l) => l.lineNo)).toEqual([34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46]);
    expect(record.time).toBeUndefined();
    expect(record.message).toBe('\tat kafka.log.Frame30.call(Frame.scala:31)');
  });

  it('finds the start when it is within the look-back', () => {
    const lines = longTrace(40);
    const { record, problems } = assembleRecord(windowAt(lines, 44, 50, 10), kafka, 'server.log', 0);
    expect(problems).toEqual([]);
    expect(record.startLine).toBe(2);
    expect(record.lines).toHaveLength(45);
    expect(record.level).toBe('ERROR');
  });

  it('does not report a lost start for a continuation at the top of the file', () => {
    const lines = ['\tat a.B.c(B.java:1)', 'Caused by: java.lang.OutOfMemoryError: Map failed'];
    const { record, problems } = assembleRecord(windowAt(lines, 2), kafka, 'cut.log', 0);
    expect(problems).toEqual([]);
    expect(record.startLine).toBe(1);
  });

  it('caps a record at 200 lines', () => {
    const lines = longTrace(400);
    const { record, problems } = assembleRecord(windowAt(lines, 3, 10, 500), kafka, 'server.log', 0);
    expect(problems).toEqual([]);
    expect(record.lines).toHaveLength(MAX_RECORD_LINES);
    expect(record.lines[199]?.lineNo).toBe(201);
  });

  it('keeps the hit inside the 200-line cap when the start is further back', () => {
    const lines = longTrace(400);
    const hit = lines.indexOf('Caused by: java.lang.OutOfMemoryError: Map failed') + 1;
    const { record, problems } = assembleRecord(windowAt(lines, hit, 500, 10), kafka, 'server.log', 0);
    expect(problems.map((p) => p.code)).toEqual(['record-start-lost']);
    expect(record.lines).toHaveLength(MAX_RECORD_LINES);
    expect(record.lines.some((l) => l.lineNo === hit)).toBe(true);
  });

  it('does not end a record with blank lines', () => {
    const lines = [
      '[2024-05-01 12:00:00,123] ERROR boom (kafka.log.LogManager)',
      'java.io.IOException: Map failed',
      '',
      '',
      '[2024-05-01 12:00:01,000] INFO after (kafka.server.KafkaServer)',
    ];
    const { record } = assembleRecord(windowAt(lines, 2), kafka, 'server.log', 1);
    expect(record.lines.map((l) => l.lineNo)).toEqual([1, 2]);
    expect(record.contextAfter.map((l) => l.lineNo)).toEqual([3]);
  });
});
