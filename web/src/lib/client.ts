import { Client, cacheExchange, fetchExchange, type CombinedError } from "urql";
import { csrfFetch } from "./csrf";

// One urql client for the whole console. Files in variables go out as GraphQL multipart requests
// (urql's fetchExchange implements the spec); the CSRF header rides on every POST via csrfFetch.
export function makeClient(): Client {
  return new Client({
    url: "/graphql",
    exchanges: [cacheExchange, fetchExchange],
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
  return "请求未能完成，请稍后重试";
}

export type PayloadError = { field?: string | null; code: string; message: string };

/** The first typed error of a mutation payload as a sentence, or null. */
export function payloadErrorMessage(errors: readonly PayloadError[] | undefined | null): string | null {
  if (!errors || errors.length === 0) return null;
  return errors.map((e) => e.message).join("；");
}
