// The verdict engine: a readable decision procedure that weighs an incident's findings
// against its evidence facts and returns the cause, the confidence and the decision trail,
// each step naming the fact and the file:line it came from. Thresholds live in ./policy.ts.

import type { Cause, Confidence, DerivedNumber, FailedRequest, Finding, NumericFact, SourceRef, TrailStep } from '../core/index.js';
import type { FactIndex, RankedFact } from './facts.js';
import { fmtBytes, fmtCount, fmtPercent } from '../core/units.js';
import {
  AREAS_PER_THREAD,
  CGROUP_NEAR,
  COMMIT_RESERVE,
  DEFAULT_MAX_MAP_COUNT,
  ECHO_LINES,
  HEAP_BASE_GAP,
  LOW_HEADROOM,
  LOW_RAM_ABSOLUTE,
  LOW_SWAP_ABSOLUTE,
  HEAP_COMMIT_MIN,
  MAP_COUNT_SPLIT_SLACK,
  MARKER_NEAR_LINES,
  MEMORY_FLOOR,
  NEAR_LIMIT,
  PLENTIFUL_ABSOLUTE,
  PLENTIFUL_REQUEST_FACTOR,
  PLENTIFUL_SHARE,
  RLIMIT_NEAR,
  SMALL_REQUEST,
  TASK_LIMIT_NEAR,
  TINY_NPROC,
  TINY_REQUEST,
} from './policy.js';

export { COMMIT_RESERVE, DEFAULT_MAX_MAP_COUNT, HEAP_BASE_GAP, NEAR_LIMIT } from './policy.js';

export interface Decision {
  readonly cause: Cause;
  readonly confidence: Confidence;
  readonly trail: readonly TrailStep[];
  readonly caveats: readonly string[];
  /** The limit used (read or assumed) and the count, for remediation. */
  readonly mapLimit: { readonly value: number; readonly assumed: boolean; readonly source?: SourceRef; readonly fact?: RankedFact };
  readonly mapCount?: NumericFact;
  /** The largest map count the workload needs, from data dirs or threads, when known. */
  readonly needed?: { readonly value: number; readonly basis: string; readonly sources: readonly SourceRef[] };
  /** A one-line statement of the deciding fact. */
  readonly because: string;
  /** Failed requests, smallest first. */
  readonly requests: readonly FailedRequest[];
  /** Available memory + free swap, and CommitLimit − Committed_AS, when captured. */
  readonly memoryHeadroom?: DerivedNumber;
  readonly commitHeadroom?: DerivedNumber;
  /** The vm.max_map_count the software itself demands (a start-up check's required value). */
  readonly required?: DerivedNumber;
  /** The task limit thread creation hit, with the count against it. */
  readonly hitLimit?: { readonly name: string; readonly limit: number; readonly used: number; readonly sources: readonly SourceRef[] };
}

function src(f: { source: SourceRef } | undefined): SourceRef[] {
  return f ? [f.source] : [];
}

function findingRef(f: Finding): SourceRef {
  return { file: f.file, line: f.line };
}

/** Every failed request size in bytes, from the findings' captures and the hs_err header fact, smallest first. */
export function failedRequests(findings: readonly Finding[], facts: FactIndex): FailedRequest[] {
  const out: FailedRequest[] = [];
  const seen = new Set<string>();
  for (const f of findings) {
    if (f.signals.failure !== 'enomem') continue;
    const size = f.captures['size'];
    if (typeof size !== 'number' || size <= 0) continue;
    const k = `${f.file}:${f.line}:${size}`;
    if (seen.has(k)) continue;
    seen.add(k);
    out.push({ bytes: size, source: findingRef(f), operation: f.signals.operation, ruleId: f.ruleId });
  }
  for (const h of facts.all('failed-request-bytes')) {
    const k = `${h.source.file}:${h.source.line}:${h.value}`;
    if (seen.has(k) || out.some((r) => r.source.file === h.source.file && r.source.line === h.source.line)) continue;
    seen.add(k);
    out.push({ bytes: h.value, source: h.source, operation: /malloc/.test(h.method ?? '') ? 'malloc' : 'mmap' });
  }
  return out.sort((a, b) => a.bytes - b.bytes || (a.source.file < b.source.file ? -1 : a.source.file > b.source.file ? 1 : a.source.line - b.source.line));
}

class Trail {
  readonly steps: TrailStep[] = [];
  add(step: string, fact: string, sources: readonly SourceRef[], outcome: string): void {
    const seen = new Set<string>();
    const unique = sources.filter((r) => {
      const k = `${r.file}:${r.line}`;
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    });
    this.steps.push({ step, fact, sources: unique, outcome });
  }
}

interface MemoryView {
  readonly exhausted: boolean;
  readonly plentiful: boolean;
  readonly reason: string;
  readonly sources: SourceRef[];
  readonly strength: Confidence;
}

