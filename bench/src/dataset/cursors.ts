import BetterSqlite3 from "better-sqlite3";

/**
 * The cursor of the page of a team's users that starts at `offset`, read from the data set. It is
 * built as the service builds its opaque cursors (base64url of ["u", display name, id]); the run
 * checks one against the service's own `X-Next-Cursor` before using them.
 */
export function usersCursors(filename: string, teamId: string, offsets: number[]): string[] {
  const db = new BetterSqlite3(filename, { readonly: true });
  try {
    const at = db.prepare(
      `select user_display_name as name, user_id as id from authorizations
        where team_id = ? order by user_display_name, user_id limit 1 offset ?`,
    );
    return offsets.map((offset) => {
      const key = at.get(teamId, offset - 1) as { name: string; id: string } | undefined;
      if (!key) throw new Error(`team ${teamId} has no user at ${offset}`);
      return Buffer.from(JSON.stringify(["u", key.name, key.id]), "utf8").toString("base64url");
    });
  } finally {
    db.close();
  }
}
