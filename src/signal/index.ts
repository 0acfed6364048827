/**
 * The SIP/SDP signalling model: SDP for MSRP media, offer/answer, who opens the connection, and
 * the SIP messages that carry them. Pure functions; the node layer carries the text.
 * (path-uri.ts stays internal: it gives way to the wire URI codec.)
 */
export * from './sdp.js';
export * from './media-types.js';
export * from './connection-setup.js';
export * from './offer-answer.js';
export * from './sip.js';
