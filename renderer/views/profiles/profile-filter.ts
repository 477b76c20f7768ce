// Pure helpers for the profile list: search, recent, and the folder tree. No DOM here.
import type { ProfileSummary } from '../../../app/profile.js';

/** Matches name, address, tags, folder and notes, case-insensitively; every word must match somewhere. */
export function matchesSearch(profile: ProfileSummary, query: string): boolean {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return true;
  const cloud = profile.endpoint.cloud;
  const haystack = [profile.name, profile.endpoint.address, profile.folder, ...profile.tags, profile.notes, ...(cloud ? [cloud.serverName, cloud.cloudName] : [])].join('\n').toLowerCase();
  return words.every((w) => haystack.includes(w));
}

export function recentProfiles(profiles: readonly ProfileSummary[], count = 5): ProfileSummary[] {
  return profiles
    .filter((p) => p.lastUsedAt)
    .sort((a, b) => (b.lastUsedAt ?? '').localeCompare(a.lastUsedAt ?? ''))
    .slice(0, count);
}

export interface FolderNode {
  name: string;
  path: string;
  folders: FolderNode[];
  profiles: ProfileSummary[];
}

export type SortOrder = 'name' | 'last-used';

/** By name (locale order), or most recently used first (never used last, then by name). */
export function compareProfiles(order: SortOrder): (a: ProfileSummary, b: ProfileSummary) => number {
  const byName = (a: ProfileSummary, b: ProfileSummary): number => a.name.localeCompare(b.name);
  if (order === 'name') return byName;
  return (a, b) => (b.lastUsedAt ?? '').localeCompare(a.lastUsedAt ?? '') || byName(a, b);
}

/** Builds the nested folder tree ("Customers/ACME" → Customers ▸ ACME): folders by name, profiles in `order`. */
export function folderTree(profiles: readonly ProfileSummary[], order: SortOrder = 'name'): FolderNode {
  const root: FolderNode = { name: '', path: '', folders: [], profiles: [] };
  for (const profile of profiles) {
    let node = root;
    for (const part of profile.folder ? profile.folder.split('/') : []) {
      let child = node.folders.find((f) => f.name === part);
      if (!child) {
        child = { name: part, path: node.path ? `${node.path}/${part}` : part, folders: [], profiles: [] };
        node.folders.push(child);
      }
      node = child;
    }
    node.profiles.push(profile);
  }
  const sort = (node: FolderNode): void => {
    node.folders.sort((a, b) => a.name.localeCompare(b.name));
    node.profiles.sort(compareProfiles(order));
    node.folders.forEach(sort);
  };
  sort(root);
  return root;
}
