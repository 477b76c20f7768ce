// What a pasted console address says about how to show its console, besides where it is: noVNC's
// view_only / shared / quality / compression / resize, RFC 7869's ViewOnly and ConnectionName.
// Applied when the session opens, so the user's choices in the address are not lost; its notices
// (parameters not used, rules applied) are shown with the console.
import type { SessionSource } from '../app/contract.js';
import { parseConsoleAddress } from '../app/console-address.js';
import { DisplayOptions } from '../app/profile.js';

export function addressChoices(source: SessionSource): { display?: DisplayOptions; title?: string; notices?: string[] } {
  if (source.type !== 'url') return {};
  const parsed = parseConsoleAddress(source.url);
  if (!parsed.ok) return {};
  return {
    ...(parsed.display ? { display: DisplayOptions.parse(parsed.display) } : {}),
    ...(parsed.title !== undefined ? { title: parsed.title } : {}),
    ...(parsed.notices.length > 0 ? { notices: parsed.notices } : {}),
  };
}
