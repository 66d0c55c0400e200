import { createContext, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from "react";
import { useMutation, useQuery } from "urql";
import { LogoutDocument, MeDocument, type MeQuery } from "../gql/graphql";
import { sessionSignals } from "./client";
import { resetCsrfToken } from "./csrf";

type Membership = NonNullable<MeQuery["me"]>["memberships"][number];

export interface Session {
  me: NonNullable<MeQuery["me"]> | null;
  fetching: boolean;
  /** The server said the session is gone (UNAUTHENTICATED) while one was open: the sign-in page says so. */
  expired: boolean;
  /** The membership the user works in now (the header's switcher). */
  current: Membership | null;
  setCurrent: (organizationId: string) => void;
  refresh: () => void;
  signOut: () => Promise<void>;
  can: (permission: string) => boolean;
}

const SessionContext = createContext<Session | null>(null);
const STORAGE_KEY = "tw.currentOrganization";

export function SessionProvider({ children }: { children: ReactNode }) {
  const [{ data, fetching }, reexecute] = useQuery({ query: MeDocument, requestPolicy: "network-only" });
  const [, logout] = useMutation(LogoutDocument);
  const [currentId, setCurrentId] = useState<string | null>(() => localStorage.getItem(STORAGE_KEY));
  const [expired, setExpired] = useState(false);
  const me = data?.me ?? null;
  const signedIn = useRef(false); // whether a session is open now and not being ended on purpose
  signedIn.current = !!me;

  useEffect(() => {
    if (currentId) localStorage.setItem(STORAGE_KEY, currentId);
  }, [currentId]);

  useEffect(() => {
    if (me) setExpired(false);
  }, [me]);

  // The session ended under the console (expired, signed out elsewhere, password reset by an admin): ask for
  // the sign-in again, staying on the same address so that signing in returns to it. A one-time password not
  // yet changed: `me` says so and the console shows the change-password screen.
  useEffect(() => {
    const lost = () => {
      if (!signedIn.current) return;
      signedIn.current = false;
      setExpired(true);
      reexecute({ requestPolicy: "network-only" });
    };
    const mustChange = () => reexecute({ requestPolicy: "network-only" });
    sessionSignals.addEventListener("UNAUTHENTICATED", lost);
    sessionSignals.addEventListener("PASSWORD_CHANGE_REQUIRED", mustChange);
    return () => {
      sessionSignals.removeEventListener("UNAUTHENTICATED", lost);
      sessionSignals.removeEventListener("PASSWORD_CHANGE_REQUIRED", mustChange);
    };
  }, [reexecute]);

  const value = useMemo<Session>(() => {
    const memberships = me?.memberships ?? [];
    const current = memberships.find((m) => m.organization.id === currentId) ?? memberships[0] ?? null;
    return {
      me,
      fetching: fetching && !data,
      expired: expired && !me,
      current,
      setCurrent: setCurrentId,
      refresh: () => reexecute({ requestPolicy: "network-only" }),
      signOut: async () => {
        signedIn.current = false; // answers still under way are not an expiry
        await logout({});
        resetCsrfToken();
        reexecute({ requestPolicy: "network-only" });
      },
      can: (permission) => !!me && (me.isSuperuser || me.permissions.includes(permission)),
    };
  }, [me, fetching, data, currentId, expired, reexecute, logout]);

  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error("useSession outside SessionProvider");
  return session;
}
