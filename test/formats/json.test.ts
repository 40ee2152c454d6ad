import { describe, expect, it } from 'vitest';
import { assembleRecord, detectFormat, parseEvent, ruleText } from '../../src/formats/index.js';
import { windowAt } from './helpers.js';

// Elasticsearch 8 ECS JSON with an escaped stack trace.
const es8 = [
  '{"@timestamp":"2024-05-01T12:00:00.100Z", "log.level": "INFO", "message":"version[8.13.0]", "ecs.version": "1.2.0","service.name":"ES_ECS","event.dataset":"elasticsearch.server","process.thread.name":"main","log.logger":"org.elasticsearch.node.Node","elasticsearch.node.name":"es-0"}',
  '{"@timestamp":"2024-05-01T12:00:01.123Z", "log.level":"ERROR", "message":"fatal exception while booting Elasticsearch", "ecs.version": "1.2.0","service.name":"ES_ECS","event.dataset":"elasticsearch.server","process.thread.name":"main","log.logger":"org.elasticsearch.bootstrap.Elasticsearch","elasticsearch.node.name":"es-0","error.type":"java.io.IOException","error.message":"Map failed","error.stack_trace":"java.io.IOException: Map failed\\n\\tat java.base/sun.nio.ch.FileChannelImpl.map(FileChannelImpl.java:1127)\\nCaused by: java.lang.OutOfMemoryError: Map failed\\n\\tat java.base/sun.nio.ch.FileChannelImpl.map0(Native Method)\\n"}',
];

// zap (Loki / Mimir style) with epoch seconds, and a logrus line with epoch milliseconds.
const zap = '{"level":"error","ts":1714564800.123,"caller":"tsdb/db.go:123","msg":"opening TSDB failed","err":"mmap, size 31301: cannot allocate memory"}';
const ms = '{"severity":"warning","timestamp":1714564800456,"logger":"app","message":"slow"}';

describe('json', () => {
  it('detects JSON lines', () => {
    expect(detectFormat(es8)).toEqual({ format: 'json', wrapper: 'none' });
    expect(detectFormat([zap, ms])).toEqual({ format: 'json', wrapper: 'none' });
  });

  it('reads ECS fields and builds message: error + stack trace text', () => {
    const line = es8[1] ?? '';
    expect(parseEvent(line, 'json')).toEqual({
      time: { iso: '2024-05-01T12:00:01.123Z', hasOffset: true },
      level: 'ERROR',
      logger: 'org.elasticsearch.bootstrap.Elasticsearch',
      message: 'fatal exception while booting Elasticsearch',
    });
    const text = ruleText(line, 'json');
    expect(text.split('\n')[0]).toBe('fatal exception while booting Elasticsearch: Map failed');
    expect(text).toContain('\nCaused by: java.lang.OutOfMemoryError: Map failed\n');
  });

  it('converts epoch seconds and milliseconds to UTC', () => {
    expect(parseEvent(zap, 'json')).toEqual({
      time: { iso: '2024-05-01T12:00:00.123Z', hasOffset: true },
      level: 'ERROR',
      logger: 'tsdb/db.go:123',
      message: 'opening TSDB failed',
    });
    expect(ruleText(zap, 'json')).toBe('opening TSDB failed: mmap, size 31301: cannot allocate memory');
    expect(parseEvent(ms, 'json')?.time).toEqual({ iso: '2024-05-01T12:00:00.456Z', hasOffset: true });
    expect(parseEvent(ms, 'json')?.level).toBe('WARN');
  });

  it('reads nested error objects and stack_trace fields', () => {
    const line = '{"time":"2024-05-01T12:00:00Z","level":"ERROR","msg":"boom","error":{"message":"Map failed"},"stack_trace":"java.io.IOException: Map failed"}';
    expect(ruleText(line, 'json')).toBe('boom: Map failed\njava.io.IOException: Map failed');
  });

  it('puts rule text in ParsedLine.text and keeps the raw line', () => {
    const { record } = assembleRecord(windowAt(es8, 2), { format: 'json', wrapper: 'none' }, 'es.json', 0);
    expect(record.startLine).toBe(2);
    expect(record.lines).toHaveLength(1);
    expect(record.lines[0]?.raw).toBe(es8[1]);
    expect(record.lines[0]?.text).toContain('Caused by: java.lang.OutOfMemoryError: Map failed');
  });
});
