// The pages browser mode shows instead of the app: a browser that has not been let in, or a launch
// link that is used up. Static text only (no script), styled by one inline sheet allowed by its hash.
import { createHash } from 'node:crypto';

const style = `
:root { color-scheme: light dark; font: 16px/1.5 system-ui, sans-serif; }
body { margin: 0; min-height: 100vh; display: grid; place-items: center; background: Canvas; color: CanvasText; }
main { max-width: 36rem; margin: 1.5rem; padding: 1.5rem 2rem; border: 1px solid color-mix(in srgb, CanvasText 20%, transparent); border-radius: 10px; }
h1 { font-size: 1.4rem; margin: 0 0 .75rem; }
ol { padding-left: 1.25rem; }
kbd, code { font: .95em ui-monospace, monospace; padding: 0 .25em; border: 1px solid color-mix(in srgb, CanvasText 25%, transparent); border-radius: 4px; }
.why { color: color-mix(in srgb, CanvasText 70%, transparent); font-size: .9rem; }
`;

export const authPageCsp = `default-src 'none'; style-src 'sha256-${createHash('sha256').update(style).digest('base64')}'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`;

export type AuthPageReason = 'not-signed-in' | 'launch-used';

const headings: Record<AuthPageReason, string> = {
  'not-signed-in': 'This browser is not signed in to Porthole',
  'launch-used': 'This launch link has already been used or has expired',
};

function duration(seconds: number): string {
  if (seconds % 60 === 0) return seconds === 60 ? 'one minute' : `${seconds / 60} minutes`;
  return seconds === 1 ? 'one second' : `${seconds} seconds`;
}

export function authPage(reason: AuthPageReason, launchTtlSeconds: number): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Porthole: sign in needed</title>
<style>${style}</style>
</head>
<body>
<main>
<h1>${headings[reason]}</h1>
<p>Porthole lets in only the browser it was opened in. To use it here:</p>
<ol>
<li>Go to the terminal where Porthole is running (<code>npm start</code> or <code>npm run serve</code>).</li>
<li>Press <kbd>Enter</kbd> there. Porthole prints a new launch link.</li>
<li>Open that link in this browser within ${duration(launchTtlSeconds)}. It works once; after that, new tabs and reloads in this browser just work.</li>
</ol>
<p class="why">Why: anyone on this computer could otherwise reach your consoles through this address. A launch link is single use and short-lived, so only you, at your terminal, can let a browser in.</p>
</main>
</body>
</html>
`;
}
