// What people paste is often the whole output of the command that printed the address, not just the
// address: `openstack console url show` prints a table (| url | … |), `-f json` an object
// ({"type": "novnc", "url": …}, or the API's {"remote_console": {"protocol", "type", "url"}}), and
// `-f value` the type and the URL on separate lines. This finds the one URL in such output; any other
// text is returned unchanged for the parsers to judge.
const TABLE_URL_ROW = /^\|\s*url\s*\|\s*(\S+)\s*\|\s*$/;
/** A browser's one-line text field joins the table's lines: find the url row inside the line. */
const JOINED_TABLE = /\|\s*url\s*\|\s*(\S+)\s*\|/g;
const VALUE_LINE = /^[a-z][a-z0-9+.-]*:\/\/\S+$/i;

function fromJson(text: string): string | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  const pick = (o: unknown): string | undefined => {
    if (typeof o !== 'object' || o === null) return undefined;
    const url = (o as { url?: unknown }).url;
    return typeof url === 'string' ? url : undefined;
  };
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as { console?: unknown; remote_console?: unknown };
  return pick(value) ?? pick(v.remote_console) ?? pick(v.console);
}

export function unwrapPastedOutput(text: string): string {
  const trimmed = text.trim();
  if (trimmed.startsWith('{')) return fromJson(trimmed) ?? text;
  if (!/[\r\n]/.test(trimmed)) {
    if (!trimmed.startsWith('+') && !trimmed.startsWith('|')) return text;
    const found = [...trimmed.matchAll(JOINED_TABLE)].map((m) => m[1]);
    return found.length === 1 ? (found[0] ?? text) : text;
  }
  const lines = trimmed.split(/\r\n|\n|\r/).map((l) => l.trim()).filter((l) => l !== '');
  const rows = lines.map((l) => TABLE_URL_ROW.exec(l)?.[1]).filter((u): u is string => u !== undefined);
  if (rows.length === 1) return rows[0] ?? text;
  const urls = lines.filter((l) => VALUE_LINE.test(l));
  const others = lines.filter((l) => !VALUE_LINE.test(l));
  // `-f value`: "novnc" then the URL. Anything else with line breaks is left for the parsers to refuse.
  if (urls.length === 1 && others.every((l) => /^[a-z0-9-]{1,20}$/i.test(l))) return urls[0] ?? text;
  return text;
}
