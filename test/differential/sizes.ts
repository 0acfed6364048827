/**
 * Kamailio 5.6.3's size thresholds, measured by bisection on frame bytes (bisect-sizes.ts, with
 * To-Paths 200 bytes apart: the same thresholds), pinned here: the differential suite sends
 * frames of exactly these sizes and one byte less.
 */
/** The smallest SEND frame Kamailio answers 501 and does not relay (11238 bytes are relayed). */
export const KAMAILIO_501_FROM = 11_239;
/** The smallest frame that makes Kamailio close the connection (16383 bytes get the 501). */
export const KAMAILIO_CLOSE_FROM = 16_384;