/** Did RAM + swap, or the commit limit, run out? */
function memoryView(facts: FactIndex, request: number | undefined): MemoryView | undefined {
  const total = facts.num('mem-total');
  const avail = facts.num('mem-available') ?? facts.num('mem-free');
  const swapTotal = facts.num('swap-total');
  const swapFree = facts.num('swap-free');
  const commitLimit = facts.num('commit-limit');
  const committed = facts.num('committed-as');
  const mode = facts.num('overcommit-memory');
  const req = request ?? 0;

  if (commitLimit && committed) {
    const headroom = commitLimit.value - committed.value;
    const sources = [...src(commitLimit), ...src(committed), ...src(mode)];
    const strict = mode?.value === 2;
    const consistentWithStrict = committed.value <= commitLimit.value;
    if ((strict || (mode === undefined && consistentWithStrict)) && headroom < req + COMMIT_RESERVE) {
      return {
        exhausted: true,
        plentiful: false,
        reason:
          `commit limit reached: CommitLimit ${fmtBytes(commitLimit.value)} − Committed_AS ${fmtBytes(committed.value)} ` +
          `leaves ${fmtBytes(headroom)}` +
          (req > 0 ? ` for a request of ${fmtBytes(req)}` : '') +
          (strict ? ' under vm.overcommit_memory=2' : ' (overcommit mode not captured; the numbers fit strict accounting)'),
        sources,
        strength: strict ? 'high' : 'medium',
      };
    }
  }

  if (avail && swapFree) {
    const usable = avail.value + swapFree.value;
    const sources = [...src(avail), ...src(swapFree)];
    if (req > 0 && req > usable) {
      return {
        exhausted: true,
        plentiful: false,
        reason: `the request of ${fmtBytes(req)} exceeds available memory ${fmtBytes(avail.value)} + free swap ${fmtBytes(swapFree.value)}`,
        sources: [...sources, ...src(total)],
        strength: 'high',
      };
    }
    const lowRam = total ? avail.value < total.value * MEMORY_FLOOR : avail.value < LOW_RAM_ABSOLUTE;
    const lowSwap = swapTotal && swapTotal.value > 0 ? swapFree.value < swapTotal.value * MEMORY_FLOOR : swapFree.value < LOW_SWAP_ABSOLUTE;
    if (lowRam && lowSwap) {
      return {
        exhausted: true,
        plentiful: false,
        reason: `available memory ${fmtBytes(avail.value)}${total ? ` of ${fmtBytes(total.value)}` : ''} and free swap ${fmtBytes(swapFree.value)} are both close to zero`,
        sources: [...sources, ...src(total)],
        strength: 'high',
      };
    }
    if (total && swapTotal && req > total.value + swapTotal.value) {
      return {
        exhausted: true,
        plentiful: false,
        reason: `the request of ${fmtBytes(req)} is larger than RAM ${fmtBytes(total.value)} + swap ${fmtBytes(swapTotal.value)}, which the kernel's heuristic overcommit refuses`,
        sources: [...sources, ...src(total), ...src(swapTotal)],
        strength: 'high',
      };
    }
    const plentiful = usable >= (total ? Math.min(total.value * PLENTIFUL_SHARE, PLENTIFUL_ABSOLUTE) : PLENTIFUL_ABSOLUTE) && usable > req * PLENTIFUL_REQUEST_FACTOR;
    return {
      exhausted: false,
      plentiful,
      reason:
        `${fmtBytes(avail.value)} of memory ${avail.key === 'mem-available' ? 'available' : 'free'} and ${fmtBytes(swapFree.value)} of swap free` +
        (req > 0 ? ` for a request of ${fmtBytes(req)}` : ''),
      sources,
      strength: 'high',
    };
  }
  if (avail) {
    // Swap unknown: available memory alone cannot prove exhaustion, only rule it out.
    const roomy = total ? avail.value >= Math.min(total.value * PLENTIFUL_SHARE, PLENTIFUL_ABSOLUTE) : avail.value >= PLENTIFUL_ABSOLUTE;
    return {
      exhausted: false,
      plentiful: roomy && avail.value >= req,
      reason: `${fmtBytes(avail.value)} of memory available (swap not captured)`,
      sources: src(avail),
      strength: 'medium',
    };
  }
  return undefined;
}

function mapLimitOf(facts: FactIndex): Decision['mapLimit'] {
  const f = facts.num('max-map-count');
  return f ? { value: f.value, assumed: false, source: f.source, fact: f } : { value: DEFAULT_MAX_MAP_COUNT, assumed: true };
}

/** What the workload needs in map areas, from data directories or threads. */
function neededMaps(facts: FactIndex): Decision['needed'] {
  const kafka = facts.num('kafka-index-files');
  const tsdb = facts.num('tsdb-mmap-files');
  const candidates: NonNullable<Decision['needed']>[] = [];
  if (kafka)
    candidates.push({ value: kafka.value, basis: `${fmtCount(kafka.value)} Kafka .index + .timeindex files, each mapped while its segment is open`, sources: [kafka.source] });
  if (tsdb) candidates.push({ value: tsdb.value, basis: `${fmtCount(tsdb.value)} TSDB block index, chunk and head-chunk files, each mapped`, sources: [tsdb.source] });
  return candidates.sort((a, b) => b.value - a.value)[0];
}

function threadCount(facts: FactIndex): NumericFact | undefined {
  return facts.num('threads') ?? facts.num('java-threads');
}

/** Available memory + free swap (what a new anonymous mapping could still get), when captured. */
function memoryHeadroomOf(facts: FactIndex): DerivedNumber | undefined {
  const avail = facts.num('mem-available') ?? facts.num('mem-free');
  if (!avail) return undefined;
  const swapFree = facts.num('swap-free');
  const name = avail.key === 'mem-available' ? 'MemAvailable' : 'MemFree';
  return {
    value: avail.value + (swapFree?.value ?? 0),
    basis: swapFree ? `${name} ${fmtBytes(avail.value)} + SwapFree ${fmtBytes(swapFree.value)}` : `${name} ${fmtBytes(avail.value)} (swap not captured)`,
    sources: [avail.source, ...src(swapFree)],
  };
}

/** CommitLimit − Committed_AS: what strict accounting (overcommit 2) would still grant. */
function commitHeadroomOf(facts: FactIndex): DerivedNumber | undefined {
  const limit = facts.num('commit-limit');
  const committed = facts.num('committed-as');
  if (!limit || !committed) return undefined;
  return {
    value: limit.value - committed.value,
    basis: `CommitLimit ${fmtBytes(limit.value)} − Committed_AS ${fmtBytes(committed.value)}`,
    sources: [limit.source, committed.source],
  };
}

export interface DecideInput {
  readonly findings: readonly Finding[];
  readonly facts: FactIndex;
}

