export function toDocument(row, ctx) {
  return { title: row.title };
}
