// The verdict policy in one place: every threshold and heuristic the verdict engine and the
// remediation weigh, each a named constant saying why it has that value. docs/verdicts.md is
// the decision table built on these; test/diagnose/policy.test.ts keeps the two in step.

const KiB = 1024;
const MiB = 1024 * KiB;
const GiB = 1024 * MiB;

/** The kernel's default vm.max_map_count (DEFAULT_MAX_MAP_COUNT = 65530 in include/linux/mm.h). */
export const DEFAULT_MAX_MAP_COUNT = 65530;

/**
 * Areas the kernel may need beyond the one being mapped: mmap refuses at `map_count > limit`,
 * a VMA split at `>= limit`, and mremap's move_vma at `>= limit - 3`. A count within this many
 * areas of the limit has run out of map areas, whatever the log says.
 */
export const MAP_COUNT_SPLIT_SLACK = 4;

/**
 * Map areas of deleted files at or above this share of the map count (and at least
 * DELETED_MAPS_LEAK_MIN of them) are a leak: something deletes files it keeps mapped (an index
 * or segment reader never closed). Raising the limit only buys time; a restart frees them.
 */
export const DELETED_MAPS_LEAK_SHARE = 0.2;
export const DELETED_MAPS_LEAK_MIN = 1000;

/** With a failure: a count at or above this share of the limit means the limit was hit (99% band). */
export const NEAR_LIMIT = 0.99;

/** Without a failure: a count or a predicted need at or above this share leaves <10% headroom (90% band). */
export const LOW_HEADROOM = 0.9;

/** Thread counts at or above this share of a task limit (nproc, threads-max, pid_max, pids.max) hit it (95% band). */
export const TASK_LIMIT_NEAR = 0.95;

/** cgroup memory usage at or above this share of memory.max / limit_in_bytes hit it (97% band). */
export const CGROUP_NEAR = 0.97;

/** VmSize at or above this share of RLIMIT_AS / RLIMIT_DATA hit it (the next large mapping would not fit). */
export const RLIMIT_NEAR = 0.9;

/**
 * Reserve below the commit limit that ordinary processes cannot use under overcommit 2
 * (vm.user_reserve_kbytes ≈ 128 MiB and vm.admin_reserve_kbytes, mm/util.c __vm_enough_memory).
 */
export const COMMIT_RESERVE = 128 * MiB;

/** Available RAM and free swap below this share of their totals are "close to zero" (the 3% floor). */
export const MEMORY_FLOOR = 0.03;

/** Without MemTotal: available RAM under this is low. */
export const LOW_RAM_ABSOLUTE = 256 * MiB;

/** Without SwapTotal: free swap under this is low. */
export const LOW_SWAP_ABSOLUTE = 64 * MiB;

/** Memory is "plentiful" when available + free swap is at least this share of MemTotal… */
export const PLENTIFUL_SHARE = 0.1;

/** …or at least this much (whichever is smaller), and at least PLENTIFUL_REQUEST_FACTOR × the request. */
export const PLENTIFUL_ABSOLUTE = 1 * GiB;

/** Memory must hold this many times the failed request to be called plentiful for it. */
export const PLENTIFUL_REQUEST_FACTOR = 2;

/**
 * Requests up to this size are "small": a refused 4 KiB-to-1 MiB mapping with memory to spare is
 * the signature of a count limit (each mmap is one area whatever its size), not of memory.
 */
export const SMALL_REQUEST = 1 * MiB;

/**
 * Requests at or below this are "tiny": a page or a few (guard pages, thread-stack mprotect,
 * JVM commit of 12 KiB). Several tiny failures together with memory not short point to map count.
 */
export const TINY_REQUEST = 64 * KiB;

/**
 * A request at least this large at the heap base during JVM start-up is the whole-heap commit
 * (-Xms / AlwaysPreTouch): a starting JVM has few mappings, so this is memory, not map count.
 */
export const HEAP_COMMIT_MIN = 256 * MiB;

/** Native heap pointers closer than this to the compressed-oops heap base mean the base blocked its growth. */
export const HEAP_BASE_GAP = 512 * MiB;

/** A 32-bit marker (package, path, "32-bit" text, Go pointers) counts only within this many lines of an allocation failure in the same file. */
export const MARKER_NEAR_LINES = 200;

/** Each Java / pthread thread costs this many map areas: its stack and its guard page. */
export const AREAS_PER_THREAD = 2;

/** Headroom added to the map count the workload needs when recommending a limit (30%). */
export const MAP_COUNT_HEADROOM = 0.3;

/** The floor that Kafka and Elasticsearch guides recommend, and the Elasticsearch bootstrap check demands (2^18). */
export const MAP_COUNT_FLOOR = 262144;

/** An ENOMEM line at most this many lines after a failed call with another errno repeats that failure (a banner, a wrapper's message). */
export const ECHO_LINES = 4;

/** An RLIMIT_NPROC at or below this is fewer tasks than one server process starts (a JVM alone runs dozens of threads). */
export const TINY_NPROC = 256;

/** Headroom added to a container memory limit that was hit (or to its peak usage) when recommending a new one (50%). */
export const CGROUP_LIMIT_HEADROOM = 0.5;