/** Decide the cause of one incident. */
export function decide(input: DecideInput): Decision {
  const { findings, facts } = input;
  const trail = new Trail();
  const caveats: string[] = facts.conflicts().map((c) => c.text);
  const nonEnomem = findings.filter((f) => f.signals.failure === 'non-enomem');
  const echoes = findings.filter((f) => f.signals.failure === 'enomem' && nonEnomem.some((n) => echoOf(f, n)));
  const echoed = new Set(echoes);
  const failures = findings.filter((f) => (f.signals.failure === 'enomem' || f.signals.failure === 'oom-kill') && !echoed.has(f));
  const limitWarnings = findings.filter((f) => f.signals.failure === 'limit-warning');
  const mapLimit = mapLimitOf(facts);
  const mapCount = facts.num('map-count');
  const needed = neededMaps(facts);
  const threads = threadCount(facts);
  const requests = failedRequests(failures, facts);
  const memoryHeadroom = memoryHeadroomOf(facts);
  const commitHeadroom = commitHeadroomOf(facts);
  const base = {
    mapLimit,
    mapCount,
    needed,
    requests,
    ...(memoryHeadroom ? { memoryHeadroom } : {}),
    ...(commitHeadroom ? { commitHeadroom } : {}),
  };

  if (mapLimit.assumed) caveats.push(`vm.max_map_count was not captured; the kernel default ${fmtCount(DEFAULT_MAX_MAP_COUNT)} is assumed`);
  if (mapCount && mapCount.complete === false) caveats.push(`the maps snapshot at ${mapCount.source.file} is cut short: ${fmtCount(mapCount.value)} regions is a lower bound`);

  const limitText = `${fmtCount(mapLimit.value)}${mapLimit.assumed ? ' (assumed default)' : ''}`;
  const limitSources = mapLimit.source ? [mapLimit.source] : [];

  // Step 1: what failed.
  if (echoes.length > 0) {
    const n = nonEnomem.find((x) => echoes.some((e) => echoOf(e, x)))!;
    trail.add(
      'errno decides',
      `${fmtCount(echoes.length)} failure line${echoes.length === 1 ? '' : 's'} naming no other errno follow ${n.ruleId} (${errnoText(n)})`,
      [findingRef(n), ...echoes.slice(0, 2).map(findingRef)],
      "the captured errno of the call decides: the lines after it report the same failure in the program's words",
    );
  }
  if (failures.length === 0) {
    return decideWithoutFailure({ trail, caveats, base, limitWarnings, nonEnomem, facts, limitText, limitSources });
  }
  const first = failures[0]!;
  const ops = [...new Set(failures.map((f) => f.signals.operation))].sort();
  trail.add(
    'what failed',
    `${fmtCount(failures.length)} ENOMEM failure${failures.length === 1 ? '' : 's'} (${ops.join(', ')}), first: ${first.ruleId}`,
    failures.slice(0, 3).map(findingRef),
    'an allocation or mapping was refused; the evidence must say which limit',
  );
  // The smallest refused request drives the count-versus-memory step: memory that cannot give 49 bytes is gone, a map count refuses any size.
  const request = requests[0];
  const largest = requests[requests.length - 1];
  const mem = memoryView(facts, request?.bytes);
  if (request) {
    const fact =
      requests.length === 1 || largest === undefined || largest.bytes === request.bytes
        ? `failed request ${fmtBytes(request.bytes)}`
        : `smallest failed request ${fmtBytes(request.bytes)} (largest ${fmtBytes(largest.bytes)}, ${fmtCount(requests.length)} sizes captured)`;
    trail.add('request size', fact, [request.source], request.bytes <= SMALL_REQUEST ? 'a small request: a count limit is more likely than memory' : 'a large request');
  }

  // Step 2: the map count against the limit.
  if (mapCount) {
    const ratio = mapCount.value / mapLimit.value;
    const countSources = [mapCount.source, ...limitSources];
    const fact =
      `${fmtCount(mapCount.value)} map areas${mapCount.complete === false ? ' (at least)' : ''} against vm.max_map_count ${limitText} ` +
      `(${fmtPercent(mapCount.value, mapLimit.value)})`;
    const atLimit = ratio >= NEAR_LIMIT || mapCount.value >= mapLimit.value - MAP_COUNT_SPLIT_SLACK;
    const prose = mapCount.origin === 'prose' || mapLimit.fact?.origin === 'prose';
    if (atLimit) {
      trail.add('map count vs limit', fact, countSources, 'at the limit: the next mmap needs a new area and the kernel refuses it with ENOMEM');
      if (mem) trail.add('memory', mem.reason, mem.sources, mem.exhausted ? 'memory was short too' : 'memory was not the limit');
      return {
        ...base,
        cause: 'map-count-exhaustion',
        confidence: mapLimit.assumed || mem?.exhausted || prose ? 'medium' : 'high',
        trail: trail.steps,
        caveats: prose ? [...caveats, "the map count or limit comes from prose (a person's summary), not from a captured file"] : caveats,
        because: fact,
      };
    }
    const saidHit = facts.flag('text-says-map-limit-hit');
    if (mapCount.complete === false && !mem?.exhausted && (ratio >= LOW_HEADROOM || (saidHit && ratio >= LOW_HEADROOM * 0.9))) {
      // A lower bound this close to the limit, beside a failure: the real count was at least this, most likely at the limit.
      trail.add(
        'map count vs limit',
        fact,
        [...countSources, ...(saidHit ? [saidHit] : [])],
        saidHit
          ? 'at least this many areas, and the text says the limit was reached'
          : 'at least this many areas: within 10% of the limit, a lower bound cannot rule it out and most likely hit it',
      );
      if (mem) trail.add('memory', mem.reason, mem.sources, 'memory was not the limit');
      return {
        ...base,
        cause: 'map-count-exhaustion',
        confidence: 'medium',
        trail: trail.steps,
        caveats: [...caveats, `the map count ${fmtCount(mapCount.value)} is a lower bound (${mapCount.method ?? 'cut short'})`],
        because: fact,
      };
    }
    trail.add(
      'map count vs limit',
      fact,
      countSources,
      mapCount.complete === false ? 'a lower bound below the limit: cannot rule map count out' : 'below the limit: map count ruled out',
    );
  }
  if (threads && threads.value * AREAS_PER_THREAD >= mapLimit.value * NEAR_LIMIT) {
    const fact =
      `${fmtCount(threads.value)} threads × ${AREAS_PER_THREAD} map areas (stack + guard page) = ${fmtCount(threads.value * AREAS_PER_THREAD)} against ` +
      `vm.max_map_count ${limitText}`;
    trail.add('threads vs map limit', fact, [threads.source, ...limitSources], 'thread stacks alone fill the map-area budget');
    return { ...base, cause: 'map-count-exhaustion', confidence: 'medium', trail: trail.steps, caveats, because: fact };
  }
  if (needed && needed.value >= mapLimit.value * NEAR_LIMIT && (!mapCount || mapCount.complete === false)) {
    const fact = `the data directory needs ${fmtCount(needed.value)} map areas (${needed.basis}) against vm.max_map_count ${limitText}`;
    trail.add('data directory vs map limit', fact, [...needed.sources, ...limitSources], 'the workload needs more map areas than the limit allows');
    if (mem) trail.add('memory', mem.reason, mem.sources, mem.exhausted ? 'memory was short too' : 'memory was not the limit');
    if (!mem?.exhausted) {
      caveats.push('no maps snapshot of the failing process: the count is predicted from the data directory, not observed');
      return { ...base, cause: 'map-count-exhaustion', confidence: 'medium', trail: trail.steps, caveats, because: fact };
    }
  }

  // Step 3: a cgroup limit.
  const cg = cgroupView(facts, failures);
  if (cg) {
    trail.add('cgroup memory', cg.fact, cg.sources, cg.hit ? 'the container hit its memory limit' : 'the cgroup had headroom');
    if (cg.hit) return { ...base, cause: 'cgroup-memory-limit', confidence: cg.confidence, trail: trail.steps, caveats, because: cg.fact };
  }

  // Step 4: address-space ceilings.
  const as = addressSpaceView(facts, request?.bytes, findings, mem);
  if (as) {
    trail.add('address space', as.fact, as.sources, as.hit ? 'the address space, not memory, was the ceiling' : 'no address-space ceiling');
    if (as.hit && as.confidence === 'high') return { ...base, cause: 'address-space-limit', confidence: 'high', trail: trail.steps, caveats, because: as.fact };
  }

  // Step 5: memory and commit.
  const kernelOom = failures.filter((f) => f.signals.failure === 'oom-kill' && f.signals.hint !== 'cgroup');
  if (mem) {
    trail.add(
      'memory',
      mem.reason,
      mem.sources,
      mem.exhausted ? 'memory really ran out' : mem.plentiful ? 'memory was plentiful: not the limit' : 'memory was neither exhausted nor plentiful',
    );
    if (mem.exhausted) return { ...base, cause: 'memory-exhaustion', confidence: mem.strength, trail: trail.steps, caveats, because: mem.reason };
  }
  const statedMemory = failures.find((f) => f.signals.hint === 'memory' && f.signals.decides === true && f.signals.failure === 'enomem');
  if (statedMemory && !mem?.plentiful) {
    const fact = `the failure names the memory limit that was reached: ${statedMemory.message}`;
    trail.add('memory stated', fact, [findingRef(statedMemory), ...(mem?.sources ?? [])], 'the program or the OS says memory or the commit limit ran out');
    return { ...base, cause: 'memory-exhaustion', confidence: mem?.exhausted ? 'high' : 'medium', trail: trail.steps, caveats, because: fact };
  }
  if (kernelOom.length > 0) {
    // Only the "invoked oom-killer" header without its kill line or a cgroup frame: the excerpt may have lost what says cgroup.
    const headerOnly = kernelOom.every((f) => f.captures['invoker'] !== undefined);
    const fact = headerOnly
      ? `a task invoked the kernel OOM killer (${kernelOom.length} line${kernelOom.length === 1 ? '' : 's'}), with no memory-cgroup frame or constraint in the excerpt`
      : `the kernel OOM killer killed a process (${kernelOom.length} line${kernelOom.length === 1 ? '' : 's'})`;
    trail.add('kernel OOM killer', fact, kernelOom.slice(0, 3).map(findingRef), 'the host ran out of memory');
    if (headerOnly) caveats.push('only the OOM report header was found: its call trace or oom-kill:constraint= line would confirm host-wide (not cgroup) memory');
    return { ...base, cause: 'memory-exhaustion', confidence: mem?.plentiful || headerOnly ? 'medium' : 'high', trail: trail.steps, caveats, because: fact };
  }
  if (as?.hit) return { ...base, cause: 'address-space-limit', confidence: as.confidence, trail: trail.steps, caveats, because: as.fact };

  // Step 6: thread limits.
  const th = threadView(facts, findings, mem);
  if (th) {
    trail.add('threads', th.fact, th.sources, th.hit ? 'thread creation hit a task limit' : 'no thread limit reached');
    if (th.hit) return { ...base, cause: 'thread-limit', confidence: th.confidence, trail: trail.steps, caveats, because: th.fact, ...(th.limit ? { hitLimit: th.limit } : {}) };
  }

  // Step 7: a whole-heap commit at JVM start-up: hundreds of MiB at an aligned heap base, with few mappings yet.
  const heapBase = facts.num('heap-base');
  const heapCommit = failures.find((f) => {
    const size = f.captures['size'];
    const addr = f.captures['addr'];
    if (f.signals.operation !== 'commit' || typeof size !== 'number' || size < HEAP_COMMIT_MIN || typeof addr !== 'string' || !/^0x[0-9a-f]+$/i.test(addr)) return false;
    const a = BigInt(addr);
    return heapBase ? a === BigInt(heapBase.value) : a % BigInt(2 * 1024 * 1024) === 0n;
  });
  if (heapCommit && !mem?.plentiful && (!mapCount || mapCount.value < mapLimit.value * LOW_HEADROOM)) {
    const size = heapCommit.captures['size'] as number;
    const fact =
      `the JVM failed to commit ${fmtBytes(size)} at its heap base ${String(heapCommit.captures['addr'])}: the whole Java heap at start-up (-Xms / ` +
      `AlwaysPreTouch), when a JVM has few mappings`;
    trail.add('heap commit', fact, [findingRef(heapCommit), ...src(heapBase)], 'memory (or the commit limit) could not back the heap: not a map count');
    return { ...base, cause: 'memory-exhaustion', confidence: 'medium', trail: trail.steps, caveats, because: fact };
  }

  // Step 8: without a count, tiny mprotect/guard-page/stack failures (or several tiny allocations) with memory not short.
  const tiny = failures.filter((f) => {
    const size = f.captures['size'];
    return (typeof size === 'number' && size <= TINY_REQUEST) || f.signals.operation === 'stack-guard' || f.signals.operation === 'mprotect';
  });
  const tinyTelling = tiny.some((f) => f.signals.operation === 'stack-guard' || f.signals.operation === 'mprotect') || new Set(tiny.map((f) => `${f.file}:${f.line}`)).size >= 2;
  const memNotShort = mem !== undefined && !mem.exhausted;
  const countOpen = !mapCount || mapCount.complete === false;
  if (countOpen && tinyTelling && memNotShort && (request === undefined || request.bytes <= TINY_REQUEST) && !raisedAndPersists(facts)) {
    const fact =
      `${fmtCount(tiny.length)} tiny failure${tiny.length === 1 ? '' : 's'} ` +
      `(${[...new Set(tiny.map((f) => f.signals.operation))].sort().join(', ')}${request ? `, smallest ${fmtBytes(request.bytes)}` : ''}) with memory not ` +
      `short: each mapping or protection change needs a map area, whatever its size`;
    trail.add('tiny failures', fact, tiny.slice(0, 3).map(findingRef), 'the signature of running out of map areas; no map count was captured to prove it');
    caveats.push('no map count of the failing process was captured: the verdict rests on the failures being tiny while memory was available');
    return { ...base, cause: 'map-count-exhaustion', confidence: 'medium', trail: trail.steps, caveats, because: fact };
  }

  // Step 9: the evidence cannot decide; lean to map count only when nothing argues against it.
  const hints = failures.map((f) => f.signals.hint).filter((h) => h !== 'none');
  const mapHints = hints.filter((h) => h === 'map-count').length;
  const smallWithRoom = request !== undefined && request.bytes <= SMALL_REQUEST && mem?.plentiful === true;
  const against: string[] = [];
  if (request && request.bytes > SMALL_REQUEST)
    against.push(`the smallest failed request is large (${fmtBytes(request.bytes)}), which points to memory or address space more than to a count`);
  if (raisedAndPersists(facts)) against.push('the text says vm.max_map_count was already raised and the failure persists');
  const elsewhere = hints.filter((h) => h !== 'map-count');
  if (elsewhere.length > mapHints) against.push(`the failure lines point to ${[...new Set(elsewhere)].sort().join(', ')}`);
  if (cg && !cg.hit && cg.confidence !== 'low') against.push('the cgroup evidence points elsewhere');
  const lean = (smallWithRoom || mapHints > 0) && against.length === 0;
  const leanText = lean
    ? smallWithRoom
      ? `likeliest cause: map-count exhaustion — a ${fmtBytes(request.bytes)} request failed with memory to spare, the signature of running out of map areas`
      : 'likeliest cause: map-count exhaustion (vm.max_map_count) — this failure usually means the process ran out of map areas, ' +
        'but no map count or limit was captured to prove it'
    : against.length > 0
      ? `no lean to map count: ${against.join('; ')}`
      : hints[0]
        ? `the log points to ${hints[0]} but no evidence confirms it`
        : 'the evidence does not point to one cause yet';
  const ruledOut = mapCount !== undefined && mapCount.complete !== false && mem?.plentiful === true;
  if (ruledOut) {
    const why = 'the captured map count and memory were both well below their limits: the snapshot was probably taken after a restart, or of another process';
    trail.add('undecided', why, [mapCount.source, ...mem.sources], 'capture the failing process while it fails (before it restarts)');
    return { ...base, cause: 'unknown', confidence: 'low', trail: trail.steps, caveats, because: why };
  }
  trail.add('undecided', 'no map count, limit or memory figure decides the cause', [], leanText);
  return { ...base, cause: 'unknown', confidence: 'low', trail: trail.steps, caveats, because: leanText };
}

