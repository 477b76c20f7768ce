// What the browser-mode page and server agree on for signing in (see main/web/browser-auth.ts).

/** The subprotocol the contract socket speaks. */
export const API_PROTOCOL = 'porthole';
/** Prefix of the second offered subprotocol, which carries this browser's key. */
export const KEY_PROTOCOL_PREFIX = 'porthole.key.';
/** The meta tag in which the launch exchange hands the key to the page (once). */
export const KEY_META_NAME = 'porthole-key';
