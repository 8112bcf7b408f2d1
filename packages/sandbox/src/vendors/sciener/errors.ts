import { jsonReply, type SandboxReply } from '../../util/http.js';

/** errmsg texts from the TTLock error table (sciener.md §8). */
export const errmsgs: Record<number, string> = {
  1: 'failed or means no',
  [-3]: 'Invalid Parameter',
  10000: 'client_id does not exist',
  10001: 'invalid client',
  10003: 'token does not exist',
  10004: 'invalid grant',
  10007: 'invalid account or invalid password',
  10011: 'invalid refresh_token',
  30006: 'exceeds the restrictions of API call number',
  80000: 'date must be current time, in 5 minutes',
  90000: 'internal server error',
  [-1003]: 'Lock does not exist',
  [-2009]: 'Invalid Password',
  [-2012]: 'The Lock is not connected to any Gateway.',
  [-2032]: 'The passcode is too simple',
  [-3002]: 'The gateway is offline. Please check and try again.',
  [-3003]: 'The gateway is busy. Please try again later.',
  [-3006]: 'Invalid Passcode. Passcode should be between 4 - 9 Digits in length',
  [-3007]: 'The same passcode already exists. Please use another one',
  [-3009]:
    'There is NO SPACE to store Customized Passcodes. Please Delete Un-Used Customized Passcodes and try again',
  [-3036]: 'The lock is offline. Please check and try again',
  [-3037]: 'The lock is busy. Please try again later',
};

/** Failures are HTTP 200 with a non-zero errcode (sciener.md §3). */
export function scienerError(errcode: number, errmsg?: string): SandboxReply {
  return jsonReply(
    { errcode, errmsg: errmsg ?? errmsgs[errcode] ?? 'failed or means no', description: '表示失败或否' },
    200,
    {},
    errcode,
  );
}

/** Action calls (change, delete) answer `{ errcode: 0, … }` (sciener.md §3, §5.3). */
export function scienerOk(): SandboxReply {
  return jsonReply({ errcode: 0, errmsg: 'none error message', description: '表示成功或是' });
}

export class ScienerFailure extends Error {
  constructor(readonly errcode: number) {
    super(errmsgs[errcode] ?? `errcode ${errcode}`);
  }
}