/**
 * An ENOMEM finding that repeats a non-ENOMEM call failure in the program's words: in the same file, at most
 * ECHO_LINES lines after it, of the same operation or none named, and with no errno of its own, the same one or the
 * one the call's line left out (the JVM's "insufficient memory" banner after `pthread_create failed (EPERM)`, "failed to seal datafile:
 * Cannot allocate memory" after an msync ENOMEM, MonetDB's `!OS: Cannot allocate memory` under `msync failed`).
 */
function echoOf(f: Finding, n: Finding): boolean {
  const gap = f.line - n.line;
  if (f.file !== n.file || gap < 0 || gap > ECHO_LINES) return false;
  if (f.signals.operation !== 'other' && f.signals.operation !== n.signals.operation) return false;
  const own = f.captures['errno'];
  const its = n.captures['errno'];
  return own === undefined || its === undefined || own === its;
}

function errnoText(f: Finding): string {
  const errno = f.captures['errno'];
  return typeof errno === 'number' ? `errno ${errno}` : typeof errno === 'string' ? errno : 'no errno on its own line';
}

/** The text says the limit was raised and the failure persists: raising it again is not the answer. */
function raisedAndPersists(facts: FactIndex): boolean {
  return facts.flag('failure-persists-after-raise') !== undefined;
}

