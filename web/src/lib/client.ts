import { Client, cacheExchange, fetchExchange, mapExchange, type CombinedError } from "urql";
import { csrfFetch } from "./csrf";

/** What the server says about the session itself, whatever the request was: signed out (the session expired or
 * was ended), or a one-time password still to be changed. The session provider listens (lib/session.tsx). */
export type SessionSignal = "UNAUTHENTICATED" | "PASSWORD_CHANGE_REQUIRED";
export const SESSION_SIGNALS: readonly SessionSignal[] = ["UNAUTHENTICATED", "PASSWORD_CHANGE_REQUIRED"];
export const sessionSignals = new EventTarget();

export function sessionSignal(error: CombinedError | undefined | null): SessionSignal | null {
  const codes = error?.graphQLErrors.map((e) => e.extensions?.code) ?? [];
  return SESSION_SIGNALS.find((code) => codes.includes(code)) ?? null;
}

// One urql client for the whole console. Files in variables go out as GraphQL multipart requests
// (urql's fetchExchange implements the spec); the CSRF header rides on every POST via csrfFetch. Every answer
// that says the session is gone is signalled, so that the console asks to sign in again instead of showing
// empty lists.
export function makeClient(): Client {
  return new Client({
    url: "/graphql",
    exchanges: [cacheExchange, mapExchange({
      onResult(result) {
        const signal = sessionSignal(result.error);
        if (signal) sessionSignals.dispatchEvent(new Event(signal));
      },
    }), fetchExchange],
    fetch: csrfFetch,
    fetchOptions: { headers: { "Accept-Language": "zh-hans" } },
    requestPolicy: "cache-and-network",
  });
}

/** A Chinese sentence for a failed request: never a stack trace or an English exception. */
export function requestErrorMessage(error: CombinedError | undefined | null): string | null {
  if (!error) return null;
  if (error.networkError) return "无法连接服务器，请检查网络后重试";
  const first = error.graphQLErrors[0];
  if (first && /[\u4e00-\u9fff]/.test(first.message)) return first.message;
  if (first?.extensions?.code === "PAGE_SIZE_EXCEEDED") return "每页最多 100 条";
  if (first?.extensions?.code === "UNAUTHENTICATED") return "登录已过期，请重新登录";
  return "请求未能完成，请稍后重试";
}

export type PayloadError = { field?: string | null; code: string; message: string };

/** The first typed error of a mutation payload as a sentence, or null. */
export function payloadErrorMessage(errors: readonly PayloadError[] | undefined | null): string | null {
  if (!errors || errors.length === 0) return null;
  return errors.map((e) => e.message).join("；");
}
