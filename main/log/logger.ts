// Structured, levelled logging (pino). Every string argument and every string field is passed
// through redactText, and well-known secret fields are censored by path.
import { pino, type DestinationStream, type Logger } from 'pino';
import { redactText } from './redact.js';

export type { Logger };

const secretPaths = ['token', 'password', 'ticket', 'secret', 'headers.authorization', 'headers.cookie', '*.token', '*.password', '*.ticket'];

function redactDeep(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return redactText(value);
  if (depth > 4 || value === null || typeof value !== 'object') return value;
  if (value instanceof Error) return { name: value.name, message: redactText(value.message), code: (value as NodeJS.ErrnoException).code };
  if (Array.isArray(value)) return value.map((v) => redactDeep(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = redactDeep(v, depth + 1);
  return out;
}

export function createLogger(options: { level?: string; destination?: DestinationStream } = {}): Logger {
  return pino(
    {
      name: 'porthole',
      level: options.level ?? process.env.PORTHOLE_LOG_LEVEL ?? 'info',
      redact: { paths: secretPaths, censor: '[redacted]' },
      hooks: {
        logMethod(args, method) {
          const cleaned = args.map((a) => redactDeep(a)) as Parameters<typeof method>;
          method.apply(this, cleaned);
        },
      },
    },
    options.destination ?? pino.destination({ dest: 2, sync: true }),
  );
}

/** A logger that drops everything, for unit tests that do not look at logs. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