interface ViewResult {
  readonly hit: boolean;
  readonly fact: string;
  readonly sources: SourceRef[];
  readonly confidence: Confidence;
  readonly limit?: NonNullable<Decision['hitLimit']>;
}

function cgroupView(facts: FactIndex, failures: readonly Finding[]): ViewResult | undefined {
  const limit = facts.num('cgroup-memory-limit');
  const usage = facts.num('cgroup-memory-max-usage') ?? facts.num('cgroup-memory-usage');
  const failcnt = facts.num('cgroup-memory-failcnt');
  const cgOom = failures.filter((f) => f.signals.hint === 'cgroup');
  if (cgOom.length > 0) {
    return {
      hit: true,
      fact:
        `the kernel reports a memory cgroup out of memory (${cgOom.length} line${cgOom.length === 1 ? '' : 's'})` +
        (limit && Number.isFinite(limit.value) ? ` with a limit of ${fmtBytes(limit.value)}` : ''),
      sources: [...cgOom.slice(0, 3).map(findingRef), ...src(limit)],
      confidence: 'high',
    };
  }
  if (!limit || !Number.isFinite(limit.value)) return undefined;
  const oomKills = facts.num('cgroup-oom-kills');
  if (oomKills && oomKills.value > 0) {
    return {
      hit: true,
      fact:
        `the cgroup OOM killer killed ${fmtCount(oomKills.value)} process${oomKills.value === 1 ? '' : 'es'} at the limit of ${fmtBytes(limit.value)}` +
        (usage ? ` (usage ${fmtBytes(usage.value)})` : ''),
      sources: [oomKills.source, limit.source, ...src(usage)],
      confidence: 'high',
    };
  }
  if (usage && usage.value >= limit.value * CGROUP_NEAR) {
    return {
      hit: true,
      fact: `cgroup memory usage ${fmtBytes(usage.value)} against its limit ${fmtBytes(limit.value)} (${fmtPercent(usage.value, limit.value)})`,
      sources: [usage.source, limit.source, ...src(failcnt)],
      confidence: 'high',
    };
  }
  if (failcnt && failcnt.value > 0) {
    return {
      hit: true,
      fact: `the cgroup refused memory ${fmtCount(failcnt.value)} times (limit ${fmtBytes(limit.value)})`,
      sources: [failcnt.source, limit.source],
      confidence: 'medium',
    };
  }
  return {
    hit: false,
    fact: `cgroup memory limit ${fmtBytes(limit.value)}${usage ? `, usage ${fmtBytes(usage.value)}` : ''}`,
    sources: [limit.source, ...src(usage)],
    confidence: 'low',
  };
}

