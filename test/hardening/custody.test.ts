// Chain of custody: the size and SHA-256 the report gives for each input cover all of its bytes,
// checked against sha256sum for every input kind (plain, gzip, tar, tar.gz, zip, nested, stdin),
// and reading never changes an input's access time.

import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { GOOD_LOG, sha256, sha256sum, tmpDir } from './helpers.js';

let dir: string;
/** Bigger than one read (1 MiB) so a hash of the first chunk only cannot pass. */
const BIG = Buffer.concat([Buffer.from(GOOD_LOG), Buffer.from(`${'filler line that is not a failure\n'.repeat(80_000)}`)]);
const OLD = new Date('2020-01-01T00:00:00Z');

beforeAll(() => {
  dir = tmpDir('custody');
  const src = path.join(dir, 'src');
  mkdirSync(path.join(src, 'logs'), { recursive: true });
  writeFileSync(path.join(src, 'logs', 'server.log'), BIG);
  writeFileSync(path.join(src, 'logs', 'rotated.log.gz'), zlib.gzipSync(BIG));
  const inputs = path.join(dir, 'in');
  mkdirSync(inputs);
  writeFileSync(path.join(inputs, 'plain.log'), BIG);
  writeFileSync(path.join(inputs, 'plain.log.gz'), zlib.gzipSync(BIG));
  execFileSync('tar', ['cf', path.join(inputs, 'bundle.tar'), '-C', src, 'logs']);
  execFileSync('tar', ['czf', path.join(inputs, 'bundle.tgz'), '-C', src, 'logs']);
  execFileSync('python3', [
    '-c',
    `import zipfile,sys\nz=zipfile.ZipFile(sys.argv[1],'w',zipfile.ZIP_DEFLATED)\nz.write(sys.argv[2],'logs/server.log')\nz.write(sys.argv[3],'logs/rotated.log.gz')\nz.write(sys.argv[4],'inner.tgz')\nz.close()`,
    path.join(inputs, 'nested.zip'),
    path.join(src, 'logs', 'server.log'),
    path.join(src, 'logs', 'rotated.log.gz'),
    path.join(inputs, 'bundle.tgz'),
  ]);
  for (const f of ['plain.log', 'plain.log.gz', 'bundle.tar', 'bundle.tgz', 'nested.zip']) utimesSync(path.join(inputs, f), OLD, OLD);
});

function hasTools(): boolean {
  try {
    execFileSync('python3', ['-c', 'import zipfile']);
    execFileSync('tar', ['--version']);
    return true;
  } catch {
    return false;
  }
}

describe.runIf(hasTools())('size and SHA-256 of every input cover all of its bytes', () => {
  it('plain, gzip, tar, tar.gz, zip and nested archives: each equals sha256sum and the stored size; atimes unchanged', async () => {
    const inputs = path.join(dir, 'in');
    const r = await runCli(['scan', inputs, '-j', '1', '--format', 'json'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout);
    const byName = new Map<string, any>(report.inputs.map((i: any) => [path.relative(inputs, i.file), i]));
    const files = ['plain.log', 'plain.log.gz', 'bundle.tar', 'bundle.tgz', 'nested.zip'];
    // Access times first: sha256sum below reads the files too.
    for (const f of files) expect(statSync(path.join(inputs, f)).atimeMs, `${f} atime`).toBe(OLD.getTime());
    for (const f of files) {
      const info = byName.get(f);
      expect(info, f).toBeDefined();
      expect(info.sha256, f).toBe(sha256sum(path.join(inputs, f)));
      expect(info.storedBytes ?? info.bytes, f).toBe(statSync(path.join(inputs, f)).size);
    }
    // The gzip log: bytes scanned are the decompressed ones, the hash and storedBytes the file's.
    expect(byName.get('plain.log.gz').bytes).toBe(BIG.length);
    // Members: each is hashed as stored in its archive (what tar -xO / unzip -p give).
    const gz = readFileSync(path.join(dir, 'src', 'logs', 'rotated.log.gz'));
    for (const a of ['bundle.tar', 'bundle.tgz', 'nested.zip']) {
      expect(byName.get(`${a}!/logs/server.log`)?.sha256, a).toBe(sha256(BIG));
      expect(byName.get(`${a}!/logs/rotated.log.gz`)?.sha256, a).toBe(sha256(gz));
      expect(byName.get(`${a}!/logs/rotated.log.gz`)?.storedBytes, a).toBe(gz.length);
    }
    expect(byName.get('nested.zip!/inner.tgz!/logs/server.log')?.sha256).toBe(sha256(BIG));
    expect(byName.get('nested.zip!/inner.tgz!/logs/rotated.log.gz')?.sha256).toBe(sha256(gz));
  });

  it('stdin: size and hash of everything piped in, also when it is a zip read whole', async () => {
    const z = readFileSync(path.join(dir, 'in', 'nested.zip'));
    for (const input of [BIG, zlib.gzipSync(BIG), z]) {
      const r = await runCli(['scan', '-', '--format', 'json'], { cwd: dir, stdin: input });
      const info = JSON.parse(r.stdout).inputs.find((i: any) => i.file === '-');
      expect(info.sha256).toBe(sha256(input));
      expect(info.storedBytes ?? info.bytes).toBe(input.length);
    }
  });

  it('a skipped binary file and an evidence file past its cap are still hashed whole', async () => {
    const bin = Buffer.alloc(3 << 20, 0x01);
    const p = path.join(dir, 'blob.log');
    writeFileSync(p, bin);
    const r = await runCli(['scan', p, '--format', 'json'], { cwd: dir });
    const info = JSON.parse(r.stdout).inputs[0];
    expect(info.role).toBe('skipped');
    expect(info.sha256).toBe(sha256sum(p));
    expect(info.storedBytes ?? info.bytes).toBe(bin.length);
  });
});
