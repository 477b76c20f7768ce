// electron-builder.yml: valid for electron-builder's own schema, and carrying the hardening and the
// OS integration Porthole relies on. Also checks the generated icons are present and current.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);
// js-yaml ships with electron-builder (a direct dependency of app-builder-lib); it has no bundled types.
const yaml = require('js-yaml') as { load(text: string): unknown };
const root = path.resolve(import.meta.dirname, '../..');

interface BuilderConfig {
  appId?: string;
  productName?: string;
  directories?: { buildResources?: string; output?: string };
  files?: string[];
  asar?: boolean;
  asarUnpack?: string[];
  electronFuses?: Record<string, boolean>;
  protocols?: Array<{ name: string; schemes: string[] }>;
  fileAssociations?: Array<{ ext: string; mimeType?: string; name?: string }>;
  linux?: { target?: string[]; mimeTypes?: string[]; icon?: string; executableArgs?: string[]; desktop?: { entry?: Record<string, string> } };
  mac?: { target?: string[]; hardenedRuntime?: boolean; entitlements?: string; entitlementsInherit?: string };
  win?: { target?: string[] };
}

const config = yaml.load(readFileSync(path.join(root, 'electron-builder.yml'), 'utf8')) as BuilderConfig;

describe('electron-builder.yml', () => {
  it('is valid against app-builder-lib/scheme.json (validated the way electron-builder does)', () => {
    const schema = JSON.parse(readFileSync(path.join(root, 'node_modules/app-builder-lib/scheme.json'), 'utf8')) as object;
    // electron-builder's own options: strict off (the schema uses a custom "typeof" keyword), all errors.
    const ajv = new Ajv({ allErrors: true, strict: false });
    const validate = ajv.compile(schema);
    const valid = validate(config);
    expect(validate.errors ?? [], JSON.stringify(validate.errors, null, 2)).toEqual([]);
    expect(valid).toBe(true);
  });

  it('the schema check is not vacuous: an unknown option and a wrong type are rejected', () => {
    const schema = JSON.parse(readFileSync(path.join(root, 'node_modules/app-builder-lib/scheme.json'), 'utf8')) as object;
    const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);
    expect(validate({ ...config, notAnOption: true })).toBe(false);
    expect(validate({ ...config, electronFuses: { runAsNode: 'no' } })).toBe(false);
  });

  it('names the app and keeps build output out of build/', () => {
    expect(config.appId).toBe('org.porthole.app');
    expect(config.productName).toBe('Porthole');
    expect(config.directories).toEqual({ buildResources: 'build', output: 'out' });
  });

  it('packages only the built app (allow-list), in an asar with native modules unpacked', () => {
    expect(config.files).toEqual(['dist/**', '!**/*.map', 'package.json']);
    for (const pattern of config.files ?? []) expect(pattern).not.toMatch(/^(main|app|renderer|test|scripts|src)\b|\*\*\/\*\.ts$/);
    expect(config.asar).toBe(true);
    expect(config.asarUnpack).toEqual(['**/*.node']);
  });

  it('flips the hardening fuses', () => {
    expect(config.electronFuses).toMatchObject({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      onlyLoadAppFromAsar: true,
      enableEmbeddedAsarIntegrityValidation: true,
      enableCookieEncryption: true,
    });
  });

  it('registers porthole:// and vnc:// and .vv files', () => {
    expect(config.protocols?.flatMap((p) => p.schemes).sort()).toEqual(['porthole', 'vnc']);
    expect(config.fileAssociations).toEqual([expect.objectContaining({ ext: 'vv', mimeType: 'application/x-virt-viewer' })]);
  });

  it('gives the Linux desktop entry the three MIME types (as electron-builder derives MimeType)', () => {
    // LinuxTargetHelper.computeDesktopEntry: linux.mimeTypes + fileAssociations[].mimeType + x-scheme-handler/<scheme>.
    const mime = [
      ...(config.linux?.mimeTypes ?? []),
      ...(config.fileAssociations ?? []).flatMap((f) => (f.mimeType ? [f.mimeType] : [])),
      ...(config.protocols ?? []).flatMap((p) => p.schemes.map((s) => `x-scheme-handler/${s}`)),
    ];
    expect(mime.sort()).toEqual(['application/x-virt-viewer', 'x-scheme-handler/porthole', 'x-scheme-handler/vnc']);
    expect(config.linux?.desktop?.entry?.MimeType).toBeUndefined();
    // Exec gets %U (file:// URIs and links) only when executableArgs names no field code itself.
    expect(config.linux?.executableArgs).toBeUndefined();
  });

  it('builds AppImage + deb, a hardened-runtime dmg and an NSIS installer', () => {
    expect(config.linux?.target).toEqual(['AppImage', 'deb']);
    expect(config.mac).toMatchObject({ target: ['dmg'], hardenedRuntime: true, entitlements: 'build/entitlements.mac.plist' });
    expect(config.win?.target).toEqual(['nsis']);
    const entitlements = readFileSync(path.join(root, 'build/entitlements.mac.plist'), 'utf8');
    expect(entitlements).toContain('com.apple.security.cs.allow-jit');
    expect(entitlements).not.toContain('disable-library-validation');
    expect(entitlements).not.toContain('allow-dyld-environment-variables');
  });

  it('has icons generated from build/icon.svg, current and small', () => {
    const svg = readFileSync(path.join(root, 'build/icon.svg'));
    const hash = createHash('sha256').update(svg).digest('hex');
    expect(readFileSync(path.join(root, 'build/icons/source.sha256'), 'utf8').trim(), 'icons are stale: run node scripts/make-icons.mjs').toBe(hash);
    let total = 0;
    const pngSize = (file: string): [number, number] => {
      const png = readFileSync(file);
      total += png.length;
      expect(png.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
      return [png.readUInt32BE(16), png.readUInt32BE(20)];
    };
    expect(pngSize(path.join(root, 'build/icon.png'))).toEqual([1024, 1024]);
    for (const size of [16, 24, 32, 48, 64, 128, 256, 512]) {
      expect(pngSize(path.join(root, `build/icons/${size}x${size}.png`))).toEqual([size, size]);
    }
    expect(total).toBeLessThan(200 * 1024);
  });
});
