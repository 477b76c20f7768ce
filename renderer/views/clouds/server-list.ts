// Pure helpers for the browse list (unit-tested under Node): filtering and the words for a state.
import type { CloudServer } from '../../../app/cloud-account.js';

export function matchesFilter(server: CloudServer, query: string): boolean {
  const q = query.trim().toLowerCase();
  if (!q) return true;
  return [server.name, server.id, server.status, server.node ?? '', ...server.addresses].some((t) => t.toLowerCase().includes(q));
}

/** What the item says besides its name: why there is no console, or where it runs. */
export function stateText(server: CloudServer): string {
  const where = [server.kind === 'lxc' ? 'container' : server.kind === 'qemu' ? 'VM' : '', server.node ? `on ${server.node}` : '', server.addresses.slice(0, 2).join(', ')]
    .filter(Boolean)
    .join(' · ');
  const state = server.console === 'stopped' ? `stopped (${server.status}): no console until it is started` : server.console === 'unavailable' ? `no console now (${server.status})` : server.status;
  return where ? `${state} · ${where}` : state;
}
