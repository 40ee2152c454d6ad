import { describe, expect, it } from 'vitest';
import { assembleRecord, detectFormat, parseEvent } from '../../src/formats/index.js';
import { windowAt } from './helpers.js';

// Kafka 2.x broker failing to load a log dir at startup (LogManager), then ReplicaManager.
const kafka2 = [
  '[2024-05-01 12:00:00,101] INFO Loading logs from log dirs ArrayBuffer(/var/lib/kafka/data) (kafka.log.LogManager)',
  '[2024-05-01 12:00:00,123] ERROR Error while loading log dir /var/lib/kafka/data (kafka.log.LogManager)',
  'java.io.IOException: Map failed',
  '\tat sun.nio.ch.FileChannelImpl.map(FileChannelImpl.java:940)',
  '\tat kafka.log.AbstractIndex.<init>(AbstractIndex.scala:126)',
  '\tat kafka.log.OffsetIndex.<init>(OffsetIndex.scala:54)',
  '\tat kafka.log.LazyIndex$.$anonfun$forOffset$1(LazyIndex.scala:106)',
  '\tat kafka.log.LogSegment$.open(LogSegment.scala:634)',
  '\tat kafka.log.Log.$anonfun$loadSegmentFiles$3(Log.scala:611)',
  '\tat kafka.log.LogManager.$anonfun$loadLogs$12(LogManager.scala:323)',
  '\tat java.util.concurrent.ThreadPoolExecutor.runWorker(ThreadPoolExecutor.java:1149)',
  '\tat java.lang.Thread.run(Thread.java:748)',
  'Caused by: java.lang.OutOfMemoryError: Map failed',
  '\tat sun.nio.ch.FileChannelImpl.map0(Native Method)',
  '\tat sun.nio.ch.FileChannelImpl.map(FileChannelImpl.java:937)',
  '\t... 19 more',
  '[2024-05-01 12:00:00,456] ERROR [ReplicaManager broker=1] Stopping serving replicas in dir /var/lib/kafka/data (kafka.server.ReplicaManager)',
];

// Kafka 3.x (storage module) creating a segment index.
const kafka3 = [
  '[2024-05-01 12:00:00,124] ERROR Error while creating log for orders-17 in dir /var/lib/kafka/data (kafka.server.LogDirFailureChannel)',
  'java.io.IOException: Map failed',
  '\tat java.base/sun.nio.ch.FileChannelImpl.map(FileChannelImpl.java:1127)',
  '\tat org.apache.kafka.storage.internals.log.AbstractIndex.createMappedBuffer(AbstractIndex.java:467)',
  '\tat org.apache.kafka.storage.internals.log.OffsetIndex.<init>(OffsetIndex.java:70)',
  'Caused by: java.lang.OutOfMemoryError: Map failed',
  '\tat java.base/sun.nio.ch.FileChannelImpl.map0(Native Method)',
  '\tat java.base/sun.nio.ch.FileChannelImpl.map(FileChannelImpl.java:1124)',
  '\t... 29 more',
  '[2024-05-01 12:00:00,130] INFO [ReplicaManager broker=1] Partitions are offline due to failure on log directory /var/lib/kafka/data (kafka.server.ReplicaManager)',
];

describe('kafka-log4j', () => {
  it('detects Kafka 2.x and 3.x server logs', () => {
    expect(detectFormat(kafka2)).toEqual({ format: 'kafka-log4j', wrapper: 'none' });
    expect(detectFormat(kafka3)).toEqual({ format: 'kafka-log4j', wrapper: 'none' });
  });

  it('parses time without zone, level, logger and message', () => {
    expect(parseEvent(kafka2[1] ?? '', 'kafka-log4j')).toEqual({
      time: { iso: '2024-05-01T12:00:00.123', hasOffset: false },
      level: 'ERROR',
      logger: 'kafka.log.LogManager',
      message: 'Error while loading log dir /var/lib/kafka/data',
    });
    expect(parseEvent(kafka2[16] ?? '', 'kafka-log4j')?.logger).toBe('kafka.server.ReplicaManager');
    expect(parseEvent(kafka2[16] ?? '', 'kafka-log4j')?.message).toBe('[ReplicaManager broker=1] Stopping serving replicas in dir /var/lib/kafka/data');
  });

  it('treats stack lines and exception lines as continuations', () => {
    for (const l of kafka2.slice(2, 16)) expect(parseEvent(l, 'kafka-log4j')).toBeNull();
  });

  it('assembles the Kafka 2.x record when the hit is the Caused by: line', () => {
    const { record, problems } = assembleRecord(windowAt(kafka2, 13), { format: 'kafka-log4j', wrapper: 'none' }, 'server.log', 1);
    expect(problems).toEqual([]);
    expect(record.startLine).toBe(2);
    expect(record.lines.map((l) => l.lineNo)).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]);
    expect(record.lines[11]?.text).toBe('Caused by: java.lang.OutOfMemoryError: Map failed');
    expect(record.logger).toBe('kafka.log.LogManager');
    expect(record.time).toEqual({ iso: '2024-05-01T12:00:00.123', hasOffset: false });
    expect(record.contextBefore.map((l) => l.lineNo)).toEqual([1]);
    expect(record.contextAfter.map((l) => l.lineNo)).toEqual([17]);
  });

  it('assembles the Kafka 3.x record from a hit on the IOException line', () => {
    const { record } = assembleRecord(windowAt(kafka3, 2), { format: 'kafka-log4j', wrapper: 'none' }, 'server.log', 0);
    expect(record.startLine).toBe(1);
    expect(record.lines).toHaveLength(9);
    expect(record.logger).toBe('kafka.server.LogDirFailureChannel');
    expect(record.message).toBe('Error while creating log for orders-17 in dir /var/lib/kafka/data');
    expect(record.contextBefore).toEqual([]);
    expect(record.contextAfter).toEqual([]);
  });
});
