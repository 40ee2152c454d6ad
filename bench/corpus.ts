// Benchmark corpus: a deterministic multi-format log tree (Kafka log4j, Cortex logfmt with µs,
// JSON lines with escaped stack traces, Spring/Java stack traces, one hs_err) with needle blocks
// planted at recorded lines, some straddling 1 MiB boundaries, plus one giant single-line file.
// Written with big buffers; the manifest says where every needle is.

import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import path from 'node:path';

export interface Needle {
  readonly file: string;
  readonly kind: string;
  /** 1-based lines of the block: a tool finds the needle when it reports a line in [startLine, endLine]. */
  readonly startLine: number;
  readonly endLine: number;
  readonly offset: number;
  readonly straddles: boolean;
}

export interface Corpus {
  readonly dir: string;
  readonly files: readonly string[];
  readonly bytes: number;
  readonly lines: number;
  readonly needles: readonly Needle[];
}

const MiB = 1 << 20;

/** mulberry32: small, fast, deterministic. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Kind = 'kafka' | 'logfmt' | 'json' | 'java';

const pad2 = (n: number): string => String(n).padStart(2, '0');
const pad3 = (n: number): string => String(n).padStart(3, '0');

class Clock {
  ms = Date.UTC(2024, 4, 1, 0, 0, 0);
  tick(r: number): void {
    this.ms += Math.floor(r * 40);
  }
  parts(): { d: string; t: string; ms: string; iso: string } {
    const x = new Date(this.ms);
    const d = `${x.getUTCFullYear()}-${pad2(x.getUTCMonth() + 1)}-${pad2(x.getUTCDate())}`;
    const t = `${pad2(x.getUTCHours())}:${pad2(x.getUTCMinutes())}:${pad2(x.getUTCSeconds())}`;
    const ms = pad3(x.getUTCMilliseconds());
    return { d, t, ms, iso: `${d}T${t}.${ms}Z` };
  }
}

const topics = ['orders', 'payments', 'clicks', 'audit', 'inventory', 'sessions', 'metrics', 'events'];
const tenants = ['tenant-1', 'tenant-7', 'acme', 'globex', 'initech', 'umbrella'];
const users = ['alice', 'bob', 'chloé', 'dmitri', 'eve', 'françois', 'gülşen', 'hiro'];

function filler(kind: Kind, r: () => number, c: Clock): string {
  const p = c.parts();
  const n = Math.floor(r() * 1e6);
  const topic = `${topics[n % topics.length] as string}-${n % 12}`;
  switch (kind) {
    case 'kafka': {
      const v = n % 10;
      if (v < 4)
        return `[${p.d} ${p.t},${p.ms}] INFO [Log partition=${topic}, dir=/var/lib/kafka/data] Rolled new log segment at offset ${n * 37} in ${n % 9} ms. (kafka.log.LocalLog)`;
      if (v < 7)
        return `[${p.d} ${p.t},${p.ms}] INFO [ReplicaFetcher replicaId=1, leaderId=${n % 5}, fetcherId=0] Fetched ${n % 997} records from ${topic} at offset ${n * 13} (kafka.server.ReplicaFetcherThread)`;
      if (v < 9)
        return `[${p.d} ${p.t},${p.ms}] INFO [GroupCoordinator 1]: Member consumer-${n % 50}-${(n * 7919).toString(16)} in group app-${n % 20} has left, removing it from the group (kafka.coordinator.group.GroupCoordinator)`;
      if (n % 1000 === 9)
        return `[${p.d} ${p.t},${p.ms}] INFO Deleted time index /var/lib/kafka/data/${topic}/${String(n).padStart(20, '0')}.timeindex.deleted. (kafka.log.LogSegment)`;
      return `[${p.d} ${p.t},${p.ms}] DEBUG [Controller id=1] Broker ${n % 5} heartbeat, epoch ${n % 300}, metadata offset ${n * 3} (kafka.controller.KafkaController)`;
    }
    case 'logfmt': {
      const v = n % 10;
      const us = `${n % 900}.${n % 1000}µs`;
      if (v < 5)
        return `level=info ts=${p.iso} caller=ingester.go:${n % 900} msg="pushed samples" user=${tenants[n % tenants.length] as string} series=${n % 5000} samples=${n % 20000} duration=${us}`;
      if (v < 8) return `level=debug ts=${p.iso} caller=head.go:${n % 700} component=tsdb msg="head GC completed" duration=${us} series_removed=${n % 300}`;
      if (n % 2000 === 8)
        return `level=info ts=${p.iso} caller=head.go:612 component=tsdb msg="Replaying on-disk memory mappable chunks if any" user=${tenants[n % tenants.length] as string}`;
      return `level=warn ts=${p.iso} caller=grpc_logging.go:${n % 90} method=/cortex.Ingester/Push duration=${us} err="rpc error: code = Canceled desc = context canceled" msg=gRPC`;
    }
    case 'json': {
      const v = n % 20;
      const user = users[n % users.length] as string;
      if (v === 0) {
        const trace = Array.from({ length: 8 + (n % 40) }, (_, i) => `\\tat com.example.shop.Service${i}.handle(Service${i}.java:${(n + i) % 400})`).join('\\n');
        return `{"@timestamp":"${p.iso}","level":"WARN","logger":"com.example.shop.Checkout","thread":"http-nio-8080-exec-${n % 200}","message":"checkout failed for ${user}","stack_trace":"java.lang.IllegalStateException: cart ${n} is locked\\n${trace}"}`;
      }
      return `{"@timestamp":"${p.iso}","level":"INFO","logger":"com.example.shop.Api","thread":"http-nio-8080-exec-${n % 200}","message":"GET /api/v1/items/${n} 200 ${n % 300}ms","user":"${user}","trace_id":"${(n * 2654435761).toString(16)}"}`;
    }
    case 'java': {
      const v = n % 25;
      if (v === 0) {
        const head = `${p.d} ${p.t}.${p.ms} ERROR ${4000 + (n % 99)} --- [nio-8080-exec-${n % 200}] o.a.c.c.C.[.[.[/].[dispatcherServlet] : Servlet.service() threw exception`;
        const trace = Array.from(
          { length: 6 + (n % 20) },
          (_, i) => `\tat org.springframework.web.servlet.FrameworkServlet${i}.service(FrameworkServlet.java:${(n + i) % 900})`,
        ).join('\n');
        return `${head}\njava.lang.NullPointerException: order ${n} has no customer\n${trace}`;
      }
      if (v < 3) return `[GC (Allocation Failure) [PSYoungGen: ${n % 900000}K->${n % 90000}K(${n % 990000}K)] ${n}K->${n % 400000}K(${n * 2}K), 0.0${n % 999} secs]`;
      return `${p.d} ${p.t}.${p.ms}  INFO ${4000 + (n % 99)} --- [   scheduling-1] c.e.s.jobs.ReportJob                     : report ${n} done in ${n % 5000} ms`;
    }
  }
}

/** Needle blocks: [lines, index of the line a tool should report within the block]. */
function needle(kind: Kind, k: number, c: Clock): { kind: string; lines: string[] } {
  const p = c.parts();
  const topic = `${topics[k % topics.length] as string}-${k % 12}`;
  switch (kind) {
    case 'kafka':
      if (k % 2 === 0) {
        return {
          kind: 'kafka-map-failed',
          lines: [
            `[${p.d} ${p.t},${p.ms}] ERROR Error while creating log for ${topic} in dir /var/lib/kafka/data (kafka.server.LogDirFailureChannel)`,
            'java.io.IOException: Map failed',
            '\tat sun.nio.ch.FileChannelImpl.map(FileChannelImpl.java:940)',
            '\tat kafka.log.AbstractIndex.<init>(AbstractIndex.scala:126)',
            '\tat kafka.log.OffsetIndex.<init>(OffsetIndex.scala:54)',
            'Caused by: java.lang.OutOfMemoryError: Map failed',
            '\tat sun.nio.ch.FileChannelImpl.map0(Native Method)',
            '\t... 18 more',
          ],
        };
      }
      return {
        kind: 'jvm-commit-memory',
        lines: [
          `OpenJDK 64-Bit Server VM warning: INFO: os::commit_memory(0x00007f${(0x3a1c000000 + k * 4096).toString(16)}, 65536, 0) failed; error='Cannot allocate memory' (errno=12)`,
        ],
      };
    case 'logfmt':
      if (k % 3 === 0) {
        return {
          kind: 'tsdb-mmap-size',
          lines: [
            `level=error ts=${p.iso} caller=ingester.go:1790 msg="failed to open TSDB" user=${tenants[k % tenants.length] as string} err="1 error occurred: mmap, size 134217728: cannot allocate memory" duration=812.4µs`,
          ],
        };
      }
      if (k % 3 === 1) {
        return {
          kind: 'tsdb-mmap-legacy',
          lines: [
            `level=error ts=${p.iso} caller=db.go:830 component=tsdb msg="opening storage failed" err="open block /data/tsdb/${tenants[k % tenants.length] as string}/01H8XGJ3W5Q6Z7K8M9N0P1R2S3: mmap files: mmap: cannot allocate memory"`,
          ],
        };
      }
      return { kind: 'go-arena', lines: ['fatal error: runtime: cannot map pages in arena address space'] };
    case 'json':
      if (k % 2 === 0) {
        return {
          kind: 'es-max-map-count',
          lines: [
            `{"@timestamp":"${p.iso}","level":"ERROR","logger":"org.elasticsearch.bootstrap.BootstrapChecks","message":"max virtual memory areas vm.max_map_count [65530] is too low, increase to at least [262144]"}`,
          ],
        };
      }
      return {
        kind: 'json-native-thread',
        lines: [
          `{"@timestamp":"${p.iso}","level":"ERROR","logger":"com.example.shop.Worker","thread":"pool-3-thread-${k}","message":"worker crashed","stack_trace":"java.lang.OutOfMemoryError: unable to create native thread: possibly out of memory or process/resource limits reached\\n\\tat java.base/java.lang.Thread.start0(Native Method)\\n\\tat java.base/java.lang.Thread.start(Thread.java:802)"}`,
        ],
      };
    case 'java':
      if (k % 2 === 0) {
        return {
          kind: 'java-native-thread',
          lines: [
            `${p.d} ${p.t}.${p.ms} ERROR 4242 --- [   scheduling-1] o.s.s.s.TaskUtils$LoggingErrorHandler    : Unexpected error occurred in scheduled task`,
            'java.lang.OutOfMemoryError: unable to create native thread: possibly out of memory or process/resource limits reached',
            '\tat java.base/java.lang.Thread.start0(Native Method)',
            '\tat java.base/java.lang.Thread.start(Thread.java:802)',
          ],
        };
      }
      return {
        kind: 'java-map-failed',
        lines: [
          `${p.d} ${p.t}.${p.ms} ERROR 4242 --- [     indexer-7] o.a.l.store.MMapDirectory                : cannot open segment`,
          'java.io.IOException: Map failed: MMapIndexInput(path="/var/lib/search/index/_3k.cfs") [this may be caused by lack of enough unfragmented virtual address space]',
          '\tat org.apache.lucene.store.MMapDirectory.map(MMapDirectory.java:269)',
          'Caused by: java.lang.OutOfMemoryError: Map failed',
          '\tat sun.nio.ch.FileChannelImpl.map0(Native Method)',
        ],
      };
  }
}

