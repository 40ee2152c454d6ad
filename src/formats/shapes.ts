// Line shapes shared by the formats: Java stack-trace lines, Python traceback endings, Go
// panic headers and goroutine dumps, indented lines, level names. These decide what continues
// a record when no timestamp does.

/** Java stack-trace lines: frames, Caused by / Suppressed, `... N more`, exception lines. */
const JAVA_STACK_RE = [
  /^\s+at\s+\S/,
  /^\s*Caused by: /,
  /^\s*Suppressed: /,
  /^\s*\.\.\. \d+ (?:more|common frames omitted)/,
  /^\s*(?:[a-z_$][\w$]*\.)+[A-Z][\w$]*(?:Exception|Error|Throwable|Failure)(?:: .*|:)?$/,
];

/** The unindented lines of a Python traceback: the closing `OSError: [Errno 12] …` and the chaining notes. */
const PY_TRACE_RE = [
  /^(?:[a-z_][\w]*\.)*[A-Z]\w*(?:Error|Exception|Exit|Interrupt)(?:: .*)?$/,
  /^During handling of the above exception, another exception occurred:$/,
  /^The above exception was the direct cause of the following exception:$/,
];

/** Lines of a Go goroutine dump (after `panic:` or `fatal error:`). */
const GO_DUMP_RE = [/^goroutine \d+ (?:\[|gp=)/, /^runtime stack:$/, /^created by /, /^\[signal /, /^panic\(/, /^exit status \d+$/, /^\.\.\.additional frames elided\.\.\.$/];

/** A Go function-call line in a goroutine dump: `main.main()`, `pkg/tsdb.(*DB).run(0xc0…)`. */
function isGoFrameCall(s: string): boolean {
  if (!s.endsWith(')') || /^\s/.test(s)) return false;
  const open = s.indexOf('(');
  if (open <= 0) return false;
  const head = s.slice(0, open);
  return /^[\w\-./]*\.[\w\-./]*$/.test(head) && !head.includes('..');
}

export function isJavaStackLine(s: string): boolean {
  return JAVA_STACK_RE.some((re) => re.test(s));
}

export function isPythonTraceLine(s: string): boolean {
  return PY_TRACE_RE.some((re) => re.test(s));
}

export function isGoDumpLine(s: string): boolean {
  return GO_DUMP_RE.some((re) => re.test(s)) || isGoFrameCall(s);
}

/** The first line of a Go runtime crash. */
export function isGoPanicStart(s: string): boolean {
  return /^(?:panic: |fatal error: |SIGSEGV: |SIGBUS: |unexpected fault address )/.test(s);
}

export function isIndented(s: string): boolean {
  return /^[ \t]+\S/.test(s);
}

export function isBlank(s: string): boolean {
  return s.trim() === '';
}

/** A line that continues the record above it whatever the format (stack frames, dumps, indentation, blanks). */
export function isContinuationShape(s: string): boolean {
  return isBlank(s) || isIndented(s) || isJavaStackLine(s) || isPythonTraceLine(s) || isGoDumpLine(s);
}

const LEVEL_ALIASES: Readonly<Record<string, string>> = {
  WARNING: 'WARN',
  ERR: 'ERROR',
  EROR: 'ERROR',
  CRIT: 'CRITICAL',
  DBUG: 'DEBUG',
  TRCE: 'TRACE',
  FATL: 'FATAL',
};

/** Upper-cased level with common aliases folded (warning → WARN, err → ERROR). */
export function normaliseLevel(level: string): string {
  const up = level.trim().toUpperCase();
  return LEVEL_ALIASES[up] ?? up;
}

/** Level words accepted as a level token in text formats. */
export const LEVEL_WORDS = 'TRACE|DEBUG|INFO|NOTICE|WARN|WARNING|ERROR|SEVERE|FATAL|CRITICAL|FINE|FINER|FINEST|CONFIG';
