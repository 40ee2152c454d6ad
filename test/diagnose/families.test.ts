// End-to-end verdicts for failure families of the recall work (#9, #10): each family through a
// real scan of text shaped like what the systems print (wordings from several systems), with
// the verdict, confidence and deciding line a user would see. Texts are written for the test,
// not copied from corpus cases, so the corpus keeps measuring what the rules never saw.

import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/core/index.js';
import { scanPaths } from '../render/helpers.js';

const root = mkdtempSync(join(tmpdir(), 'mm-families-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let n = 0;
/** Scans one case folder holding the given files. */
async function scanCase(files: Record<string, string>): Promise<Report> {
  const dir = join(root, `case-${n++}`);
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return scanPaths([dir], root);
}

/** The first incident's verdict, confidence and decision trail in one string. */
function top(r: Report): { cause: string; confidence: string; trail: string } {
  const i = r.incidents[0];
  return { cause: i?.cause ?? 'none', confidence: i?.confidence ?? '-', trail: (i?.trail ?? []).map((t) => `${t.step}: ${t.fact} -> ${t.outcome}`).join('\n') };
}

describe('kernel OOM reports without the kill line', () => {
  it('a memory-cgroup frame in the call trace makes it a cgroup limit (v1 page-fault path and the charge path)', async () => {
    for (const frame of ['[<ffffffff811d2c41>] mem_cgroup_oom_synchronize+0x551/0x580', 'mem_cgroup_out_of_memory+0xc4/0xd0']) {
      const r = await scanCase({
        'dmesg.txt': [
          '[81234.100001] node invoked oom-killer: gfp_mask=0x6000c0(GFP_KERNEL), order=0, oom_score_adj=984',
          '[81234.100009] CPU: 2 PID: 4121 Comm: node Not tainted 5.4.0-1060-aws #63-Ubuntu',
          '[81234.100011] Call Trace:',
          '[81234.100013]  dump_stack+0x6d/0x8b',
          '[81234.100016]  oom_kill_process+0xe6/0x120',
          `[81234.100019]  ${frame}`,
          '',
        ].join('\n'),
      });
      expect(top(r).cause).toBe('cgroup-memory-limit');
      expect(top(r).confidence).toBe('high');
    }
  });

  it('the header alone is host memory at medium confidence, with the caveat saying what would confirm it', async () => {
    const r = await scanCase({
      messages: 'Mar  3 02:11:09 db7 kernel: mysqld invoked oom-killer: gfp_mask=0x201da, order=0, oom_score_adj=0\nMar  3 02:11:09 db7 kernel: mysqld cpuset=/ mems_allowed=0\n',
    });
    expect(top(r)).toMatchObject({ cause: 'memory-exhaustion', confidence: 'medium' });
    expect(r.incidents[0]!.caveats.join(' ')).toContain('oom-kill:constraint=');
    expect(r.incidents[0]!.findings[0]!.message).toBe('mysqld invoked the kernel OOM killer');
  });
});

describe('task limits the kernel names', () => {
  it('a fork rejected by the pids controller is a thread limit at high confidence, with pids.max when captured', async () => {
    const r = await scanCase({
      'dmesg.txt': '[ 9001.223344] cgroup: fork rejected by pids controller in /kubepods.slice/kubepods-pod42.slice/cri-containerd-9f1e.scope\n',
      'app.log': 'Exception in thread "pool-3-thread-7" java.lang.OutOfMemoryError: unable to create native thread: possibly out of memory or process/resource limits reached\n',
    });
    expect(top(r)).toMatchObject({ cause: 'thread-limit', confidence: 'high' });
    expect(top(r).trail).toContain('pids controller refused a new task in /kubepods.slice/kubepods-pod42.slice/cri-containerd-9f1e.scope');
  });
});

describe("a program's own report of its map count", () => {
  it('a count at the limit read by the process itself is map-count exhaustion, with or without the failure line beside it', async () => {
    const clickhouse = await scanCase({
      'server.err.log': [
        '2023.02.01 10:00:00.000001 [ 811 ] {} <Error> MergeTreeBackgroundExecutor: Code: 173. DB::ErrnoException: Allocator: Cannot mmap 64.00 MiB., errno: 12, strerror: Cannot allocate memory. (CANNOT_ALLOCATE_MEMORY)',
        'It looks like that the process is near the limit on number of virtual memory mappings.',
        'Current number of mappings (/proc/self/maps): 262140.',
        'Limit on number of mappings (/proc/sys/vm/max_map_count): 262144.',
        '',
      ].join('\n'),
    });
    expect(top(clickhouse)).toMatchObject({ cause: 'map-count-exhaustion', confidence: 'high' });
    expect(clickhouse.incidents[0]!.numbers.mapCount?.value).toBe(262140);
    expect(clickhouse.incidents[0]!.numbers.mapLimit.value).toBe(262144);
    const arango = await scanCase({
      'arangod.log': '2024-04-02T08:00:00Z [77] WARNING {memory} process is near the maximum number of memory mappings. current: 65528, maximum: 65530\n',
    });
    expect(top(arango).cause).toBe('map-count-exhaustion');
  });

  it('the same report well below the limit is a limit too low for the workload, not exhaustion', async () => {
    const r = await scanCase({
      'arangod.log': '2024-04-02T08:00:00Z [77] WARNING {memory} process is near the maximum number of memory mappings. current: 60000, maximum: 65530\n',
    });
    expect(top(r).cause).toBe('map-count-limit-low');
  });
});

describe('runtime and allocator failures that used to read as none', () => {
  it('a 32-bit Redis that cannot allocate is an address-space limit; a 64-bit one stays unknown', async () => {
    const log = (bits: number): string =>
      [
        `911:M 01 Jun 10:00:00.000 * Redis 4.0.9 (00000000/0) ${bits} bit, standalone mode, port 6379, pid 911 ready to start.`,
        '911:M 01 Jun 10:00:00.001 # Server initialized',
        '911:M 02 Jun 03:14:15.926 # Out Of Memory allocating 524288 bytes!',
        '',
      ].join('\n');
    expect(top(await scanCase({ 'redis.log': log(32) })).cause).toBe('address-space-limit');
    expect(top(await scanCase({ 'redis.log': log(64) })).cause).toBe('unknown');
  });

  it("the Go runtime's start-up reservation failing is an address-space ceiling", async () => {
    const r = await scanCase({ 'stderr.log': 'fatal error: failed to reserve page summary memory\n\nruntime stack:\nruntime.throw({0x1f2e3d4?, 0x0?})\n' });
    expect(top(r).cause).toBe('address-space-limit');
  });

  it('thread and process creation refused with EAGAIN in Ruby, libgomp, bash and Go is at least unknown, never none', async () => {
    for (const line of [
      "ThreadError: can't create Thread: Resource temporarily unavailable",
      'libgomp: Thread creation failed: Resource temporarily unavailable',
      '-bash: fork: retry: Resource temporarily unavailable',
      'E0102 03:04:05.000000 77 exec.go:12] fork/exec /bin/sh: resource temporarily unavailable',
    ]) {
      expect(top(await scanCase({ 'app.log': `${line}\n` })).cause).toBe('unknown');
    }
  });

  it("V8's native out-of-memory is a failure; its JS heap limit is not", async () => {
    expect(top(await scanCase({ 'node.log': 'FATAL ERROR: NewSpace::Rebalance Allocation failed - process out of memory\n' })).cause).toBe('unknown');
    expect(top(await scanCase({ 'node.log': 'FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory\n' })).cause).toBe('none');
  });
});

describe('the runtime that wrote a generic wording names the incident', () => {
  it('a cgo pthread_create failure in a Go service log is a Go program, never a JVM', async () => {
    const go = await scanCase({
      'app.log': [
        'ts=2025-04-02T10:00:00.000Z caller=main.go:90 level=info msg="starting ingest"',
        'runtime/cgo: pthread_create failed: Resource temporarily unavailable',
        'SIGABRT: abort',
        'goroutine 0 [idle]:',
        '',
      ].join('\n'),
    });
    expect(go.incidents[0]!.system).toBe('go');
    const jvm = await scanCase({
      'server.log': [
        '[2025-04-02 10:00:00,000] ERROR Uncaught exception (org.example.Server)',
        'java.lang.OutOfMemoryError: unable to create native thread: possibly out of memory or process/resource limits reached',
        '\tat java.lang.Thread.start0(Native Method)',
        '',
      ].join('\n'),
    });
    expect(jvm.incidents[0]!.system).toBe('jvm');
  });
});

describe('mappings of deleted files', () => {
  it('many (deleted) areas in the maps snapshot make the fix name the leak, with the count and its file', async () => {
    const maps: string[] = [];
    for (let i = 0; i < 2046; i++) {
      const lo = (0x7f0000000000 + i * 0x2000).toString(16);
      const hi = (0x7f0000000000 + i * 0x2000 + 0x1000).toString(16);
      const path = i < 1300 ? `/data/idx/seg-${i}.idx (deleted)` : i % 2 === 0 ? '' : `/usr/lib/lib${i}.so`;
      maps.push(`${lo}-${hi} r--s 00000000 fd:01 ${1000 + i}   ${path}`.trimEnd());
    }
    const r = await scanCase({
      'proc/maps': maps.join('\n') + '\n',
      'sysctl.txt': 'vm.max_map_count = 2048\n',
      'server.log': 'Apr 02 10:00:00 idx1 searchd[811]: mmap(/data/idx/seg-4000.idx) failed: Cannot allocate memory\n',
    });
    const inc = r.incidents[0]!;
    expect(inc.cause).toBe('map-count-exhaustion');
    expect(inc.numbers.facts['deleted-maps']).toMatchObject({ value: 1300 });
    expect(inc.remediation.summary).toContain('find the leak: 1,300 of 2,046 map areas are files already deleted');
    expect(inc.remediation.steps.map((s) => s.title)).toContain('1,300 of 2,046 map areas are files already deleted');
    // A few deleted areas are ordinary (a log rotated under a mapped file): no leak named.
    const few = await scanCase({
      'proc/maps': maps.map((l, i) => (i < 1300 ? l.replace(' (deleted)', '') : l)).join('\n') + '\n',
      'sysctl.txt': 'vm.max_map_count = 2048\n',
      'server.log': 'Apr 02 10:00:00 idx1 searchd[811]: mmap(/data/idx/seg-4000.idx) failed: Cannot allocate memory\n',
    });
    expect(few.incidents[0]!.remediation.summary).not.toContain('leak');
  });
});

describe('a captured errno decides over the lines that repeat it', () => {
  const banner = (errno: string): string =>
    [
      `[0.004s][warning][os,thread] Failed to start thread "GC Thread#0" - pthread_create failed (${errno}) for attributes: stacksize: 1024k, guardsize: 4k, detached.`,
      '#',
      '# There is insufficient memory for the Java Runtime Environment to continue.',
      '# Cannot create worker GC thread. Out of system resources.',
      '',
    ].join('\n');

  it("the JVM's insufficient-memory banner after pthread_create EPERM is a refusal, not memory; after EAGAIN it stays a thread failure", async () => {
    const perm = top(await scanCase({ 'console.log': banner('EPERM') }));
    expect(perm.cause).toBe('other-mmap-error');
    expect(perm.trail).toContain('errno decides');
    expect(perm.trail).toContain('security policy');
    expect(perm.trail).not.toContain('mmap failed');
    expect(top(await scanCase({ 'console.log': banner('EAGAIN') })).cause).toBe('unknown');
  });

  it('an msync or munmap ENOMEM and the line after it that repeats the errno are one non-allocation failure', async () => {
    const sameLine = [
      '2019-04-02 11:00:01 ERROR munmap(0x7f3a2c000000, 1048576) failed: Cannot allocate memory',
      '2019-04-02 11:00:01 ERROR unable to release the segment: Cannot allocate memory',
      '',
    ];
    expect(top(await scanCase({ 'server.log': sameLine.join('\n') })).cause).toBe('other-mmap-error');
    const nextLine = ['#ERROR: GDKmsync: msync failed', '#OS: Cannot allocate memory', ''];
    const echo = top(await scanCase({ 'merovingian.log': nextLine.join('\n') }));
    expect(echo.cause).toBe('other-mmap-error');
    expect(echo.trail).toContain('msync returned ENOMEM');
    expect(echo.trail).not.toContain('that is not ENOMEM');
  });

  it('an ENOMEM line far from the non-ENOMEM call, or with its own different errno, is a failure of its own', async () => {
    const far = [
      'mmap(NULL, 4096, PROT_READ, MAP_SHARED, 3, 0) failed: EINVAL',
      ...Array.from({ length: 8 }, (_, i) => `INFO step ${i}`),
      'ERROR alloc failed: Cannot allocate memory',
      '',
    ];
    expect(top(await scanCase({ 'app.log': far.join('\n') })).cause).toBe('unknown');
  });
});

describe('failure lines that name the limit reached', () => {
  it("Windows' commit limit (the paging file is too small, 1455) is memory, from HotSpot, Python and .NET", async () => {
    for (const line of [
      "OpenJDK 64-Bit Server VM warning: INFO: os::commit_memory(0x0000000700000000, 268435456, 0) failed; error='The paging file is too small for this operation to complete' (DOS error/errno=1455)",
      'OSError: [WinError 1455] The paging file is too small for this operation to complete. Error loading "C:\\Python310\\lib\\site-packages\\torch\\lib\\cudnn_adv_infer64_8.dll"',
      'Unhandled exception. System.ComponentModel.Win32Exception (1455): The paging file is too small for this operation to complete.',
    ]) {
      const r = top(await scanCase({ 'console.txt': `${line}\n` }));
      expect(r.cause, line).toBe('memory-exhaustion');
      expect(r.confidence).toBe('medium');
    }
  });

  it("Seastar's start-up check is memory; ENOMEM with no such line stays undecided", async () => {
    const line = 'Could not initialize seastar: std::runtime_error (insufficient physical memory: needed 2147483648 available 1073741824)';
    expect(top(await scanCase({ 'redpanda.log': `${line}\n` })).cause).toBe('memory-exhaustion');
    expect(top(await scanCase({ 'redpanda.log': 'Could not initialize seastar: std::system_error (error system:12, Cannot allocate memory)\n' })).cause).toBe('unknown');
  });

  it('a tiny ulimit -u in the text makes a failed thread creation a thread limit; a large one does not decide', async () => {
    const log = (n: number): string =>
      [`$ ulimit -u ${n}`, '$ java -jar broker.jar', 'Exception in thread "main" java.lang.OutOfMemoryError: unable to create new native thread', ''].join('\n');
    expect(top(await scanCase({ 'run.txt': log(64) })).cause).toBe('thread-limit');
    expect(top(await scanCase({ 'run.txt': log(65536) })).cause).toBe('unknown');
  });
});

describe('32-bit builds that cannot map a large file', () => {
  it("Python's mmap length is too large, Windows error 8 beside an i686 toolchain, and ENOMEM in a GOARCH=386 build are address-space ceilings", async () => {
    expect(top(await scanCase({ 'tb.txt': '    mm = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)\nValueError: mmap length is too large\n' })).cause).toBe(
      'address-space-limit',
    );
    const win = [
      'Error: Os { code: 8, kind: Other, message: "Not enough memory resources are available to process this command." }',
      '',
      '$ rustup default',
      'stable-i686-pc-windows-msvc (default)',
      '',
    ];
    expect(top(await scanCase({ 'out.txt': win.join('\n') })).cause).toBe('address-space-limit');
    expect(top(await scanCase({ 'out.txt': win.slice(0, 1).join('\n') + '\n' })).cause).toBe('unknown');
    const go = ['$ GOARCH=386 go test ./...', 'storage_test.go:41: open index: mmap: cannot allocate memory', ''];
    expect(top(await scanCase({ 'ci.log': go.join('\n') })).cause).toBe('address-space-limit');
  });
});

describe('C++ allocation failures', () => {
  it("std::bad_alloc is a failure; with the program's own /proc/self/maps count at the limit it is map-count exhaustion", async () => {
    const abort = "terminate called after throwing an instance of 'std::bad_alloc'\n  what():  std::bad_alloc\n";
    expect(top(await scanCase({ 'worker.log': abort })).cause).toBe('unknown');
    const r = top(
      await scanCase({
        'worker.log': `arena: /proc/self/maps has 65,527 lines after warm-up\n${abort}`,
        'sysctl.txt': '$ sysctl vm.max_map_count\nvm.max_map_count = 65530\n',
      }),
    );
    expect(r.cause).toBe('map-count-exhaustion');
    expect(r.trail).toContain('65,527 map areas');
  });
});