const HS_ERR = `#
# There is insufficient memory for the Java Runtime Environment to continue.
# Native memory allocation (mmap) failed to map 65536 bytes for committing reserved memory.
# Possible reasons:
#   The system is out of physical RAM or swap space
#   The process is running with CompressedOops enabled, and the Java Heap may be blocking the growth of the native heap
# Possible solutions:
#   Reduce memory load on the system
#   Increase physical memory or swap space
#  Out of Memory Error (os_linux.cpp:2749), pid=4242, tid=4311
#
# JRE version: OpenJDK Runtime Environment (17.0.9+9) (build 17.0.9+9)
# Java VM: OpenJDK 64-Bit Server VM (17.0.9+9, mixed mode, sharing, tiered, compressed oops, compressed class ptrs, g1 gc, linux-amd64)
# Core dump will be written. Default location: /opt/kafka/core
#

---------------  S U M M A R Y ------------

Command Line: -Xmx6g -Xms6g kafka.Kafka /etc/kafka/server.properties

Host: Intel(R) Xeon(R) Platinum, 8 cores, 31G, Ubuntu 22.04.3 LTS
Time: Wed May  1 10:12:44 2024 UTC elapsed time: 8123.456 seconds (0d 2h 15m 23s)

---------------  T H R E A D  ---------------

Current thread (0x00007f3a1c0d2000):  JavaThread "data-plane-kafka-request-handler-3" daemon [_thread_in_vm, id=4311, stack(0x00007f39f8e00000,0x00007f39f8f00000)]

Stack: [0x00007f39f8e00000,0x00007f39f8f00000],  sp=0x00007f39f8efd5a0,  free space=1013k
Native frames: (J=compiled Java code, j=interpreted, Vv=VM code, C=native code)
V  [libjvm.so+0xe3f6b5]  VMError::report_and_die(int, char const*, char const*, __va_list_tag*, Thread*, unsigned char*, void*, void*, char const*, int, unsigned long)+0x1a5
V  [libjvm.so+0xc1d2f3]  os::pd_commit_memory_or_exit(char*, unsigned long, unsigned long, bool, char const*)+0x103

---------------  S Y S T E M  ---------------

OS:
DISTRIB_DESCRIPTION="Ubuntu 22.04.3 LTS"
uname: Linux 5.15.0-91-generic #101-Ubuntu SMP x86_64
rlimit (soft/hard): STACK 8192k/infinity , CORE infinity/infinity , NPROC 127423/127423 , NOFILE 1048576/1048576 , AS infinity/infinity , DATA infinity/infinity , FSIZE infinity/infinity
/proc/sys/vm/max_map_count (maximum number of memory map areas a process may have): 65530
Memory: 4k page, physical 32612844k(9123456k free), swap 0k(0k free)
`;

