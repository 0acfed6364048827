/**
 * The scenario file format, defined once. From this definition come the TypeScript types of a
 * file as written (`Static<>`), the loader's checks (shape.ts walks these schemas) and the JSON
 * Schema that editors use (json-schema.ts). Keys and defaults are documented in
 * docs/scenario-format.md, which follows this file.
 *
 * Symbol-keyed annotations (`Unit`, `Expect`, ..., in definition-annotations.ts) steer the
 * loader's messages; JSON.stringify leaves symbols out, so the JSON Schema stays standard.
 */
import { Kind, Type } from '../vendor/typebox.js';
import type { Static, TSchema } from '../vendor/typebox.js';
import { BANDWIDTH_PATTERN, DURATION_PATTERN, PERCENT_PATTERN, SIZE_PATTERN } from './units.js';
import { Discriminator, Expect, HOST_PATTERN, IPV4_PATTERN, KeyExpect, KeyText, MEDIA_RANGE_PATTERN, MEDIA_TYPE_PATTERN, METHOD_PATTERN, NODE_ID_PATTERN, Noun, SESSION_ID_PATTERN, StringEnum, Text, TEXT_PATTERN, Unit } from './definition-annotations.js';

// --------------------------------------------------------------------------------------------
// Building blocks

/** A string that is written into protocol text: no control characters (TEXT_PATTERN). */
function text(noun: string, options: { description?: string; minLength?: number } = {}) {
  return Type.String({ ...options, pattern: TEXT_PATTERN, [Text]: noun });
}
function nodeId(description: string) {
  return Type.String({ pattern: NODE_ID_PATTERN, description, [Expect]: 'a node id (letters, digits, `-` and `_`)' });
}
function sessionId(description: string) {
  return Type.String({ pattern: SESSION_ID_PATTERN, description, [Expect]: 'a session id (letters, digits, `-` and `_`)' });
}
/** `host:port` of a real socket (live mode); `[v6]:port` for an IPv6 address. */
function liveAddress(description: string) {
  return Type.String({ pattern: '^(?:[A-Za-z0-9._-]+|\\[[0-9A-Fa-f:.]+\\]):[0-9]{1,5}$', description, examples: ['127.0.0.1:2855'], [Expect]: 'an address `host:port` (e.g. 127.0.0.1:2855)' });
}
function duration(description: string) {
  return Type.String({ pattern: DURATION_PATTERN, description, examples: ['250ms', '1.5s', '2m'], [Unit]: 'duration' });
}
function seconds(description: string) {
  return Type.Union([Type.Integer({ minimum: 0 }), Type.String({ pattern: DURATION_PATTERN })], { description, examples: [600, '10m'], [Unit]: 'seconds' });
}
function size(description: string) {
  return Type.Union([Type.Integer({ minimum: 0 }), Type.String({ pattern: SIZE_PATTERN })], { description, examples: [2048, '40KiB', '2MB'], [Unit]: 'size' });
}
function bandwidth(description: string) {
  return Type.String({ pattern: BANDWIDTH_PATTERN, description, examples: ['10Mbit/s', '100kbit/s', '1Gbit/s'], [Unit]: 'bandwidth' });
}
function probability(description: string) {
  return Type.Union([Type.Number({ minimum: 0, maximum: 1 }), Type.String({ pattern: PERCENT_PATTERN })], { description, examples: [0.01, '1%'], [Unit]: 'probability' });
}
function yesNo(description: string) {
  return Type.Union([StringEnum(['yes', 'no'], 'yes or no'), Type.Boolean()], { description, [Expect]: '`yes` or `no`' });
}
/**
 * An on/off setting: `true` or `false`, and also `yes` or `no`, which YAML 1.2 reads as strings but
 * people write as booleans (the format's own report settings are `yes` / `no`). The loader turns
 * `yes` / `no` into booleans.
 */
function flag(description: string) {
  return Type.Unsafe<boolean>({ [Kind]: 'Flag', anyOf: [{ type: 'boolean' }, { type: 'string', enum: ['yes', 'no'] }], description, [Expect]: '`true` or `false` (or `yes` / `no`)' });
}
function count(description: string) {
  return Type.Integer({ minimum: 0, description });
}
function status(description: string) {
  return Type.Integer({ minimum: 100, maximum: 999, description, [Expect]: 'a status code from 100 to 999' });
}
function method(description: string) {
  return Type.String({ pattern: METHOD_PATTERN, description, examples: ['SEND', 'REPORT', 'AUTH'], [Expect]: 'an MSRP method in capitals (`SEND`, `REPORT`, `AUTH`)' });
}
function linkEnds(description: string) {
  return Type.Tuple([nodeId('One end of the link.'), nodeId('The other end of the link.')], { description, [Expect]: 'a link `[a, b]`' });
}
function strict<T extends Parameters<typeof Type.Object>[0]>(properties: T, description: string, extra: Record<string | symbol, unknown> = {}) {
  return Type.Object(properties, { additionalProperties: false, description, ...extra });
}
const O = Type.Optional;

