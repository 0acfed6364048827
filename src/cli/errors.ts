/**
 * Exit statuses of every msrp-sim command (SPEC §6) and the errors that carry them to the single
 * error boundary in main.ts.
 */
export const EXIT = {
  /** Success: all frames parsed, all expectations held. */
  ok: 0,
  /** A frame was malformed, an expectation failed or a golden differed. */
  failed: 1,
  /** Invalid input or usage. */
  usage: 2,
  /** An internal error or a run limit reached. */
  internal: 3,
} as const;

export type ExitStatus = (typeof EXIT)[keyof typeof EXIT];

/** An error the user can fix; its message is printed as is, without a stack. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitStatus: ExitStatus = EXIT.usage,
  ) {
    super(message);
    this.name = 'CliError';
  }
}
