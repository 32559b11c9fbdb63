/**
 * Refusals of the operator API: `{code, message}` with an ADMIN_-prefixed code
 * (or the core stage's own reject code, passed through) and a 4xx status. The
 * operator API is the project's own, not Binance's, so it does not use the
 * Binance catalogue.
 */
export class AdminError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'AdminError';
  }

  body(): { code: string; message: string } {
    return { code: this.code, message: this.message };
  }
}