// --------------------------------------------------------------------------------------------
// Nodes

const host = () => Type.String({ pattern: HOST_PATTERN, maxLength: 253, [Text]: 'the host name', description: 'Host name of the node, resolved by the scenario\'s name table. Default: the node id (lower case, `_` as `-`) followed by `.test`.', [Expect]: 'a host name' });
const address = () => Type.String({ pattern: IPV4_PATTERN, description: 'IPv4 address. Default: assigned per network segment by the simulator.', [Expect]: 'an IPv4 address' });
const port = (dflt: string) => Type.Integer({ minimum: 1, maximum: 65535, description: `TCP port the node listens on. Default: ${dflt}.` });
const tls = () =>
  strict(
    {
      version: O(Type.Union([StringEnum(['1.2', '1.3'], 'TLS version'), Type.Literal(1.2), Type.Literal(1.3)], { description: 'TLS version for `msrps` connections: 1.2 (two round trips) or 1.3 (one). Default: 1.3.', [Expect]: '`1.2` or `1.3`' })),
    },
    'TLS settings.',
  );
const certificateNames = () =>
  Type.Array(text('the certificate name', { minLength: 1 }), { description: 'Names in the node\'s TLS server certificate (subjectAltName dNSName), checked against the URI host by peers. Default: the node\'s host. Set other names to provoke certificate failures.' });

/** Endpoint settings that may also be set in `defaults` and changed by a `set` action. */
const endpointBehaviour = {
  acceptTypes: O(Type.Array(Type.String({ pattern: MEDIA_RANGE_PATTERN, [Text]: 'the media type', [Expect]: 'a media type such as `text/plain`, `image/*` or `*`' }), { description: 'Media types the node accepts (SDP a=accept-types): `type/subtype`, `type/*` or `*`. Default: `[*]`.' })),
  acceptWrappedTypes: O(Type.Array(Type.String({ pattern: MEDIA_RANGE_PATTERN, [Text]: 'the media type', [Expect]: 'a media type such as `text/plain`, `image/*` or `*`' }), { description: 'Media types accepted inside containers such as message/cpim (SDP a=accept-wrapped-types). Default: none.' })),
  maxSize: O(size('Largest complete message the node wishes to receive (SDP a=max-size). Default: no limit announced.')),
  chunkSize: O(size('Body bytes per SEND chunk. Default: 2048.')),
  chunkStrategy: O(StringEnum(['fixed', 'interruptible'], 'How messages are chunked: `fixed` (Byte-Range with a known end) or `interruptible` (range end `*`, RFC 4975 §7.1.1). Default: fixed.')),
  successReport: O(yesNo('Default Success-Report header of messages the node sends. Default: no.')),
  failureReport: O(Type.Union([StringEnum(['yes', 'no', 'partial'], 'Failure-Report value'), Type.Boolean()], { description: 'Default Failure-Report header of messages the node sends: yes, no or partial. Default: yes.', [Expect]: '`yes`, `no` or `partial`' })),
  transactionTimeout: O(duration('Time to wait for the response to a request before the transaction fails. Default: 30s.')),
  authExpires: O(seconds('Expires value the node asks for in AUTH requests (seconds or a time). Default: none (the relay chooses).')),
  connectionModel: O(StringEnum(['rfc4975', 'rfc6135'], 'Who opens the connection: `rfc4975` (the offerer, actively) or `rfc6135` (negotiated with SDP a=setup). Default: rfc4975.')),
  reachable: O(flag('Whether the node\'s address is reachable from outside (RFC 6135: a reachable offerer offers actpass, else active). Default: false for nodes inside a firewall, true otherwise.')),
  onSessionFailure: O(StringEnum(['report', 'reestablish'], 'What to do when a session\'s connection fails: `report` the failure, or `reestablish` the session with a new offer. Default: report.')),
};

const relayRef = () =>
  Type.Union(
    [
      nodeId('Id of a relay node; the username is the node id and the password the node\'s `password`.'),
      strict(
        {
          relay: nodeId('Id of the relay node.'),
          username: O(text('the username', { minLength: 1, description: 'Username for Digest authentication to this relay. Default: the node id.' })),
          password: O(text('the password', { description: 'Password for this relay. Default: the node\'s `password`.' })),
          digestUri: O(
            Type.Boolean({
              description:
                'Whether the Digest Authorization carries the `uri` parameter (RFC 2617 requires it). `false` leaves it out, as an AG Projects msrprelay needs: it never answers credentials that carry it (docs/relay-profiles.md). Default: true.',
            }),
          ),
          authPerSession: O(
            Type.Boolean({
              description:
                'Whether the node AUTHs to this relay once per session, as AG Projects\' client does: a new connection to the relay for each session, an AUTH on it whose From-Path is the session\'s URI, its Use-Path for that session only (never renewed). An msrprelay relay needs it: it binds the session an AUTH grants to that AUTH\'s From-Path and connection (docs/relay-profiles.md). Only with a single relay. Default: false (one AUTH for the node, RFC 4976 §5.1).',
            }),
          ),
        },
        'A relay with its own credentials.',
      ),
    ],
    { [Expect]: 'a relay node id or a mapping `{ relay, username, password }`' },
  );

