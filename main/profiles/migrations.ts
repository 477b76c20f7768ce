// Profile file migrations: each step takes the raw document of version `from` to `from + 1`.
// Version 1 is the first released format, so the table is empty today; a future version 2 adds
// { from: 1, migrate } here and bumps PROFILE_SCHEMA_VERSION. A document without a `version`
// field counts as version 0.
import { PROFILE_SCHEMA_VERSION } from '../../app/profile.js';

export interface Migration {
  from: number;
  /** Pure: returns the next version's raw document (do not mutate the input). */
  migrate(doc: Record<string, unknown>): Record<string, unknown>;
}

export const migrations: readonly Migration[] = [];

export type MigrationResult =
  | { ok: true; doc: Record<string, unknown>; fromVersion: number }
  | { ok: false; reason: 'not-an-object' | 'bad-version' | 'too-new' | 'no-migration' | 'migration-failed'; fromVersion?: number };

export function documentVersion(doc: Record<string, unknown>): number | undefined {
  if (!('version' in doc)) return 0;
  const v = doc.version;
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : undefined;
}

/** Brings a parsed document to `target` (default: the current schema version). Does not validate. */
export function migrateDocument(raw: unknown, table: readonly Migration[] = migrations, target: number = PROFILE_SCHEMA_VERSION): MigrationResult {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return { ok: false, reason: 'not-an-object' };
  let doc = raw as Record<string, unknown>;
  const fromVersion = documentVersion(doc);
  if (fromVersion === undefined) return { ok: false, reason: 'bad-version' };
  if (fromVersion > target) return { ok: false, reason: 'too-new', fromVersion };
  for (let v = fromVersion; v < target; v++) {
    const step = table.find((m) => m.from === v);
    if (!step) return { ok: false, reason: 'no-migration', fromVersion };
    try {
      doc = { ...step.migrate(doc), version: v + 1 };
    } catch {
      return { ok: false, reason: 'migration-failed', fromVersion };
    }
  }
  return { ok: true, doc, fromVersion };
}
