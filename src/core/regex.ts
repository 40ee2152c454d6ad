// Regex text shared by the stages: a literal escaped for a RegExp source, so the rule
// prefilter, the scanner's byte prefilter, the evidence gates and the redactor build their
// alternations one way (safe without the 'u' flag, where '\-' and '\/' are plain identity escapes).

/** `s` as a RegExp source that matches exactly `s` (for patterns without the 'u' flag). */
export function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
}