function addressSpaceView(facts: FactIndex, request: number | undefined, findings: readonly Finding[], mem: MemoryView | undefined): ViewResult | undefined {
  // A 32-bit marker counts only next to an allocation failure (a 64-bit kernel runs 32-bit userlands, so only the process's own marks tell).
  const failing = findings.filter((f) => f.signals.failure === 'enomem');
  const marker = facts
    .flags('arch-32bit-marker')
    .find(
      (m) =>
        failing.some((f) => f.file === m.file && Math.abs(f.line - m.line) <= MARKER_NEAR_LINES) ||
        (failing.length > 0 && /^uname/.test(facts.flagMethod('arch-32bit-marker', m) ?? '')),
    );
  const bit32 = facts.flag('jvm-32bit') ?? marker;
  const sizeFinding = findings.find((f) => f.signals.hint === 'address-space' && f.signals.failure !== 'context');
  const sizeHit = facts.flag('process-size-limit-hit') ?? (sizeFinding ? { file: sizeFinding.file, line: sizeFinding.line } : undefined);
  if (bit32 || sizeHit) {
    return {
      hit: true,
      fact: bit32
        ? `a 32-bit process${marker && bit32 === marker ? ` (${facts.flagMethod('arch-32bit-marker', marker) ?? '32-bit marker'})` : ''}: its address ` +
          `space is at most 4 GiB whatever the RAM`
        : facts.flag('process-size-limit-hit') || !sizeFinding
          ? 'the JVM reports that the 32-bit process size limit was hit'
          : `the failure names an address-space ceiling: ${sizeFinding.message} (${sizeFinding.ruleId})`,
      sources: [...(bit32 ? [bit32] : []), ...(sizeHit ? [sizeHit] : [])],
      confidence: 'high',
    };
  }
  for (const key of ['rlimit-as', 'rlimit-data'] as const) {
    const lim = facts.num(key);
    if (!lim || !Number.isFinite(lim.value)) continue;
    const vm = facts.num('vm-size');
    const name = key === 'rlimit-as' ? 'RLIMIT_AS (ulimit -v)' : 'RLIMIT_DATA (ulimit -d)';
    if (vm) {
      const near = vm.value >= lim.value * RLIMIT_NEAR || (request !== undefined && vm.value + request > lim.value);
      return {
        hit: near,
        fact:
          `${name} ${fmtBytes(lim.value)} against a virtual size (VmSize) of ${fmtBytes(vm.value)} (${fmtPercent(vm.value, lim.value)})` +
          (request ? `, request ${fmtBytes(request)}` : ''),
        sources: [lim.source, vm.source],
        confidence: near ? 'high' : 'low',
      };
    }
    return {
      hit: true,
      fact: `${name} is finite: ${fmtBytes(lim.value)}; the process's virtual size was not captured`,
      sources: [lim.source],
      confidence: 'medium',
    };
  }
  const heapBase = facts.num('heap-base');
  const nativeTop = facts.num('native-heap-top');
  if (heapBase && nativeTop && nativeTop.value < heapBase.value && !mem?.exhausted) {
    const gap = heapBase.value - nativeTop.value;
    const near = gap < HEAP_BASE_GAP;
    return {
      hit: near,
      fact: `native heap pointers reach 0x${nativeTop.value.toString(16)}, ${fmtBytes(gap)} below the Java heap base 0x${heapBase.value.toString(16)} (compressed oops)`,
      sources: [nativeTop.source, heapBase.source],
      confidence: near ? 'high' : 'low',
    };
  }
  const oops = facts.flag('compressed-oops-heap-base-limit');
  if (oops && mem?.plentiful) {
    return {
      hit: true,
      fact: 'compressed oops: the JVM reports that the Java heap base caps the native heap, and memory was available',
      sources: [oops, ...mem.sources],
      confidence: 'medium',
    };
  }
  return undefined;
}

