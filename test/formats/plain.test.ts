import { describe, expect, it } from 'vitest';
import { assembleRecord, detectFormat, parseEvent } from '../../src/formats/index.js';
import { windowAt } from './helpers.js';

// Kafka's stdout (kafkaServer.out) as printed in the seed write-up: timestamps stripped,
// HotSpot warnings and the fatal-error banner interleaved.
const jvmStdout = [
  '[] INFO [TransactionCoordinator id=3] Starting up. (kafka.coordinator.transaction.TransactionCoordinator)',
  'Java HotSpot(TM) 64-Bit Server VM warning: Attempt to protect stack guard pages failed.',
  'Java HotSpot(TM) 64-Bit Server VM warning: Attempt to deallocate stack guard pages failed.',
  '[] INFO [TransactionCoordinator id=3] Startup complete. (kafka.coordinator.transaction.TransactionCoordinator)',
  "Java HotSpot(TM) 64-Bit Server VM warning: INFO: os::commit_memory(0x00007f4e0ff1b000, 12288, 0) failed; error='Cannot allocate memory' (errno=12)",
  '#',
  '# There is insufficient memory for the Java Runtime Environment to continue.',
  '# Native memory allocation (mmap) failed to map 12288 bytes for committing reserved memory.',
  '# An error report file with more information is saved as:',
  '# /opt/kafka/bin/hs_err_pid2423.log',
  "Java HotSpot(TM) 64-Bit Server VM warning: INFO: os::commit_memory(0x00007f4eed723000, 262144, 0) failed; error='Cannot allocate memory' (errno=12)",
  '[thread 139981501064960 also had an error]',
];

describe('plain', () => {
  it('detects JVM stdout with a stray banner as plain, not hs-err', () => {
    expect(detectFormat(jvmStdout).format).toBe('plain');
  });

  it('makes each HotSpot warning its own record', () => {
    const { record } = assembleRecord(windowAt(jvmStdout, 5), { format: 'plain', wrapper: 'none' }, 'kafkaServer.out', 0);
    expect(record.startLine).toBe(5);
    expect(record.lines).toHaveLength(1);
    expect(record.message).toContain("os::commit_memory(0x00007f4e0ff1b000, 12288, 0) failed; error='Cannot allocate memory' (errno=12)");
  });

  it('parses kernel dmesg, dmesg -T, syslog and journal lines', () => {
    expect(parseEvent('[123456.789012] Out of memory: Killed process 1234 (java) total-vm:12345678kB, anon-rss:8000000kB', 'plain')).toEqual({
      logger: 'kernel',
      message: 'Out of memory: Killed process 1234 (java) total-vm:12345678kB, anon-rss:8000000kB',
    });
    expect(parseEvent('[Wed May  1 12:00:00 2024] java invoked oom-killer: gfp_mask=0x100cca(GFP_HIGHUSER_MOVABLE), order=0, oom_score_adj=0', 'plain')?.time).toEqual({
      iso: '2024-05-01T12:00:00',
      hasOffset: false,
    });
    expect(parseEvent('May 01 12:00:00 broker-1 kernel: Out of memory: Killed process 1234 (java)', 'plain')).toEqual({
      time: { iso: '--05-01T12:00:00', hasOffset: false },
      logger: 'kernel',
      message: 'Out of memory: Killed process 1234 (java)',
    });
    expect(parseEvent('May  1 12:00:00 broker-1 kafka-server-start.sh[812]: java.io.IOException: Map failed', 'plain')?.logger).toBe('kafka-server-start.sh');
    expect(parseEvent('2024-05-01T12:00:00+0000 broker-1 kernel: Memory cgroup out of memory: Killed process 1234 (java)', 'plain')).toEqual({
      time: { iso: '2024-05-01T12:00:00Z', hasOffset: true },
      logger: 'kernel',
      message: 'Memory cgroup out of memory: Killed process 1234 (java)',
    });
  });

  it('keeps a Go panic and its goroutine dump in one record', () => {
    const lines = [
      '2024/05/01 12:00:00 starting exporter',
      'runtime: out of memory: cannot allocate 4194304-byte block (3967746048 in use)',
      'fatal error: out of memory',
      '',
      'goroutine 1 [running]:',
      'runtime.throw({0x9c8f0d, 0xd})',
      '\t/usr/local/go/src/runtime/panic.go:1077 +0x5c fp=0xc00012d6b8 sp=0xc00012d688 pc=0x43a0bc',
      'main.main()',
      '\t/src/main.go:42 +0x1d',
      'created by main.init.0 in goroutine 1',
      '',
    ];
    expect(parseEvent(lines[0] ?? '', 'plain')?.time).toEqual({ iso: '2024-05-01T12:00:00', hasOffset: false });
    const { record, problems } = assembleRecord(windowAt(lines, 8), { format: 'plain', wrapper: 'none' }, 'exporter.log', 1);
    expect(problems).toEqual([]);
    expect(record.startLine).toBe(3);
    expect(record.message).toBe('fatal error: out of memory');
    expect(record.lines.map((l) => l.lineNo)).toEqual([3, 4, 5, 6, 7, 8, 9, 10]);
    expect(record.contextBefore.map((l) => l.lineNo)).toEqual([2]);
    expect(record.contextAfter.map((l) => l.lineNo)).toEqual([11]);
  });

  it('reads a leading level word', () => {
    expect(parseEvent('ERROR: mmap failed', 'plain')).toEqual({ level: 'ERROR', message: 'mmap failed' });
  });
});
