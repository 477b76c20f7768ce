// clouds.json in the data directory: the cloud accounts, never a secret. Written atomically (temp
// file, fsync, rename, fsync of the directory) with the previous version kept as clouds.json.bak; a
// file that cannot be read is set aside with a timestamp and the backup is used instead.
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { CLOUD_EXPORT_FORMAT, CLOUD_SCHEMA_VERSION, CloudAccountDocument } from '../../app/cloud-account.js';
import { PortholeError } from '../../app/errors.js';

export const CLOUDS_FILE = 'clouds.json';

/** Older formats and how to bring them to the current one (version → upgrade to version + 1). */
const migrations: Record<number, (doc: Record<string, unknown>) => Record<string, unknown>> = {};

export function migrate(raw: unknown): CloudAccountDocument {
  if (typeof raw !== 'object' || raw === null) throw new Error('not an object');
  let doc = raw as Record<string, unknown>;
  let version = typeof doc.version === 'number' ? doc.version : NaN;
  if (version > CLOUD_SCHEMA_VERSION) throw new PortholeError('bad-request', `made by a newer Porthole (format ${version})`);
  while (version < CLOUD_SCHEMA_VERSION) {
    const step = migrations[version];
    if (!step) throw new Error(`no migration from version ${version}`);
    doc = step(doc);
    version += 1;
  }
  return CloudAccountDocument.parse(doc);
}

export function emptyCloudDocument(): CloudAccountDocument {
  return { format: CLOUD_EXPORT_FORMAT, version: CLOUD_SCHEMA_VERSION, accounts: [] };
}

export class CloudAccountFile {
  private chain: Promise<unknown> = Promise.resolve();
  readonly path: string;

  constructor(private readonly dir: string) {
    this.path = join(dir, CLOUDS_FILE);
  }

  /** The document, plus a notice when the file was unreadable and the backup (or nothing) was used. */
  async read(): Promise<{ doc: CloudAccountDocument; notice?: string }> {
    const first = await this.tryRead(this.path);
    if (first.ok) return { doc: first.doc };
    if (first.missing) return { doc: emptyCloudDocument() };
    const aside = `${this.path}.unreadable-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    await fsp.rename(this.path, aside).catch(() => undefined);
    const backup = await this.tryRead(`${this.path}.bak`);
    const doc = backup.ok ? backup.doc : emptyCloudDocument();
    return { doc, notice: `Your cloud accounts file could not be read and was set aside as ${aside}; ${backup.ok ? 'the previous version was used' : 'starting with no cloud accounts'}.` };
  }

  private async tryRead(path: string): Promise<{ ok: true; doc: CloudAccountDocument } | { ok: false; missing: boolean }> {
    let text: string;
    try {
      text = await fsp.readFile(path, 'utf8');
    } catch (err) {
      return { ok: false, missing: (err as { code?: string }).code === 'ENOENT' };
    }
    try {
      return { ok: true, doc: migrate(JSON.parse(text)) };
    } catch {
      return { ok: false, missing: false };
    }
  }

  /** Serialised read-modify-write. */
  update<T>(change: (doc: CloudAccountDocument) => Promise<T> | T): Promise<T> {
    const run = this.chain.then(async () => {
      const { doc } = await this.read();
      const result = await change(doc);
      await this.write(doc);
      return result;
    });
    this.chain = run.catch(() => undefined);
    return run;
  }

  private async write(doc: CloudAccountDocument): Promise<void> {
    try {
      await fsp.mkdir(this.dir, { recursive: true, mode: 0o700 });
      const tmp = `${this.path}.${process.pid}.${Date.now()}.tmp`;
      const handle = await fsp.open(tmp, 'wx', 0o600);
      try {
        await handle.writeFile(`${JSON.stringify(doc, null, 2)}\n`);
        await handle.sync();
      } finally {
        await handle.close();
      }
      await fsp.copyFile(this.path, `${this.path}.bak`).catch(() => undefined);
      await fsp.rename(tmp, this.path);
      const dirHandle = await fsp.open(this.dir, 'r');
      try {
        await dirHandle.sync();
      } finally {
        await dirHandle.close();
      }
    } catch (err) {
      if (err instanceof PortholeError) throw err;
      throw new PortholeError('profile-store-failed', `cloud accounts: ${(err as { code?: string }).code ?? 'write failed'}`);
    }
  }
}
