/**
 * The relay profiles live with the relay's protocol machines (src/protocol/relay-profile.ts); this
 * module keeps the old import path for modules outside the relay that name a profile.
 */
export { RELAY_PROFILES, STRICT_DEFAULTS, deviation, type RelayProfile, type RelayProfileName, type RelayTunables } from '../protocol/relay-profile.js';
