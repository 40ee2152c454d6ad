// The evidence-parser registry: detection tries the parsers in this order (the first that
// recognises a file decides its kind) and parsing goes to the parser that owns the kind.
// Adding an evidence parser is one file plus one line in PARSERS.

import type { EvidenceKind } from '../core/index.js';
import { captureManifestEvidence } from './bundle.js';
import { cgroupEvidence } from './cgroup.js';
import { listingEvidence } from './datadir.js';
import { hsErrEvidence } from './hserr.js';
import { kubePodEvidence } from './kubepod.js';
import { limitsEvidence } from './limits.js';
import { mapsEvidence } from './maps.js';
import { meminfoEvidence } from './meminfo.js';
import type { EvidenceParserDef } from './parser.js';
import { prometheusStartupEvidence } from './prometheus.js';
import { statusEvidence } from './status.js';
import { sysctlEvidence } from './sysctl.js';

export type { EvidenceParserDef, EvidenceSample, ParsedEvidence } from './parser.js';

/** Specific shapes first: an hs_err file quotes meminfo and limits, a maps file is not a listing. */
const PARSERS: EvidenceParserDef[] = [
  hsErrEvidence,
  captureManifestEvidence,
  kubePodEvidence,
  mapsEvidence,
  listingEvidence,
  limitsEvidence,
  statusEvidence,
  meminfoEvidence,
  cgroupEvidence,
  sysctlEvidence,
  prometheusStartupEvidence,
];

export function evidenceParsers(): readonly EvidenceParserDef[] {
  return PARSERS;
}

export function parserFor(kind: EvidenceKind): EvidenceParserDef | undefined {
  return PARSERS.find((p) => p.kinds.includes(kind));
}

/**
 * Adds a parser in-process, after the shipped ones (a test's fixture parser; shipped parsers
 * are listed in PARSERS). Worker threads (`--jobs` > 1) load PARSERS only. Returns the undo.
 */
export function registerEvidenceParser(def: EvidenceParserDef): () => void {
  if (PARSERS.some((p) => p.name === def.name)) throw new Error(`evidence parser ${def.name} is registered twice`);
  PARSERS.push(def);
  return () => {
    const i = PARSERS.indexOf(def);
    if (i >= 0) PARSERS.splice(i, 1);
  };
}