const endpointIdentity = {
  host: O(host()),
  address: O(address()),
  port: O(port('2855')),
  scheme: O(StringEnum(['msrp', 'msrps'], 'Scheme of the node\'s own MSRP URI: `msrp` (TCP) or `msrps` (TLS). Connections to relays use the relay\'s scheme. Default: msrp.')),
  tls: O(tls()),
  certificateNames: O(certificateNames()),
};

function endpointNode<R extends 'sender' | 'receiver' | 'endpoint'>(role: R, what: string) {
  return strict(
    {
      role: Type.Literal(role, { description: what }),
      ...endpointIdentity,
      relays: O(Type.Array(relayRef(), { description: 'Relays the node uses, in order: the first is the one it connects to (RFC 4976). Each is a relay node id or `{ relay, username, password, digestUri, authPerSession }`. Default: none.' })),
      password: O(text('the password', { description: 'Password for every relay in `relays` that does not give its own; the username defaults to the node id.' })),
      ...endpointBehaviour,
    },
    what,
  );
}

const firewallRule = () =>
  strict(
    {
      allow: O(StringEnum(['inbound', 'outbound', 'any'], 'Allow connections in this direction.')),
      deny: O(StringEnum(['inbound', 'outbound', 'any'], 'Deny connections in this direction.')),
      port: O(Type.Integer({ minimum: 1, maximum: 65535, description: 'Match only connections to this destination port.' })),
      host: O(Type.String({ minLength: 1, description: 'Match only connections to this destination: a node id, a host name or an IPv4 address.' })),
      tlsOnly: O(flag('Match only connections that start with a TLS handshake. Default: false.')),
      // SPEC §3.3 names this facet `tls-only`; files written from it use that spelling.
      'tls-only': O(flag('The same as `tlsOnly` (the spelling of SPEC §3.3).')),
      mode: O(StringEnum(['drop', 'reject'], 'For `deny` rules: `drop` the SYN (the caller times out) or `reject` it (the caller sees a reset). Default: drop.')),
      id: O(Type.String({ minLength: 1, description: 'Name of the rule in traces. Default: `rule-N`, N counting rules from 1.' })),
    },
    'A firewall rule; the first rule that matches a new connection decides. Exactly one of `allow` or `deny`.',
    { oneOf: [{ required: ['allow'] }, { required: ['deny'] }], [Noun]: 'a firewall rule' },
  );

const firewallDefault = () =>
  Type.Union(
    [
      StringEnum(['allow', 'deny'], 'The same action for both directions.'),
      strict(
        {
          inbound: O(StringEnum(['allow', 'deny'], 'Inbound connections that no rule matches. Default: deny.')),
          outbound: O(StringEnum(['allow', 'deny'], 'Outbound connections that no rule matches. Default: allow.')),
          mode: O(StringEnum(['drop', 'reject'], 'How the default denies: drop or reject. Default: drop.')),
        },
        'Default action per direction.',
      ),
    ],
    { description: 'What happens to connections no rule matches. Default: outbound allowed, inbound denied (dropped).', [Expect]: '`allow`, `deny` or `{ inbound, outbound, mode }`' },
  );

const firewallBehaviour = {
  default: O(firewallDefault()),
  idleTimeout: O(duration('How long a tracked connection may stay idle before the firewall forgets it. Default: 2h4m (the least RFC 5382 allows).')),
  idleMode: O(StringEnum(['drop', 'reset'], 'What happens to a connection whose state timed out: its next segments are `drop`ped, or both sides get a `reset`. Default: drop.')),
};

const firewallSettings = {
  rules: O(Type.Array(firewallRule(), { description: 'Rules in order, first match wins, e.g. `{ allow: outbound }`, `{ deny: inbound, port: 2855, mode: reject }`.' })),
  ...firewallBehaviour,
  nat: O(
    Type.Union([flag('NAT on (`true`) or off (`false`).'), strict({ address: O(address()) }, 'NAT settings.')], {
      description: 'Network address translation: outbound connections get the firewall\'s outside address and a mapped port. `true`, or `{ address }` for the outside address. Default: no NAT.',
      [Expect]: '`true`, `false` or `{ address }`',
    }),
  ),
  policy: O(
    strict(
      {
        maxFrame: O(size('Largest MSRP frame let through; a larger one is stopped at the segment where it is known to be larger (its Byte-Range, or the bytes seen of it).')),
        methods: O(Type.Array(method('An allowed method.'), { description: 'MSRP methods let through. Default: all.' })),
        contentTypes: O(Type.Array(Type.String({ pattern: MEDIA_RANGE_PATTERN, [Text]: 'the media type', [Expect]: 'a media type such as `text/plain`, `image/*` or `*`' }), { description: 'Content types of SEND bodies let through. Default: all.' })),
        action: O(StringEnum(['drop', 'reset'], 'What happens to a frame that breaks the policy: `drop` it or `reset` the connection. Default: drop.')),
      },
      'MSRP-aware policy, as session border controllers apply it.',
    ),
  ),
};

