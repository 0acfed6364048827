/**
 * Which relays of a scenario are live (a real relay reached over a socket, or a simulated relay
 * that listens for real clients): what decides whether a run needs live mode's sockets and wall
 * clock. Kept apart from live/ so that a simulated run does not load live mode at all.
 */
import type { Scenario, ScenarioRelay } from './types.js';

/** The live relays of a scenario. */
export function liveRelays(scenario: Scenario): ScenarioRelay[] {
  return scenario.nodes.filter((n): n is ScenarioRelay => n.role === 'relay' && n.live !== null);
}

/** The simulated relays of a scenario that listen for real clients (`live: { listen }`). */
export function listeningRelays(scenario: Scenario): ScenarioRelay[] {
  return scenario.nodes.filter((n): n is ScenarioRelay => n.role === 'relay' && n.listen !== null);
}

/** Whether running `scenario` needs real sockets and the wall clock. */
export function isLiveScenario(scenario: Scenario): boolean {
  return liveRelays(scenario).length > 0 || listeningRelays(scenario).length > 0;
}
