// A stored profile read back as the editor's input, so main can save it again through the store's
// ordinary path (endpoint binding, validation) with only the given fields changed.
import type { Profile, ProfileInput } from '../../app/profile.js';

export function inputFromProfile(p: Profile, changes: Partial<ProfileInput> = {}): ProfileInput {
  return {
    id: p.id,
    name: p.name,
    folder: p.folder,
    tags: p.tags,
    address: p.endpoint.address,
    kind: p.endpoint.kind,
    ...(p.endpoint.originOverride ? { originOverride: p.endpoint.originOverride } : {}),
    tokenIn: p.endpoint.tokenIn,
    headers: p.endpoint.headers,
    tls: p.tls,
    display: p.display,
    notes: p.notes,
    secrets: {},
    ...changes,
  };
}
