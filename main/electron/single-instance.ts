// One Porthole process per user: a second launch hands its links (argv) to the running instance,
// which focuses its window, and then quits.
import type { AppLike } from './electron-api.js';

export interface SingleInstanceDeps {
  /** Links from another launch's argv, resolved against that launch's working directory. */
  onSecondInstance(argv: string[], workingDirectory: string): void;
  /** Bring the main window to the front. */
  focus(): void;
}

/** Returns true when this process is the primary instance; otherwise it has asked the app to quit. */
export function claimSingleInstance(app: AppLike, deps: SingleInstanceDeps): boolean {
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return false;
  }
  app.on('second-instance', (_event, argv, workingDirectory) => {
    deps.focus();
    deps.onSecondInstance(Array.isArray(argv) ? argv.filter((a): a is string => typeof a === 'string') : [], typeof workingDirectory === 'string' ? workingDirectory : '');
  });
  return true;
}