interface Plan {
  readonly rel: string;
  readonly kind: Kind;
  readonly share: number;
}

/** Shares of the corpus per file, like the research corpus (Kafka 40%, logfmt 27%, JSON 19%, Java 14%). */
const PLAN: readonly Plan[] = [
  ...[0, 1, 2, 3].map((i) => ({ rel: `kafka-${i}/server.log${i === 0 ? '' : `.${i}`}`, kind: 'kafka' as Kind, share: 0.1 })),
  ...[0, 1, 2].map((i) => ({ rel: `cortex-${i}/ingester.log`, kind: 'logfmt' as Kind, share: 0.09 })),
  ...[0, 1].map((i) => ({ rel: `shop-${i}/app.json`, kind: 'json' as Kind, share: 0.095 })),
  ...[0, 1].map((i) => ({ rel: `spring-${i}/app.log`, kind: 'java' as Kind, share: 0.07 })),
];

/** Needles per 1 GiB of corpus, as in the research corpus (540). */
const NEEDLES_PER_GIB = 540;

class Out {
  private readonly fd: number;
  private readonly buf = Buffer.allocUnsafe(8 * MiB);
  private used = 0;
  bytes = 0;
  lines = 0;
  constructor(file: string) {
    this.fd = openSync(file, 'w');
  }
  /** Appends one line (without its '\n'); returns its byte offset. */
  line(s: string): number {
    const off = this.bytes;
    const need = Buffer.byteLength(s) + 1;
    if (this.used + need > this.buf.length) this.flush();
    if (need > this.buf.length) {
      writeSync(this.fd, `${s}\n`);
    } else {
      this.used += this.buf.write(s, this.used, 'utf8');
      this.buf[this.used++] = 10;
    }
    this.bytes += need;
    this.lines += 1 + countNewlines(s);
    return off;
  }
  flush(): void {
    let off = 0;
    while (off < this.used) off += writeSync(this.fd, this.buf, off, this.used - off);
    this.used = 0;
  }
  close(): void {
    this.flush();
    closeSync(this.fd);
  }
}