const relayBehaviour = {
  port: O(port('2855')),
  scheme: O(StringEnum(['msrp', 'msrps'], 'Scheme of the relay\'s URI. RFC 4976 relays use TLS. Default: msrps.')),
  expires: O(
    strict(
      {
        min: O(seconds('Shortest Expires the relay grants (Min-Expires). Default: 60.')),
        default: O(seconds('Expires granted when an AUTH asks for none. Default: 1800 (600 with the msrprelay profile).')),
        max: O(seconds('Longest Expires the relay grants (Max-Expires). Default: 3600.')),
      },
      'Expires bounds of AUTH, in seconds or as times (RFC 4976 §7).',
    ),
  ),
  maxChunk: O(size('Largest chunk body the relay forwards; larger chunks are re-chunked (RFC 4976 §6.4.1). Default: no re-chunking.')),
  probation: O(duration('How long a new connection may go without a successful request before the relay closes it (RFC 4976 §6.1). Default: 30s.')),
  maxFailedAuths: O(Type.Integer({ minimum: 1, description: 'Failed AUTHs on a connection before the relay closes it (RFC 4976 §6.3). Default: 3.' })),
  nonceLifetime: O(duration('How long a Digest nonce stays valid. Default: 5m (15s with the msrprelay profile).')),
  idleLimit: O(duration('How long a connection may carry no MSRP traffic in either direction, with nothing pending on it, before the relay closes it (RFC 4976 §6.5 suggests more than 1h). Default: no limit.')),
  transactionTimeout: O(duration('Time to wait for the next hop\'s response before the relay reports 408 (RFC 4976 §3). Default: 30s.')),
  profile: O(StringEnum(['rfc4976', 'kamailio', 'msrprelay', 'opensips'], 'Behaviour preset: the strict RFC 4976 relay, or one of the documented deviations of Kamailio, msrprelay and OpenSIPS. Default: rfc4976.')),
  tls: O(tls()),
};

const relayNode = strict(
  {
    role: Type.Literal('relay', { description: 'An MSRP relay (RFC 4976).' }),
    host: O(host()),
    address: O(address()),
    realm: O(text('the realm', { minLength: 1, description: 'Digest realm. Default: the host.' })),
    users: O(
      Type.Record(Type.String({ pattern: TEXT_PATTERN }), text('the password'), {
        additionalProperties: false,
        [KeyText]: 'the username',
        [KeyExpect]: 'a username without control characters',
        description: 'Users that may authenticate: a mapping from username to password (no control characters in either).',
      }),
    ),
    certificateNames: O(certificateNames()),
    ...relayBehaviour,
    live: O(
      strict(
        {
          connect: O(liveAddress('Where the real relay listens (`host:port`). The endpoints that use this relay open real connections to it there; `msrp-sim run --live ID=HOST:PORT` overrides it.')),
          listen: O(liveAddress('The relay stays simulated and also listens on this real address (`host:port`) for real MSRP clients, which AUTH and relay through it as through the simulated endpoints\' connections. Give `connect` or `listen`, not both.')),
          cert: O(text('a file name', { minLength: 1, description: 'listen, msrps: PEM file of the certificate the relay presents to real clients (relative to the scenario file); needs `key`.' })),
          key: O(text('a file name', { minLength: 1, description: 'listen, msrps: PEM file of that certificate\'s key (relative to the scenario file); needs `cert`.' })),
          ca: O(text('a file name', { minLength: 1, description: 'msrps: PEM file of the certificate authorities the relay\'s certificate is checked against (relative to the scenario file). Default: the system\'s.' })),
          serverName: O(Type.String({ pattern: HOST_PATTERN, maxLength: 253, [Text]: 'the server name', description: 'msrps: the name sent in SNI and checked against the relay\'s certificate. Default: the host of `connect`.', [Expect]: 'a host name' })),
          clientCert: O(text('a file name', { minLength: 1, description: 'msrps: PEM file of the client certificate the endpoints present (relative to the scenario file); needs `clientKey`.' })),
          clientKey: O(text('a file name', { minLength: 1, description: 'msrps: PEM file of the client certificate\'s key (relative to the scenario file); needs `clientCert`.' })),
        },
        'Live mode (docs/live.md): `connect` makes the relay a real one, reached over real sockets (links, firewalls and faults cannot apply to it); `listen` keeps it simulated and opens a real listener for real clients.',
      ),
    ),
  },
  'An MSRP relay (RFC 4976).',
);

