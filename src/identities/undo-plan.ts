// Which rows go back to the merged customer when a merge is undone (the rule is in
// docs/identity.md). Pure: the merge service loads the survivor's rows and applies
// the answer, so the rule can be tested without a database.

/** A survivor row: its id and the values of its foreign keys into other customer-owned tables. */
export interface PlanRow {
  id: string;
  refs: Record<string, string | null>;
}

export interface ForeignKey {
  table: string;
  column: string;
  refTable: string;
}

/** A touchpoint recorded on the survivor: identifiers it matched on, identifiers it added. */
export interface PlanTouchpoint {
  id: string;
  matched: string[];
  added: string[];
}

export interface UndoPlanInput {
  /** Every row the survivor owns now, per table. */
  rows: Map<string, PlanRow[]>;
  fks: ForeignKey[];
  /** Row ids that moved in the merge, per table. */
  moved: Map<string, Set<string>>;
  /** Row ids the survivor owned at merge time, or received in a later merge: never candidates. */
  notAddedAfterMerge: Map<string, Set<string>>;
  touchpointTable: string;
  touchpoints: PlanTouchpoint[];
  identifierTables: readonly string[];
}

export interface UndoPlan {
  /** Every row id to move back, per table. */
  back: Map<string, string[]>;
  /** The part of `back` that was added to the survivor after the merge. */
  addedAfterMerge: Map<string, string[]>;
}

/**
 * Rows that moved go back. A row added to the survivor after the merge goes back when it is
 * tied (by a foreign key, or by the touchpoint that captured it) to rows going back and to
 * nothing that stays; otherwise it stays with the survivor.
 */
export function planUndo(input: UndoPlanInput): UndoPlan {
  const tables = [...input.rows.keys()];
  const present = new Map(tables.map((t) => [t, new Set(input.rows.get(t)!.map((r) => r.id))]));
  const back = new Map(tables.map((t) => [t, new Set([...(input.moved.get(t) ?? [])].filter((id) => present.get(t)!.has(id)))]));
  const addedAfter = (t: string, id: string) =>
    !(input.moved.get(t)?.has(id) ?? false) && !(input.notAddedAfterMerge.get(t)?.has(id) ?? false);
  const goesBack = (t: string, id: string) => back.get(t)?.has(id) ?? false;
  const staysOnSurvivor = (t: string, id: string) => (present.get(t)?.has(id) ?? false) && !goesBack(t, id);
  const candidates = tables.flatMap((t) => input.rows.get(t)!.filter((r) => addedAfter(t, r.id)).map((row) => ({ table: t, row })));
  const outgoing = (t: string) => input.fks.filter((fk) => fk.table === t);
  const incoming = new Map<string, { table: string; row: PlanRow; column: string }[]>();
  for (const fk of input.fks) {
    for (const row of input.rows.get(fk.table) ?? []) {
      const target = row.refs[fk.column];
      if (!target) continue;
      const key = `${fk.refTable}:${target}`;
      incoming.set(key, [...(incoming.get(key) ?? []), { table: fk.table, row, column: fk.column }]);
    }
  }
  const identifierGoesBack = (id: string) => input.identifierTables.some((t) => goesBack(t, id));

  for (let changed = true; changed; ) {
    changed = false;
    const add = (t: string, id: string) => {
      if (!goesBack(t, id)) {
        back.get(t)!.add(id);
        changed = true;
      }
    };
    for (const { table, row } of candidates) {
      if (goesBack(table, row.id)) continue;
      // Hangs off something going back: a consent on its email, a message from its handle, a reply in its thread.
      if (outgoing(table).some((fk) => row.refs[fk.column] && goesBack(fk.refTable, row.refs[fk.column]!))) add(table, row.id);
      // Used only by rows going back: a conversation started by a message from its handle.
      const users = incoming.get(`${table}:${row.id}`) ?? [];
      if (users.length > 0 && users.every((u) => goesBack(u.table, u.row.id))) add(table, row.id);
    }
    // A touchpoint whose every known identifier goes back goes back, with the identifiers it added.
    for (const tp of input.touchpoints) {
      if (!addedAfter(input.touchpointTable, tp.id) || goesBack(input.touchpointTable, tp.id)) continue;
      if (tp.matched.length === 0 || !tp.matched.every(identifierGoesBack)) continue;
      add(input.touchpointTable, tp.id);
      for (const id of tp.added) {
        const t = input.identifierTables.find((x) => present.get(x)?.has(id));
        if (t && addedAfter(t, id)) add(t, id);
      }
    }
  }

  // Anything added after the merge that is also tied to a row staying with the survivor stays.
  for (let changed = true; changed; ) {
    changed = false;
    for (const { table, row } of candidates) {
      if (!goesBack(table, row.id)) continue;
      const tiedToStaying =
        outgoing(table).some((fk) => row.refs[fk.column] && staysOnSurvivor(fk.refTable, row.refs[fk.column]!)) ||
        (incoming.get(`${table}:${row.id}`) ?? []).some((u) => !goesBack(u.table, u.row.id));
      if (tiedToStaying) {
        back.get(table)!.delete(row.id);
        changed = true;
      }
    }
  }

  const result: UndoPlan = { back: new Map(), addedAfterMerge: new Map() };
  for (const t of tables) {
    const ids = [...back.get(t)!].sort();
    result.back.set(t, ids);
    result.addedAfterMerge.set(t, ids.filter((id) => addedAfter(t, id)));
  }
  return result;
}
