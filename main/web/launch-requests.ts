// How the user asks the running app for another launch link: a line (just Enter) on its terminal.
// The link is then printed there, on the user's own terminal, and nowhere else.
import { createInterface } from 'node:readline';

export function onEnterKey(request: () => void, input: NodeJS.ReadableStream = process.stdin): void {
  const lines = createInterface({ input, terminal: false });
  lines.on('line', () => request());
  // No terminal (stdin closed or /dev/null): nothing to listen to, and nothing wrong.
  lines.on('error', () => lines.close());
}
