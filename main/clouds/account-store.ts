// Cloud accounts: the file (account-file.ts) for settings, the keychain for each account's one
// secret. A secret is bound to the endpoint and credential identity it was saved for: a change of
// either without a new secret is refused, so an old secret is never sent to a new place.
import { randomUUID } from 'node:crypto';
import {
  CloudAccountDocument,
  CloudAccountInput,
  type CloudAccountDraft,
  secretBinding,
  type CloudAccount,
  type CloudAccountSummary,
  type CloudSettings,
} from '../../app/cloud-account.js';
import { PortholeError } from '../../app/errors.js';
import type { SecretStore } from '../secrets/secret-store.js';
import type { AccountCredential } from '../providers/provider.js';
import { CloudAccountFile, migrate } from './account-file.js';

/** Keychain entry of an account: service "Porthole", account "cloud-<uuid>/password". */
const SLOT = 'password';

export class CloudAccountStore {
  private readonly file: CloudAccountFile;

  constructor(
    dataDir: string,
    private readonly secrets: SecretStore,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.file = new CloudAccountFile(dataDir);
  }

  private summary(a: CloudAccount): CloudAccountSummary {
    const held = this.secrets.status(a.id, SLOT);
    return { ...a, secretStatus: held === 'memory-only' ? 'memory-only' : a.secretSaved ? 'saved' : 'none' };
  }

  async list(): Promise<{ accounts: CloudAccountSummary[]; notice?: string }> {
    const { doc, notice } = await this.file.read();
    return { accounts: doc.accounts.map((a) => this.summary(a)), ...(notice ? { notice } : {}) };
  }

  async get(id: string): Promise<CloudAccount> {
    const { doc } = await this.file.read();
    const account = doc.accounts.find((a) => a.id === id);
    if (!account) throw new PortholeError('cloud-account-not-found');
    return account;
  }

  /** The account with its secret, for one provider call; the secret is read now and not kept here. */
  async credential(id: string): Promise<AccountCredential<CloudSettings> & { name: string }> {
    const account = await this.get(id);
    const secret = await this.secrets.get(id, SLOT);
    if (secret === undefined) throw new PortholeError('cloud-auth-failed', 'no secret is saved for this account: edit it and enter the secret');
    return { id, name: account.name, settings: account.settings, secret };
  }

  async save(raw: CloudAccountDraft): Promise<{ account: CloudAccountSummary; secretKept: 'saved' | 'memory-only' | 'unchanged' }> {
    const input = CloudAccountInput.parse(raw);
    const stamp = this.now().toISOString();
    let secretKept: 'saved' | 'memory-only' | 'unchanged' = 'unchanged';
    const account = await this.file.update(async (doc) => {
      const existing = input.id ? doc.accounts.find((a) => a.id === input.id) : undefined;
      if (input.id && !existing) throw new PortholeError('cloud-account-not-found');
      const moved = existing !== undefined && secretBinding(existing.settings) !== secretBinding(input.settings);
      if (moved && input.secret === undefined && existing.secretSaved) {
        throw new PortholeError('bad-request', 'the API address or credential changed: enter the secret again (the saved one stays bound to the old endpoint)');
      }
      const id = existing?.id ?? `cloud-${randomUUID()}`;
      if (input.secret !== undefined) secretKept = await this.secrets.set(id, SLOT, input.secret);
      const next: CloudAccount = {
        id,
        name: input.name,
        settings: input.settings,
        createdAt: existing?.createdAt ?? stamp,
        updatedAt: stamp,
        secretSaved: input.secret !== undefined ? secretKept === 'saved' : (existing?.secretSaved ?? false),
      };
      if (existing) doc.accounts[doc.accounts.indexOf(existing)] = next;
      else doc.accounts.push(next);
      return next;
    });
    return { account: this.summary(account), secretKept };
  }

  async delete(id: string): Promise<void> {
    await this.file.update((doc) => {
      const i = doc.accounts.findIndex((a) => a.id === id);
      if (i < 0) throw new PortholeError('cloud-account-not-found');
      doc.accounts.splice(i, 1);
    });
    await this.secrets.delete(id, SLOT);
  }

  /** Accounts without any secret, in the same shape as the file. */
  async exportDocument(): Promise<CloudAccountDocument> {
    const { doc } = await this.file.read();
    return { ...doc, accounts: doc.accounts.map((a) => ({ ...a, secretSaved: false })) };
  }

  /** Adds accounts from an export; each needs its secret entered before use. Existing ids get new ones. */
  async importDocument(bundle: unknown): Promise<{ added: number }> {
    let incoming: CloudAccountDocument;
    try {
      incoming = migrate(bundle);
    } catch (err) {
      if (err instanceof PortholeError) throw err;
      throw new PortholeError('bad-request', 'not a Porthole cloud accounts export');
    }
    const stamp = this.now().toISOString();
    await this.file.update((doc) => {
      for (const a of incoming.accounts) doc.accounts.push({ ...a, id: `cloud-${randomUUID()}`, createdAt: stamp, updatedAt: stamp, secretSaved: false });
    });
    return { added: incoming.accounts.length };
  }
}
