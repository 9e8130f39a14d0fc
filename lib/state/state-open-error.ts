/** A state option or table that cannot be used; the message names the culprit. */
export class StateOpenError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StateOpenError';
  }
}