const firewallNode = strict(
  {
    role: Type.Literal('firewall', { description: 'A stateful firewall between zones, with optional NAT and MSRP policy.' }),
    host: O(host()),
    address: O(address()),
    inside: Type.Array(nodeId('A node inside.'), { minItems: 1, description: 'Ids of the nodes on the inside; everything else is outside.' }),
    ...firewallSettings,
  },
  'A stateful firewall between zones, with optional NAT and MSRP policy.',
);

const ScenarioNode = Type.Union(
  [
    endpointNode('sender', 'A Push Sender Agent: an MSRP endpoint that sends (and can receive).'),
    endpointNode('receiver', 'A Push Receiver Agent: an MSRP endpoint that receives (and can send).'),
    endpointNode('endpoint', 'An MSRP endpoint that sends and receives.'),
    relayNode,
    firewallNode,
  ],
  { description: 'A node; `role` says which kind.', [Discriminator]: 'role', [Expect]: 'a node: a mapping with a `role`' },
);

// --------------------------------------------------------------------------------------------
// Links and defaults

const linkSettings = {
  latency: O(duration('One-way latency. Default: 1ms.')),
  jitter: O(duration('Random extra delay per segment, seeded; never reorders a connection\'s bytes. Default: 0s.')),
  bandwidth: O(bandwidth('Bandwidth per direction (serialization delay, FIFO queue). Default: 1Gbit/s.')),
  loss: O(probability('Probability that a segment is lost (it is retransmitted after the RTO): 0 to 1, or a percentage. Default: 0.')),
  mss: O(Type.Integer({ minimum: 1, maximum: 65495, description: 'Largest TCP segment payload in bytes. Default: 1460.' })),
};
const LinkOptions = strict(linkSettings, 'Settings of one link, over `defaults.link`.');

const ScenarioLink = Type.Union([Type.Tuple([nodeId('One end.'), nodeId('The other end.')]), Type.Tuple([nodeId('One end.'), nodeId('The other end.'), LinkOptions])], {
  description: 'A link between two nodes: `[a, b]` or `[a, b, { latency, jitter, bandwidth, loss, mss }]`.',
  [Expect]: 'a link `[a, b]` or `[a, b, { options }]`',
});

const Defaults = strict(
  {
    link: O(strict(linkSettings, 'Settings of every link, under each link\'s own.')),
    signallingDelay: O(duration('One-way delay of SIP signalling between two nodes (not filtered by firewalls). Default: 20ms.')),
    inviteTimeout: O(duration('How long an INVITE waits for its final response before its session fails (RFC 3261 Timer B, 64 × T1). Default: 32s.')),
    tcp: O(
      strict(
        {
          connectTimeout: O(duration('How long a connect waits for the handshake before it fails. Default: 20s.')),
          rto: O(duration('Initial retransmission timeout; it doubles with each retry. Default: 1s (RFC 6298).')),
          maxRetries: O(Type.Integer({ minimum: 0, maximum: 64, description: 'Retransmissions of a segment before the connection aborts. Default: 8.' })),
        },
        'TCP settings for every connection.',
      ),
    ),
    endpoint: O(strict({ port: O(port('2855')), scheme: endpointIdentity.scheme, tls: O(tls()), ...endpointBehaviour }, 'Settings for every sender, receiver and endpoint, under their own.')),
    sender: O(strict({ port: O(port('2855')), scheme: endpointIdentity.scheme, tls: O(tls()), ...endpointBehaviour }, 'Settings for every sender, over `defaults.endpoint`.')),
    receiver: O(strict({ port: O(port('2855')), scheme: endpointIdentity.scheme, tls: O(tls()), ...endpointBehaviour }, 'Settings for every receiver, over `defaults.endpoint`.')),
    relay: O(strict(relayBehaviour, 'Settings for every relay, under their own.')),
    firewall: O(strict(firewallBehaviour, 'Settings for every firewall, under their own.')),
  },
  'Defaults for links, the network and each role of node.',
);

// --------------------------------------------------------------------------------------------
// Events

const direction = () => StringEnum(['forward', 'backward', 'both'], 'Which way: `forward` from the first node of `link` to the second, `backward`, or `both`. Default: both.');