function countNewlines(s: string): number {
  let n = 0;
  for (let i = s.indexOf('\n'); i !== -1; i = s.indexOf('\n', i + 1)) n++;
  return n;
}

/** Writes the corpus under `dir` (created); `size` is the total in bytes (files' shares of it). */
export function generateCorpus(dir: string, size: number, seed = 42): Corpus {
  const needles: Needle[] = [];
  const files: string[] = [];
  let total = 0;
  let totalLines = 0;
  const needleCount = Math.max(PLAN.length * 2, Math.round((NEEDLES_PER_GIB * size) / 1024 ** 3));
  PLAN.forEach((plan, fi) => {
    const r = rng(seed + fi * 7919);
    const clock = new Clock();
    const target = Math.floor(size * plan.share);
    const abs = path.join(dir, plan.rel);
    mkdirSync(path.dirname(abs), { recursive: true });
    const out = new Out(abs);
    const count = Math.max(2, Math.round(needleCount * plan.share));
    // Needle targets: spread evenly; every 4th is moved to straddle the nearest 1 MiB boundary.
    const targets: { at: number; straddle: boolean }[] = [];
    for (let i = 0; i < count; i++) {
      const at = Math.floor(((i + 0.5) * target) / count);
      const boundary = Math.round(at / MiB) * MiB;
      const straddle = i % 4 === 1 && boundary > 0 && boundary < target;
      targets.push({ at: straddle ? boundary : at, straddle });
    }
    let k = fi * 1000;
    for (const t of targets) {
      const block = needle(plan.kind, k++, clock);
      const anchorIdx = block.lines.length > 1 ? 1 : 0;
      const beforeAnchor = block.lines.slice(0, anchorIdx).reduce((n, l) => n + Buffer.byteLength(l) + 1, 0);
      const anchorLen = Buffer.byteLength(block.lines[anchorIdx] as string);
      const start = t.straddle ? t.at - beforeAnchor - Math.floor(anchorLen / 2) : t.at;
      for (;;) {
        clock.tick(r());
        const line = filler(plan.kind, r, clock);
        const len = Buffer.byteLength(line) + 1;
        if (out.bytes + len <= start) {
          out.line(line);
          continue;
        }
        const gap = start - out.bytes;
        if (t.straddle && gap > 0) out.line(padLine(plan.kind, clock, gap));
        break;
      }
      const startLine = out.lines + 1;
      const offset = out.bytes;
      for (const l of block.lines) out.line(l);
      const anchorStart = offset + beforeAnchor;
      const straddles = Math.floor(anchorStart / MiB) !== Math.floor((anchorStart + anchorLen) / MiB);
      needles.push({ file: plan.rel, kind: block.kind, startLine, endLine: out.lines, offset, straddles });
    }
    while (out.bytes < target) {
      clock.tick(r());
      out.line(filler(plan.kind, r, clock));
    }
    out.close();
    files.push(plan.rel);
    total += out.bytes;
    totalLines += out.lines;
  });
  const hsRel = 'kafka-0/hs_err_pid4242.log';
  const hs = new Out(path.join(dir, hsRel));
  for (const l of HS_ERR.replace(/\n$/, '').split('\n')) hs.line(l);
  hs.close();
  needles.push({ file: hsRel, kind: 'hs-err', startLine: 2, endLine: 6, offset: 2, straddles: false });
  files.push(hsRel);
  total += hs.bytes;
  totalLines += hs.lines;
  return { dir, files: files.sort(), bytes: total, lines: totalLines, needles };
}

/** A filler line of exactly `bytes` bytes including its newline (or a few more when `bytes` is tiny). */
function padLine(kind: Kind, c: Clock, bytes: number): string {
  const p = c.parts();
  const head =
    kind === 'kafka'
      ? `[${p.d} ${p.t},${p.ms}] INFO padding `
      : kind === 'logfmt'
        ? `level=info ts=${p.iso} msg="padding" pad=`
        : kind === 'json'
          ? `{"@timestamp":"${p.iso}","level":"INFO","message":"padding `
          : `${p.d} ${p.t}.${p.ms}  INFO 4242 --- [main] c.e.Pad : padding `;
  const tail = kind === 'json' ? '"}' : '';
  const fill = Math.max(0, bytes - 1 - Buffer.byteLength(head) - tail.length);
  return `${head}${'x'.repeat(fill)}${tail}`;
}
