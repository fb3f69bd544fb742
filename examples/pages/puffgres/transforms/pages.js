// Turns a row of public.pages into a turbopuffer document.
// row: the selected columns; ctx: { id, op, lsn, table, commitTime, embed(text) }.
export function transform(row, ctx) {
  const body = row.body ?? '';
  const summary = body.length > 200 ? body.slice(0, 197) + '...' : body;
  return {
    title: row.title,
    summary,
    org_id: row.org_id,
    updated_at: row.updated_at,
    embedding: ctx.embed(`${row.title}\n${summary}`),
  };
}
