// clouds.yaml (+ secure.yaml) import: files shaped like those openstacksdk's docs and real clouds
// hand out (Horizon's "OpenStack clouds.yaml File" download, an app-credential one, a secure.yaml split).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readCloudsYaml } from '../../../main/clouds/clouds-yaml.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'porthole-clouds-yaml-'));
const caPath = path.join(dir, 'ca.pem');
const CA = '-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUQ2FGZmFrZQ==\n-----END CERTIFICATE-----';
writeFileSync(caPath, `# my private CA\n${CA}\n`);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Horizon's download, with an application credential (Identity → Application Credentials → Download clouds.yaml).
const horizonAppCred = `# This is a clouds.yaml file, which can be used by OpenStack tools as a source
# of configuration on how to connect to a cloud.
clouds:
  openstack:
    auth:
      auth_url: https://keystone.example.com:5000
      application_credential_id: "21bd8a5c4d4b4c5c8b6c8f7d5e0a1b2c"
      application_credential_secret: "Wb7vQ3p-secret-from-horizon"
    region_name: "RegionOne"
    interface: "public"
    identity_api_version: 3
    auth_type: "v3applicationcredential"
`;

// Horizon's password-style download (no password in the file: it asks), plus a secure.yaml split.
const withPassword = `clouds:
  prod:
    auth:
      auth_url: https://keystone.prod.example.org/v3
      username: "alice"
      project_id: 0f1e2d3c4b5a
      project_name: "web-team"
      user_domain_name: "Default"
      project_domain_id: "default"
    region_name: "RegionOne"
    interface: "public"
    identity_api_version: 3
    cacert: ${caPath}
  lab:
    auth:
      auth_url: http://lab.local:5000
      username: bob
      project_name: lab
    verify: false
  sso:
    auth_type: v3oidcpassword
    auth:
      auth_url: https://keystone.sso.example.org/v3
      identity_provider: corp
  byname:
    auth_type: v3applicationcredential
    auth:
      auth_url: https://keystone.example.com/v3
      application_credential_name: porthole
      username: carol
      user_domain_name: Example
`;
const secure = `clouds:
  byname:
    auth:
      application_credential_secret: s3cr3t-by-name
`;

describe('clouds.yaml import', () => {
  it('reads an application-credential cloud (Horizon download) with its secret apart from the settings', () => {
    const out = readCloudsYaml(horizonAppCred);
    expect(out.refused).toEqual([]);
    expect(out.clouds).toEqual([
      {
        name: 'openstack',
        settings: {
          type: 'openstack',
          authUrl: 'https://keystone.example.com:5000',
          auth: { method: 'application-credential', credentialId: '21bd8a5c4d4b4c5c8b6c8f7d5e0a1b2c' },
          region: 'RegionOne',
          interface: 'public',
        },
        secret: 'Wb7vQ3p-secret-from-horizon',
      },
    ]);
    expect(JSON.stringify(out.clouds[0]!.settings)).not.toContain('secret-from-horizon');
  });

  it('asks for a missing password, takes a secret from secure.yaml, copies the CA, refuses verify:false and other auth types', () => {
    const out = readCloudsYaml(withPassword, secure);
    expect(out.needPassword.map((c) => c.name)).toEqual(['prod']);
    const prod = out.needPassword[0]!.settings;
    expect(prod.auth).toEqual({ method: 'password', userName: 'alice', userDomain: 'Default', projectName: 'web-team', projectDomain: 'Default' });
    expect(prod.caPem).toBe(`${CA}\n`);
    expect(out.clouds.map((c) => [c.name, c.secret, c.settings.auth])).toEqual([
      ['byname', 's3cr3t-by-name', { method: 'application-credential-name', credentialName: 'porthole', userName: 'carol', userDomain: 'Example' }],
    ]);
    expect(out.refused).toEqual([
      { cloud: 'lab', reason: expect.stringMatching(/verify: false/) },
      { cloud: 'sso', reason: expect.stringMatching(/auth_type "v3oidcpassword" is not supported/) },
    ]);
  });

  it('refuses files that are not clouds.yaml, and unreadable CA paths by name', () => {
    expect(() => readCloudsYaml('just: [a, list')).toThrow(/not valid YAML/);
    expect(() => readCloudsYaml('foo: 1')).toThrow(/no "clouds:" section/);
    const out = readCloudsYaml(`clouds:\n  x:\n    auth_type: v3applicationcredential\n    auth: {auth_url: "https://k/v3", application_credential_id: a, application_credential_secret: b}\n    cacert: /nonexistent/ca.pem\n`);
    expect(out.refused[0]?.reason).toMatch(/cannot be read/);
  });
});
