/**
 * The commented starter scenario that `msrp-sim new` writes. A test loads it, so it stays valid.
 */

export interface StarterOptions {
  /**
   * Where the JSON Schema is, relative to the new file or as a URL: adds the modeline that
   * editors with YAML language support (VS Code's YAML extension) read for completion.
   */
  schema?: string;
  /** The scenario's name. Default: `my-scenario`. */
  name?: string;
}

export function starterScenario(options: StarterOptions = {}): string {
  const modeline = options.schema !== undefined ? `# yaml-language-server: $schema=${options.schema}\n` : '';
  const name = options.name !== undefined && /^[A-Za-z0-9][A-Za-z0-9._-]*$/u.test(options.name) ? options.name : 'my-scenario';
  return `${modeline}# An msrp-sim scenario. Reference: docs/scenario-format.md
#   msrp-sim validate <this file>   checks it and lists every problem
#   msrp-sim run <this file>        runs it and writes the outputs to out/<name>/
#
# Units: times 500us, 250ms, 1.5s, 2m, 1h; sizes 2048, 40KiB, 2MB; bandwidth 10Mbit/s, 2Mbps.

name: ${name}
description: >
  A sender pushes a message to a receiver behind a firewall; each side uses its own relay.
seed: 1            # every random draw follows from it; same seed, same run
duration: 1m       # virtual time limit

defaults:
  link: { latency: 10ms, bandwidth: 100Mbit/s }   # every link, unless it says otherwise

nodes:
  # role: sender | receiver | endpoint | relay | firewall
  alice:
    role: sender
    host: alice.example.com
    relays: [relay-a]          # relays in order; the first is the one alice connects to
    password: alice-secret     # for each relay; the username is the node id
  relay-a:
    role: relay
    host: relay.a.example.com
    users: { alice: alice-secret }
  relay-b:
    role: relay
    host: relay.b.example.net
    users: { bob: bob-secret }
  fw-b:
    role: firewall
    inside: [bob]
    rules:                     # first match wins
      - { allow: outbound }
      - { deny: inbound, mode: reject }
  bob:
    role: receiver
    host: bob.example.net
    relays: [relay-b]
    password: bob-secret
    acceptTypes: [text/plain, image/jpeg]

links:
  - [alice, relay-a]
  - [relay-a, relay-b, { latency: 40ms }]
  - [relay-b, fw-b]
  - [fw-b, bob, { bandwidth: 2Mbit/s, loss: 0.1% }]

events:
  - at: 0s
    session: { id: s1, offerer: alice, answerer: bob }   # SIP INVITE, 200 OK, ACK
  - at: 500ms
    send: { session: s1, from: alice, contentType: text/plain, body: "Hello, Bob", successReport: yes }
  - at: 1s
    send: { session: s1, from: alice, contentType: image/jpeg, size: 40KiB, chunkStrategy: interruptible, chunkSize: 16KiB }
  - at: 5s
    fault: { linkDown: [relay-a, relay-b], for: 2s }      # and back up 2 s later
  - at: 30s
    end: { session: s1, by: alice }                       # SIP BYE

expect:
  - delivered: { session: s1, to: bob, within: 10s }      # both messages, complete
  - report: { to: alice, status: 200 }                    # the success REPORT
  - path: { at: bob, method: SEND, fromPath: [relay-b, relay-a, alice] }
  - none: { kind: violation }
`;
}
