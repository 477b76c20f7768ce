// What an import would change in an existing profile, field by field, with the old and the new
// value as short display text. Fields local to this machine (id, dates, secret slots and their
// bindings) are never compared: an import does not touch them.
import type { FieldChange, Profile } from '../../app/profile.js';

const LOCAL_FIELDS = new Set(['id', 'createdAt', 'lastUsedAt', 'secretSlots', 'secretBindings', 'missingSecrets']);
/** Records compared as a whole (their keys are data, not fields). */
const WHOLE = new Set(['endpoint.headers']);
const MAX_SHOWN = 160;

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'undefined';
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function shorten(text: string): string {
  return text.length > MAX_SHOWN ? `${text.slice(0, MAX_SHOWN - 1)}…` : text;
}

/** A value as one line of display text. */
export function showValue(path: string, value: unknown): string {
  if (value === undefined || value === '') return '(none)';
  if (path === 'tls.caPem' && typeof value === 'string') {
    const count = value.match(/-----BEGIN CERTIFICATE-----/g)?.length ?? 0;
    return `${count} certificate${count === 1 ? '' : 's'} (${value.length} characters)`;
  }
  if (typeof value === 'string') return shorten(value.replace(/\s+/g, ' '));
  if (Array.isArray(value)) return value.length === 0 ? '(none)' : shorten(value.map((v) => (typeof v === 'string' ? v : canonical(v))).join(', '));
  if (isPlainObject(value)) {
    const entries = Object.entries(value);
    return entries.length === 0 ? '(none)' : shorten(entries.map(([k, v]) => `${k}: ${typeof v === 'string' ? v : canonical(v)}`).join('; '));
  }
  return String(value);
}

/** Changed fields, dotted one level deep ("endpoint.address", "tls.allowInsecure"), each with before and after. */
export function fieldChanges(before: Profile, after: Profile): FieldChange[] {
  const changes: FieldChange[] = [];
  const walk = (a: Record<string, unknown>, b: Record<string, unknown>, prefix: string, depth: number): void => {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    for (const key of keys) {
      const path = prefix ? `${prefix}.${key}` : key;
      if (depth === 0 && LOCAL_FIELDS.has(key)) continue;
      const va = a[key];
      const vb = b[key];
      if (depth === 0 && isPlainObject(va) && isPlainObject(vb) && !WHOLE.has(path)) walk(va, vb, path, 1);
      else if (canonical(va) !== canonical(vb)) changes.push({ field: path, before: showValue(path, va), after: showValue(path, vb) });
    }
  };
  walk(before as Record<string, unknown>, after as Record<string, unknown>, '', 0);
  return changes;
}

/** Changed field names only. */
export function changedFields(before: Profile, after: Profile): string[] {
  return fieldChanges(before, after).map((c) => c.field);
}
