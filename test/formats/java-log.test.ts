import { describe, expect, it } from 'vitest';
import { detectFormat, parseEvent } from '../../src/formats/index.js';
import { fitsJavaLine, fitsKafkaLine, parseJavaLine, parseKafkaLine } from '../../src/formats/java.js';

describe('java-log', () => {
  it('parses Spring Boot 2 lines', () => {
    const line = '2024-05-01 12:00:00.123 ERROR 1234 --- [           main] o.a.k.c.p.KafkaProducer                  : [Producer clientId=p-1] Map failed';
    expect(parseEvent(line, 'java-log')).toEqual({
      time: { iso: '2024-05-01T12:00:00.123', hasOffset: false },
      level: 'ERROR',
      logger: 'o.a.k.c.p.KafkaProducer',
      message: '[Producer clientId=p-1] Map failed',
    });
  });

  it('parses Spring Boot 3 lines with a zone', () => {
    const line = '2024-05-01T14:00:00.123+02:00 ERROR 1234 --- [app] [           main] o.s.boot.SpringApplication               : Application run failed';
    expect(parseEvent(line, 'java-log')).toEqual({
      time: { iso: '2024-05-01T12:00:00.123Z', hasOffset: true },
      level: 'ERROR',
      logger: 'o.s.boot.SpringApplication',
      message: 'Application run failed',
    });
  });

  it('parses log4j `time LEVEL [thread] logger - msg`', () => {
    const line = '2024-05-01T12:00:00,123 ERROR [kafka-producer-network-thread | p-1] org.apache.kafka.clients.NetworkClient - Map failed';
    expect(parseEvent(line, 'java-log')).toEqual({
      time: { iso: '2024-05-01T12:00:00.123', hasOffset: false },
      level: 'ERROR',
      logger: 'org.apache.kafka.clients.NetworkClient',
      message: 'Map failed',
    });
  });

  it('parses Elasticsearch 7 lines', () => {
    const line = '[2024-05-01T12:00:00,123][ERROR][o.e.b.BootstrapChecks    ] [node-1] max virtual memory areas vm.max_map_count [65530] is too low, increase to at least [262144]';
    expect(parseEvent(line, 'java-log')).toEqual({
      time: { iso: '2024-05-01T12:00:00.123', hasOffset: false },
      level: 'ERROR',
      logger: 'o.e.b.BootstrapChecks',
      message: 'max virtual memory areas vm.max_map_count [65530] is too low, increase to at least [262144]',
    });
    const warn = '[2024-05-01T12:00:00,123][WARN ][o.e.b.BootstrapChecks] [node-1] bootstrap checks failed';
    expect(parseEvent(warn, 'java-log')?.level).toBe('WARN');
  });

  it('parses logback default, ZooKeeper and Cassandra layouts', () => {
    expect(parseEvent('12:00:00.123 [main] ERROR com.example.App - Map failed', 'java-log')).toEqual({
      level: 'ERROR',
      logger: 'com.example.App',
      message: 'Map failed',
    });
    const zk = parseEvent('2024-05-01 12:00:00,123 [myid:1] - ERROR [main:QuorumPeerMain@114] - Unexpected exception, exiting abnormally', 'java-log');
    expect(zk?.level).toBe('ERROR');
    expect(zk?.message).toBe('Unexpected exception, exiting abnormally');
    const cass = parseEvent('ERROR [main] 2024-05-01 12:00:00,123 CassandraDaemon.java:909 - Exception encountered during startup', 'java-log');
    expect(cass?.time?.iso).toBe('2024-05-01T12:00:00.123');
    expect(cass?.message).toBe('Exception encountered during startup');
  });

  it('treats lines without a timestamp as continuations and detects the format', () => {
    expect(parseEvent('java.io.IOException: Map failed', 'java-log')).toBeNull();
    expect(parseEvent('Some wrapped message text', 'java-log')).toBeNull();
    const head = [
      '[2024-05-01T12:00:00,100][INFO ][o.e.n.Node               ] [node-1] initializing ...',
      '[2024-05-01T12:00:00,123][ERROR][o.e.b.BootstrapChecks    ] [node-1] node validation exception',
      '[1] bootstrap checks failed',
      '[1]: max virtual memory areas vm.max_map_count [65530] is too low, increase to at least [262144]',
      '[2024-05-01T12:00:00,200][INFO ][o.e.n.Node               ] [node-1] stopping ...',
    ];
    expect(detectFormat(head)).toEqual({ format: 'java-log', wrapper: 'none' });
    expect(parseEvent(head[2] ?? '', 'java-log')).toBeNull();
  });
});

describe('the detection shortcuts (fits without building an event)', () => {
  const lines = [
    '[2024-05-01 12:00:00,123] ERROR Error while appending records (kafka.server.ReplicaManager)',
    '[2024-13-01 12:00:00,123] ERROR a month that does not exist (kafka.log.Log)',
    '[] INFO no time at all',
    '[2024-05-01 12:00:00,123] NOTICE not a Kafka level',
    '2024-05-01 12:00:00,123 ERROR [main] org.apache.zookeeper.server.ZooKeeperServerMain - Unexpected exception',
    '2024-05-01 25:00:00,123 ERROR [main] an hour that does not exist',
    '2024-05-01T12:00:00.123+02:00 started without a level word',
    'WARN  [main] 2024-05-01 12:00:00,123 Cassandra level-first',
    '12:00:00.123 [main] ERROR c.e.App - logback clock only',
    '[2024-05-01T12:00:00,123][WARN ][o.e.b.BootstrapChecks] [node-1] max virtual memory areas vm.max_map_count [65530] is too low',
    '\tat sun.nio.ch.FileChannelImpl.map(FileChannelImpl.java:940)',
    '',
  ];
  it('a line fits Kafka and java-log exactly when its parse gives an event (java-log: with a level)', () => {
    for (const l of lines) {
      expect(fitsKafkaLine(l), l).toBe(parseKafkaLine(l) !== null);
      const ev = parseJavaLine(l);
      expect(fitsJavaLine(l), l).toBe(ev !== null && ev.level !== undefined);
    }
    expect(lines.filter(fitsKafkaLine)).toEqual([lines[0], lines[2]]);
    expect(lines.filter(fitsJavaLine).length).toBeGreaterThanOrEqual(4);
  });
});
