// Child process for profile-store-crash.test.ts: increments a generation counter in the profile file
// as fast as it can (each step a full read-modify-write under the lock), printing "ok <gen>" after
// every committed write, until it is SIGKILLed. argv: <dataDir>
import { ProfileFile } from '../../../main/profiles/profile-file.js';

const dataDir = process.argv[2];
if (!dataDir) throw new Error('usage: crash-writer <dataDir>');
const file = new ProfileFile({ dataDir });
process.stdout.write('ready\n');
for (;;) {
  const gen = await file.update((doc) => {
    const counter = doc.profiles.find((p) => p.id === 'counter');
    const filler = doc.profiles.find((p) => p.id === 'filler');
    if (!counter || !filler) throw new Error('counter profile missing');
    const next = Number(counter.notes) + 1;
    counter.notes = String(next);
    // Vary the size of the file so a torn write could not look like a whole one.
    filler.notes = 'x'.repeat(Math.floor(Math.random() * 12_000));
    return { result: next, next: doc };
  });
  process.stdout.write(`ok ${gen}\n`);
}