const Fault = strict(
  {
    linkDown: O(linkEnds('Take a link down.')),
    linkUp: O(linkEnds('Bring a link back up.')),
    crash: O(nodeId('Crash a node: its state is lost and its connections reset.')),
    restart: O(nodeId('Restart a crashed node.')),
    resetConnection: O(strict({ node: nodeId('The node whose connections are reset.'), peer: O(nodeId('Only the connection to this peer. Default: all of the node\'s connections.')) }, 'Reset a node\'s connection (TCP RST both ways).')),
    flushFirewall: O(nodeId('Flush a firewall\'s connection state.')),
    partition: O(Type.Array(Type.Array(nodeId('A node in this group.'), { minItems: 1 }), { minItems: 2, description: 'Split the network into groups (lists of node ids); links between groups go down.' })),
    heal: O(Type.Literal(true, { description: 'End every partition.' })),
    setLink: O(
      strict(
        { link: linkEnds('The link to change.'), latency: linkSettings.latency, jitter: linkSettings.jitter, bandwidth: linkSettings.bandwidth, loss: linkSettings.loss, mss: linkSettings.mss },
        'Change a link\'s settings from now on.',
        { anyOf: [{ required: ['latency'] }, { required: ['jitter'] }, { required: ['bandwidth'] }, { required: ['loss'] }, { required: ['mss'] }], [Noun]: '`setLink`' },
      ),
    ),
    expireTokens: O(nodeId('Make a relay forget every token (Use-Path URI) it has granted.')),
    dropSegment: O(
      strict(
        { link: linkEnds('The link.'), nth: Type.Integer({ minimum: 1, description: 'Drop the n-th TCP segment on the link, counting from this event (1 = the next one).' }), direction: O(direction()) },
        'Drop the n-th TCP segment on a link.',
      ),
    ),
    dropFrame: O(
      strict(
        {
          link: linkEnds('The link.'),
          nth: Type.Integer({ minimum: 1, description: 'Drop the n-th matching MSRP frame on the link, counting from this event (1 = the next one).' }),
          method: O(method('Count only requests with this method.')),
          status: O(status('Count only responses with this status.')),
          direction: O(direction()),
        },
        'Drop the n-th MSRP frame of a kind on a link (the segments that carry it).',
        { not: { required: ['method', 'status'] } },
      ),
    ),
    for: O(duration('For `linkDown`, `crash` and `partition`: undo the fault after this time (linkUp, restart, heal).')),
  },
  'A fault of the network or of a node (exactly one kind, with `for` where it applies).',
  {
    oneOf: ['linkDown', 'linkUp', 'crash', 'restart', 'resetConnection', 'flushFirewall', 'partition', 'heal', 'setLink', 'expireTokens', 'dropSegment', 'dropFrame'].map((k) => ({ required: [k] })),
    [Noun]: 'a fault',
  },
);

const Send = strict(
  {
    session: sessionId('The session to send on.'),
    from: nodeId('The sending node, a party of the session.'),
    contentType: O(Type.String({ pattern: MEDIA_TYPE_PATTERN, [Text]: 'the media type', description: 'Content-Type of the message. Default: text/plain with `body`, application/octet-stream with `size`.', [Expect]: 'a media type such as `text/plain`' })),
    body: O(Type.String({ description: 'The message body, as text (sent as UTF-8).' })),
    size: O(size('Send generated content of this many bytes instead of a `body`.')),
    chunkSize: O(size('Body bytes per chunk. Default: the sender\'s `chunkSize`.')),
    chunkStrategy: endpointBehaviour.chunkStrategy,
    successReport: O(yesNo('Success-Report header. Default: the sender\'s `successReport`.')),
    failureReport: O(Type.Union([StringEnum(['yes', 'no', 'partial'], 'Failure-Report value'), Type.Boolean()], { description: 'Failure-Report header. Default: the sender\'s `failureReport`.', [Expect]: '`yes`, `no` or `partial`' })),
    force: O(flag('Send even what the peer\'s accept-types or max-size refuse (to test the receiver). Default: false.')),
    abortAfter: O(size('Abort the message (end-line flag `#`) once this many body bytes are sent.')),
    count: O(Type.Integer({ minimum: 1, description: 'Send this many messages. Default: 1.' })),
    interval: O(duration('Time between the messages when `count` is more than 1. Default: 0s.')),
  },
  'Send a message: a text `body` or generated content of a `size`.',
  { oneOf: [{ required: ['body'] }, { required: ['size'] }], [Noun]: '`send`' },
);

/** Node settings a `set` action may change: the behaviour of every role, not its identity. */
const settable = {
  ...endpointBehaviour,
  password: O(text('the password', { description: 'Endpoints: new password for every relay.' })),
  users: relayNode.properties.users,
  realm: relayNode.properties.realm,
  certificateNames: O(certificateNames()),
  expires: relayBehaviour.expires,
  maxChunk: relayBehaviour.maxChunk,
  probation: relayBehaviour.probation,
  maxFailedAuths: relayBehaviour.maxFailedAuths,
  nonceLifetime: relayBehaviour.nonceLifetime,
  idleLimit: relayBehaviour.idleLimit,
  profile: relayBehaviour.profile,
  ...firewallSettings,
};
export const SETTABLE_KEYS = Object.keys(settable);

