// A fake /proc for one Kafka process (pid 4242) and its host, for the capture integrity suites
// of `capture` and of scripts/mapmortem-capture.sh: its stat start time is what they compare.

import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** /proc/4242/stat with field 22 (start time) set; `comm` may hold spaces and parentheses. */
export function procStat(start: number, comm = 'java'): string {
  return `4242 (${comm}) S 1 4242 4242 0 -1 4194560 1 0 0 0 0 0 0 0 20 0 7 0 ${start} 1000000 100 18446744073709551615\n`;
}

/** `n` anonymous mappings, one per line, newline-terminated. */
export function anonMaps(n: number): string {
  return (
    Array.from({ length: n }, (_, i) => `7f${(i * 4096).toString(16).padStart(10, '0')}-7f${((i + 1) * 4096).toString(16).padStart(10, '0')} rw-p 00000000 00:00 0 `).join('\n') +
    '\n'
  );
}

/** A broker log whose Map failed the bundle's evidence should explain. */
export const MAP_FAILED_LOG =
  '[2024-05-01 12:00:01,456] ERROR Error while loading log dir /data (kafka.log.LogManager)\njava.io.IOException: Map failed\nCaused by: java.lang.OutOfMemoryError: Map failed\n';

/** Writes `<root>/proc` with pid 4242's maps, stat (start time 1000), status, cmdline, and the host's max_map_count and meminfo; returns its path. */
export async function fakeProc(root: string, maps: string, comm = 'java'): Promise<string> {
  const proc = path.join(root, 'proc');
  const w = async (rel: string, text: string): Promise<void> => {
    await mkdir(path.dirname(path.join(proc, rel)), { recursive: true });
    await writeFile(path.join(proc, rel), text);
  };
  await w('4242/maps', maps);
  await w('4242/stat', procStat(1000, comm));
  await w('4242/status', 'Name:\tjava\nUid:\t0\t0\t0\t0\nThreads:\t7\n');
  await w('4242/cmdline', 'java\0kafka.Kafka\0');
  await w('sys/vm/max_map_count', '65530\n');
  await w('meminfo', 'MemTotal:       16318340 kB\nMemFree:         1000000 kB\nMemAvailable:    8000000 kB\n');
  return proc;
}
