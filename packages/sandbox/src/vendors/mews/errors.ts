import { jsonReply, type SandboxReply } from '../../util/http.js';

let requestCounter = 0;

/** Every MEWS response carries a `Request-Id` header (mews.md §2.4). */
export function nextRequestId(): string {
  requestCounter += 1;
  return `00000000-0000-4000-8000-${requestCounter.toString(16).padStart(12, '0')}`;
}

/** MEWS error body `{ Message, RequestId, Details }` (mews.md §5.2). */
export function mewsError(
  status: number,
  message: string,
  headers: Record<string, string> = {},
): SandboxReply {
  const requestId = nextRequestId();
  return jsonReply({ Message: message, RequestId: requestId, Details: null }, status, {
    'Request-Id': requestId,
    ...headers,
  });
}

export function mewsOk(body: unknown): SandboxReply {
  return jsonReply(body, 200, { 'Request-Id': nextRequestId() });
}

/** Thrown inside an operation to answer with a MEWS error. */
export class MewsFailure extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}
