// Text a remote party wrote (RFB failure reasons, desktop names, WebSocket close reasons, HTTP
// status texts, certificate fields) is data, not Porthole's words. Before it reaches a report, a
// log, an error's detail or the screen it is cleaned (no control, format or bidi characters, so
// it cannot add lines, colour a terminal or reorder what follows), cut short, and quoted so the
// reader sees where the server's words start and end.

/** About the longest server text Porthole repeats, in characters (code points). */
export const SERVER_TEXT_MAX = 200;

// Terminal escape sequences go whole, so no "[31m" is left behind: CSI, OSC (ended by BEL or ST),
// and any other ESC + one character.
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const ANSI = /\u001b\[[0-?]*[ -/]*[@-~]?|\u009b[0-?]*[ -/]*[@-~]?|\u001b\][^\u0007\u001b\u009c]*(?:\u0007|\u001b\\|\u009c)?|\u001b[\s\S]?/g;
// C0, DEL and C1 controls; zero-width and bidi formatting; line and paragraph separators; BOM;
// the replacement-prone lone surrogates.
// eslint-disable-next-line no-control-regex -- finding these is the point
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
const QUOTES = /[\u201c\u201d\u201e\u201f\u00ab\u00bb]/g;

/**
 * The server's text made safe to show: escape sequences removed, every other unsafe character
 * (line breaks included) turned into a space, runs of spaces collapsed, trimmed, and cut to
 * `max` characters with "…" at the end when cut.
 */
export function cleanServerText(raw: string, max = SERVER_TEXT_MAX): string {
  // Looking at more than a few times `max` cannot change the result; a 64 KiB reason is cut first.
  const head = raw.length > max * 8 + 64 ? raw.slice(0, max * 8 + 64) : raw;
  const clean = head.replace(ANSI, '').replace(UNSAFE, ' ').replace(/\s+/g, ' ').trim();
  const chars = Array.from(clean);
  if (chars.length <= max && head.length === raw.length) return clean;
  return `${chars.slice(0, max).join('').trimEnd()}…`;
}

/** The server's words, cleaned and in quotation marks: “…”. Quotation marks inside become ". */
export function quoteServerText(raw: string, max = SERVER_TEXT_MAX): string {
  return `“${cleanServerText(raw, max).replace(QUOTES, '"')}”`;
}
