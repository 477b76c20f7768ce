// The contract's call and event names without their schemas, for code that must stay small and
// free of zod (the Electron preload). contract.ts checks at compile time that these lists match.
export const CALL_NAMES = [
  'app.info',
  'session.open',
  'session.close',
  'session.list',
  'session.reconnect',
  'session.answerCredentials',
  'session.cancelCredentials',
  'diagnostics.run',
  'diagnostics.certificate',
  'window.fullscreen',
  'link.pending',
  'link.accept',
  'link.dismiss',
  'profiles.list',
  'profiles.save',
  'profiles.trustCertificate',
  'profiles.delete',
  'profiles.duplicate',
  'profiles.export',
  'profiles.importPreview',
  'profiles.importApply',
  'profiles.undo',
] as const;

export const EVENT_NAMES = ['session.state', 'session.credentials', 'link.request', 'menu.action'] as const;
