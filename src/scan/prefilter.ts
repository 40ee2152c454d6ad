// The prefilter of the hot loop: for each line of a latin1 chunk string, where the leftmost
// match of the rules' literal alternation starts. A pure literal alternation (buildPrefilter's
// output) runs as a Wu-Manber skip loop over folded 3-byte hashes with two interleaved cursors;
// any other RegExp (or literals it cannot take: '\n', shorter than 3 bytes) runs as exec. The
// chunk string is latin1 (one char per byte), so a non-ASCII literal is matched as its UTF-8 bytes.

import { escapeRegExp } from '../core/index.js';

export interface LinePrefilter {
  /** True when the literal skip loop is used, false for the RegExp fallback. */
  readonly fast: boolean;
  /**
   * Appends to `out`, in ascending order, for every line of `s` that contains a match, the index
   * where its leftmost match starts ('\n' ends a line). `bytes` holds the same latin1 text as
   * `s` from index 0 (it may be longer): the skip loop reads it, as typed-array loads are cheaper
   * than charCodeAt; the RegExp runs on `s`.
   */
  lineHits(bytes: Uint8Array, s: string, out: number[]): void;
  /** The skip loop only: lineHits over bytes[0, n), with no string (a caller that has only the bytes). */
  hitsInBytes?(bytes: Uint8Array, n: number, out: number[]): void;
}

/** Hashed bytes per step. */
const B = 3;
/** Below this many bytes the second cursor is not worth it. */
const SPLIT_MIN = 4096;
const NL = 10;

/** 3 bytes → 15 bits; `& 31` folds ASCII case (and merges some others: only more candidates). */
const hash3 = (a: number, b: number, c: number): number => ((a & 31) << 10) | ((b & 31) << 5) | (c & 31);

const SIMPLE_ESCAPE = /^[^0-9A-Za-z]$/;
const META = '.*+?^$()[]{}|\\/';

/**
 * The literals of a RegExp that is only an alternation of literals (metacharacters escaped,
 * as buildPrefilter writes them), or null for anything else (classes, groups, \d, …).
 */
export function literalsOfAlternation(source: string): string[] | null {
  const out: string[] = [];
  let cur = '';
  for (let i = 0; i < source.length; i++) {
    const ch = source[i] as string;
    if (ch === '\\') {
      const next = source[i + 1];
      if (next === undefined || !SIMPLE_ESCAPE.test(next)) return null;
      cur += next;
      i++;
    } else if (ch === '|') {
      out.push(cur);
      cur = '';
    } else if (META.includes(ch)) {
      return null;
    } else {
      cur += ch;
    }
  }
  out.push(cur);
  return out;
}

class RegexPrefilter implements LinePrefilter {
  readonly fast = false;
  private readonly re: RegExp;

  constructor(re: RegExp) {
    // A private global copy: its lastIndex cannot be disturbed by other users of the pattern.
    this.re = new RegExp(re.source, `${re.flags.replace(/[gy]/g, '')}g`);
  }

  lineHits(_bytes: Uint8Array, s: string, out: number[]): void {
    const re = this.re;
    re.lastIndex = 0;
    let m: RegExpExecArray | null;
    while ((m = re.exec(s)) !== null) {
      out.push(m.index);
      const le = s.indexOf('\n', m.index);
      if (le === -1) return;
      re.lastIndex = le + 1;
    }
  }
}

/**
 * Wu-Manber over the first L bytes of every literal (L = shortest literal): a cursor at i looks
 * at the hash of s[i-2..i]; when no literal prefix ends there it skips ahead by the table's
 * shift, which never passes the end of a literal prefix. Since every prefix has the same length,
 * prefixes are found in the order of their starts, so the first verified one is the leftmost.
 */
class LiteralPrefilter implements LinePrefilter {
  readonly fast = true;
  private readonly L: number;
  private readonly shift: Uint8Array;
  /** For a hash with shift 0: its literal ids are ids[first[h] .. first[h + 1]). */
  private readonly first: Int32Array;
  private readonly ids: Int32Array;
  /** Literal bytes (lower case when caseless). */
  private readonly lits: Uint8Array[];
  private readonly caseless: boolean;
  private readonly tail: number[] = [];

  constructor(literals: readonly string[], caseless: boolean) {
    this.caseless = caseless;
    const lits = literals.map((l) => Buffer.from(caseless ? asciiLower(l) : l, 'latin1'));
    const L = Math.min(...lits.map((l) => l.length));
    this.L = L;
    this.lits = lits;
    const size = 1 << 15;
    this.shift = new Uint8Array(size).fill(L - B + 1);
    // Literal ids bucketed by the hash of their prefix's last 3 bytes, as offsets into one array (a counting sort).
    const prefixHash = lits.map((l) => hash3(l[L - 3] as number, l[L - 2] as number, l[L - 1] as number));
    const first = new Int32Array(size + 1);
    lits.forEach((l, id) => {
      for (let q = 0; q + B <= L; q++) {
        const h = hash3(l[q] as number, l[q + 1] as number, l[q + 2] as number);
        this.shift[h] = Math.min(this.shift[h] as number, L - B - q);
      }
      const at = (prefixHash[id] as number) + 1;
      first[at] = (first[at] as number) + 1;
    });
    for (let h = 0; h < size; h++) first[h + 1] = (first[h + 1] as number) + (first[h] as number);
    const ids = new Int32Array(lits.length);
    const next = first.slice(0, size);
    prefixHash.forEach((h, id) => {
      ids[next[h] as number] = id;
      next[h] = (next[h] as number) + 1;
    });
    this.first = first;
    this.ids = ids;
  }

