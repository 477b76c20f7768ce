// The pure parts of the providers: catalog choice, URL building, microversions, server states,
// Proxmox VM references (which arrive from the renderer), and the browse filter.
import { describe, expect, it } from 'vitest';
import type { OpenStackSettings } from '../../../app/cloud-account.js';
import { atLeast, parseMicroversion, toCloudServer, under } from '../../../main/providers/openstack/compute.js';
import { computeEndpoint, tokensUrl } from '../../../main/providers/openstack/keystone.js';
import { parseVmRef } from '../../../main/providers/proxmox/proxmox-provider.js';
import { matchesFilter, stateText } from '../../../renderer/views/clouds/server-list.js';

const settings: OpenStackSettings = { type: 'openstack', authUrl: 'https://k/v3', auth: { method: 'application-credential', credentialId: 'x' }, interface: 'public' };
const catalog = [
  { type: 'identity', endpoints: [{ interface: 'public', region_id: 'RegionOne', url: 'https://k/v3' }] },
  {
    type: 'compute',
    endpoints: [
      { interface: 'internal', region_id: 'RegionOne', url: 'http://10.0.0.1:8774/v2.1' },
      { interface: 'public', region_id: 'RegionTwo', url: 'https://two:8774/v2.1' },
      { interface: 'public', region_id: 'RegionOne', url: 'https://one:8774/v2.1/abc' },
    ],
  },
];

describe('OpenStack helpers', () => {
  it('picks the compute endpoint by interface and region, and refuses unusable catalog URLs', () => {
    expect(computeEndpoint(catalog, settings).href).toBe('https://two:8774/v2.1');
    expect(computeEndpoint(catalog, { ...settings, region: 'RegionOne' }).href).toBe('https://one:8774/v2.1/abc');
    expect(computeEndpoint(catalog, { ...settings, interface: 'internal' }).href).toBe('http://10.0.0.1:8774/v2.1');
    expect(() => computeEndpoint(catalog, { ...settings, region: 'Nowhere' })).toThrow(/no public compute endpoint in region Nowhere/);
    expect(() => computeEndpoint([{ type: 'compute', endpoints: [{ interface: 'public', url: 'file:///etc/passwd' }] }], settings)).toThrow(/unusable/);
    expect(() => computeEndpoint([], settings)).toThrow(/no compute service/);
  });

  it('builds URLs under an endpoint with or without the project id, and Keystone’s with or without /v3', () => {
    expect(under(new URL('https://one:8774/v2.1/abc'), '/servers/detail').href).toBe('https://one:8774/v2.1/abc/servers/detail');
    expect(under(new URL('https://one:8774/v2.1/'), '/servers').href).toBe('https://one:8774/v2.1/servers');
    expect(tokensUrl('https://k:5000').href).toBe('https://k:5000/v3/auth/tokens');
    expect(tokensUrl('https://k:5000/v3/').href).toBe('https://k:5000/v3/auth/tokens');
  });

  it('reads microversions and compares them', () => {
    expect(parseMicroversion('2.93')).toEqual([2, 93]);
    expect(parseMicroversion('')).toBeUndefined();
    expect(atLeast([2, 6], 2, 6)).toBe(true);
    expect(atLeast([2, 5], 2, 6)).toBe(false);
    expect(atLeast(undefined, 2, 6)).toBe(false);
  });

  it('maps Nova states to whether a console can be asked for', () => {
    const s = (status: string) => toCloudServer({ id: 'i', name: 'n', status, addresses: { net: [{ addr: '10.0.0.5' }] } });
    expect(s('ACTIVE')).toMatchObject({ console: 'available', addresses: ['net: 10.0.0.5'] });
    expect(s('SHUTOFF').console).toBe('stopped');
    expect(s('BUILD').console).toBe('unavailable');
    expect(stateText(s('SHUTOFF'))).toMatch(/^stopped \(SHUTOFF\)/);
    expect(matchesFilter(s('ACTIVE'), '10.0.0')).toBe(true);
    expect(matchesFilter(s('ACTIVE'), 'zzz')).toBe(false);
  });
});

describe('Proxmox VM references', () => {
  it('accepts node/qemu|lxc/vmid only', () => {
    expect(parseVmRef('pve1/qemu/100')).toEqual({ node: 'pve1', type: 'qemu', vmid: 100 });
    expect(parseVmRef('pve-2.lab/lxc/7')).toEqual({ node: 'pve-2.lab', type: 'lxc', vmid: 7 });
    for (const bad of ['../../etc', 'pve1/qemu/100/../1', 'pve1/kvm/100', '/qemu/1', 'pve1/qemu/abc', 'a b/qemu/1']) expect(() => parseVmRef(bad)).toThrow();
  });
});
