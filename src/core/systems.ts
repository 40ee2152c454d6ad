// The systems registry: every system a verdict can name, with its words, the runtime family
// that writes its logs, and how an incident's findings and evidence recognise it. Adding a
// system is one entry here; rules' `systems:` and SystemName are derived from this list.

import type { EvidenceKind } from './facts.js';

/** Which runtime writes the logs: decides which findings belong to one process. */
export type SystemFamily = 'java' | 'go' | 'kernel' | 'generic';

export interface SystemDef {
  readonly name: string;
  /** The system in plain words ("Kafka broker"), used by every renderer and summary. */
  readonly label: string;
  readonly family: SystemFamily;
  /** The family's fallback when no other system of the family is recognised (jvm, go, kernel, generic). */
  readonly familyDefault?: boolean;
  readonly recognise: {
    /** A finding of a rule that names this system is enough. */
    readonly byRule?: boolean;
    /** Tested on the findings' logger, message, record lines and file name. */
    readonly text?: RegExp;
    /** An evidence file of this kind beside the logs (also decides a finding-less generic incident). */
    readonly evidence?: EvidenceKind;
  };
}

/** In recognition order: within a family the first entry that recognises an incident names it. */
export const SYSTEMS = [
  { name: 'kafka', label: 'Kafka broker', family: 'java', recognise: { byRule: true, text: /kafka/i, evidence: 'kafka-log-dir' } },
  { name: 'opensearch', label: 'OpenSearch node', family: 'java', recognise: { text: /opensearch/i } },
  { name: 'elasticsearch', label: 'Elasticsearch node', family: 'java', recognise: { byRule: true, text: /elasticsearch/i } },
  { name: 'jvm', label: 'JVM', family: 'java', familyDefault: true, recognise: {} },
  { name: 'cortex', label: 'Cortex ingester', family: 'go', recognise: { text: /cortex/i } },
  { name: 'mimir', label: 'Mimir ingester', family: 'go', recognise: { text: /mimir/i } },
  { name: 'loki', label: 'Loki', family: 'go', recognise: { text: /loki/i } },
  {
    name: 'prometheus-tsdb',
    label: 'Prometheus TSDB',
    family: 'go',
    recognise: { byRule: true, text: /tsdb|prometheus/i, evidence: 'tsdb-dir' },
  },
  { name: 'go', label: 'Go program', family: 'go', familyDefault: true, recognise: {} },
  { name: 'kernel', label: 'kernel', family: 'kernel', familyDefault: true, recognise: {} },
  { name: 'generic', label: 'process', family: 'generic', familyDefault: true, recognise: {} },
] as const satisfies readonly SystemDef[];

export type SystemName = (typeof SYSTEMS)[number]['name'];
export const SYSTEM_NAMES: readonly SystemName[] = SYSTEMS.map((s) => s.name);

const BY_NAME: ReadonlyMap<string, SystemDef> = new Map(SYSTEMS.map((s) => [s.name, s]));

/** The registry entry of a system, or undefined for a name the registry does not hold. */
export function systemDef(name: string): SystemDef | undefined {
  return BY_NAME.get(name);
}

export function isSystemName(name: string): name is SystemName {
  return BY_NAME.has(name);
}
