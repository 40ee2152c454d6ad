// Writing a report: atomically (a temporary file in the same directory, fsync, then rename), so
// a full disk or a crash never leaves half a report and never harms an earlier one; and the
// check that an output path is not one of the inputs (evidence is never overwritten).

import { randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import path from 'node:path';

/** Why a report could not be written, in one line naming the path. */
export class WriteFailed extends Error {
  constructor(
    readonly file: string,
    readonly reason: string,
  ) {
    super(`cannot write the report to ${file}: ${reason}; nothing was written there (an earlier file at that path is unchanged)`);
  }
}

function why(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  switch (e?.code) {
    case 'ENOSPC':
      return 'no space left on the device';
    case 'EDQUOT':
      return 'disk quota exceeded';
    case 'EISDIR':
      return 'a directory is in the way';
    case 'ENOTDIR':
      return 'a file is in the way of a directory on that path';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EROFS':
      return 'read-only file system';
    default:
      return typeof e?.code === 'string' ? e.code : String(err);
  }
}

/** Writes `text` to `abs` atomically: temp file beside it, fsync, rename over. Throws WriteFailed. */
export async function writeAtomic(abs: string, text: string, shown: string = abs): Promise<void> {
  const dir = path.dirname(abs);
  try {
    const st = await fsp.stat(abs);
    if (st.isDirectory()) throw Object.assign(new Error('EISDIR'), { code: 'EISDIR' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new WriteFailed(shown, why(err));
  }
  try {
    await fsp.mkdir(dir, { recursive: true });
  } catch (err) {
    throw new WriteFailed(shown, why(err));
  }
  const tmp = path.join(dir, `.${path.basename(abs)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  let fh: fsp.FileHandle | undefined;
  try {
    fh = await fsp.open(tmp, 'wx', 0o644);
    await fh.writeFile(text, 'utf8');
    await fh.sync();
    await fh.close();
    fh = undefined;
    await fsp.rename(tmp, abs);
  } catch (err) {
    await fh?.close().catch(() => undefined);
    await fsp.rm(tmp, { force: true }).catch(() => undefined);
    throw new WriteFailed(shown, why(err));
  }
}

/** The identity (device and inode) of an existing file, or null when there is none. */
export async function fileIdentity(abs: string): Promise<string | null> {
  try {
    const st = await fsp.stat(abs);
    return `${st.dev}:${st.ino}`;
  } catch {
    return null;
  }
}
