/** Input `diff` cannot read (a trace record without the fields it needs, a dangling reference): exit 2, with the file named by the caller. */
export class DiffInputError extends Error {
  override name = 'DiffInputError';
}
