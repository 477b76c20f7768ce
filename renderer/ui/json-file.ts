// Export and import files of the UI (profiles, clouds): JSON downloaded through a temporary link, and
// the JSON of a file the user chose. What the JSON holds is checked in main, never here.
import { el } from './dom.js';

export function downloadJson(value: unknown, fileName: string): void {
  const a = el('a', { href: URL.createObjectURL(new Blob([JSON.stringify(value, null, 2)], { type: 'application/json' })), download: fileName });
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
}

/** The chosen file's parsed JSON (the input is cleared for the next choice); undefined when nothing was chosen. */
export async function readChosenJson(input: HTMLInputElement): Promise<{ name: string; json: { ok: true; value: unknown } | { ok: false } } | undefined> {
  const file = input.files?.[0];
  input.value = '';
  if (!file) return undefined;
  try {
    return { name: file.name, json: { ok: true, value: JSON.parse(await file.text()) as unknown } };
  } catch {
    return { name: file.name, json: { ok: false } };
  }
}
