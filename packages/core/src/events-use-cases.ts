import type { CommitPosition } from "./commit-order.js";
import { readEvents } from "./consent-log-queries.js";
import type { Context } from "./context.js";
import { encodeCursor } from "./pagination.js";
import type { Principal } from "./principal.js";
import { EventsPageQuery } from "./request-schemas.js";
import type { EventsPage } from "./schemas.js";
import { useToken } from "./token-use.js";
import { parseInput } from "./validation.js";

// The consent log read by integrations (DESIGN §7, issue 16 point 3): every record, in commit
// order, from a cursor that never skips a record a slower transaction commits late.

type P = Principal | null | undefined;

/** Before every record: (0, 0) precedes every position on both stores. */
const START: CommitPosition = { tx: "0", id: "0" };

const cursorAt = (position: CommitPosition) => encodeCursor("events", [position.tx, position.id]);

export function eventsUseCases(ctx: Context) {
  return {
    /**
     * A page of the consent log in commit order (`GET /api/v1/admin/events`), for tokens with the
     * `admin` scope: the records after `after`, and the cursor to read on from. The cursor is never
     * null: after an empty page it is the one asked with (the start of the log without one), so a
     * consumer polling with the last cursor it got never starts over and never misses a record.
     */
    async listEvents(principal: P, query: EventsPageQuery = {}): Promise<EventsPage> {
      const token = await useToken(ctx, principal, "administration");
      const { after, limit } = parseInput(EventsPageQuery, query);
      token.permit();
      const rows = await readEvents(ctx.store, after, limit);
      const last = rows[rows.length - 1];
      return {
        events: rows.map((r) => r.record),
        next_cursor: cursorAt(last ? last.position : (after ?? START)),
      };
    },
  };
}
