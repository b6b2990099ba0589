// One call as the explorer shows it: the response, the session's events and SQL in order, and
// the tables afterwards, all from the run's `sql` instrument and its responses.
import { element, notice } from "../../kit/dom.js";
import { renderResponse } from "../../kit/response-view.js";

const EVENT_TEXT = {
  open: "session opened",
  begin: "transaction begun",
  commit: "committed",
  rollback: "rolled back",
  close: "session closed",
};

function params(value) {
  if (value === null || value === undefined) return "";
  if (Array.isArray(value) && value.length === 0) return "";
  return JSON.stringify(value);
}

export function renderEvents(call) {
  const list = element("ol", { class: "sql-events", "data-sql-events": "" });
  for (const event of call.events) {
    const who = event.session ? `#${event.session}` : "";
    if (event.kind === "sql") {
      const item = element("li", { class: `sql-statement${event.error ? " sql-failed" : ""}`, "data-event": "sql" },
        element("pre", {}, element("code", { text: event.sql })));
      const bound = params(event.params);
      if (bound) item.append(element("p", { class: "sql-params", text: `parameters: ${bound}` }));
      if (event.error) item.append(element("p", { class: "sql-error", role: "alert", text: `The database refused it: ${event.error}` }));
      list.append(item);
    } else {
      list.append(element("li", { class: `session-event session-${event.kind}`, "data-event": event.kind, text: `${EVENT_TEXT[event.kind]} ${who}`.trim() }));
    }
  }
  if (!call.events.length) list.append(element("li", { class: "hint", text: "No SQL and no session: this call did not touch the database." }));
  return list;
}

export function renderTables(call) {
  if (!call.tables) return [notice(call.tables_note || "The tables could not be read.", "warning")];
  if (!call.tables.length) return [element("p", { class: "hint", text: "The database has no tables." })];
  return call.tables.map((table) => {
    const grid = element("table", { class: "table-rows", "data-table": table.name },
      element("caption", { text: `${table.name} (${table.total} row${table.total === 1 ? "" : "s"})` }));
    grid.append(element("tr", {}, ...table.columns.map((column) => element("th", { scope: "col", text: column }))));
    for (const row of table.rows) grid.append(element("tr", {}, ...row.map((value) => element("td", { text: value === null ? "NULL" : String(value) }))));
    if (table.total > table.rows.length) grid.append(element("tr", {}, element("td", { colspan: String(table.columns.length), class: "hint", text: `… and ${table.total - table.rows.length} more` })));
    return grid;
  });
}

/** A call's card: `title`, the response (or null), its `sql` entry (or null), open or folded. */
export function renderCall({ title, response, call, latest }) {
  const card = element("details", { class: `crud-call${latest ? " latest" : ""}`, "data-call": "" });
  if (latest) card.open = true;
  const count = call ? call.statements : 0;
  const status = response && response.status ? ` → ${response.status}` : "";
  card.append(element("summary", {}, element("strong", { text: title }),
    element("span", { class: "hint", "data-statement-count": String(count), text: `${status} · ${count} statement${count === 1 ? "" : "s"}` })));
  const columns = element("div", { class: "crud-call-parts" });
  const what = element("section", { class: "crud-sql" }, element("h4", { text: "What SQLAlchemy did" }));
  if (call) {
    what.append(renderEvents(call));
    for (const text of call.notes || []) what.append(notice(text, "error", { title: "Blocked." }));
    if (call.truncated) what.append(element("p", { class: "hint", text: "Only the first events are shown: this call made a great many." }));
    if (call.unclosed.length) {
      what.append(notice(`Session ${call.unclosed.map((n) => `#${n}`).join(", ")} was opened and never closed: its connection is not back in the pool. Under load the pool runs dry and requests wait, then fail.`, "warning", { title: "Never closed." }));
    }
  } else {
    what.append(notice("No SQL was recorded for this call.", "info"));
  }
  const answer = element("section", { class: "crud-response" }, element("h4", { text: "Response" }), ...(response ? renderResponse(response) : [notice("No response.")]));
  const tables = element("section", { class: "crud-tables" }, element("h4", { text: "Tables afterwards" }), ...(call ? renderTables(call) : []));
  columns.append(what, answer, tables);
  card.append(columns);
  return card;
}
