// Attacks on browser mode's sign-in, each reproduced first and then shown to fail (issue 12, items 1
// and 2): another local user reading the process list, a launch link used twice, late or by a
// second browser, and another local port that receives the browser's cookies and replays them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { WebSocket } from 'ws';
import { launchChromium } from '../fixtures/browser.js';
import { exchangeLaunchUrl, repoRoot, startPorthole, type PortholeServer } from '../fixtures/porthole-server.js';
import { spawnManaged } from '../fixtures/processes.js';

const ATTACKER_USER = 'nobody';

function run(command: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(command, args, { maxBuffer: 16 * 1024 * 1024, timeout: 20_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** What another local user sees of every process's command line: ps, and /proc/<pid>/cmdline. */
async function processListAs(user: string): Promise<string> {
  const ps = await run('runuser', ['-u', user, '--', 'ps', '-eo', 'pid,args', '--width', '100000']);
  if (ps.code !== 0) throw new Error(`ps as ${user} failed: ${ps.stderr}`);
  const proc = await run('runuser', ['-u', user, '--', '/bin/sh', '-c', 'for f in /proc/[0-9]*/cmdline; do tr "\\0" " " < "$f" 2>/dev/null; echo; done']);
  if (proc.code !== 0) throw new Error(`reading /proc as ${user} failed: ${proc.stderr}`);
  return `${ps.stdout}\n${proc.stdout}`;
}

/** Opens the contract socket with whatever an attacker holds; the HTTP status, or 101. */
function apiStatus(port: number, headers: Record<string, string>, protocols: string[] = []): Promise<number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/api`, protocols, { headers });
    ws.on('open', () => {
      ws.close();
      resolve(101);
    });
    ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.on('error', () => resolve(-1));
  });
}

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

describe('another local user reading the process list', () => {
  const work = mkdtempSync(path.join(os.tmpdir(), 'porthole-ps-'));
  const record = path.join(work, 'opened.txt');
  let serve: ReturnType<typeof spawnManaged> | undefined;

  afterAll(async () => {
    await serve?.stop();
    if (existsSync(record)) {
      const pid = Number(readFileSync(record, 'utf8').split('\n')[0]);
      if (pid > 0) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    }
    rmSync(work, { recursive: true, force: true });
  });

  it('finds no launch secret in any command line while `npm run serve` opens the browser', async () => {
    const id = await run('id', ['-u', ATTACKER_USER]);
    if (id.code !== 0) throw new Error(`this test needs the local user "${ATTACKER_USER}"`);
    // A harmless stand-in for xdg-open: records what it was given and stays alive (as a browser
    // would) so that its command line is there to be read.
    const bin = path.join(work, 'bin');
    mkdirSync(bin);
    writeFileSync(path.join(bin, 'xdg-open'), `#!/bin/sh\nprintf '%s\\n' "$$" "$@" > '${record}'\nsleep 60\n`, { mode: 0o755 });
    const env: NodeJS.ProcessEnv = { ...process.env, PATH: `${bin}:${process.env.PATH ?? '/usr/bin:/bin'}`, PORTHOLE_LOG_LEVEL: 'info' };
    delete env.BROWSER;
    delete env.XDG_RUNTIME_DIR;
    serve = spawnManaged('npm', ['run', 'serve', '--', '--port', '0', '--data-dir', path.join(work, 'data')], { name: 'npm run serve', env, cwd: repoRoot, group: true, stdin: 'pipe' });
    const opening = await serve.waitForOutput(/Your browser is opening (file:\S+)/, 60_000);
    const fileUrl = opening[1]!;
    const deadline = Date.now() + 10_000;
    while (!existsSync(record) || readFileSync(record, 'utf8').split('\n').length < 3) {
      if (Date.now() > deadline) throw new Error('the stand-in xdg-open was never run');
      await new Promise((r) => setTimeout(r, 50));
    }
    const given = readFileSync(record, 'utf8').split('\n');
    expect(given[1]).toBe(fileUrl);

    // The user's own channel: a file only they can read holds the launch link.
    const file = fileURLToPath(fileUrl);
    const launchUrl = /url=(http:\/\/127\.0\.0\.1:\d+\/\?launch=[A-Za-z0-9_-]{43})"/.exec(readFileSync(file, 'utf8'))?.[1];
    expect(launchUrl).toBeDefined();
    const secret = new URL(launchUrl!).searchParams.get('launch')!;
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(path.dirname(file)).mode & 0o777).toBe(0o700);

    // The attack: another user reads every command line. It works: the opener's and Porthole's are there...
    const seen = await processListAs(ATTACKER_USER);
    expect(seen).toContain(fileUrl);
    expect(seen).toContain('dist/main/serve.js');
    // ...but the launch secret is in none of them, nor in what Porthole printed, and the file is closed to them.
    expect(seen).not.toContain(secret);
    expect(serve.output()).not.toContain(secret);
    const cat = await run('runuser', ['-u', ATTACKER_USER, '--', 'cat', file]);
    expect(cat.code).not.toBe(0);
    expect(cat.stdout).not.toContain(secret);

    // And the file does its job: the user's browser opens Porthole from it, once.
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      await page.goto(fileUrl);
      await page.waitForSelector('body[data-ready="true"]', { timeout: 15_000 });
      expect(page.url()).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    } finally {
      await context.close();
    }
    expect((await exchangeLaunchUrl(launchUrl!)).status).toBe(403);
  }, 90_000);
});

