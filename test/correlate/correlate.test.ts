// The correlate rules of docs/ARCHITECTURE.md: which inputs describe one host (scope).
import { describe, expect, it } from 'vitest';
import { COMMAND_LINE_SCOPE, type Source } from '../../src/core/index.js';
import { assignScopes, correlate } from '../../src/correlate/correlate.js';

function file(display: string, root: string, unit: string, bundle?: string): Source {
  return { kind: 'file', absPath: `/x/${display}`, display, scope: root, size: 1, root, unit, id: display, ...(bundle ? { bundle } : {}) };
}
const cli = (display: string): Source => file(display, COMMAND_LINE_SCOPE, COMMAND_LINE_SCOPE);
const member = (display: string, root: string, unit: string): Source => ({ kind: 'member', display, scope: root, root, unit });
const manifest = (file: string) => [{ file, kind: 'capture-manifest' as const, facts: [] }];

describe('correlate', () => {
  it('a directory is one host unless two or more of its first-level folders hold logs', () => {
    const oneHost = assignScopes([
      { source: file('b/logs/kafka.log', 'b', 'b/logs'), isLog: true },
      { source: file('b/proc/maps', 'b', 'b/proc'), isLog: false },
    ]);
    expect([...oneHost.values()]).toEqual(['b', 'b']);
    const perHost = assignScopes([
      { source: file('s/h1/kafka.log', 's', 's/h1'), isLog: true },
      { source: file('s/h1/maps', 's', 's/h1'), isLog: false },
      { source: file('s/h2/kafka.log', 's', 's/h2'), isLog: true },
    ]);
    expect(Object.fromEntries(perHost)).toEqual({ 's/h1/kafka.log': 's/h1', 's/h1/maps': 's/h1', 's/h2/kafka.log': 's/h2' });
  });

  it('one capture bundle is the host the other roots join; files named one by one join a single scope', () => {
    const scopes = assignScopes([
      { source: file('logs/kafka.log', 'logs', 'logs'), isLog: true },
      { source: file('cap/maps', 'cap', 'cap', 'cap'), isLog: false },
      { source: cli('sysctl.txt'), isLog: false },
    ]);
    expect(Object.fromEntries(scopes)).toEqual({ 'logs/kafka.log': 'cap', 'cap/maps': 'cap', 'sysctl.txt': 'cap' });
    const two = assignScopes([
      { source: file('a/x.log', 'a', 'a'), isLog: true },
      { source: file('b/y.log', 'b', 'b'), isLog: true },
      { source: cli('z.txt'), isLog: false },
    ]);
    expect(two.get('z.txt')).toBe(COMMAND_LINE_SCOPE);
  });

  it('groups each scope’s evidence for diagnose, sorted by scope', () => {
    const ev = { file: 'h2/sysctl', kind: 'sysctl' as const, facts: [] };
    const out = correlate([
      { source: file('s/h2/kafka.log', 's', 's/h2'), isLog: true },
      { source: file('s/h2/sysctl', 's', 's/h2'), isLog: false, evidence: [ev] },
      { source: file('s/h1/kafka.log', 's', 's/h1'), isLog: true },
    ]);
    expect(out.map((s) => [s.scope, s.evidence.length])).toEqual([
      ['s/h1', 0],
      ['s/h2', 1],
    ]);
  });

  it('a capture bundle inside an archive is a bundle as the same folder on disk is: the logs join it', () => {
    const scopes = assignScopes([
      { source: file('logs/app.log', 'logs', 'logs'), isLog: true },
      { source: member('b.tgz!/b/manifest.json', 'b.tgz!', 'b.tgz!/b'), isLog: false, evidence: manifest('b.tgz!/b/manifest.json') },
      // A cmdline is capture-manifest evidence too, but only a manifest.json makes a bundle.
      { source: member('b.tgz!/b/proc/42/cmdline', 'b.tgz!', 'b.tgz!/b'), isLog: false, evidence: manifest('b.tgz!/b/proc/42/cmdline') },
      { source: member('b.tgz!/b/proc/42/maps', 'b.tgz!', 'b.tgz!/b'), isLog: false },
    ]);
    expect(Object.fromEntries(scopes)).toEqual({
      'logs/app.log': 'b.tgz!/b',
      'b.tgz!/b/manifest.json': 'b.tgz!/b',
      'b.tgz!/b/proc/42/cmdline': 'b.tgz!/b',
      'b.tgz!/b/proc/42/maps': 'b.tgz!/b',
    });
    const top = assignScopes([
      { source: file('logs/app.log', 'logs', 'logs'), isLog: true },
      { source: member('c.tgz!/manifest.json', 'c.tgz!', 'c.tgz!'), isLog: false, evidence: manifest('c.tgz!/manifest.json') },
      { source: member('c.tgz!/proc/42/maps', 'c.tgz!', 'c.tgz!/proc'), isLog: false },
    ]);
    expect([...new Set(top.values())]).toEqual(['c.tgz!']);
  });
});