function threadView(facts: FactIndex, findings: readonly Finding[], mem: MemoryView | undefined): ViewResult | undefined {
  const threadFail = findings.find((f) => f.signals.operation === 'thread-create' && f.signals.failure === 'enomem');
  const flag = facts.flag('thread-creation-failed');
  if (!threadFail && !flag) return undefined;
  const failSource = threadFail ? findingRef(threadFail) : flag!;
  const threads = threadCount(facts);
  const limits: { name: string; fact: NumericFact | undefined }[] = [
    { name: 'RLIMIT_NPROC (ulimit -u)', fact: facts.num('rlimit-nproc') },
    { name: 'kernel.threads-max', fact: facts.num('threads-max') },
    { name: 'kernel.pid_max', fact: facts.num('pid-max') },
    { name: 'pids.max', fact: facts.num('cgroup-pids-max') },
  ];
  // After a crash the cgroup is empty: pids.current 0 says nothing about the moment of the failure.
  const pidsCurrentRaw = facts.num('cgroup-pids-current');
  const pidsCurrent = pidsCurrentRaw && pidsCurrentRaw.value > 0 ? pidsCurrentRaw : undefined;
  const pidsPeak = facts.num('cgroup-pids-peak');
  const pidsRefused = facts.num('cgroup-pids-events-max');
  const pidsMax = facts.num('cgroup-pids-max');
  const hostThreads = facts.num('host-threads');
  // The kernel's own word that a task limit refused the fork (a rule with `decides`): the limit is named, not inferred.
  const stated = findings.find((f) => f.signals.hint === 'thread' && f.signals.decides === true && f.signals.failure === 'enomem');
  if (stated) {
    const limitFact = pidsMax && Number.isFinite(pidsMax.value) ? pidsMax : undefined;
    return {
      hit: true,
      fact: `the kernel says a task limit refused a new task: ${stated.message}` + (limitFact ? ` (pids.max ${fmtCount(limitFact.value)})` : ''),
      sources: [findingRef(stated), ...(threadFail && threadFail !== stated ? [findingRef(threadFail)] : []), ...src(limitFact)],
      confidence: 'high',
      ...(limitFact
        ? { limit: { name: 'pids.max', limit: limitFact.value, used: pidsPeak?.value ?? pidsCurrent?.value ?? limitFact.value, sources: [findingRef(stated), limitFact.source] } }
        : {}),
    };
  }
  if (pidsRefused && pidsRefused.value > 0 && pidsMax && Number.isFinite(pidsMax.value)) {
    return {
      hit: true,
      fact: `the pids cgroup refused ${fmtCount(pidsRefused.value)} fork/clone call${pidsRefused.value === 1 ? '' : 's'} at pids.max ${fmtCount(pidsMax.value)} (pids.events max)`,
      sources: [failSource, pidsRefused.source, pidsMax.source],
      confidence: 'high',
      limit: { name: 'pids.max', limit: pidsMax.value, used: pidsPeak?.value ?? pidsCurrent?.value ?? pidsMax.value, sources: [pidsRefused.source, pidsMax.source] },
    };
  }
  for (const { name, fact } of limits) {
    if (!fact || !Number.isFinite(fact.value)) continue;
    const candidates: (NumericFact | undefined)[] =
      name === 'pids.max' ? [pidsCurrent, pidsPeak, threads] : name === 'RLIMIT_NPROC (ulimit -u)' ? [threads] : [hostThreads, threads];
    const used = candidates.filter((c): c is NumericFact => c !== undefined).sort((a, b) => b.value - a.value)[0];
    if (used && used.value >= fact.value * TASK_LIMIT_NEAR) {
      return {
        hit: true,
        fact:
          `${fmtCount(used.value)} ` +
          `${used.key === 'cgroup-pids-peak' ? 'tasks at the peak (pids.peak)' : used.key === 'host-threads' ? 'threads on the host' : 'threads'} against ` +
          `${name} ${fmtCount(fact.value)} (${fmtPercent(used.value, fact.value)})`,
        sources: [failSource, used.source, fact.source],
        confidence: 'high',
        limit: { name, limit: fact.value, used: used.value, sources: [used.source, fact.source] },
      };
    }
  }
  const nproc = facts.num('rlimit-nproc');
  if (nproc && Number.isFinite(nproc.value) && nproc.value <= TINY_NPROC) {
    return {
      hit: true,
      fact: `thread creation failed under RLIMIT_NPROC ${fmtCount(nproc.value)}: fewer tasks than one server process starts (it counts every thread of the user)`,
      sources: [failSource, nproc.source],
      confidence: 'medium',
      limit: { name: 'RLIMIT_NPROC (ulimit -u)', limit: nproc.value, used: threads?.value ?? nproc.value, sources: [nproc.source] },
    };
  }
  if (nproc && Number.isFinite(nproc.value) && (mem?.plentiful ?? false)) {
    return {
      hit: true,
      fact: `thread creation failed with memory to spare and RLIMIT_NPROC set to ${fmtCount(nproc.value)} (it counts every thread of the user, not only this process)`,
      sources: [failSource, nproc.source, ...(mem?.sources ?? [])],
      confidence: 'medium',
      limit: { name: 'RLIMIT_NPROC (ulimit -u)', limit: nproc.value, used: threads?.value ?? nproc.value, sources: [nproc.source] },
    };
  }
  // glibc reports a failed thread-stack mmap as EAGAIN too: without a task limit near, the map count is as likely.
  const mapLimit = facts.num('max-map-count')?.value ?? DEFAULT_MAX_MAP_COUNT;
  const ambiguity = threads
    ? `; ${fmtCount(threads.value)} threads × ${AREAS_PER_THREAD} = ${fmtCount(threads.value * AREAS_PER_THREAD)} map areas for stacks and guards against ` +
      `vm.max_map_count ${fmtCount(mapLimit)}`
    : '';
  return {
    hit: false,
    fact:
      `thread creation failed; ${threads ? `${fmtCount(threads.value)} threads` : 'thread count not captured'}, no task limit near (pthread_create's ` +
      `EAGAIN is ambiguous: glibc also returns it when the stack mmap fails)${ambiguity}`,
    sources: [failSource, ...src(threads)],
    confidence: 'low',
  };
}

