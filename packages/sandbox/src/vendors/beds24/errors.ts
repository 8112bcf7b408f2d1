import { jsonReply, type SandboxReply } from '../../util/http.js';

/** `UnsuccessfulApiResponse` (beds24.md §6.1): all four fields required. */
export function beds24Error(
  status: number,
  error: string,
  headers: Record<string, string> = {},
): SandboxReply {
  return jsonReply({ success: false, type: 'error', code: status, error }, status, headers);
}

export class Beds24Failure extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}
