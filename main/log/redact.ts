// The last line of defence against secrets in logs: whatever text reaches the logger is passed
// through here. Code should never hand a secret to the logger in the first place (log
// describeTarget(), never a URL with a token), and tests search the logs for the secret.

const patterns: Array<[RegExp, string]> = [
  // token=…, vncticket=…, password=… in query strings, cookies and .vv-like text
  [/\b(token|vncticket|password|passwd|ticket|PVEAuthCookie|secret)=([^&\s;"']+)/gi, '$1=[redacted]'],
  // URL-encoded forms inside Nova's path= parameter (once or twice encoded)
  [/\b(token|vncticket)(%3D|%253D)([^&\s;"']+)/gi, '$1$2[redacted]'],
  // Authorization and cookie headers
  [/\b(authorization|cookie|set-cookie)(["']?\s*[:=]\s*["']?)([^"'\n]+)/gi, '$1$2[redacted]'],
  // The proxy's single-use tickets in ws://127.0.0.1:port/session/<ticket>
  [/\/session\/[A-Za-z0-9_-]{16,}/g, '/session/[redacted]'],
  // The browser-mode launch secret
  [/\b(launch)=([A-Za-z0-9_-]{8,})/g, '$1=[redacted]'],
];

export function redactText(text: string): string {
  let out = text;
  for (const [re, replacement] of patterns) out = out.replace(re, replacement);
  return out;
}
