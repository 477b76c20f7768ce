// Browser mode's command line: `npm run serve -- vnc://host:5901` or `… -- console.vv` hands the
// same launch links the desktop app gets from the OS to the core, through the same parser and the
// same confirmation. What is printed names the endpoint without any secret, never the argument.
import type { PortholeCore } from '../core-types.js';
import { MAX_LINKS_PER_LAUNCH, parseLaunchArgument } from './launch-links.js';

export async function submitCommandLineLinks(core: PortholeCore, args: readonly string[], cwd: string, print: (line: string) => void): Promise<void> {
  for (const [i, arg] of args.slice(0, MAX_LINKS_PER_LAUNCH).entries()) {
    const link = parseLaunchArgument(arg, cwd);
    if (link === null) {
      print(`Argument ${i + 1} is not a vnc:// or porthole:// link or a .vv file: ignored.`);
      continue;
    }
    const outcome = await core.submitLink(link);
    if (outcome.ok) print(`Waiting for you to confirm in the browser: ${outcome.view.displayAddress}`);
    else print(`Argument ${i + 1} was not opened: ${outcome.error.message}${outcome.error.detail ? ` (${outcome.error.detail})` : ''}`);
  }
  if (args.length > MAX_LINKS_PER_LAUNCH) print(`Only the first ${MAX_LINKS_PER_LAUNCH} links are taken.`);
}
