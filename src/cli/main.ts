/** Entry point of the `msrp-sim` binary; commands are added in src/cli/commands/. */
export async function main(_argv: string[]): Promise<number> {
  return 0;
}