describe('the launch link', () => {
  let server: PortholeServer;
  beforeAll(async () => {
    server = await startPorthole();
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('works once, then is dead', async () => {
    const url = await server.newLaunchUrl();
    const first = await exchangeLaunchUrl(url);
    expect(first.status).toBe(200);
    expect(first.cookie).toBeDefined();
    expect(first.key).toBeDefined();
    const again = await exchangeLaunchUrl(url);
    expect(again.status).toBe(403);
    expect(again.cookie).toBeUndefined();
    expect(again.key).toBeUndefined();
  });

  it('expires unused', async () => {
    const short = await startPorthole({ args: ['--launch-ttl', '1'] });
    try {
      const url = await short.newLaunchUrl();
      await new Promise((r) => setTimeout(r, 1500));
      const late = await exchangeLaunchUrl(url);
      expect(late.status).toBe(403);
      expect(late.cookie).toBeUndefined();
      // A fresh one, used in time, still works (the refusal was the expiry, nothing else).
      expect((await exchangeLaunchUrl(await short.newLaunchUrl())).status).toBe(200);
    } finally {
      await short.stop();
    }
  });

  it('gives each exchange its own cookie and key', async () => {
    const a = await server.signIn();
    const b = await server.signIn();
    expect(a.cookie).not.toBe(b.cookie);
    expect(a.key).not.toBe(b.key);
    // One browser's key does not open the socket with another browser's cookie.
    expect(await apiStatus(server.port, { Origin: server.origin, Cookie: a.cookie }, ['porthole', `porthole.key.${b.key}`])).toBe(403);
    expect(await apiStatus(server.port, { Origin: server.origin, Cookie: a.cookie }, a.protocols)).toBe(101);
  });

  it('lets in one browser: a second Chromium context cannot reuse it', async () => {
    const url = await server.newLaunchUrl();
    const first = await browser.newContext();
    const second = await browser.newContext();
    try {
      const page = await first.newPage();
      await page.goto(url);
      await page.waitForSelector('body[data-ready="true"]');
      // The used link is gone from the address bar, and the key is not in any URL.
      expect(page.url()).toBe(`${server.origin}/`);

      const other = await second.newPage();
      const res = await other.goto(url);
      expect(res?.status()).toBe(403);
      expect(await other.locator('h1').textContent()).toBe('This launch link has already been used or has expired');
      expect(await second.cookies()).toEqual([]);
      // The first browser keeps working in a new tab without any launch link.
      const tab = await first.newPage();
      await tab.goto(`${server.origin}/`);
      await tab.waitForSelector('body[data-ready="true"]');
    } finally {
      await first.close();
      await second.close();
    }
  });
});

describe('another local port that the browser visits', () => {
  let server: PortholeServer;
  let attacker: http.Server;
  const received: http.IncomingHttpHeaders[] = [];

  beforeAll(async () => {
    server = await startPorthole();
    // The "attacker": any other local web server the user's browser may be sent to by a link.
    attacker = http.createServer((req, res) => {
      received.push(req.headers);
      res.writeHead(200, { 'Content-Type': 'text/html' });
      res.end('<!doctype html><title>elsewhere</title><p>nothing to see</p>');
    });
    await new Promise<void>((resolve) => attacker.listen(0, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    await new Promise((r) => attacker?.close(r));
    await server?.stop();
  });

  it('receives the browser-mode cookie, but replaying it (with a forged Origin) opens nothing', async () => {
    const attackerOrigin = `http://127.0.0.1:${(attacker.address() as AddressInfo).port}`;
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      await page.goto(await server.newLaunchUrl());
      await page.waitForSelector('body[data-ready="true"]');

      // The attack, reproduced: the same browser visits the other port, and our cookie goes along.
      const visit = await context.newPage();
      await visit.goto(`${attackerOrigin}/`);
      const cookieHeader = received.at(-1)?.cookie ?? '';
      expect(cookieHeader).toMatch(/porthole-[A-Za-z0-9_-]+=/);
      // The cookie's name does not give away which port it belongs to.
      expect(cookieHeader).not.toContain(String(server.port));
      // The key is held by the page in our origin's storage; the other port's page sees none of it.
      expect(await visit.evaluate('window.localStorage.length')).toBe(0);
      expect(await page.evaluate('window.localStorage.length')).toBe(1);

      // Replaying everything the attacker received, with our Origin forged, fails.
      expect(await apiStatus(server.port, { Origin: server.origin, Cookie: cookieHeader })).toBe(403);
      expect(await apiStatus(server.port, { Origin: server.origin, Cookie: cookieHeader }, ['porthole'])).toBe(403);
      expect(await apiStatus(server.port, { Origin: server.origin, Cookie: cookieHeader }, ['porthole', `porthole.key.${'A'.repeat(43)}`])).toBe(403);
      // Nothing the cookie fetches carries the key either.
      for (const pathname of ['/', '/index.html']) {
        const res = await fetch(`${server.origin}${pathname}`, { headers: { Cookie: cookieHeader, Origin: server.origin } });
        expect(res.status).toBe(200);
        expect(await res.text()).not.toContain('porthole-key');
      }
      // The real page, holding its key, is unaffected.
      await page.reload();
      await page.waitForSelector('body[data-ready="true"]');
    } finally {
      await context.close();
    }
  });
});
