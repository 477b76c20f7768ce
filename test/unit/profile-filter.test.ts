import { describe, expect, it } from 'vitest';
import type { ProfileSummary } from '../../app/profile.js';
import { compareProfiles, folderTree, matchesSearch, recentProfiles } from '../../renderer/views/profiles/profile-filter.js';

function profile(name: string, folder: string, extra: Partial<ProfileSummary> = {}): ProfileSummary {
  return {
    id: name,
    name,
    folder,
    tags: [],
    endpoint: { kind: 'websockify', address: `wss://${name.toLowerCase().replace(/\W+/g, '-')}.example:6080/`, tokenIn: 'query', headers: {}, secretHeaders: [] },
    tls: { allowInsecure: false },
    display: { scaling: 'fit', viewOnly: false, quality: 6, compression: 2, shared: true, confirmCtrlAltDel: false },
    notes: '',
    createdAt: '2026-01-01T00:00:00Z',
    secretSlots: [],
    secretStatus: {},
    ...extra,
  };
}

const all = [
  profile('Web 01', 'Customers/ACME', { tags: ['prod'], lastUsedAt: '2026-11-01T00:00:00Z' }),
  profile('DB 01', 'Customers/ACME', { lastUsedAt: '2026-11-02T00:00:00Z' }),
  profile('Router', 'Customers/Globex'),
  profile('Lab', '', { notes: 'Ask Maria before rebooting (rack 14)' }),
];

describe('profile list logic', () => {
  it('searches name, address, folder and tags; every word must match', () => {
    expect(all.filter((p) => matchesSearch(p, 'acme')).map((p) => p.name)).toEqual(['Web 01', 'DB 01']);
    expect(all.filter((p) => matchesSearch(p, 'PROD')).map((p) => p.name)).toEqual(['Web 01']);
    expect(all.filter((p) => matchesSearch(p, 'router.example')).map((p) => p.name)).toEqual(['Router']);
    expect(all.filter((p) => matchesSearch(p, 'acme router'))).toEqual([]);
    expect(all.filter((p) => matchesSearch(p, '  '))).toHaveLength(4);
  });

  it('searches notes too', () => {
    expect(all.filter((p) => matchesSearch(p, 'maria rack')).map((p) => p.name)).toEqual(['Lab']);
  });

  it('sorts a folder by last used (never used last), or by name', () => {
    const acme = folderTree(all, 'last-used').folders[0]!.folders[0]!;
    expect(acme.profiles.map((p) => p.name)).toEqual(['DB 01', 'Web 01']);
    const names = [...all].sort(compareProfiles('last-used')).map((p) => p.name);
    expect(names).toEqual(['DB 01', 'Web 01', 'Lab', 'Router']);
    expect([...all].sort(compareProfiles('name')).map((p) => p.name)).toEqual(['DB 01', 'Lab', 'Router', 'Web 01']);
  });

  it('lists recent profiles newest first, only those used', () => {
    expect(recentProfiles(all).map((p) => p.name)).toEqual(['DB 01', 'Web 01']);
  });

  it('builds a sorted nested folder tree', () => {
    const tree = folderTree(all);
    expect(tree.profiles.map((p) => p.name)).toEqual(['Lab']);
    expect(tree.folders.map((f) => f.name)).toEqual(['Customers']);
    const customers = tree.folders[0]!;
    expect(customers.folders.map((f) => [f.path, f.profiles.map((p) => p.name)])).toEqual([
      ['Customers/ACME', ['DB 01', 'Web 01']],
      ['Customers/Globex', ['Router']],
    ]);
  });
});