interface NoFailureInput {
  trail: Trail;
  caveats: string[];
  base: Pick<Decision, 'mapLimit' | 'mapCount' | 'needed' | 'requests' | 'memoryHeadroom' | 'commitHeadroom'>;
  limitWarnings: readonly Finding[];
  nonEnomem: readonly Finding[];
  facts: FactIndex;
  limitText: string;
  limitSources: SourceRef[];
}

/** No ENOMEM failure: a limit that is too low, another mmap error, or nothing. */
function decideWithoutFailure(x: NoFailureInput): Decision {
  const { trail, caveats, base, limitWarnings, nonEnomem, limitText, limitSources } = x;
  const { needed, mapLimit } = base;
  // Without a failure line, numbers from prose alone (a doc, a guide) never make an incident.
  const mapCount = base.mapCount?.origin === 'prose' || mapLimit.fact?.origin === 'prose' ? undefined : base.mapCount;
  if (mapCount && mapCount.complete !== false && !mapLimit.assumed && mapCount.value >= mapLimit.value - MAP_COUNT_SPLIT_SLACK) {
    // At the limit (within the areas an mremap or a VMA split needs), the process has run out of map areas: its next mmap fails.
    const fact = `${fmtCount(mapCount.value)} map areas against vm.max_map_count ${limitText} (${fmtPercent(mapCount.value, mapLimit.value)}): at the limit`;
    trail.add(
      'map count vs limit',
      fact,
      [mapCount.source, ...limitSources],
      `within ${MAP_COUNT_SPLIT_SLACK} areas of the limit the kernel refuses new mappings, splits and mremap moves: out of map areas, though no failure line was found`,
    );
    caveats.push('no failure line was found in the logs scanned: the process is out of map areas by its count, and its next mmap, mprotect or thread start fails');
    return { ...base, cause: 'map-count-exhaustion', confidence: 'high', trail: trail.steps, caveats, because: fact };
  }
  if (limitWarnings.length > 0) {
    const w = limitWarnings[0]!;
    const current = w.captures['current'];
    const required0 = w.captures['required'];
    const fact =
      typeof current === 'number' && typeof required0 === 'number'
        ? `the software demands vm.max_map_count ≥ ${fmtCount(required0)}; the host has ${fmtCount(current)}`
        : `a check reports vm.max_map_count too low: ${w.message} (${w.ruleId})`;
    trail.add('limit check', fact, limitWarnings.slice(0, 3).map(findingRef), 'no failure yet, but the limit is below what the software requires');
    const at = findingRef(w);
    // The check's own numbers are the host's limit and the software's demand, unless a captured limit says otherwise.
    const mapLimit = base.mapLimit.assumed && typeof current === 'number' ? { value: current, assumed: false, source: at } : base.mapLimit;
    const required =
      typeof required0 === 'number' ? { value: required0, basis: `the software demands vm.max_map_count ≥ ${fmtCount(required0)} (${w.ruleId})`, sources: [at] } : undefined;
    const kept = mapLimit === base.mapLimit ? caveats : caveats.filter((c) => !c.startsWith('vm.max_map_count was not captured'));
    return { ...base, mapLimit, ...(required ? { required } : {}), cause: 'map-count-limit-low', confidence: 'high', trail: trail.steps, caveats: kept, because: fact };
  }
  if (needed && needed.value >= mapLimit.value * LOW_HEADROOM) {
    const fact = `the data directory needs ${fmtCount(needed.value)} map areas (${needed.basis}) against vm.max_map_count ${limitText}`;
    trail.add('data directory vs map limit', fact, [...needed.sources, ...limitSources], 'the next restart that opens every segment will run out of map areas');
    if (mapCount)
      trail.add(
        'current map count',
        `${fmtCount(mapCount.value)} map areas now (${fmtPercent(mapCount.value, mapLimit.value)} of the limit)`,
        [mapCount.source],
        'the running process is close too',
      );
    return { ...base, cause: 'map-count-limit-low', confidence: mapLimit.assumed ? 'medium' : 'high', trail: trail.steps, caveats, because: fact };
  }
  if (mapCount && mapCount.value >= mapLimit.value * LOW_HEADROOM) {
    const fact = `${fmtCount(mapCount.value)} map areas against vm.max_map_count ${limitText} (${fmtPercent(mapCount.value, mapLimit.value)})`;
    trail.add('map count vs limit', fact, [mapCount.source, ...limitSources], 'no failure yet, but less than 10% headroom');
    return { ...base, cause: 'map-count-limit-low', confidence: mapLimit.assumed ? 'medium' : 'high', trail: trail.steps, caveats, because: fact };
  }
  if (nonEnomem.length > 0) {
    const f = nonEnomem[0]!;
    const errno = f.captures['errno'];
    // A refused thread creation and an ENOMEM from msync/munmap are not mmap errnos of their own: say what they are.
    const thread = f.signals.operation === 'thread-create';
    const op = f.captures['op'];
    const unmapped = errno === 12 || (typeof op === 'string' && /^(?:msync|munmap|madvise|mincore)$/i.test(op));
    const fact =
      thread || unmapped ? `${f.message} (${f.ruleId})` : `mmap failed with ${typeof errno === 'number' ? `errno ${errno}` : 'an error'} that is not ENOMEM (${f.ruleId})`;
    const outcome = thread
      ? 'not memory, map count or a thread limit: the kernel or a security policy (seccomp, SELinux, AppArmor) refused the call'
      : unmapped
        ? 'not an allocation failure: nothing ran out; the region was unmapped, truncated or mis-addressed under the call'
        : 'not a memory or map-count problem: the file, filesystem or flags were refused';
    trail.add('what failed', fact, nonEnomem.slice(0, 3).map(findingRef), outcome);
    return { ...base, cause: 'other-mmap-error', confidence: 'high', trail: trail.steps, caveats, because: fact };
  }
  trail.add('what failed', 'no failure and no limit below the workload', [], 'nothing to diagnose');
  return { ...base, cause: 'unknown', confidence: 'low', trail: trail.steps, caveats, because: 'no failure found' };
}
