import { beforeEach, describe, expect, it, vi } from "vitest";
import { makeCsrfFetch, readCookie, resetCsrfToken } from "./csrf";

function clearCookies() {
  for (const c of document.cookie.split(";")) {
    const name = c.split("=")[0].trim();
    if (name) document.cookie = `${name}=; expires=Thu, 01 Jan 1970 00:00:00 GMT; path=/`;
  }
}

function json(body: unknown, status = 200) {
  return new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });
}

describe("CSRF fetch wrapper", () => {
  beforeEach(() => {
    clearCookies();
    resetCsrfToken();
  });

  it("reads a cookie by name, decoding it", () => {
    expect(readCookie("csrftoken", "a=1; csrftoken=abc%3D; b=2")).toBe("abc=");
    expect(readCookie("missing", "a=1")).toBeNull();
  });

  it("sends the cookie's token as X-CSRFToken with same-origin credentials on POST", async () => {
    document.cookie = "csrftoken=from-cookie; path=/";
    const fetchImpl = vi.fn(async () => json({ data: {} }));
    await makeCsrfFetch(fetchImpl as unknown as typeof fetch)("/graphql", { method: "POST", body: "{}" });
    expect(fetchImpl).toHaveBeenCalledTimes(1);
    const [, init] = fetchImpl.mock.calls[0] as unknown as [string, RequestInit];
    expect(new Headers(init.headers).get("X-CSRFToken")).toBe("from-cookie");
    expect(init.credentials).toBe("same-origin");
  });

  it("asks /auth/csrf/ when there is no cookie yet", async () => {
    const fetchImpl = vi.fn(async (url: string) => (url === "/auth/csrf/" ? json({ csrfToken: "from-endpoint" }) : json({ data: {} })));
    await makeCsrfFetch(fetchImpl as unknown as typeof fetch)("/graphql", { method: "POST" });
    expect(fetchImpl.mock.calls.map((c) => c[0])).toEqual(["/auth/csrf/", "/graphql"]);
    const init = (fetchImpl.mock.calls[1] as unknown as [string, RequestInit])[1];
    expect(new Headers(init.headers).get("X-CSRFToken")).toBe("from-endpoint");
  });

  it("fetches a fresh token and retries once after a 403 (token rotated by login)", async () => {
    document.cookie = "csrftoken=stale; path=/";
    let graphqlCalls = 0;
    const fetchImpl = vi.fn(async (url: string) => {
      if (url === "/auth/csrf/") {
        clearCookies();
        return json({ csrfToken: "fresh" });
      }
      graphqlCalls += 1;
      return graphqlCalls === 1 ? new Response("CSRF", { status: 403 }) : json({ data: {} });
    });
    const response = await makeCsrfFetch(fetchImpl as unknown as typeof fetch)("/graphql", { method: "POST" });
    expect(response.status).toBe(200);
    const tokens = fetchImpl.mock.calls.filter((c) => c[0] === "/graphql").map((c) => new Headers((c as unknown as [string, RequestInit])[1].headers).get("X-CSRFToken"));
    expect(tokens).toEqual(["stale", "fresh"]);
  });

  it("does not retry forever and adds no token to GET", async () => {
    const fetchImpl = vi.fn(async () => new Response("", { status: 403 }));
    const get = await makeCsrfFetch(fetchImpl as unknown as typeof fetch)("/graphql?query=x");
    expect(get.status).toBe(403);
    expect(new Headers((fetchImpl.mock.calls[0] as unknown as [string, RequestInit])[1].headers).get("X-CSRFToken")).toBeNull();
    expect(fetchImpl).toHaveBeenCalledTimes(1);
  });
});
