// Number formatting shared by the verdict engine and the renderers: byte sizes in binary
// units and counts with thousands separators, locale-independent so output is deterministic.

export function fmtCount(n: number): string {
  if (!Number.isFinite(n)) return 'unlimited';
  const s = Math.round(n).toString();
  return s.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

export function fmtBytes(n: number): string {
  if (!Number.isFinite(n)) return 'unlimited';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let v = n;
  let i = 0;
  while (Math.abs(v) >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  if (i === 0) return `${fmtCount(v)} B`;
  const digits = Math.abs(v) >= 100 ? 0 : Math.abs(v) >= 10 ? 1 : 2;
  return `${v.toFixed(digits)} ${units[i]}`;
}

/** a as a percentage of b; just under 100% it is floored to two decimals, so a count short of a limit never reads 100%. */
export function fmtPercent(a: number, b: number): string {
  const v = (a / b) * 100;
  if (v >= 99.5 && v < 100) return `${(Math.floor(v * 100) / 100).toFixed(2)}%`;
  return `${v.toFixed(1)}%`;
}
