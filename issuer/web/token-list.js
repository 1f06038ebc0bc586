// The token table: status filter, cursor paging, row selection and each row's action menu.

import { byId, h, replace, show } from "./dom.js";
import { count, date, dateTime, relative } from "./format.js";
import { menuButton } from "./menu.js";

const PAGE_SIZE = 20;

function timeCell(iso, missing) {
  if (!iso) return h("span", { class: "muted", text: missing });
  return h("time", { datetime: iso, title: dateTime(iso), text: date(iso) });
}

function lastUsedCell(iso) {
  if (!iso) return h("span", { class: "muted", text: "never" });
  return h("time", { datetime: iso, title: dateTime(iso), text: relative(iso) });
}

function statusBadge(token) {
  const badge = h("span", { class: `badge ${token.status}`, text: token.status });
  if (token.status === "active" && token.revokes_at) {
    return [badge, h("span", { class: "muted small", title: dateTime(token.revokes_at), text: ` revokes ${relative(token.revokes_at)}` })];
  }
  return badge;
}

export class TokenList {
  /**
   * session: the signed-in Session. actions: `revoke(tokens)`, `rotate(tokens)`, `failed(error)`.
   */
  constructor(session, actions) {
    this.session = session;
    this.actions = actions;
    this.status = "all";
    this.subject = ""; // admins only: one subject's tokens ("" = everyone's)
    this.cursors = [null]; // the cursor of each page seen so far; the last is the current page
    this.tokens = [];
    this.selected = new Map(); // id -> token info, across pages
    this.body = byId("token-rows");
    this.selectAll = byId("select-all");
    this.selectAll.onchange = () => this.selectPage(this.selectAll.checked);
    byId("status-filter").onchange = (e) => {
      this.status = e.target.value;
      this.restart();
    };
    const subject = byId("subject-filter");
    subject.value = "";
    show(byId("subject-filter-wrap"), session.isAdmin);
    // "change" fires on Enter and on leaving the field; "search" when its clear button is used.
    subject.onchange = subject.onsearch = () => {
      if (subject.value.trim() === this.subject) return;
      this.subject = subject.value.trim();
      this.restart();
    };
    byId("page-prev").onclick = () => {
      this.cursors.pop();
      this.load();
    };
    byId("page-next").onclick = () => {
      this.cursors.push(this.next);
      this.load();
    };
    byId("revoke-selected").onclick = () => this.actions.revoke([...this.selected.values()]);
    byId("rotate-selected").onclick = () => this.actions.rotate([...this.selected.values()]);
  }

  /** Back to the first page under new filters. */
  restart() {
    this.cursors = [null];
    this.selected.clear();
    this.load();
  }

  /** Loads the current page again (after a change, or when the filter moved). */
  async load() {
    const query = new URLSearchParams({ limit: String(PAGE_SIZE), status: this.status });
    const cursor = this.cursors.at(-1);
    if (cursor) query.set("cursor", cursor);
    if (this.subject) query.set("subject", this.subject);
    byId("token-table").setAttribute("aria-busy", "true");
    try {
      const page = await this.session.call("GET", `/v1/tokens?${query}`);
      this.tokens = page.tokens;
      this.next = page.next_cursor;
      if (this.tokens.length === 0 && this.cursors.length > 1) {
        // The page emptied (its tokens changed status): step back.
        this.cursors.pop();
        return this.load();
      }
      this.render();
    } catch (error) {
      this.actions.failed(error);
    } finally {
      byId("token-table").removeAttribute("aria-busy");
    }
  }

  /** Forgets the selection (after a batch action). */
  clearSelection() {
    this.selected.clear();
  }

  selectPage(on) {
    for (const token of this.tokens) {
      if (token.status === "revoked") continue;
      if (on) this.selected.set(token.id, token);
      else this.selected.delete(token.id);
    }
    this.render();
  }

  render() {
    replace(this.body, this.tokens.map((t) => this.row(t)));
    show(byId("list-empty"), this.tokens.length === 0);
    const whose = this.subject ? ` of ${this.subject}` : "";
    byId("list-empty").textContent =
      this.status === "all" && !whose ? "No tokens yet. Create one to get started." : `No ${this.status === "all" ? "" : `${this.status} `}tokens${whose}.`;
    const page = this.cursors.length;
    show(byId("pager"), page > 1 || Boolean(this.next));
    byId("page-label").textContent = `Page ${page}`;
    byId("page-prev").disabled = page <= 1;
    byId("page-next").disabled = !this.next;
    const selectable = this.tokens.filter((t) => t.status !== "revoked");
    const onPage = selectable.filter((t) => this.selected.has(t.id)).length;
    this.selectAll.checked = selectable.length > 0 && onPage === selectable.length;
    this.selectAll.indeterminate = onPage > 0 && onPage < selectable.length;
    this.selectAll.disabled = selectable.length === 0;
    const n = this.selected.size;
    byId("selection-count").textContent = n ? `${count(n, "token")} selected` : "";
    const canWrite = this.session.canWrite;
    byId("revoke-selected").disabled = n === 0 || !canWrite;
    byId("rotate-selected").disabled = n === 0 || !canWrite;
  }

  row(token) {
    const mine = token.id === this.session.me.token_id;
    const revoked = token.status === "revoked";
    const readOnly = this.session.canWrite ? null : "Your token needs the tokens:write scope";
    const checkbox = h("input", {
      type: "checkbox",
      "aria-label": `Select ${token.name}`,
      checked: this.selected.has(token.id),
      disabled: revoked || Boolean(readOnly),
      onChange: (e) => {
        if (e.target.checked) this.selected.set(token.id, token);
        else this.selected.delete(token.id);
        this.render();
        this.body.querySelector(`input[data-id="${CSS.escape(token.id)}"]`)?.focus();
      },
    });
    checkbox.dataset.id = token.id;
    const name = h(
      "td",
      { class: "name", "data-label": "Name" },
      h("span", { class: "token-name", text: token.name }),
      mine ? h("span", { class: "tag", text: "this session" }) : null,
      token.description ? h("span", { class: "description", text: token.description }) : null,
      token.subject !== this.session.me.subject ? h("span", { class: "muted small", text: `for ${token.subject}` }) : null,
    );
    const scopes = h("ul", { class: "chips", "aria-label": "Scopes" }, token.scopes.map((s) => h("li", { text: s })));
    const menu = menuButton(`Actions for ${token.name}`, "⋯", [
      { label: "Rotate", disabled: revoked ? "A revoked token cannot be rotated" : readOnly, onSelect: () => this.actions.rotate([token]) },
      { label: "Revoke", danger: true, disabled: revoked ? "Already revoked" : readOnly, onSelect: () => this.actions.revoke([token]) },
    ]);
    const tr = h(
      "tr",
      { class: revoked ? "revoked" : null },
      h("td", { class: "check" }, checkbox),
      name,
      h("td", { "data-label": "Token" }, h("code", { class: "token-hint", text: token.hint })),
      h("td", { "data-label": "Scopes" }, scopes),
      h("td", { "data-label": "Created" }, timeCell(token.created_at, "")),
      h("td", { "data-label": "Expires" }, timeCell(token.expires_at, "never")),
      h("td", { "data-label": "Last used" }, lastUsedCell(token.last_used_at)),
      h("td", { "data-label": "Status" }, statusBadge(token)),
      h("td", { class: "row-actions" }, menu),
    );
    tr.dataset.id = token.id;
    return tr;
  }
}
