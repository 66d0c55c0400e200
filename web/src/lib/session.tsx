import { createContext, useContext, useEffect, useMemo, useState, type ReactNode } from "react";
import { useQuery } from "urql";
import { MeDocument, type MeQuery } from "../gql/graphql";

type Membership = NonNullable<MeQuery["me"]>["memberships"][number];

export interface Session {
  me: NonNullable<MeQuery["me"]> | null;
  fetching: boolean;
  /** The membership the user works in now (the header's switcher). */
  current: Membership | null;
  setCurrent: (organizationId: string) => void;
  refresh: () => void;
  can: (permission: string) => boolean;
}

const SessionContext = createContext<Session | null>(null);
const STORAGE_KEY = "tw.currentOrganization";

export function SessionProvider({ children }: { children: ReactNode }) {
  const [{ data, fetching }, reexecute] = useQuery({ query: MeDocument, requestPolicy: "network-only" });
  const [currentId, setCurrentId] = useState<string | null>(() => localStorage.getItem(STORAGE_KEY));
  const me = data?.me ?? null;

  useEffect(() => {
    if (currentId) localStorage.setItem(STORAGE_KEY, currentId);
  }, [currentId]);

  const value = useMemo<Session>(() => {
    const memberships = me?.memberships ?? [];
    const current = memberships.find((m) => m.organization.id === currentId) ?? memberships[0] ?? null;
    return {
      me,
      fetching: fetching && !data,
      current,
      setCurrent: setCurrentId,
      refresh: () => reexecute({ requestPolicy: "network-only" }),
      can: (permission) => !!me && (me.isSuperuser || me.permissions.includes(permission)),
    };
  }, [me, fetching, data, currentId, reexecute]);

  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error("useSession outside SessionProvider");
  return session;
}
