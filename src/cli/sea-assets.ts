// The names the single executable's build (scripts/sea.ts) and its entry (sea.ts) agree on.

/** The asset listing the others. */
export const SEA_INDEX = 'mapmortem-index.json';
/** The bundled worker-thread script (CommonJS). */
export const SEA_WORKER = 'worker.cjs';

export interface SeaIndex {
  readonly version: string;
  /** Asset keys: package-relative paths ('rules/x.yaml', 'templates/report.hbs'). */
  readonly files: readonly string[];
}