const ScenarioEvent = strict(
  {
    at: duration('When the action happens, in virtual time from the start.'),
    id: O(Type.String({ pattern: NODE_ID_PATTERN, description: 'A name for the event, by which a sweep sets its fields (`events[big-push].send.size`); ignored by a run.', [Expect]: 'an event name (letters, digits, `-` and `_`)' })),
    session: O(
      strict(
        { id: sessionId('Id of the new session, used by later events and expectations.'), offerer: nodeId('The endpoint that sends the SDP offer.'), answerer: nodeId('The endpoint that answers.') },
        'Open an MSRP session: SIP INVITE with an SDP offer, 200 OK with the answer, ACK.',
      ),
    ),
    send: O(Send),
    end: O(strict({ session: sessionId('The session to end.'), by: O(nodeId('The party that sends BYE. Default: the offerer.')) }, 'End a session (SIP BYE).')),
    auth: O(strict({ node: nodeId('The endpoint that authenticates again to each of its relays.') }, '(Re-)authenticate an endpoint to its relays.')),
    fault: O(Fault),
    set: O(strict({ node: nodeId('The node to change.'), ...settable }, 'Change settings of a node from now on (a firewall\'s rules, say); only settings of the node\'s role.')),
    raw: O(
      strict(
        {
          node: nodeId('The node that sends the bytes.'),
          session: O(sessionId('Send on the connection of this session.')),
          to: O(nodeId('Send on the connection to this peer (opened if needed).')),
          bytes: O(Type.String({ description: 'The bytes as text; the escapes \\r \\n \\t \\\\ and \\xHH are decoded.' })),
          lines: O(Type.Array(Type.String(), { description: 'The bytes as lines, each ended by CRLF (escapes decoded as in `bytes`).' })),
          hex: O(Type.String({ pattern: '^[0-9A-Fa-f\\s]*$', description: 'The bytes in hexadecimal (spaces and line breaks ignored).', [Expect]: 'hexadecimal digits' })),
          base64: O(Type.String({ pattern: '^[A-Za-z0-9+/=\\s]*$', description: 'The bytes in base64.', [Expect]: 'base64 text' })),
        },
        'Send raw bytes on a node\'s connection (malformed frames, forged paths). Exactly one of `bytes`, `lines`, `hex`, `base64`; `session` or `to` picks the connection.',
        { oneOf: [{ required: ['bytes'] }, { required: ['lines'] }, { required: ['hex'] }, { required: ['base64'] }], anyOf: [{ required: ['session'] }, { required: ['to'] }], [Noun]: '`raw`' },
      ),
    ),
  },
  'Something that happens at a time: `at` and exactly one action.',
  { oneOf: ['session', 'send', 'end', 'auth', 'fault', 'set', 'raw'].map((k) => ({ required: [k] })), [Noun]: 'an event' },
);

// --------------------------------------------------------------------------------------------
// Expectations

const pathItem = () => Type.String({ minLength: 1, [Expect]: 'a node id or an MSRP URI' });

