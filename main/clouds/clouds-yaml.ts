// Reads an openstack clouds.yaml (and its secure.yaml, which overrides it key by key) into cloud
// account settings. Application-credential and password clouds are supported; other auth types
// and `verify: false` are refused with the reason. Secrets found are returned apart from the
// settings so that only the keychain ever receives them.
import { readFileSync, statSync } from 'node:fs';
import { parse } from 'yaml';
import { z } from 'zod';
import { CaPem, OpenStackSettings } from '../../app/cloud-account.js';

export interface YamlCloud {
  name: string;
  settings: OpenStackSettings;
  secret?: string;
}

export interface YamlReadResult {
  clouds: YamlCloud[];
  /** Password clouds with no password in either file. */
  needPassword: Array<{ name: string; settings: OpenStackSettings }>;
  refused: Array<{ cloud: string; reason: string }>;
}

const Text = z.union([z.string(), z.number()]).transform(String);
const CloudEntry = z
  .object({
    auth_type: z.string().optional(),
    auth: z.record(z.string(), z.unknown()).default({}),
    region_name: Text.optional(),
    interface: z.string().optional(),
    endpoint_type: z.string().optional(),
    verify: z.union([z.boolean(), z.string()]).optional(),
    insecure: z.union([z.boolean(), z.string()]).optional(),
    cacert: z.string().optional(),
  })
  .passthrough();
const CloudsFile = z.object({ clouds: z.record(z.string(), z.unknown()) }).passthrough();

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** secure.yaml's values win, key by key, as openstacksdk merges them. */
function deepMerge(base: unknown, over: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(over)) return over === undefined ? base : over;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = deepMerge(base[k], v);
  return out;
}

function parseYaml(text: string, which: string): Record<string, unknown> {
  let doc: unknown;
  try {
    doc = parse(text, { maxAliasCount: 50, prettyErrors: false });
  } catch {
    throw new Error(`${which} is not valid YAML`);
  }
  const parsed = CloudsFile.safeParse(doc ?? {});
  if (!parsed.success) throw new Error(`${which} has no "clouds:" section`);
  return parsed.data.clouds;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() ? v.trim() : typeof v === 'number' ? String(v) : undefined);
const falsy = (v: unknown): boolean => v === false || (typeof v === 'string' && /^(false|no|0|off)$/i.test(v));
const truthy = (v: unknown): boolean => v === true || (typeof v === 'string' && /^(true|yes|1|on)$/i.test(v));

/** A domain by name, or by id when that id is Keystone's built-in "default". */
function domain(auth: Record<string, unknown>, prefix: string): string | { error: string } {
  const name = str(auth[`${prefix}_domain_name`]) ?? str(auth.domain_name);
  if (name) return name;
  const id = str(auth[`${prefix}_domain_id`]) ?? str(auth.domain_id);
  if (id === undefined || id === 'default') return 'Default';
  return { error: `the ${prefix} domain is given by id (${id}); Porthole needs its name` };
}

/** Reads the PEM certificates of a cacert file (nothing else from it). */
function readCa(path: string): string | { error: string } {
  try {
    if (statSync(path).size > 256 * 1024) return { error: 'its cacert file is too large to be a CA bundle' };
    const blocks = readFileSync(path, 'utf8').match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g);
    const pem = blocks?.join('\n');
    return pem && CaPem.safeParse(pem).success ? `${pem}\n` : { error: 'its cacert file holds no PEM certificate' };
  } catch {
    return { error: `its cacert file (${path}) cannot be read: copy the CA certificate into the account instead` };
  }
}

export function readCloudsYaml(cloudsYaml: string, secureYaml?: string): YamlReadResult {
  const clouds = parseYaml(cloudsYaml, 'clouds.yaml');
  const secure = secureYaml ? parseYaml(secureYaml, 'secure.yaml') : {};
  const out: YamlReadResult = { clouds: [], needPassword: [], refused: [] };
  for (const name of Object.keys(clouds)) {
    const refuse = (reason: string): void => void out.refused.push({ cloud: name, reason });
    const entry = CloudEntry.safeParse(deepMerge(clouds[name], secure[name]));
    if (!entry.success) {
      refuse('its entry is not a mapping of settings');
      continue;
    }
    const c = entry.data;
    if (falsy(c.verify) || truthy(c.insecure)) {
      refuse('it turns TLS verification off (verify: false). Porthole always verifies: put the CA certificate in cacert instead');
      continue;
    }
    const authType = (c.auth_type ?? 'password').toLowerCase();
    const auth = c.auth;
    const authUrl = str(auth.auth_url);
    if (!authUrl) {
      refuse('it has no auth_url');
      continue;
    }
    let settingsAuth: OpenStackSettings['auth'];
    let secret: string | undefined;
    if (authType === 'v3applicationcredential' || authType === 'applicationcredential') {
      secret = str(auth.application_credential_secret);
      const id = str(auth.application_credential_id);
      const credentialName = str(auth.application_credential_name);
      if (id) settingsAuth = { method: 'application-credential', credentialId: id };
      else if (credentialName && str(auth.username)) {
        const userDomain = domain(auth, 'user');
        if (typeof userDomain !== 'string') {
          refuse(userDomain.error);
          continue;
        }
        settingsAuth = { method: 'application-credential-name', credentialName, userName: str(auth.username)!, userDomain };
      } else {
        refuse('its application credential has neither an id nor a name with a username');
        continue;
      }
      if (!secret) {
        refuse('its application_credential_secret is in neither clouds.yaml nor secure.yaml');
        continue;
      }
    } else if (authType === 'password' || authType === 'v3password') {
      const userName = str(auth.username);
      const projectName = str(auth.project_name) ?? str(auth.tenant_name);
      const userDomain = domain(auth, 'user');
      const projectDomain = domain(auth, 'project');
      if (!userName || !projectName) {
        refuse(!userName ? 'it has no username' : 'it has no project_name (Porthole needs a project-scoped login)');
        continue;
      }
      if (typeof userDomain !== 'string' || typeof projectDomain !== 'string') {
        refuse((typeof userDomain !== 'string' ? userDomain : (projectDomain as { error: string })).error);
        continue;
      }
      settingsAuth = { method: 'password', userName, userDomain, projectName, projectDomain };
      secret = str(auth.password);
    } else {
      refuse(`its auth_type "${authType.slice(0, 40)}" is not supported (Porthole supports v3applicationcredential and password)`);
      continue;
    }
    let caPem: string | undefined;
    if (c.cacert) {
      const ca = readCa(c.cacert);
      if (typeof ca !== 'string') {
        refuse(ca.error);
        continue;
      }
      caPem = ca;
    }
    const iface = (c.interface ?? c.endpoint_type ?? 'public').replace(/URL$/, '').toLowerCase();
    const settings = OpenStackSettings.safeParse({
      type: 'openstack',
      authUrl,
      auth: settingsAuth,
      ...(c.region_name ? { region: c.region_name } : {}),
      interface: iface,
      ...(caPem ? { caPem } : {}),
    });
    if (!settings.success) {
      refuse(`its settings are not usable (${settings.error.issues[0]?.path.join('.') ?? ''}: ${settings.error.issues[0]?.message ?? 'invalid'})`);
      continue;
    }
    if (secret) out.clouds.push({ name, settings: settings.data, secret });
    else out.needPassword.push({ name, settings: settings.data });
  }
  return out;
}
