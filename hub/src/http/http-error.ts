/** An error answered as `{error, message}` with its status, by the server's error handler. */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export const errorBody = { type: 'object', properties: { error: { type: 'string' }, message: { type: 'string' } } } as const;