const ScenarioExpectation = strict(
  {
    delivered: O(
      strict(
        {
          session: sessionId('The session.'),
          to: nodeId('The party that receives.'),
          messages: O(Type.Integer({ minimum: 0, description: 'How many messages arrive complete and intact. Default: every message sent to it on the session.' })),
          within: O(duration('Each message arrives within this time of its send event.')),
        },
        'Messages arrive complete and intact.',
      ),
    ),
    report: O(
      strict(
        {
          to: nodeId('The node the REPORT reaches.'),
          status: status('Status in the REPORT\'s Status header.'),
          session: O(sessionId('Only REPORTs of this session.')),
          count: O(count('Exactly this many such REPORTs. Default: at least one.')),
          before: O(duration('It arrives before this time.')),
        },
        'A REPORT with a status reaches a node.',
      ),
    ),
    response: O(
      strict(
        {
          to: nodeId('The node the response reaches.'),
          status: status('Status code of the response.'),
          method: O(method('Only responses to requests of this method.')),
          session: O(sessionId('Only responses within this session.')),
          count: O(count('Exactly this many such responses. Default: at least one.')),
          before: O(duration('It arrives before this time.')),
        },
        'A transaction response with a status reaches a node.',
      ),
    ),
    path: O(
      strict(
        {
          at: nodeId('The node where the frames arrive.'),
          method: method('Requests of this method.'),
          session: O(sessionId('Only frames of this session.')),
          toPath: O(Type.Array(pathItem(), { minItems: 1, description: 'The exact To-Path: node ids (their URIs, session part ignored) or MSRP URIs.' })),
          fromPath: O(Type.Array(pathItem(), { minItems: 1, description: 'The exact From-Path: node ids (their URIs, session part ignored) or MSRP URIs.' })),
        },
        'Every such request arriving at the node (at least one) has exactly this To-Path and/or From-Path.',
        { anyOf: [{ required: ['toPath'] }, { required: ['fromPath'] }], [Noun]: '`path`' },
      ),
    ),
    connection: O(
      strict(
        {
          from: nodeId('The node that connects.'),
          to: nodeId('The node it connects to.'),
          state: StringEnum(['opened', 'refused', 'blocked', 'timeout'], 'What becomes of the attempt: `opened`, `refused` (no listener), `blocked` (a firewall dropped or rejected it) or `timeout`.'),
          before: O(duration('It happens before this time.')),
        },
        'A connection attempt from one node to another ends in a state.',
      ),
    ),
    none: O(
      strict(
        {
          kind: StringEnum(['response', 'report', 'violation', 'drop', 'reset', 'timeout'], 'What must not happen: a `response`, a `report`, a protocol `violation`, a firewall `drop`, a connection `reset`, a transaction `timeout`.'),
          status: O(status('Only with this status (responses and REPORTs).')),
          rule: O(Type.String({ minLength: 1, description: 'Only with this rule: a CHECKLIST id such as `R-17` (violations) or a firewall rule id (drops).' })),
          at: O(nodeId('Only at this node.')),
          method: O(method('Only responses to this method.')),
        },
        'Nothing of a kind happens.',
      ),
    ),
    count: O(
      strict(
        {
          link: linkEnds('The link.'),
          method: O(method('Count requests of this method.')),
          status: O(status('Count responses with this status.')),
          direction: O(direction()),
          frames: O(Type.Integer({ minimum: 0, description: 'Exactly this many frames.' })),
          min: O(Type.Integer({ minimum: 0, description: 'At least this many frames.' })),
          max: O(Type.Integer({ minimum: 0, description: 'At most this many frames.' })),
        },
        'How many MSRP frames of a kind cross a link.',
        { not: { required: ['method', 'status'] }, anyOf: [{ required: ['frames'] }, { required: ['min'] }, { required: ['max'] }], [Noun]: '`count`' },
      ),
    ),
  },
  'An expectation checked after the run: exactly one kind.',
  { oneOf: ['delivered', 'report', 'response', 'path', 'connection', 'none', 'count'].map((k) => ({ required: [k] })), [Noun]: 'an expectation' },
);

// --------------------------------------------------------------------------------------------
// The file

export const ScenarioFileSchema = strict(
  {
    $schema: O(Type.String({ description: 'The JSON Schema of this file, for editors; ignored by msrp-sim.' })),
    name: Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$', maxLength: 100, description: 'Name of the scenario; runs write to `out/<name>/` by default.', [Expect]: 'a name of letters, digits, `.`, `_` and `-`' }),
    description: O(Type.String({ description: 'What the scenario shows.' })),
    seed: O(Type.Union([Type.Integer({ minimum: 0 }), Type.String({ minLength: 1 })], { description: 'Seed of every random stream. Default: 1.', [Expect]: 'a whole number or a string' })),
    duration: O(duration('Virtual time limit of the run. Default: 10m.')),
    golden: O(StringEnum(['exact', 'msrp'], 'How `msrp-sim test` compares a run with the golden trace beside the file: `exact`, record by record and byte for byte; `msrp`, frame by frame at the MSRP level, random ids renamed and times ignored, so that the golden survives a latency change or a new trace field (docs/diff.md). `msrp-sim test --golden` overrides it. Default: exact.')),
    defaults: O(Defaults),
    nodes: Type.Record(Type.String({ pattern: NODE_ID_PATTERN }), ScenarioNode, {
      additionalProperties: false,
      [KeyExpect]: 'a node id (letters, digits, `-` and `_`, starting with a letter or digit, at most 63)',
      description: 'The nodes: a mapping from node id (letters, digits, `-`, `_`) to its settings, with `role`.',
    }),
    links: O(Type.Array(ScenarioLink, { description: 'Links between nodes: `[a, b]` or `[a, b, { options }]`.' })),
    events: O(Type.Array(ScenarioEvent, { description: 'What happens and when: each with `at` and one action.' })),
    expect: O(Type.Array(ScenarioExpectation, { description: 'Expectations checked after the run.' })),
  },
  'An msrp-sim scenario: nodes, links, timed events and expectations.',
  { [Expect]: 'a scenario: a mapping with `name`, `nodes`, `links`, `events` and `expect`' },
);

/** A scenario file as written (after its shape is checked, before units and references are). */
export type ScenarioFile = Static<typeof ScenarioFileSchema>;
export type ScenarioFileNode = Static<typeof ScenarioNode>;
export type ScenarioFileEvent = Static<typeof ScenarioEvent>;
export type ScenarioFileFault = Static<typeof Fault>;
export type ScenarioFileExpectation = Static<typeof ScenarioExpectation>;
export type ScenarioFileLink = Static<typeof ScenarioLink>;
export type ScenarioFileDefaults = Static<typeof Defaults>;

export type { TSchema };