  /** The start of a literal whose prefix ends at i (its hash is h) in s[0, n), or -1. */
  private verify(s: Uint8Array, n: number, i: number, h: number): number {
    const start = i - this.L + 1;
    const caseless = this.caseless;
    for (let k = this.first[h] as number, e = this.first[h + 1] as number; k < e; k++) {
      const lit = this.lits[this.ids[k] as number] as Uint8Array;
      if (start + lit.length > n) continue;
      let j = 0;
      for (; j < lit.length; j++) {
        const c = s[start + j] as number;
        const l = lit[j] as number;
        if (c !== l && (!caseless || l < 97 || l > 122 || c !== l - 32)) break;
      }
      if (j === lit.length) return start;
    }
    return -1;
  }

  /** Hits of the lines in s[a, b) (b a line start or s.length). */
  private segment(s: Uint8Array, n: number, a: number, b: number, out: number[]): void {
    const L = this.L;
    const shift = this.shift;
    let i = a + L - 1;
    while (i < b) {
      const h = hash3(s[i - 2] as number, s[i - 1] as number, s[i] as number);
      const sh = shift[h] as number;
      if (sh !== 0) {
        i += sh;
        continue;
      }
      const p = this.verify(s, n, i, h);
      if (p < 0) {
        i++;
        continue;
      }
      out.push(p);
      const le = s.indexOf(NL, p);
      if (le === -1 || le + 1 >= b) return;
      i = le + L;
    }
  }

  lineHits(bytes: Uint8Array, str: string, out: number[]): void {
    this.hitsInBytes(bytes, str.length, out);
  }

  hitsInBytes(bytes: Uint8Array, n: number, out: number[]): void {
    const s = bytes;
    const mid = n >= 2 * SPLIT_MIN ? s.indexOf(NL, n >> 1) + 1 : 0;
    if (mid === 0 || mid >= n) {
      this.segment(s, n, 0, n, out);
      return;
    }
    // Two independent cursors, over [0, mid) and [mid, n): each one's skip depends on the
    // bytes it just loaded, so running two at once lets the CPU overlap their load latencies.
    const L = this.L;
    const shift = this.shift;
    const tail = this.tail;
    tail.length = 0;
    let i = L - 1;
    let j = mid + L - 1;
    while (i < mid && j < n) {
      const hi = hash3(s[i - 2] as number, s[i - 1] as number, s[i] as number);
      const hj = hash3(s[j - 2] as number, s[j - 1] as number, s[j] as number);
      const si = shift[hi] as number;
      const sj = shift[hj] as number;
      if (si !== 0) i += si;
      else {
        const p = this.verify(s, n, i, hi);
        if (p < 0) i++;
        else {
          out.push(p);
          const le = s.indexOf(NL, p);
          i = le === -1 ? mid : le + L;
        }
      }
      if (sj !== 0) j += sj;
      else {
        const p = this.verify(s, n, j, hj);
        if (p < 0) j++;
        else {
          tail.push(p);
          const le = s.indexOf(NL, p);
          j = le === -1 ? n : le + L;
        }
      }
    }
    if (i < mid) this.segment(s, n, i - L + 1, mid, out);
    if (j < n) this.segment(s, n, j - L + 1, n, tail);
    for (const p of tail) out.push(p);
  }
}

/** Flags the skip loop reproduces exactly ('m' and 's' do not change literals). */
const FAST_FLAGS = /^[dgims]*$/;

/** A-Z → a-z only: the other bytes of a latin1 string are UTF-8 bytes, not letters. */
const asciiLower = (l: string): string => l.replace(/[A-Z]+/g, (m) => m.toLowerCase());

/** A literal as the chunk string holds it: its UTF-8 bytes, one latin1 char each. */
const asBytes = (l: string): string => Buffer.from(l, 'utf8').toString('latin1');

const compiled = new WeakMap<RegExp, LinePrefilter>();

/**
 * The line prefilter for a RegExp: the skip loop when it is a plain literal alternation, else
 * exec. Cached per RegExp (one per scan, not per file); its calls are synchronous, so sharing is safe.
 */
export function compilePrefilter(re: RegExp): LinePrefilter {
  let pf = compiled.get(re);
  if (pf === undefined) {
    // The skip loop folds A-Z only, so a non-ASCII literal (页面文件太小) is matched byte for byte; the
    // fallback's 'i' also pairs some latin1 bytes (0xC3 / 0xE3): a few more candidates, never fewer.
    const lits = FAST_FLAGS.test(re.flags) ? literalsOfAlternation(re.source)?.map(asBytes) : undefined;
    const usable = lits !== undefined && lits.every((l) => l.length >= B && !l.includes('\n'));
    if (usable) pf = new LiteralPrefilter(lits, re.flags.includes('i'));
    else if (lits !== undefined) pf = new RegexPrefilter(new RegExp(lits.map(escapeRegExp).join('|'), re.flags));
    else pf = new RegexPrefilter(re);
    compiled.set(re, pf);
  }
  return pf;
}
