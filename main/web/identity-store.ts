// The browsers that completed a launch exchange, by digest only (the cookie and key themselves
// never touch the disk). In memory by default; with a fixed --port, kept in a 0600 file in the
// data directory so that a restarted Porthole on the same port (the same origin, whose
// localStorage still holds the key) lets those browsers back in without a new launch link.
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

export interface BrowserIdentity {
  id: string;
  cookieDigest: string;
  keyDigest: string;
}

export interface IdentityStore {
  add(identity: BrowserIdentity): void;
  get(id: string): BrowserIdentity | undefined;
}

const MAX_IDENTITIES = 32;
const KEEP_MS = 30 * 24 * 3600_000;

const hex64 = z.string().regex(/^[0-9a-f]{64}$/);
const StoredIdentity = z.object({ id: z.string().regex(/^[A-Za-z0-9_-]{12}$/), cookieDigest: hex64, keyDigest: hex64, created: z.number().int().nonnegative() }).strict();
const StoreFile = z.object({ version: z.literal(1), port: z.number().int().min(1).max(65535), identities: z.array(StoredIdentity).max(MAX_IDENTITIES) }).strict();
type Stored = z.infer<typeof StoredIdentity>;

export class MemoryIdentityStore implements IdentityStore {
  protected readonly byId = new Map<string, Stored>();

  constructor(protected readonly now: () => number = Date.now) {}

  add(identity: BrowserIdentity): void {
    for (const id of [...this.byId.keys()].slice(0, Math.max(0, this.byId.size - MAX_IDENTITIES + 1))) this.byId.delete(id);
    this.byId.set(identity.id, { ...identity, created: this.now() });
    this.changed();
  }

  get(id: string): BrowserIdentity | undefined {
    const stored = this.byId.get(id);
    if (!stored) return undefined;
    if (this.now() - stored.created > KEEP_MS) {
      this.byId.delete(id);
      this.changed();
      return undefined;
    }
    return stored;
  }

  protected changed(): void {}
}

/** Persists to `<dataDir>/browser-mode-<port>.json`; an unreadable or malformed file is simply ignored. */
export class FileIdentityStore extends MemoryIdentityStore {
  private readonly file: string;

  constructor(
    dataDir: string,
    private readonly port: number,
    now: () => number = Date.now,
  ) {
    super(now);
    this.file = path.join(dataDir, `browser-mode-${port}.json`);
    try {
      const parsed = StoreFile.safeParse(JSON.parse(readFileSync(this.file, 'utf8')));
      if (parsed.success && parsed.data.port === port) {
        for (const identity of parsed.data.identities) if (now() - identity.created <= KEEP_MS) this.byId.set(identity.id, identity);
      }
    } catch {
      // No file yet, or not ours to trust: start empty.
    }
  }

  protected override changed(): void {
    const body = JSON.stringify({ version: 1, port: this.port, identities: [...this.byId.values()] });
    const temp = `${this.file}.${process.pid}.tmp`;
    try {
      rmSync(temp, { force: true });
      writeFileSync(temp, body, { mode: 0o600, flag: 'wx' });
      renameSync(temp, this.file);
    } catch {
      // Not persisted: browsers will need a new launch link after a restart, nothing worse.
    }
  }
}
